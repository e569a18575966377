using System;
using System.IO;
using System.Linq;
using StaticNets;
using StaticNets.Interop;
using StaticNets.Persistence;
using StaticNets.Training;

// Step 1 of the baked-weights sample: train the digits network and save it. The last 20 digits of the data set
// are held out entirely: samples/BakedApp carries them in its source and classifies them with the baked weights.
// Usage: dotnet run --project samples/BakedTrainer -c Release -- [output.snet]   (default: samples/BakedApp/digits.snet)
string output = args.Length > 0 ? args[0] : Path.Combine("samples", "BakedApp", "digits.snet");
var all = Datasets.Digits<float>(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz"));
const int HeldOut = 20;
var (train, test) = all.Subset(Enumerable.Range(0, all.Count - HeldOut).ToArray()).Split(0.8, seed: 1);

var net = new DigitsNet(seed: 42);
new Trainer<float>(net).Fit(train, new TrainerOptions { Epochs = 30, BatchSize = 32, LearningRate = 0.1, Seed = 7 });
Console.WriteLine($"{DigitsNet.Architecture}: test accuracy {Evaluator.Evaluate(net, test).Accuracy:P2} on {test.Count} digits.");

NetworkFile.Save(net, output);
Console.WriteLine($"Saved {new FileInfo(output).Length} bytes to {output}.");

// The same weights for other tools: ONNX Runtime and PyTorch (docs/interop.md).
OnnxExport.Export(net, Path.ChangeExtension(output, ".onnx"));
Safetensors.Export(net, Path.ChangeExtension(output, ".safetensors"));
Console.WriteLine($"Also wrote {Path.ChangeExtension(output, ".onnx")} and {Path.ChangeExtension(output, ".safetensors")}.");

/// <summary>The same declaration as samples/BakedApp's, without the baked weights.</summary>
[Network(64, 32, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class DigitsNet;
