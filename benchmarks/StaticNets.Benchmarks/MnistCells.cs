using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>Finds the MNIST IDX files: $STATICNETS_MNIST, else shared/data/mnist beside an ancestor of the app or working directory.</summary>
public static class MnistLocator
{
    /// <summary>The directory holding the four MNIST .gz files, or null when there is none.</summary>
    public static string? Find()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("STATICNETS_MNIST");
        if (!string.IsNullOrEmpty(fromEnvironment))
            return HasFiles(fromEnvironment) ? fromEnvironment : null;
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (string candidate in new[] { Path.Combine(dir.FullName, "shared", "data", "mnist"), Path.Combine(dir.FullName, "..", "shared", "data", "mnist") })
                    if (HasFiles(candidate))
                        return Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    private static bool HasFiles(string dir)
        => File.Exists(Path.Combine(dir, "train-images-idx3-ubyte.gz")) && File.Exists(Path.Combine(dir, "train-labels-idx1-ubyte.gz"));
}

/// <summary>One epoch of MNIST (60 000 samples, batch 32) on N2 through <see cref="Trainer{T}.Fit"/>.</summary>
[Config(typeof(SuiteConfig)), Work(TrainingMacs.N2, 60_000, 1)]
public class MnistEpoch
{
    private Dataset<float> _train = null!;
    private N2 _net = null!;

    /// <summary>Loads the training set (not timed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        string dir = MnistLocator.Find() ?? throw new InvalidOperationException("MNIST not found; Program skips this benchmark when it is missing.");
        _train = Datasets.Mnist<float>(dir, train: true);
        _net = new N2(seed: 1);
    }

    /// <summary>One epoch, one thread.</summary>
    [Benchmark(Baseline = true, Description = "StaticNets epoch")]
    public double Epoch1() => new Trainer<float>(_net).Fit(_train, new TrainerOptions { Epochs = 1, BatchSize = 32, LearningRate = 0.05, Threads = 1 })[0].TrainLoss;

    /// <summary>One epoch, two threads.</summary>
    [Benchmark(Description = "StaticNets epoch, 2 threads")]
    public double Epoch2() => new Trainer<float>(_net).Fit(_train, new TrainerOptions { Epochs = 1, BatchSize = 32, LearningRate = 0.05, Threads = 2 })[0].TrainLoss;
}
