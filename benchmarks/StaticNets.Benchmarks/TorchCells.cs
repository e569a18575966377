#if TORCHSHARP
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using StaticNets.Benchmarks.Peers;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>torch</c>: the table's cells with TorchSharp beside StaticNets and ONNX Runtime, same weights (checked to agree
/// before timing), timed by stopwatch in one process. TorchSharp's thread count is process-wide and its native
/// library is a separate build (<c>-p:WithTorchSharp=true</c>), which is why it is not a BenchmarkDotNet peer: every
/// peer of a cell is timed in alternating rounds instead, so a drift of the host moves all of them alike.
/// </summary>
public static class TorchCells
{
    private sealed record Item(string Name, Func<float> Run, int Threads, bool Torch);

    /// <summary>Runs every cell; returns 0.</summary>
    public static int Run()
    {
        Console.WriteLine($"TorchSharp {TorchSharp.torch.__version__}, ONNX Runtime (CPU provider); {Environment.ProcessorCount} logical cores; FMA peak {FmaPeak.GflopsPerCore:F1} GFLOP/s per core.");
        Console.WriteLine("Medians of 15 alternating rounds (each ≈ 25 ms of calls), range in brackets; ratio = peer's median / StaticNets' median of the same thread count (> 1: StaticNets faster).");
        SingleSample();
        Batched("N1 8-32-32-4", new[] { 8, 32, 32, 4 }, new N1(seed: 1), twoThreads: false);
        Batched("N2 784-128-10", new[] { 784, 128, 10 }, new N2(seed: 2), twoThreads: true);
        Batched("N3 784-512-512-10", new[] { 784, 512, 512, 10 }, new N3(seed: 3), twoThreads: true);
        Training("N2 784-128-10", new[] { 784, 128, 10 }, () => new N2(seed: 2));
        Training("N3 784-512-512-10", new[] { 784, 512, 512, 10 }, () => new N3(seed: 3));
        return 0;
    }

    private static void SingleSample()
    {
        var net = new N1(seed: 1);
        int[] sizes = { 8, 32, 32, 4 };
        float[] x = BenchData.Inputs(8, seed: 7), y = new float[4];
        using var onnx = new OnnxPeer(sizes, net.Parameters, 1);
        x.CopyTo(onnx.Input);
        using var torch = new TorchPeer(sizes, net.Parameters, x, 1);
        net.Forward(x, y);
        onnx.Run();
        BenchData.Agree("ONNX Runtime", y, onnx.Output);
        TorchPeer.Threads = 1;
        BenchData.Agree("TorchSharp", y, torch.Outputs());
        Measure("N1 8-32-32-4 forward, one sample", new Item[]
        {
            new("StaticNets", () => { net.Forward(x, y); return y[0]; }, 1, false),
            new("ONNX Runtime", () => { onnx.Run(); return onnx.Output[0]; }, 1, false),
            new("TorchSharp", torch.Forward, 1, true),
        });
    }

    private static void Batched(string name, int[] sizes, INetwork<float> net, bool twoThreads)
    {
        const int batch = 256;
        float[] x = BenchData.Inputs(batch * sizes[0], seed: 7), y = new float[batch * sizes[^1]];
        var one = net.CreateWorkspace(batch);
        one.Threads = 1;
        var two = net.CreateWorkspace(batch);
        two.Threads = 2;
        using var onnx1 = new OnnxPeer(sizes, net.Parameters, batch, threads: 1);
        using var onnx2 = new OnnxPeer(sizes, net.Parameters, batch, threads: 2);
        x.CopyTo(onnx1.Input);
        x.CopyTo(onnx2.Input);
        using var torch = new TorchPeer(sizes, net.Parameters, x, batch);
        net.Forward(x, y, one);
        onnx1.Run();
        BenchData.Agree("ONNX Runtime", y, onnx1.Output);
        TorchPeer.Threads = 1;
        BenchData.Agree("TorchSharp", y, torch.Outputs());
        var items = new List<Item>
        {
            new("StaticNets", () => { net.Forward(x, y, one); return y[0]; }, 1, false),
            new("ONNX Runtime", () => { onnx1.Run(); return onnx1.Output[0]; }, 1, false),
            new("TorchSharp", torch.Forward, 1, true),
        };
        if (twoThreads)
        {
            items.Add(new("StaticNets", () => { net.Forward(x, y, two); return y[0]; }, 2, false));
            items.Add(new("ONNX Runtime", () => { onnx2.Run(); return onnx2.Output[0]; }, 2, false));
            items.Add(new("TorchSharp", torch.Forward, 2, true));
        }
        Measure($"{name} forward, batch {batch}", items);
    }

