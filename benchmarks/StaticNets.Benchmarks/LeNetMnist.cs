using System;
using System.Diagnostics;
using System.Globalization;
using StaticNets.Kernels;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>The LeNet-5 modes of <see cref="Program"/>: MNIST end to end, and a per-layer time breakdown.</summary>
public static class LeNetMnist
{
    // LeNet-5's shapes, as the generator infers them from the attributes.
    private static readonly Conv2DShape Conv1 = new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 28, 28);
    private static readonly Pool2DShape Pool1 = new(6, 28, 28, 2, 2, 2, 2, 14, 14);
    private static readonly Conv2DShape Conv2 = new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10);
    private static readonly Pool2DShape Pool2 = new(16, 10, 10, 2, 2, 2, 2, 5, 5);

    /// <summary>
    /// <c>lenet-mnist [threads] [epochs]</c>: loads MNIST, trains LeNet-5 with the samples/MnistCnn recipe (Adam,
    /// batch 64, cosine from 0.003 with a quarter-epoch warm-up, seed 7), evaluates the test set, prints the
    /// accuracy and the wall clock, loading included.
    /// </summary>
    public static int Run(string[] args)
    {
        int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
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
        var net = new LeNet5(seed: 1);
        const int batch = 64;
        var history = net.Fit(train, new FitOptions<float>
        {
            Epochs = epochs,
            BatchSize = batch,
            Threads = threads,
            Optimizer = new Adam<float>(),
            Schedule = LearningRateSchedule.Cosine(0.003, epochs, 1e-5).WithWarmup((train.Count + batch - 1) / batch / 4),
            Seed = 7,
            OnEpoch = e => Console.WriteLine($"epoch {e.Epoch}: loss {e.TrainLoss:F4}, {e.Elapsed.TotalMilliseconds:F0} ms"),
        });
        var result = Evaluator.Evaluate(net, test);
        clock.Stop();
        Console.WriteLine($"MNIST LeNet-5, Adam, batch {batch}, {history.Epochs.Count} epochs, {threads} thread(s): test accuracy {result.Accuracy:P2}, " +
            $"wall clock {clock.Elapsed.TotalSeconds:F2} s (loading {loaded.TotalSeconds:F2} s).");
        return 0;
    }

    /// <summary>
    /// <c>lenet-layers [batch] [rounds]</c>: best-of-40 times (interleaved rounds) of the conv and pool kernels the generated LeNet-5 calls
    /// (ConvKernels.Forward/Backward, PoolKernels.MaxForward/MaxBackward, the conv ReLUs), on a batch of 32 by
    /// default, beside the whole generated forward and backward; what is left is the dense layers, their
    /// activations, the loss and the bookkeeping.
    /// </summary>
    public static int LayerBreakdown(string[] args)
    {
        int batch = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40;
        var net = new LeNet5(seed: 1);
        var workspace = net.CreateWorkspace(batch);
        workspace.Threads = 1; // as the kernels below: the breakdown is of one thread's time
        float[] x = BenchData.Inputs(batch * LeNet5.InputSize, 3), y = BenchData.Targets(batch, 10, 4);
        float[] output = new float[batch * 10], gradient = new float[LeNet5.ParameterCount];

        float[] w1 = BenchData.Inputs(Conv1.WeightCount, 5), b1 = new float[6], gw1 = new float[w1.Length], gb1 = new float[6];
        float[] w2 = BenchData.Inputs(Conv2.WeightCount, 6), b2 = new float[16], gw2 = new float[w2.Length], gb2 = new float[16];
        float[] scratch = new float[Math.Max(ConvKernels.ScratchLength<float>(Conv1, batch), ConvKernels.ScratchLength<float>(Conv2, batch))];
        float[] z1 = new float[batch * Conv1.OutputSize], p1 = new float[batch * Pool1.OutputSize];
        float[] z2 = new float[batch * Conv2.OutputSize], p2 = new float[batch * Pool2.OutputSize];
        int[] arg1 = new int[p1.Length], arg2 = new int[p2.Length];
        float[] dz1 = new float[z1.Length], dp1 = new float[p1.Length], dz2 = new float[z2.Length], dp2 = BenchData.Inputs(p2.Length, 8);
        for (int i = 0; i < w1.Length; i++) w1[i] -= 0.5f;
        for (int i = 0; i < w2.Length; i++) w2[i] -= 0.5f;

        // Round robin: every item runs once per round (about 5 ms each) and keeps its best round, so that on a
        // shared machine every item gets the same chances at the quiet moments.
        var items = new (Action Action, int Reps, double Best)[]
        {
            (() => net.Forward(x, output, workspace), 0, 0),
            (() => net.Backward(x, y, gradient, workspace), 0, 0),
            (() => ConvKernels.Forward<float>(Conv1, w1, b1, x, z1, scratch), 0, 0),
            (() => ActivationKernels.ReLU<float>(z1, z1), 0, 0),
            (() => PoolKernels.MaxForward<float>(Pool1, z1, p1, arg1), 0, 0),
            (() => ConvKernels.Forward<float>(Conv2, w2, b2, p1, z2, scratch), 0, 0),
            (() => ActivationKernels.ReLU<float>(z2, z2), 0, 0),
            (() => PoolKernels.MaxForward<float>(Pool2, z2, p2, arg2), 0, 0),
            (() => PoolKernels.MaxBackward<float>(Pool2, dp2, arg2, dz2), 0, 0),
            (() => ConvKernels.Backward<float>(Conv2, w2, p1, dz2, gw2, gb2, dp1, scratch), 0, 0),
            (() => PoolKernels.MaxBackward<float>(Pool1, dp1, arg1, dz1), 0, 0),
            (() => ConvKernels.Backward<float>(Conv1, w1, x, dz1, gw1, gb1, Span<float>.Empty, scratch), 0, 0),
        };
        for (int k = 0; k < items.Length; k++)
        {
            for (int warm = 0; warm < 50; warm++)
                items[k].Action(); // past tier 0
            var probe = Stopwatch.StartNew();
            items[k].Action();
            items[k].Reps = Math.Max(1, (int)(5000 / Math.Max(1, probe.Elapsed.TotalMicroseconds)));
            items[k].Best = double.MaxValue;
        }
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < items.Length; k++)
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < items[k].Reps; i++)
                    items[k].Action();
                items[k].Best = Math.Min(items[k].Best, clock.Elapsed.TotalMicroseconds / items[k].Reps);
            }
        }
        double forward = items[0].Best, backward = items[1].Best, c1f = items[2].Best, r1 = items[3].Best, p1f = items[4].Best;
        double c2f = items[5].Best, r2 = items[6].Best, p2f = items[7].Best, p2b = items[8].Best, c2b = items[9].Best, p1b = items[10].Best, c1b = items[11].Best;

        double convPoolForward = c1f + r1 + p1f + c2f + r2 + p2f;
        double convPoolBackward = p2b + c2b + p1b + c1b;
        string Row(string what, double us, double macs) => macs > 0
            ? $"{what,-34} {us,9:F1} µs  {us / batch,7:F2} µs/sample  {2 * macs * batch / us * 1e-3,6:F1} GFLOP/s"
            : $"{what,-34} {us,9:F1} µs  {us / batch,7:F2} µs/sample";
        Console.WriteLine($"LeNet-5, batch {batch}, one thread, best of {rounds} interleaved rounds (µs per call):");
        Console.WriteLine(Row("whole forward (generated)", forward, LeNetMacs.Forward));
        Console.WriteLine(Row("  conv1 forward (im2col + GEMM)", c1f, LeNetMacs.Conv1));
        Console.WriteLine(Row("  conv1 ReLU", r1, 0));
        Console.WriteLine(Row("  pool1 max forward", p1f, 0));
        Console.WriteLine(Row("  conv2 forward", c2f, LeNetMacs.Conv2));
        Console.WriteLine(Row("  conv2 ReLU", r2, 0));
        Console.WriteLine(Row("  pool2 max forward", p2f, 0));
        Console.WriteLine(Row("  rest: dense 400-120-84-10, softmax", forward - convPoolForward, LeNetMacs.Dense));
        Console.WriteLine(Row("whole backward (forward included)", backward, LeNetMacs.Training));
        Console.WriteLine(Row("  backward minus forward", backward - forward, LeNetMacs.Training - LeNetMacs.Forward));
        Console.WriteLine(Row("  pool2 max backward", p2b, 0));
        Console.WriteLine(Row("  conv2 backward (∂W, ∂b, ∂x)", c2b, 2 * LeNetMacs.Conv2));
        Console.WriteLine(Row("  pool1 max backward", p1b, 0));
        Console.WriteLine(Row("  conv1 backward (∂W, ∂b only)", c1b, LeNetMacs.Conv1));
        Console.WriteLine(Row("  rest: dense, ReLU′, loss, ∂ sums", backward - forward - convPoolBackward, 2 * LeNetMacs.Dense));
        return 0;
    }
}
