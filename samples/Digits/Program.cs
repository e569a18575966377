using System;
using System.Diagnostics;
using System.IO;
using StaticNets;
using StaticNets.Training;

// Trains a generated network on the real scikit-learn 8×8 digits (shipped in data/), then reports the
// held-out accuracy and the confusion matrix. Optional argument: the path of another digits.csv(.gz).
string path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");
var clock = Stopwatch.StartNew();
var all = Datasets.Digits<float>(path);
var (train, test) = all.Split(0.8, seed: 1);
Console.WriteLine($"Digits: {all.Count} samples of 8×8 pixels; training on {train.Count}, testing on {test.Count}.");

var net = new DigitsNet(seed: 42);
Console.WriteLine($"Network: {DigitsNet.Architecture} ({DigitsNet.ParameterCount} parameters)");

var options = new TrainerOptions { Epochs = 30, BatchSize = 32, LearningRate = 0.1, Seed = 7 };
new Trainer<float>(net).Fit(train, options, validation: test, onEpoch: report =>
    Console.WriteLine($"epoch {report.Epoch,2}: train loss {report.TrainLoss:F4}  test loss {report.Validation!.Loss:F4}  test accuracy {report.Validation.Accuracy:P2}  ({report.Elapsed.TotalMilliseconds:F0} ms)"));

var result = Evaluator.Evaluate(net, test);
Console.WriteLine();
Console.WriteLine("Confusion matrix (rows: true digit, columns: predicted):");
Console.Write(result.Confusion);

// One sample, classified without allocating: the per-frame inference path.
int predicted = net.Classify(test.Input(0));
Console.WriteLine($"First test digit: label {test.Label(0)}, predicted {predicted}.");
Console.WriteLine($"{result.Count} held-out digits, {clock.Elapsed.TotalSeconds:F1} s including loading.");
// The result last, as every sample ends.
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Test accuracy: {result.Accuracy * 100:F2} %"));

/// <summary>64 pixels → 32 ReLU → 10 softmax, trained with cross-entropy.</summary>
[Network(64, 32, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class DigitsNet;
