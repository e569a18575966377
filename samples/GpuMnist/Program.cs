using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using StaticNets;
using StaticNets.Gpu;
using StaticNets.Training;

// Trains a wide MLP (784-2048-2048-10, ReLU, softmax, cross-entropy; 5.8 million parameters) on the real MNIST files
// through StaticNets.Gpu: no kernel of its own, just the generated network, a device and a GpuTrainer. Prints the
// accelerator chosen (CUDA, then OpenCL, then ILGPU's CPU accelerator), the plan, the time per epoch and the test
// accuracy. The data set, parameters, gradients and Adam's moments stay on the device for the whole run.
//
// Usage: dotnet run --project samples/GpuMnist -c Release -- [mnist-directory] [--epochs N] [--train N] [--test N] [--cpu] [--host]
// On a GPU it trains 12 epochs on all 60,000 images and tests on all 10,000. Without one (or with --cpu) it runs on
// ILGPU's CPU accelerator, which simulates GPU threads with .NET threads and is orders of magnitude slower, so it
// trains 1 epoch on the first 12,000 training images and tests on the first 2,000 test images, and says so.
// --host keeps the network on the host (a budget no layer reaches: the generated SIMD code and the runtime's Adam),
// for comparing the two paths on one machine.
string? directory = null;
int? epochs = null, trainCount = null, testCount = null;
bool forceCpu = false, host = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--train": trainCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--test": testCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--cpu": forceCpu = true; break;
        case "--host": host = true; break;
        default: directory = args[i]; break;
    }
}
directory ??= SharedData.Find("mnist");
if (directory is null || !Directory.Exists(directory))
{
    Console.Error.WriteLine("MNIST not found. Pass the directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.");
    return 1;
}

using var device = forceCpu ? GpuDevice.CreateCpu(gpuGroups: false) : GpuDevice.CreatePreferred();
Console.WriteLine($"Accelerator: {device}");
Console.WriteLine($"GEMM: {(device.UsesTiledGemm ? "tiled shared-memory kernel (64 × 64 tiles, 16 × 16 threads)" : "barrier-free kernel (CPU accelerator with small groups)")}");

var train = Datasets.Mnist<float>(directory, train: true);
var test = Datasets.Mnist<float>(directory, train: false);
if (!device.IsGpu)
{
    epochs ??= 1;
    trainCount ??= 12000;
    testCount ??= 2000;
    Console.WriteLine($"No GPU: reduced run on ILGPU's CPU accelerator: {epochs} epoch(s) on the first {trainCount:N0} training images, tested on the first {testCount:N0} test images (a GPU run takes 12 epochs on all 60,000 and tests on all 10,000).");
}
epochs ??= 12;
if (trainCount is int tc && tc < train.Count)
    train = train.Take(tc);
if (testCount is int sc && sc < test.Count)
    test = test.Take(sc);
Console.WriteLine($"MNIST: {train.Count:N0} training and {test.Count:N0} test images.");

var net = new WideMnist(seed: 1);
var options = new GpuTrainerOptions
{
    BatchSize = 128,
    Optimizer = GpuOptimizer.Adam(),
    Schedule = LearningRateSchedule.Cosine(0.001, epochs.Value, 1e-5),
    Seed = 7,
    SizeBudget = host ? long.MaxValue : GpuPlan.DefaultBudget,
};
using var trainer = new GpuTrainer(net, device, options);
Console.WriteLine($"Network: {WideMnist.Architecture}, {WideMnist.ParameterCount:N0} parameters.");
Console.WriteLine($"Plan: {trainer.Plan}");

var clock = Stopwatch.StartNew();
for (int e = 0; e < epochs; e++)
{
    var result = trainer.TrainEpoch(train);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {result.Epoch,2}: loss {result.MeanLoss:F4}, {result.Batches} batches, {result.Elapsed.TotalSeconds:F2} s ({train.Count / result.Elapsed.TotalSeconds:N0} images/s)"));
}
var trainingTime = clock.Elapsed;
clock.Restart();
double accuracy = trainer.Evaluate(test);
var evaluationTime = clock.Elapsed;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Training took {trainingTime.TotalSeconds:F1} s ({trainingTime.TotalSeconds / epochs.Value:F2} s per epoch); evaluation {(trainer.OnAccelerator ? "on the device" : "on the host")} {evaluationTime.TotalSeconds:F2} s."));

// The host sees the parameters only now: copied back once, then checked by the generated CPU code.
trainer.CopyToNetwork();
var check = Evaluator.Evaluate(net, test);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Host check (generated code on the copied parameters): {check.Accuracy * 100:F2} %"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {accuracy * 100:F2} %"));
return 0;

/// <summary>784 pixels → 2048 ReLU → 2048 ReLU → 10 softmax, trained with cross-entropy: large enough for the GPU path.</summary>
[Network(784, 2048, 2048, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class WideMnist;