    private static void Training(string name, int[] sizes, Func<INetwork<float>> create)
    {
        const int batch = 32;
        const float learningRate = 0.05f;
        float[] x = BenchData.Inputs(batch * sizes[0], seed: 11), y = BenchData.Targets(batch, sizes[^1], seed: 12);
        var options = new TrainerOptions { BatchSize = batch, LearningRate = learningRate, Threads = 1 };
        var options2 = options with { Threads = 2 };

        var reference = create();
        using (var check = new TorchPeer(sizes, reference.Parameters, x, batch, y, learningRate))
        {
            new Trainer<float>(reference).TrainBatch(x, y, options);
            TorchPeer.Threads = 1;
            check.TrainStep();
            BenchData.Agree("TorchSharp training step", reference.Parameters, check.Parameters());
        }

        // One batch trained over and over drives the softmax to 0 and 1 until values turn subnormal and steps slow
        // down; every peer starts again from the first weights every 256 steps (as the BenchmarkDotNet cells do).
        float[] start = create().Parameters.ToArray();
        INetwork<float> net1 = create(), net2 = create();
        var trainer1 = new Trainer<float>(net1);
        var trainer2 = new Trainer<float>(net2);
        using var torch = new TorchPeer(sizes, start, x, batch, y, learningRate);
        int steps1 = 0, steps2 = 0, stepsTorch = 0;
        float StaticStep(INetwork<float> net, Trainer<float> trainer, TrainerOptions o, ref int steps)
        {
            if (++steps == 256)
            {
                steps = 0;
                using var edit = net.EditParameters();
                start.CopyTo(edit.Span);
            }
            return trainer.TrainBatch(x, y, o);
        }
        Measure($"{name} training step (SGD), batch {batch}", new Item[]
        {
            new("StaticNets", () => StaticStep(net1, trainer1, options, ref steps1), 1, false),
            new("TorchSharp", TorchStep, 1, true),
            new("StaticNets", () => StaticStep(net2, trainer2, options2, ref steps2), 2, false),
            new("TorchSharp", TorchStep, 2, true),
        });

        float TorchStep()
        {
            if (++stepsTorch == 256)
            {
                stepsTorch = 0;
                torch.Load(start);
            }
            return torch.TrainStep();
        }
    }

    private static void Measure(string cell, IReadOnlyList<Item> items)
    {
        const int rounds = 15;
        var calls = new int[items.Count];
        var samples = items.Select(_ => new List<double>()).ToArray();
        float sink = 0;
        for (int i = 0; i < items.Count; i++)
        {
            // Warm-up (the JIT's later tiers, libtorch's thread pool), then size each timing to about 25 ms.
            Prepare(items[i]);
            var clock = Stopwatch.StartNew();
            int n = 0;
            while (clock.ElapsedMilliseconds < 1000)
            {
                sink += items[i].Run();
                n++;
            }
            calls[i] = Math.Max(1, (int)(n * 25.0 / clock.Elapsed.TotalMilliseconds));
        }
        for (int round = 0; round < rounds; round++)
        {
            for (int o = 0; o < items.Count; o++)
            {
                int i = (o + round) % items.Count;
                Prepare(items[i]);
                var clock = Stopwatch.StartNew();
                for (int c = 0; c < calls[i]; c++)
                    sink += items[i].Run();
                samples[i].Add(clock.Elapsed.TotalMicroseconds / calls[i]);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"{cell}{(float.IsNaN(sink) ? " (NaN seen)" : "")}");
        for (int i = 0; i < items.Count; i++)
        {
            double median = Median(samples[i]);
            int baseline = Enumerable.Range(0, items.Count).First(b => items[b].Name == "StaticNets" && items[b].Threads == items[i].Threads);
            double ratio = median / Median(samples[baseline]);
            string vsOne = items[i].Threads == 2 && items[i].Name == "StaticNets"
                ? $", {Median(samples[Enumerable.Range(0, items.Count).First(b => items[b].Name == "StaticNets" && items[b].Threads == 1)]) / median:F2}× its 1-thread speed"
                : "";
            Console.WriteLine($"  {items[i].Name,-13} {items[i].Threads}t  {Format(median),10}  [{Format(samples[i].Min())} – {Format(samples[i].Max())}]  ratio {ratio:F2}{vsOne}");
        }
    }

    private static void Prepare(Item item)
    {
        if (item.Torch)
            TorchPeer.Threads = item.Threads;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Format(double microseconds) => microseconds < 1 ? $"{microseconds * 1000:F1} ns" : microseconds < 1000 ? $"{microseconds:F2} µs" : $"{microseconds / 1000:F3} ms";
}
#endif
