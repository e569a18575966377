using System;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Running;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --filter '*'</c> runs the suite (BenchmarkDotNet arguments); <c>mnist</c>
/// trains N2 on MNIST end to end and prints accuracy and wall-clock time, loading included; <c>lenet-mnist</c>
/// does the same for LeNet-5 (Adam, 10 epochs by default); <c>lenet-layers</c> times LeNet-5's conv and pool
/// kernels one by one at batch 32 against the whole forward and backward; <c>hamming</c> times HammingIndex queries
/// over 60,000 codes by stopwatch; <c>subnormals</c> counts subnormal values in a long MNIST run. Stopwatch breakdowns of the dense paths (see <see cref="GemmBreakdown"/>): <c>gemm</c>,
/// <c>kblock</c>, <c>kernel-ab</c>, <c>bwd</c>, <c>gemm-peer</c>, <c>forward-parts</c>, <c>forward-warm</c>, <c>train-steps</c>, <c>train-align</c>, <c>train-kernels</c>, <c>input-split</c>, <c>train-optimizers</c>, <c>affinity</c>, <c>pool-ab</c>, <c>layer-threads</c>, <c>train-phases</c>, <c>train-drift</c>. <c>build-ab</c> times one network from two builds in one process (<see cref="BuildAb"/>). <c>torch</c> (built with
/// <c>-p:WithTorchSharp=true</c>) times the table's cells with TorchSharp beside StaticNets and ONNX Runtime.
/// </summary>
public static class Program
{
    // The stopwatch modes by name; each gets the arguments after its name. Anything else goes to BenchmarkDotNet.
    private static readonly System.Collections.Generic.Dictionary<string, Func<string[], int>> Modes = new()
    {
        ["mnist"] = MnistEndToEnd,
        ["lenet-mnist"] = LeNetMnist.Run,
        ["lenet-layers"] = LeNetMnist.LayerBreakdown,
        ["check"] = _ => Check(),
        ["partitions"] = _ => PartitionCost(),
        ["fused"] = FusedBudget.Run,
        ["hamming"] = _ => HammingData.Run(),
        ["train-steps"] = _ => GemmBreakdown.TrainSteps(),
        ["train-align"] = GemmBreakdown.TrainAlign,
        ["train-kernels"] = GemmBreakdown.TrainKernels,
        ["input-split"] = GemmBreakdown.InputSplit,
        ["forward-parts"] = _ => GemmBreakdown.ForwardParts(),
        ["forward-warm"] = _ => GemmBreakdown.ForwardWarm(),
        ["train-drift"] = _ => GemmBreakdown.TrainDrift(),
        ["mnist-load"] = _ => MnistLoad.Run(),
        ["subnormals"] = SubnormalProbe.Run,
        ["pool-ab"] = AffinityProbe.PoolAb,
        ["layer-threads"] = AffinityProbe.LayerThreads,
        ["affinity"] = _ => AffinityProbe.Run(),
        ["train-optimizers"] = _ => GemmBreakdown.TrainOptimizers(),
        ["train-phases"] = _ => GemmBreakdown.TrainPhases(),
        ["kblock"] = _ => GemmBreakdown.KBlocks(),
        ["bwd"] = GemmBreakdown.Backward,
        ["gemm-peer"] = GemmBreakdown.GemmPeer,
        ["gemm"] = GemmBreakdown.Run,
        ["kernel-ab"] = KernelAb.Run,
        ["torch"] = _ => Torch(),
        ["n1"] = _ => N1Breakdown(),
        ["build-ab"] = BuildAb.Run,
        ["fma"] = _ =>
        {
            Console.WriteLine($"FMA loop: 1 thread {FmaPeak.MeasureConcurrently(1):F1} GFLOP/s, 2 threads together {FmaPeak.MeasureConcurrently(2):F1} GFLOP/s.");
            for (int round = 0; round < 5; round++)
                Console.WriteLine($"FMA loop alone {FmaPeak.MeasureOnce():F1} GFLOP/s; with the ∂input kernel's loads from L1 {FmaPeak.MeasureLoadLoopOnce():F1} GFLOP/s");
            return 0;
        },
    };

    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && Modes.TryGetValue(args[0], out var mode))
            return mode(args.Skip(1).ToArray());

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

    private static int Torch()
    {
#if TORCHSHARP
        return TorchCells.Run();
#else
        Console.WriteLine("The torch mode needs TorchSharp: dotnet run -c Release --project benchmarks/StaticNets.Benchmarks -p:WithTorchSharp=true -- torch");
        return 1;
#endif
    }

    // Runs every cell's setup, which checks that all peers agree with StaticNets, without timing anything.
    private static int Check()
    {
        new N1Forward1().Setup();
        new N2Forward1().Setup();
        new N2Forward256().Setup();
        new N3Forward256().Setup();
        new N2Forward256Threads().Setup();
        new N3Forward256Threads().Setup();
        new N2Train32().Setup();
        new N3Train32().Setup();
        new LeNetForward1().Setup();
        new LeNetForward256().Setup();
        new LeNetTrain32().Setup();
        Console.WriteLine("All peers agree with StaticNets (forward outputs and one training step, within 1e-4).");
        return 0;
    }

    // What cutting a batch of 32 into two 16-sample partitions (the price of thread-count-independent
    // results) costs on one thread: TrainBatch versus one Backward over all 32 plus the same SGD update.
    private static int PartitionCost()
    {
        foreach (var (name, make) in new (string, Func<INetwork<float>>)[] { ("N2", () => new N2(2)), ("N3", () => new N3(3)) })
        {
            var net = make();
            var x = BenchData.Inputs(32 * net.InputSize, 11);
            var y = BenchData.Targets(32, net.OutputSize, 12);
            var trainer = new Trainer<float>(net);
            var options = new TrainerOptions { LearningRate = 0.01, Threads = 1 };
            var workspace = net.CreateWorkspace(32);
            var gradient = new float[net.ParameterCount];
            var sgd = new Sgd<float>();
            void Whole()
            {
                Array.Clear(gradient);
                net.Backward(x, y, gradient, workspace);
                StaticNets.Kernels.VectorMath.Scale(1f / 32, gradient);
                using var edit = net.EditParameters();
                sgd.Step(edit.Span, gradient, 0.01f);
            }
            double Time(Action step)
            {
                double best = double.MaxValue;
                for (int round = 0; round < 7; round++)
                {
                    var clock = Stopwatch.StartNew();
                    for (int i = 0; i < 50; i++)
                        step();
                    best = Math.Min(best, clock.Elapsed.TotalMicroseconds / 50);
                }
                return best;
            }
            double partitioned = Time(() => trainer.TrainBatch(x, y, options));
            double whole = Time(Whole);
            Console.WriteLine($"{name}, batch 32, one thread: 2 partitions {partitioned:F0} µs/step, one Backward {whole:F0} µs/step (best of 7 × 50).");
        }
        return 0;
    }

    // Where N1's single-sample time goes: the whole generated Forward against its parts called directly.
    private static int N1Breakdown()
    {
        var net = new N1(1);
        float[] x = BenchData.Inputs(8, 3), y = new float[4], h0 = new float[32], h1 = new float[32];
        float[] w0t = new float[256], w1t = new float[1024];
        ReadOnlySpan<float> p = net.Parameters;
        StaticNets.Kernels.DenseKernels.Transpose<float>(p.Slice(N1.Layer0WeightOffset, 256), w0t, 8, 32);
        StaticNets.Kernels.DenseKernels.Transpose<float>(p.Slice(N1.Layer1WeightOffset, 1024), w1t, 32, 32);
        float[] b0 = p.Slice(N1.Layer0BiasOffset, 32).ToArray(), b1 = p.Slice(N1.Layer1BiasOffset, 32).ToArray();
        float[] w2 = p.Slice(N1.Layer2WeightOffset, 128).ToArray(), b2 = p.Slice(N1.Layer2BiasOffset, 4).ToArray();
        double Time(Action a)
        {
            double best = double.MaxValue;
            for (int round = 0; round < 9; round++)
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < 200_000; i++)
                    a();
                best = Math.Min(best, clock.Elapsed.TotalNanoseconds / 200_000);
            }
            return best;
        }
        double whole = Time(() => net.Forward(x, y));
        var linear = new N1Linear(1);
        double withoutSoftmax = Time(() => linear.Forward(x, y));
        double dense = Time(() =>
        {
            StaticNets.Kernels.DenseKernels.ForwardTransposedUnaliased<float>(w0t, b0, x, h0);
            StaticNets.Kernels.DenseKernels.ForwardTransposedUnaliased<float>(w1t, b1, h0, h1);
            StaticNets.Kernels.DenseKernels.ForwardUnaliased<float>(w2, b2, h1, y);
        });
        double activations = Time(() =>
        {
            StaticNets.Kernels.ActivationKernels.ReLU<float>(h0, h0);
            StaticNets.Kernels.ActivationKernels.ReLU<float>(h1, h1);
            StaticNets.Kernels.ActivationKernels.Softmax<float>(y, y);
        });
        double softmax = Time(() => StaticNets.Kernels.ActivationKernels.Softmax<float>(y, y));
        Console.WriteLine($"N1 forward {whole:F1} ns; the same network with an identity output {withoutSoftmax:F1} ns.");
        Console.WriteLine($"Per-layer kernels for comparison: three dense kernels {dense:F1} ns + ReLU, ReLU, softmax {activations:F1} ns (softmax alone {softmax:F1} ns).");

        // On a shared machine a 20 ms round is always interrupted: the best of many short windows (about 0.2 ms each)
        // is the time of a window that ran alone on its core, for StaticNets and ONNX Runtime alike.
        double Best(Action a, int calls)
        {
            double best = double.MaxValue;
            for (int round = 0; round < 2000; round++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                    a();
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls);
            }
            return best;
        }
        var x256 = BenchData.Inputs(256 * 8, 7);
        var y256 = new float[256 * 4];
        var workspace = net.CreateWorkspace(256);
        using var onnx1 = new Peers.OnnxPeer(new[] { 8, 32, 32, 4 }, net.Parameters, 1);
        using var onnx256 = new Peers.OnnxPeer(new[] { 8, 32, 32, 4 }, net.Parameters, 256);
        x.CopyTo(onnx1.Input);
        x256.CopyTo(onnx256.Input);
        double single = Best(() => net.Forward(x, y), 2000), onnxSingle = Best(() => onnx1.Run(), 50);
        double batch = Best(() => net.Forward(x256, y256, workspace), 10), onnxBatch = Best(() => onnx256.Run(), 5);
        Console.WriteLine($"Best short windows: one sample {single:F1} ns (ONNX Runtime {onnxSingle:F0} ns); batch 256 {batch / 1000:F2} µs = {256e3 / batch:F1} M samples/s (ONNX Runtime {onnxBatch / 1000:F2} µs = {256e3 / onnxBatch:F1} M/s, ratio {onnxBatch / batch:F2}×).");
        return 0;
    }

    // mnist [threads] [epochs] [sgd|momentum|adam] [batch] [rate] [cosine] [warm]: N2 on MNIST, loading and testing
    // included. With `warm`, a scratch N2 trains one epoch of two zero batches with the same options (and tests once) on
    // a background thread while the data loads, so the JIT compiles the training path on the idle core (docs/performance.md).
    private static int MnistEndToEnd(string[] args)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        int threads = args.Length > 0 ? int.Parse(args[0], inv) : Environment.ProcessorCount;
        int epochs = args.Length > 1 ? int.Parse(args[1], inv) : 9;
        string optimizerName = args.Length > 2 ? args[2] : "sgd";
        int batch = args.Length > 3 ? int.Parse(args[3], inv) : 32;
        double rate = args.Length > 4 ? double.Parse(args[4], inv) : optimizerName switch { "adam" => 0.001, "momentum" => 0.01, _ => 0.1 };
        bool cosine = args.Length > 5 && args[5] == "cosine";
        bool warm = Array.IndexOf(args, "warm") >= 0;
        string? dir = MnistLocator.Find();
        if (dir is null)
        {
            Console.WriteLine("MNIST not found (set STATICNETS_MNIST or put the IDX files in shared/data/mnist).");
            return 1;
        }
        FitOptions<float> Options(int epochCount, Action<StaticNets.Training.EpochMetrics>? onEpoch) => new()
        {
            Epochs = epochCount, BatchSize = batch, LearningRate = rate, Seed = 1, Threads = threads,
            Optimizer = optimizerName switch
            {
                "adam" => new Adam<float>(),
                "momentum" => new Momentum<float>(0.9),
                _ => new Sgd<float>(),
            },
            Schedule = cosine ? LearningRateSchedule.Cosine(rate, epochCount) : null,
            VanishingGradientRatio = null, ExplodingGradientNorm = null,
            OnEpoch = onEpoch,
        };
        var clock = Stopwatch.StartNew();
        var warming = warm ? System.Threading.Tasks.Task.Run(() =>
        {
            var zeros = Dataset<float>.FromLabels(new float[2 * batch * N2.InputSize], N2.InputSize, new int[2 * batch], N2.OutputSize);
            var scratch = new N2(seed: 2);
            scratch.Fit(zeros, Options(1, null));
            Evaluator.Evaluate(scratch, zeros);
        }) : System.Threading.Tasks.Task.CompletedTask;
        var train = Datasets.Mnist<float>(dir, train: true);
        var test = Datasets.Mnist<float>(dir, train: false);
        var loaded = clock.Elapsed;
        warming.Wait();
        var warmed = clock.Elapsed;
        var net = new N2(seed: 1);
        net.Fit(train, Options(epochs, r => Console.WriteLine($"epoch {r.Epoch}: loss {r.TrainLoss:F4}, {r.Elapsed.TotalMilliseconds:F0} ms")));
        var result = Evaluator.Evaluate(net, test);
        clock.Stop();
        // The JIT's share of the wall clock (all threads' compilations, the runtime's own count).
        Console.WriteLine($"JIT: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms.");
        Console.WriteLine($"MNIST 784-128-10, {optimizerName} η = {rate}{(cosine ? " cosine" : "")}, batch {batch}, {epochs} epochs, {threads} thread(s): test accuracy {result.Accuracy:P2}, wall clock {clock.Elapsed.TotalSeconds:F2} s (loading {loaded.TotalSeconds:F2} s{(warm ? $", warm-up done at {warmed.TotalSeconds:F2} s" : "")}).");
        return 0;
    }
}
