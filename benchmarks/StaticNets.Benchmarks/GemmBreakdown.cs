using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using StaticNets.Kernels;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>gemm [threads…]</c>: GFLOP/s of each batched dense kernel on the shapes of N2 and N3 (forward prepacked at
/// batch 256 and 32, ∂W and ∂input at batch 32) against one core's measured FMA peak, on each thread count
/// given (default 1 2). Medians of 31 timed rounds after warm-up; a quick look between BenchmarkDotNet runs.
/// </summary>
public static class GemmBreakdown
{
    public static int Run(string[] args)
    {
        int[] threadCounts = args.Length > 0 ? args.Select(int.Parse).ToArray() : new[] { 1, 2 };
        double peak = FmaPeak.GflopsPerCore;
        Console.WriteLine($"FMA peak, one core: {peak:F1} GFLOP/s; {Environment.ProcessorCount} logical processors; Vector512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}");
        Console.WriteLine($"{"kernel",-34} {"threads",7} {"median µs",10} {"GFLOP/s",8} {"% 1-core peak",14}");
        foreach (var (inputs, outputs) in new[] { (784, 128), (784, 512), (512, 512) })
        {
            foreach (int batch in new[] { 256, 32 })
            {
                var rng = new Random(1);
                float[] w = Fill(rng, inputs * outputs), b = Fill(rng, outputs), x = Fill(rng, batch * inputs), z = new float[batch * outputs];
                float[] d = Fill(rng, batch * outputs), gw = new float[inputs * outputs], gb = new float[outputs], dx = new float[batch * inputs];
                var packed = new float[DenseKernels.PackedLength<float>(inputs, outputs)];
                DenseKernels.PackPanels<float>(w, packed, inputs, outputs);
                double flops = 2.0 * batch * inputs * outputs;
                foreach (int threads in threadCounts)
                {
                    Report($"forward {batch}×{inputs}→{outputs}", threads, flops, peak, () => DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, x, z, inputs, outputs, threads));
                    Report($"forward unpacked {batch}×{inputs}→{outputs}", threads, flops, peak, () => DenseKernels.ForwardBatch<float>(w, b, x, z, inputs, outputs, threads));
                    Report($"pack {inputs}→{outputs}", threads, flops, peak, () => DenseKernels.PackPanels<float>(w, packed, inputs, outputs, threads));
                    Report($"∂W {outputs}×{inputs}, batch {batch}", threads, flops, peak, () => DenseKernels.AccumulateGradientBatch<float>(d, x, gw, gb, inputs, outputs, threads));
                    Report($"∂input {batch}×{inputs}←{outputs}", threads, flops, peak, () => DenseKernels.BackwardInputBatch<float>(w, d, dx, inputs, outputs, threads));
                }
            }
        }
        return 0;
    }

    /// <summary><c>train-steps</c>: one SGD step at batch 32 (Trainer.TrainBatch) of N2 and N3 on 1 and 2 threads, and its parts on one thread.</summary>
    public static int TrainSteps()
    {
        foreach (var (name, make) in new (string, Func<INetwork<float>>)[] { ("N2", () => new N2(2)), ("N3", () => new N3(3)) })
        {
            var net = make();
            var x = BenchData.Inputs(32 * net.InputSize, 11);
            var y = BenchData.Targets(32, net.OutputSize, 12);
            double flops = 6.0 * net.Info.MultiplyAddsPerSample * 32;
            foreach (int threads in new[] { 1, 2 })
            {
                var trainer = new StaticNets.Training.Trainer<float>(make());
                var options = new StaticNets.Training.TrainerOptions { LearningRate = 0.01, Threads = threads };
                Report($"{name} TrainBatch(32)", threads, flops, FmaPeak.GflopsPerCore, () => trainer.TrainBatch(x, y, options));
            }
            var ws = net.CreateWorkspace(32);
            var g = new float[net.ParameterCount];
            foreach (int threads in new[] { 1, 2 })
            {
                ws.Threads = threads;
                Report($"{name} Backward(32)", threads, flops, FmaPeak.GflopsPerCore, () => net.Backward(x, y, g, ws));
            }
            double bytes = 4.0 * net.ParameterCount;
            Report($"{name} gradient Clear", 1, bytes, FmaPeak.GflopsPerCore, () => g.AsSpan().Clear());
            Report($"{name} gradient Scale", 1, bytes, FmaPeak.GflopsPerCore, () => VectorMath.Scale(0.5f, g));
            Report($"{name} SumOfSquares", 1, bytes, FmaPeak.GflopsPerCore, () => VectorMath.SumOfSquares<float>(g));
            var sgd = new StaticNets.Training.Sgd<float>();
            var p = net.Parameters.ToArray();
            Report($"{name} Sgd.Step", 1, bytes, FmaPeak.GflopsPerCore, () => sgd.Step(p, g, 0f));
            foreach (int threads in new[] { 1, 2 })
            {
                Report($"{name} ParallelSpans.Clear", threads, bytes, FmaPeak.GflopsPerCore, () => StaticNets.Threading.ParallelSpans.Clear<float>(g, threads));
                Report($"{name} ParallelSpans.Scale", threads, bytes, FmaPeak.GflopsPerCore, () => StaticNets.Threading.ParallelSpans.Scale(0.5f, g.AsSpan(), threads));
                Report($"{name} ParallelSpans.SumOfSquares", threads, bytes, FmaPeak.GflopsPerCore, () => StaticNets.Threading.ParallelSpans.SumOfSquares<float>(g, threads));
                Report($"{name} ParallelSpans.Axpy", threads, bytes, FmaPeak.GflopsPerCore, () => StaticNets.Threading.ParallelSpans.Axpy(0f, g, p.AsSpan(), threads));
                var w = net.Parameters.Slice(0, net.Info.Layers[0].Blocks[0].Count).ToArray();
                int inputs = net.InputSize, outputs = w.Length / inputs;
                var packed = new float[DenseKernels.PackedLength<float>(inputs, outputs)];
                Report($"{name} PackPanels layer 0", threads, bytes, FmaPeak.GflopsPerCore, () => DenseKernels.PackPanels<float>(w, packed, inputs, outputs, threads));
            }
            Report($"{name} EditParameters + Forward refresh", 1, bytes, FmaPeak.GflopsPerCore, () => { using (net.EditParameters()) { } net.Forward(x, new float[32 * net.OutputSize], ws); });
            Console.WriteLine($"  {DenseKernels.DescribeKBlock()} after the first large call");
            int chosen = DenseKernels.KBlock;
            foreach (int k in new[] { 64, 256, 64, 256 })
            {
                DenseKernels.KBlock = k;
                foreach (int threads in new[] { 1, 2 })
                {
                    var trainer = new StaticNets.Training.Trainer<float>(make());
                    var options = new StaticNets.Training.TrainerOptions { LearningRate = 0.01, Threads = threads };
                    Report($"{name} TrainBatch(32), k-block {k}", threads, flops, FmaPeak.GflopsPerCore, () => trainer.TrainBatch(x, y, options));
                }
            }
            DenseKernels.KBlock = chosen;
        }
        return 0;
    }

    /// <summary>
    /// <c>train-align [rounds]</c>: N3's training step at batch 32 (Trainer.TrainBatch, SGD) and its Backward alone, on
    /// 1 and 2 threads, with the batch in ordinary arrays and in 64-byte-aligned ones, the four arms alternated round by
    /// round in one process; medians of the rounds in µs.
    /// </summary>
    public static int TrainAlign(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 15;
        var x = BenchData.Inputs(32 * N3.InputSize, 11);
        var y = BenchData.Targets(32, N3.OutputSize, 12);
        var ax = new AlignedArray<float>(x.Length);
        var ay = new AlignedArray<float>(y.Length);
        x.CopyTo(ax.Span);
        y.CopyTo(ay.Span);
        var arms = new System.Collections.Generic.List<(string Name, Action Run)>();
        foreach (int threads in new[] { 1, 2 })
        {
            var options = new StaticNets.Training.TrainerOptions { LearningRate = 0.01, Threads = threads };
            var plain = new StaticNets.Training.Trainer<float>(new N3(3));
            var aligned = new StaticNets.Training.Trainer<float>(new N3(3));
            arms.Add(($"TrainBatch {threads}t, batch in arrays", () => plain.TrainBatch(x, y, options)));
            arms.Add(($"TrainBatch {threads}t, batch on lines", () => aligned.TrainBatch(ax.Span, ay.Span, options)));
            var net = new N3(3);
            var ws = net.CreateWorkspace(32);
            ws.Threads = threads;
            var g = new AlignedArray<float>(N3.ParameterCount);
            arms.Add(($"Backward {threads}t, batch in arrays", () => net.Backward(x, y, g.Span, ws)));
            arms.Add(($"Backward {threads}t, batch on lines", () => net.Backward(ax.Span, ay.Span, g.Span, ws)));
            // The step's two passes over every parameter after the backward, alone: the norms (scaling in place by
            // 1, which writes the same bits back) and the SGD update at rate 0 (the same arithmetic, no drift).
            var blocks = net.Info.Layers.SelectMany(l => l.Blocks).OrderBy(b => b.Offset).ToArray();
            var segments = blocks.Select(b => (b.Offset, b.Count)).ToArray();
            var sgd = (IThreadedOptimizer<float>)new Sgd<float>();
            arms.Add(($"norm pass {threads}t", () =>
            {
                foreach (var block in blocks)
                    StaticNets.Threading.ParallelSpans.ScaleThenSumOfSquares(1f, g.Span.Slice(block.Offset, block.Count), threads);
            }));
            arms.Add(($"Backward, norm pass {threads}t", () =>
            {
                net.Backward(ax.Span, ay.Span, g.Span, ws);
                foreach (var block in blocks)
                    StaticNets.Threading.ParallelSpans.ScaleThenSumOfSquares(1f, g.Span.Slice(block.Offset, block.Count), threads);
            }));
            arms.Add(($"Backward, SGD update {threads}t", () =>
            {
                net.Backward(ax.Span, ay.Span, g.Span, ws);
                using var edit = net.EditParameters();
                sgd.Step(edit.Span, g.Span, 0f, threads, false, segments);
            }));
            arms.Add(($"SGD update {threads}t", () => { using var edit = net.EditParameters(); sgd.Step(edit.Span, g.Span, 0f, threads, false, segments); }));
        }
        var samples = new double[arms.Count, rounds];
        for (int r = 0; r < rounds; r++)
            for (int a = 0; a < arms.Count; a++)
                samples[a, r] = MedianSeconds(arms[a].Run, 9, 2) * 1e6;
        for (int a = 0; a < arms.Count; a++)
        {
            var sorted = Enumerable.Range(0, rounds).Select(r => samples[a, r]).OrderBy(t => t).ToArray();
            Console.WriteLine($"{arms[a].Name,-36} {sorted[rounds / 2],9:F1} µs  [{sorted[0]:F1} – {sorted[^1]:F1}]");
        }
        return 0;
    }

    /// <summary><c>forward-parts</c>: the N2 and N3 batched forward (batch 256, one thread) against its parts run alone on the same data.</summary>
    public static int ForwardParts()
    {
        foreach (var (name, net) in new (string, INetwork<float>)[] { ("N2", new N2(2)), ("N3", new N3(3)) })
        {
            var ws = net.CreateWorkspace(256);
            ws.Threads = 1;
            const int m = 256;
            var x = BenchData.Inputs(m * net.InputSize, 7);
            var y = new float[m * net.OutputSize];
            double flops = 2.0 * net.Info.MultiplyAddsPerSample * m;
            Report($"{name} Forward(256)", 1, flops, FmaPeak.GflopsPerCore, () => net.Forward(x, y, ws));
            var p = net.Parameters;
            float[] a = x;
            foreach (var layer in net.Info.Layers)
            {
                int inputs = layer.Inputs, outputs = layer.Outputs;
                var w = p.Slice(layer.WeightOffset, inputs * outputs).ToArray();
                var b = p.Slice(layer.BiasOffset, outputs).ToArray();
                var packed = new float[DenseKernels.PackedLength<float>(inputs, outputs)];
                DenseKernels.PackPanels<float>(w, packed, inputs, outputs);
                var z = new float[m * outputs];
                var act = new float[m * outputs];
                var input = a;
                Report($"  GEMM {inputs}→{outputs}", 1, 2.0 * m * inputs * outputs, FmaPeak.GflopsPerCore, () => DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, input, z, inputs, outputs));
                if (layer.Activation == Activation.ReLU)
                {
                    Report($"  ReLU {m}×{outputs}", 1, 0, FmaPeak.GflopsPerCore, () => ActivationKernels.ReLU<float>(z, act));
                    Report($"  GEMM {inputs}→{outputs} + fused ReLU", 1, 2.0 * m * inputs * outputs, FmaPeak.GflopsPerCore, () => DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, input, z, act, inputs, outputs, Activation.ReLU));
                }
                else
                {
                    Report($"  Softmax row by row {m}×{outputs}", 1, 0, FmaPeak.GflopsPerCore, () => { for (int s = 0; s < m; s++) ActivationKernels.Softmax<float>(z.AsSpan(s * outputs, outputs), act.AsSpan(s * outputs, outputs)); });
                    Report($"  SoftmaxRows {m}×{outputs}", 1, 0, FmaPeak.GflopsPerCore, () => ActivationKernels.SoftmaxRows<float>(z, act, outputs));
                }
                a = act;
            }
            Report($"  copy {m}×{net.OutputSize}", 1, 0, FmaPeak.GflopsPerCore, () => a.AsSpan().CopyTo(y));
        }
        return 0;
    }

    /// <summary><c>train-optimizers</c>: N2 and N3 TrainBatch(32) with each built-in optimizer, on 1 and 2 threads.</summary>
    public static int TrainOptimizers()
    {
        foreach (var (name, make) in new (string, Func<INetwork<float>>)[] { ("N2", () => new N2(2)), ("N3", () => new N3(3)) })
        {
            var x = BenchData.Inputs(32 * make().InputSize, 11);
            var y = BenchData.Targets(32, make().OutputSize, 12);
            double flops = 6.0 * make().Info.MultiplyAddsPerSample * 32;
            foreach (var (optimizerName, optimizer, rate) in new (string, Func<StaticNets.Training.IOptimizer<float>>, double)[]
            {
                ("SGD", () => new StaticNets.Training.Sgd<float>(), 0.01),
                ("Momentum", () => new StaticNets.Training.Momentum<float>(), 0.01),
                ("Nesterov", () => new StaticNets.Training.Nesterov<float>(), 0.01),
                ("RMSProp", () => new StaticNets.Training.RmsProp<float>(), 0.0001),
                ("Adam", () => new StaticNets.Training.Adam<float>(), 0.0001),
                ("AdamW", () => new StaticNets.Training.AdamW<float>(), 0.0001),
            })
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    var trainer = new StaticNets.Training.Trainer<float>(make(), optimizer());
                    var options = new StaticNets.Training.TrainerOptions { LearningRate = rate, Threads = threads };
                    Report($"{name} TrainBatch(32) {optimizerName}", threads, flops, FmaPeak.GflopsPerCore, () => trainer.TrainBatch(x, y, options));
                }
                // The update alone, on the network's parameter count: the public step with the loop's separate check and
                // clear, and the training loop's chunked step that fuses them.
                var p = make().Parameters.ToArray();
                var g = BenchData.Inputs(p.Length, 13);
                double bytes = 4.0 * p.Length;
                var serial = optimizer();
                Report($"{name} {optimizerName}.Step + check + clear", 1, bytes, FmaPeak.GflopsPerCore, () =>
                {
                    serial.Step(p, g, 0f);
                    StaticNets.Threading.ParallelSpans.SumOfSquares<float>(p, 1);
                    g.AsSpan().Clear();
                });
                if (optimizer() is StaticNets.Training.IThreadedOptimizer<float>)
                {
                    foreach (int threads in new[] { 1, 2 })
                    {
                        var threaded = (StaticNets.Training.IThreadedOptimizer<float>)optimizer();
                        var whole = new[] { (0, p.Length) };
                        Report($"{name} {optimizerName} chunked step", threads, bytes, FmaPeak.GflopsPerCore, () => threaded.Step(p, g, 0f, threads, true, whole));
                    }
                }
            }
        }
        return 0;
    }

    /// <summary><c>forward-warm</c>: the N2 and N3 batched forward (batch 256, one thread) after 3 s of warm-up, so tiered compilation has settled; time and bytes allocated per call.</summary>
    public static int ForwardWarm()
    {
        foreach (var (name, net) in new (string, INetwork<float>)[] { ("N2", new N2(2)), ("N3", new N3(3)) })
        {
            var ws = net.CreateWorkspace(256);
            ws.Threads = 1;
            var x = BenchData.Inputs(256 * net.InputSize, 7);
            var y = new float[256 * net.OutputSize];
            // As the BenchmarkDotNet cells' setup does: one call on two threads first, which starts the worker pool.
            var two = net.CreateWorkspace(256);
            two.Threads = 2;
            net.Forward(x, y, two);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < 3)
                net.Forward(x, y, ws);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
                net.Forward(x, y, ws);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Report($"{name} Forward(256) warm", 1, 2.0 * net.Info.MultiplyAddsPerSample * 256, FmaPeak.GflopsPerCore, () => net.Forward(x, y, ws));
            Console.WriteLine($"  {allocated / 100.0:F1} bytes allocated per call; {DenseKernels.DescribeKBlock()}");
        }
        return 0;
    }

    /// <summary><c>train-drift</c>: N2 TrainBatch(32) on one thread, the same batch again and again (as the training cells do), time per step as the run goes on.</summary>
    public static int TrainDrift()
    {
        var net = new N2(2);
        var x = BenchData.Inputs(32 * N2.InputSize, 11);
        var y = BenchData.Targets(32, N2.OutputSize, 12);
        var trainer = new StaticNets.Training.Trainer<float>(net);
        var options = new StaticNets.Training.TrainerOptions { BatchSize = 32, LearningRate = 0.05, Threads = 1 };
        var ws = net.CreateWorkspace(32);
        var o = new float[32 * N2.OutputSize];
        for (int round = 0; round < 12; round++)
        {
            var clock = Stopwatch.StartNew();
            int steps = 0;
            while (clock.Elapsed.TotalMilliseconds < 250)
            {
                trainer.TrainBatch(x, y, options);
                steps++;
            }
            net.Forward(x, o, ws);
            int subnormal = o.Count(v => v != 0 && float.IsSubnormal(v));
            int subnormalW = 0;
            foreach (float p in net.Parameters)
                if (p != 0 && float.IsSubnormal(p)) subnormalW++;
            Console.WriteLine($"round {round}: {clock.Elapsed.TotalMilliseconds * 1000 / steps,8:F1} µs per step; subnormal outputs {subnormal} of {o.Length}, min output {o.Min():E2}; subnormal parameters {subnormalW}");
        }
        return 0;
    }

    /// <summary><c>train-phases</c>: N3's SGD step at batch 32 replayed phase by phase (as TrainingLoop.Step runs it), on 1 and 2 threads, alternated; mean µs per phase.</summary>
    public static int TrainPhases()
    {
        var net = new N3(3);
        var x = BenchData.Inputs(32 * N3.InputSize, 11);
        var y = BenchData.Targets(32, N3.OutputSize, 12);
        var ws = net.CreateWorkspace(32);
        var g = new float[N3.ParameterCount];
        var sgd = new StaticNets.Training.Sgd<float>();
        var blocks = net.Info.Layers.SelectMany(l => l.Blocks).ToArray();
        var segments = blocks.Select(b => (b.Offset, b.Count)).ToArray();
        // The training loop's passes as they run now: the 1/m of the mean in the norms' pass, the finite check of the new
        // weights and the zeroing of the gradient for the next step in the update's, block by block.
        string[] names = { "backward", "scale + gradient norms", "SGD update + parameter check + gradient clear", "whole" };
        for (int round = 0; round < 4; round++)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                ws.Threads = threads;
                var sums = new double[names.Length];
                var small = new float[4 * N3.OutputSize];
                double repack = 0;
                const int steps = 300;
                Array.Clear(g);
                for (int step = -50; step < steps; step++)
                {
                    long tr = Stopwatch.GetTimestamp();
                    net.Forward(x.AsSpan(0, 4 * N3.InputSize), small, ws); // re-packs after the last update
                    repack += (Stopwatch.GetTimestamp() - tr) * 1e6 / Stopwatch.Frequency;
                    long t0 = Stopwatch.GetTimestamp();
                    net.Backward(x, y, g, ws);
                    long t1 = Stopwatch.GetTimestamp();
                    double norm = 0;
                    foreach (var block in blocks)
                        norm += StaticNets.Threading.ParallelSpans.ScaleThenSumOfSquares(1f / 32, g.AsSpan(block.Offset, block.Count), threads);
                    long t2 = Stopwatch.GetTimestamp();
                    using (var edit = net.EditParameters())
                        norm += ((StaticNets.Training.IThreadedOptimizer<float>)sgd).Step(edit.Span, g, 0.001f, threads, true, segments);
                    long t3 = Stopwatch.GetTimestamp();
                    if (step < 0 || double.IsNaN(norm))
                        continue;
                    long[] t = { t0, t1, t2, t3 };
                    for (int p = 0; p < 3; p++)
                        sums[p] += (t[p + 1] - t[p]) * 1e6 / Stopwatch.Frequency;
                    sums[3] += (t3 - t0) * 1e6 / Stopwatch.Frequency;
                }
                Console.WriteLine($"round {round}, {threads} thread(s): re-pack + 4-sample forward {repack / (steps + 50):F1}, " + string.Join(", ", names.Select((n, i) => $"{n} {sums[i] / steps:F1}")));
            }
        }
        return 0;
    }

    /// <summary><c>input-split [rounds]</c>: ∂input on 2 threads split by column strips against split by samples, alternated, on the N2/N3 shapes at batch 32 and 256.</summary>
    public static int InputSplit(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 9;
        double peak = FmaPeak.GflopsPerCore;
        foreach (var (inputs, outputs) in new[] { (512, 512), (784, 512), (784, 128), (128, 10) })
            foreach (int m in new[] { 32, 256 })
            {
                var rng = new Random(3);
                var w = new AlignedArray<float>(inputs * outputs);
                var d = new AlignedArray<float>(m * outputs);
                var dx = new AlignedArray<float>(m * inputs);
                Fill(rng, w.Length).CopyTo(w.Span);
                Fill(rng, d.Length).CopyTo(d.Span);
                var cells = new[] { true, false };
                var t = new double[2, rounds];
                for (int r = 0; r < rounds; r++)
                    for (int c = 0; c < 2; c++)
                    {
                        DenseKernels.SplitsInputByColumns = cells[c];
                        t[c, r] = MedianSeconds(() => DenseKernels.BackwardInputBatch<float>(w.Span, d.Span, dx.Span, inputs, outputs, 2), 7, 1);
                    }
                DenseKernels.SplitsInputByColumns = true;
                double flops = 2.0 * m * inputs * outputs;
                double Median(int c) => Enumerable.Range(0, rounds).Select(r => t[c, r]).OrderBy(v => v).ElementAt(rounds / 2);
                Console.WriteLine($"∂input {m}×{inputs}←{outputs}, 2 threads: by columns {Median(0) * 1e6,8:F1} µs ({flops / Median(0) / 1e9 / (2 * peak) * 100:F0} % of 2-core peak), by samples {Median(1) * 1e6,8:F1} µs ({flops / Median(1) / 1e9 / (2 * peak) * 100:F0} %), ratio {Median(1) / Median(0):F2}");
            }
        return 0;
    }

    /// <summary>
    /// <c>train-kernels [rounds] [samples]</c>: N3's training step at batch 32 as the kernels the generated Backward and the loop
    /// call, in their order on the same buffers, each one timed: where the time goes on 1 and 2 threads (<c>samples</c>:
    /// ∂input split by samples).
    /// </summary>
    public static int TrainKernels(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 3;
        // A second argument "samples" splits ∂input by samples, as before it split by column strips.
        DenseKernels.SplitsInputByColumns = args.Length < 2 || args[1] != "samples";
        const int m = 32;
        var rng = new Random(5);
        var net = new N3(3);
        float[] p = net.Parameters.ToArray();
        var g = new AlignedArray<float>(p.Length);
        var x = new AlignedArray<float>(m * 784);
        BenchData.Inputs(m * 784, 11).CopyTo(x.Span);
        var y = BenchData.Targets(m, 10, 12);
        AlignedArray<float> z0 = new(m * 512), a0 = new(m * 512), z1 = new(m * 512), a1 = new(m * 512), z2 = new(m * 10), a2 = new(m * 10);
        AlignedArray<float> d2 = new(m * 10), d1 = new(m * 512), d0 = new(m * 512);
        var pa = new AlignedArray<float>(p.Length);
        p.CopyTo(pa.Span);
        var info = net.Info.Layers;
        int w0 = info[0].WeightOffset, b0 = info[0].BiasOffset, w1 = info[1].WeightOffset, b1 = info[1].BiasOffset, w2 = info[2].WeightOffset, b2 = info[2].BiasOffset;
        var blocks = info.SelectMany(l => l.Blocks).OrderBy(b => b.Offset).ToArray();
        var segments = blocks.Select(b => (b.Offset, b.Count)).ToArray();
        var sgd = (IThreadedOptimizer<float>)new Sgd<float>();
        foreach (int round in Enumerable.Range(0, rounds))
            foreach (int t in new[] { 1, 2 })
            {
                Span<float> P() => pa.Span;
                var steps = new (string Name, Action Run)[]
                {
                    ("fwd 784→512 ReLU", () => DenseKernels.ForwardBatch<float>(P().Slice(w0, 784 * 512), P().Slice(b0, 512), x.Span, z0.Span, a0.Span, 784, 512, Activation.ReLU, t)),
                    ("fwd 512→512 ReLU", () => DenseKernels.ForwardBatch<float>(P().Slice(w1, 512 * 512), P().Slice(b1, 512), a0.Span, z1.Span, a1.Span, 512, 512, Activation.ReLU, t)),
                    ("fwd 512→10 + softmax", () => { DenseKernels.ForwardBatch<float>(P().Slice(w2, 5120), P().Slice(b2, 10), a1.Span, z2.Span, 512, 10, t); ActivationKernels.SoftmaxRows<float>(z2.Span, a2.Span, 10); LossKernels.OutputError<float>(a2.Span, y, d2.Span); }),
                    ("∂W 10×512", () => DenseKernels.AccumulateGradientBatch<float>(d2.Span, a1.Span, g.Span.Slice(w2, 5120), g.Span.Slice(b2, 10), 512, 10, t)),
                    ("∂in 512←10 + ReLU'", () => { DenseKernels.BackwardInputBatch<float>(P().Slice(w2, 5120), d2.Span, d1.Span, 512, 10, t); ActivationKernels.ReLUDerivative<float>(z1.Span, a1.Span, d1.Span); }),
                    ("∂W 512×512", () => DenseKernels.AccumulateGradientBatch<float>(d1.Span, a0.Span, g.Span.Slice(w1, 512 * 512), g.Span.Slice(b1, 512), 512, 512, t)),
                    ("∂in 512←512 + ReLU'", () => { DenseKernels.BackwardInputBatch<float>(P().Slice(w1, 512 * 512), d1.Span, d0.Span, 512, 512, t); ActivationKernels.ReLUDerivative<float>(z0.Span, a0.Span, d0.Span); }),
                    ("∂W 512×784", () => DenseKernels.AccumulateGradientBatch<float>(d0.Span, x.Span, g.Span.Slice(w0, 784 * 512), g.Span.Slice(b0, 512), 784, 512, t)),
                    ("norms", () => { foreach (var block in blocks) StaticNets.Threading.ParallelSpans.ScaleThenSumOfSquares(1f, g.Span.Slice(block.Offset, block.Count), t); }),
                    ("norms read-only", () => { foreach (var block in blocks) StaticNets.Threading.ParallelSpans.SumOfSquares<float>(g.Span.Slice(block.Offset, block.Count), t); }),
                    ("SGD update + clear", () => sgd.Step(pa.Span, g.Span, 0f, t, true, segments)),
                };
                var sums = new double[steps.Length];
                const int reps = 300;
                for (int r = -30; r < reps; r++)
                    for (int k = 0; k < steps.Length; k++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        steps[k].Run();
                        if (r >= 0)
                            sums[k] += (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
                    }
                Console.WriteLine($"round {round}, {t}t: total {sums.Sum() / reps:F1} µs; " + string.Join(", ", steps.Select((st, k) => $"{st.Name} {sums[k] / reps:F1}")));
            }
        return 0;
    }

    /// <summary><c>kblock</c>: the N2 and N3 batched forward (batch 256, one thread) with each k-block the rule could choose, alternated.</summary>
    public static int KBlocks()
    {
        // The first large call measures the two candidates; report what it chose before forcing each block.
        var first = new N3(3);
        first.Forward(BenchData.Inputs(256 * N3.InputSize, 7), new float[256 * N3.OutputSize], first.CreateWorkspace(256));
        int chosen = DenseKernels.KBlock;
        Console.WriteLine($"{CacheSizes.Describe()}: the L1 rule gives k-block {DenseKernels.ChooseKBlock(CacheSizes.L1Data)}; measured on the first large call: {DenseKernels.DescribeKBlock()}");
        foreach (var (name, net) in new (string, INetwork<float>)[] { ("N2", new N2(2)), ("N3", new N3(3)) })
        {
            var ws = net.CreateWorkspace(256);
            ws.Threads = 1;
            var x = BenchData.Inputs(256 * net.InputSize, 7);
            var y = new float[256 * net.OutputSize];
            double flops = 2.0 * net.Info.MultiplyAddsPerSample * 256;
            for (int round = 0; round < 2; round++)
            {
                foreach (int k in new[] { 64, 96, 128, 256 })
                {
                    DenseKernels.KBlock = k;
                    Report($"{name} forward 256, k-block {k}", 1, flops, FmaPeak.GflopsPerCore, () => net.Forward(x, y, ws));
                }
            }
        }
        DenseKernels.KBlock = chosen;
        return 0;
    }

    /// <summary>
    /// <c>bwd [rounds] [w|i|wi] [batch]</c>: ∂W and ∂input (one thread, float) on the N2/N3 shapes with their operands
    /// packed to panels and read in place, alternated in one process so that the two compare under the same noise.
    /// </summary>
    public static int Backward(string[] args)
    {
        double peak = FmaPeak.GflopsPerCore;
        Console.WriteLine($"FMA peak, one core: {peak:F1} GFLOP/s; Vector512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}");
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 3;
        string which = args.Length > 1 ? args[1] : "wi";
        int batch = args.Length > 2 ? int.Parse(args[2]) : 256;
        bool saved = DenseKernels.BackwardPacks;
        for (int round = 0; round < rounds; round++)
        {
            foreach (var (inputs, outputs) in new[] { (784, 128), (784, 512), (512, 512) })
            {
                var rng = new Random(1);
                float[] w = Fill(rng, inputs * outputs), x = Fill(rng, batch * inputs);
                float[] d = Fill(rng, batch * outputs), gw = new float[inputs * outputs], gb = new float[outputs], dx = new float[batch * inputs];
                double flops = 2.0 * batch * inputs * outputs;
                foreach (bool packs in new[] { false, true })
                {
                    DenseKernels.BackwardPacks = packs;
                    string how = packs ? "packed" : "in place";
                    if (which.Contains('w'))
                        Report($"∂W {outputs}×{inputs}, batch {batch}, {how}", 1, flops, peak, () => DenseKernels.AccumulateGradientBatch<float>(d, x, gw, gb, inputs, outputs, 1));
                    if (which.Contains('i'))
                        Report($"∂input {batch}×{inputs}←{outputs}, {how}", 1, flops, peak, () => DenseKernels.BackwardInputBatch<float>(w, d, dx, inputs, outputs, 1));
                }
            }
        }
        DenseKernels.BackwardPacks = saved;
        return 0;
    }

    /// <summary>
    /// <c>gemm-peer [rounds] [inputs×outputs×batch…]</c>: each dense product of a layer (forward prepacked, ∂W, ∂input;
    /// one thread, float, operands on 64-byte lines as a generated network passes them) beside ONNX Runtime's Gemm on
    /// the same product (MLAS, B prepacked, one thread; a softmax follows it, under 1 % of the time here), rounds
    /// alternated, the FMA loop timed at the start of each round: medians of the rounds in GFLOP/s, % of the FMA loop
    /// and the ratio to the peer. Default shapes: N2's and N3's layers at batch 32 and 256.
    /// </summary>
    public static int GemmPeer(string[] args)
    {
        int rounds = args.Length > 0 && int.TryParse(args[0], out int r) ? r : 7;
        string[] shapes = args.Where(a => a.Contains('x')).ToArray();
        if (shapes.Length == 0)
            shapes = new[] { "784x128x32", "784x512x32", "512x512x32", "784x128x256", "784x512x256", "512x512x256" };
        Console.WriteLine($"{CacheSizes.Describe()}; Vector512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}; {rounds} rounds");
        var cells = new List<(string Name, double Flops, Action Run, int Peer)>();
        var peers = new List<IDisposable>();
        foreach (string shape in shapes)
        {
            int[] n = shape.Split('x').Select(int.Parse).ToArray();
            int inputs = n[0], outputs = n[1], batch = n[2];
            var rng = new Random(1);
            AlignedArray<float> w = Aligned(Fill(rng, inputs * outputs)), b = Aligned(Fill(rng, outputs)), x = Aligned(Fill(rng, batch * inputs));
            AlignedArray<float> d = Aligned(Fill(rng, batch * outputs)), gw = new(inputs * outputs), gb = new(outputs), dx = new(batch * inputs), z = new(batch * outputs);
            var packed = new AlignedArray<float>(DenseKernels.PackedLength<float>(inputs, outputs));
            DenseKernels.PackPanels<float>(w.Span, packed.Span, inputs, outputs);
            double flops = 2.0 * batch * inputs * outputs;
            // The peer's two products: the forward's (batch × inputs → outputs) and ∂input's (batch × outputs → inputs).
            var forwardPeer = new Peers.OnnxPeer(new[] { inputs, outputs }, Fill(rng, inputs * outputs + outputs), batch);
            var inputPeer = new Peers.OnnxPeer(new[] { outputs, inputs }, Fill(rng, inputs * outputs + inputs), batch);
            x.Span.CopyTo(forwardPeer.Input);
            d.Span.CopyTo(inputPeer.Input);
            peers.Add(forwardPeer);
            peers.Add(inputPeer);
            int forwardAt = cells.Count;
            cells.Add(($"ONNX Runtime Gemm {batch}×{inputs}→{outputs}", flops, forwardPeer.Run, -1));
            cells.Add(($"  forward {batch}×{inputs}→{outputs}", flops, () => DenseKernels.ForwardBatchPrepacked<float>(packed.Span, w.Span, b.Span, x.Span, z.Span, inputs, outputs, 1), forwardAt));
            cells.Add(($"  ∂W {outputs}×{inputs}, batch {batch}", flops, () => DenseKernels.AccumulateGradientBatch<float>(d.Span, x.Span, gw.Span, gb.Span, inputs, outputs, 1), forwardAt));
            cells.Add(($"ONNX Runtime Gemm {batch}×{outputs}→{inputs}", flops, inputPeer.Run, -1));
            cells.Add(($"  ∂input {batch}×{inputs}←{outputs}", flops, () => DenseKernels.BackwardInputBatch<float>(w.Span, d.Span, dx.Span, inputs, outputs, 1), cells.Count - 1));
        }
        var seconds = new double[cells.Count, rounds];
        var loop = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            loop[round] = Enumerable.Range(0, 3).Max(_ => FmaPeak.MeasureOnce());
            for (int c = 0; c < cells.Count; c++)
                seconds[c, round] = MedianSeconds(cells[c].Run, 9, 1);
        }
        foreach (var peer in peers)
            peer.Dispose();
        Array.Sort(loop);
        double peak = loop[rounds / 2];
        Console.WriteLine($"FMA loop, median of the rounds' best of three: {peak:F1} GFLOP/s (range {loop[0]:F1}–{loop[^1]:F1})");
        Console.WriteLine($"{"cell",-40} {"µs",9} {"GFLOP/s",8} {"% of loop",10} {"÷ peer",7}");
        var medians = new double[cells.Count];
        for (int c = 0; c < cells.Count; c++)
        {
            var times = Enumerable.Range(0, rounds).Select(i => seconds[c, i]).OrderBy(t => t).ToArray();
            medians[c] = times[rounds / 2];
            double gflops = cells[c].Flops / medians[c] * 1e-9;
            string ratio = cells[c].Peer < 0 ? "" : $"{medians[cells[c].Peer] / medians[c]:F2}×";
            Console.WriteLine($"{cells[c].Name,-40} {medians[c] * 1e6,9:F1} {gflops,8:F1} {100 * gflops / peak,9:F1} % {ratio,7}");
        }
        return 0;
    }

    private static AlignedArray<float> Aligned(float[] values)
    {
        var copy = new AlignedArray<float>(values.Length);
        values.CopyTo(copy.Span);
        return copy;
    }

    /// <summary>
    /// The median of <paramref name="windows"/> windows of about 2 ms each (enough calls that the clock's resolution
    /// does not matter), in seconds per call, after <paramref name="warmup"/> windows' worth of calls.
    /// </summary>
    internal static double MedianSeconds(Action action, int windows, int warmup)
    {
        var clock = Stopwatch.StartNew();
        action();
        int reps = Math.Max(1, (int)(0.002 / Math.Max(clock.Elapsed.TotalSeconds, 1e-7)));
        for (int i = 0; i < warmup * reps; i++)
            action();
        var times = new double[windows];
        for (int w = 0; w < times.Length; w++)
        {
            clock.Restart();
            for (int i = 0; i < reps; i++)
                action();
            times[w] = clock.Elapsed.TotalSeconds / reps;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    internal static float[] Fill(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();

    private static void Report(string name, int threads, double flops, double peak, Action action)
    {
        double median = MedianSeconds(action, 31, 3);
        double gflops = flops / median * 1e-9;
        Console.WriteLine($"{name,-34} {threads,7} {median * 1e6,10:F1} {gflops,8:F1} {100 * gflops / peak,13:F1} %");
    }
}
