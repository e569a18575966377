using System;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Running;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --filter '*'</c> runs the suite (BenchmarkDotNet arguments); <c>mnist</c>
/// trains N2 on MNIST end to end and prints accuracy and wall-clock time, loading included.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "mnist")
            return MnistEndToEnd(args.Skip(1).ToArray());
        if (args.Length > 0 && args[0] == "check")
            return Check();

        Console.WriteLine($"Measured FMA peak (one core, float): {FmaPeak.GflopsPerCore:F1} GFLOP/s");
        var types = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), true)))
            .ToList();
        if (MnistLocator.Find() is null)
        {
            Console.WriteLine("MNIST not found (set STATICNETS_MNIST or put the IDX files in shared/data/mnist): skipping MnistEpoch.");
            types.Remove(typeof(MnistEpoch));
        }
        BenchmarkSwitcher.FromTypes(types.ToArray()).Run(args);
        return 0;
    }

    // Runs every cell's setup, which checks that all peers agree with StaticNets, without timing anything.
    private static int Check()
    {
        new N1Forward1().Setup();
        new N2Forward1().Setup();
        new N2Forward256().Setup();
        new N3Forward256().Setup();
        new N2Train32().Setup();
        new N3Train32().Setup();
        Console.WriteLine("All peers agree with StaticNets (forward outputs and one training step, within 1e-4).");
        return 0;
    }

    private static int MnistEndToEnd(string[] args)
    {
        int threads = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        int epochs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 9;
        string? dir = MnistLocator.Find();
        if (dir is null)
        {
            Console.WriteLine("MNIST not found (set STATICNETS_MNIST or put the IDX files in shared/data/mnist).");
            return 1;
        }
        var clock = Stopwatch.StartNew();
        var train = Datasets.Mnist<float>(dir, train: true);
        var test = Datasets.Mnist<float>(dir, train: false);
        var loaded = clock.Elapsed;
        var net = new N2(seed: 1);
        var options = new TrainerOptions { Epochs = epochs, BatchSize = 32, LearningRate = 0.1, Seed = 1, Threads = threads };
        new Trainer<float>(net).Fit(train, options,
            onEpoch: r => Console.WriteLine($"epoch {r.Epoch}: loss {r.TrainLoss:F4}, {r.Elapsed.TotalMilliseconds:F0} ms"));
        var result = Evaluator.Evaluate(net, test);
        clock.Stop();
        Console.WriteLine($"MNIST 784-128-10, batch 32, {epochs} epochs, {threads} thread(s): test accuracy {result.Accuracy:P2}, wall clock {clock.Elapsed.TotalSeconds:F2} s (loading {loaded.TotalSeconds:F2} s).");
        return 0;
    }
}
