using System;
using System.Collections.Generic;
using System.Linq;
using StaticNets.Kernels;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>kernel-ab [forward|dots|backward] [rounds]</c>: the dense GEMMs on N2's and N3's shapes (one thread, float) under
/// each blocking variant (<c>dots</c>: the unpacked dot-product forward that training batches and narrow layers run), the variants alternated round after round in one process so that they meet the same host; medians
/// of the rounds as GFLOP/s and % of one core's measured FMA peak. Every variant gives the same bits (tested); this
/// only says which is fastest on the machine at hand.
/// </summary>
public static class KernelAb
{
    public static int Run(string[] args)
    {
        string which = args.Length > 0 ? args[0] : "forward";
        int rounds = args.Length > 1 ? int.Parse(args[1]) : 5;
        double peak = FmaPeak.GflopsPerCore;
        Console.WriteLine($"FMA peak, one core: {peak:F1} GFLOP/s; {CacheSizes.Describe()}; Vector512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}");
        bool six = DenseKernels.SixSampleBlocks;
        int kBlock = DenseKernels.KBlock;
        bool sixDots = DenseKernels.SixSampleDots, copies = DenseKernels.CopiesWideStrips;
        var arms = which == "dots"
            ? new (string Name, Action Apply)[]
            {
                ("4-sample dots", () => DenseKernels.SixSampleDots = false),
                ("6-sample dots", () => DenseKernels.SixSampleDots = true),
            }
            : which == "forward"
            ? new (string Name, Action Apply)[]
            {
                ("4x4 k256", () => { DenseKernels.SixSampleBlocks = false; DenseKernels.KBlock = 256; }),
                ("4x4 k96", () => { DenseKernels.SixSampleBlocks = false; DenseKernels.KBlock = DenseKernels.ChooseKBlock(CacheSizes.L1Data); }),
                ("6x4 k256", () => { DenseKernels.SixSampleBlocks = true; DenseKernels.KBlock = 256; }),
                ("6x4 k128", () => { DenseKernels.SixSampleBlocks = true; DenseKernels.KBlock = 128; }),
                ("6x4 kL1", () => { DenseKernels.SixSampleBlocks = true; DenseKernels.KBlock = DenseKernels.ChooseKBlock(CacheSizes.L1Data); }),
            }
            : new (string Name, Action Apply)[]
            {
                ("4-blocks", () => { DenseKernels.SixBlocksBackward = false; DenseKernels.CopiesWideStrips = copies; DenseKernels.StripsOuter = true; }),
                ("6, rows outer", () => { DenseKernels.SixBlocksBackward = true; DenseKernels.CopiesWideStrips = copies; DenseKernels.StripsOuter = false; }),
                ("6, strips outer", () => { DenseKernels.SixBlocksBackward = true; DenseKernels.CopiesWideStrips = copies; DenseKernels.StripsOuter = true; }),
                ("6, no copies", () => { DenseKernels.SixBlocksBackward = true; DenseKernels.CopiesWideStrips = false; DenseKernels.StripsOuter = true; }),
            };
        var cells = new List<(string Name, double Flops, Action Run)>();
        foreach (var (inputs, outputs) in which == "dots" ? new[] { (784, 128), (784, 512), (512, 512), (128, 10), (512, 10) } : new[] { (784, 128), (784, 512), (512, 512) })
        {
            foreach (int batch in new[] { 256, 32 })
            {
                var rng = new Random(1);
                float[] w = GemmBreakdown.Fill(rng, inputs * outputs), b = GemmBreakdown.Fill(rng, outputs), x = GemmBreakdown.Fill(rng, batch * inputs), z = new float[batch * outputs];
                float[] d = GemmBreakdown.Fill(rng, batch * outputs), gw = new float[inputs * outputs], gb = new float[outputs], dx = new float[batch * inputs];
                var packed = new float[DenseKernels.PackedLength<float>(inputs, outputs)];
                DenseKernels.PackPanels<float>(w, packed, inputs, outputs);
                double flops = 2.0 * batch * inputs * outputs;
                if (which == "dots")
                {
                    // From 64 samples a layer of a whole panel or more takes the packed path; only the narrow ones stay here.
                    if (batch < 64 || outputs < 64)
                    {
                        cells.Add(($"dots {batch}×{inputs}→{outputs}", flops, () => DenseKernels.ForwardBatch<float>(w, b, x, z, inputs, outputs, 1)));
                        var aw = Aligned(w);
                        var ax = Aligned(x);
                        cells.Add(($"  W and x on 64-byte lines", flops, () => DenseKernels.ForwardBatch<float>(aw.Span, b, ax.Span, z, inputs, outputs, 1)));
                        // A generated network's first layer called with the user's own input array.
                        cells.Add(($"  W on lines, x as given", flops, () => DenseKernels.ForwardBatch<float>(aw.Span, b, x, z, inputs, outputs, 1)));
                    }
                }
                else if (which == "forward")
                {
                    cells.Add(($"forward {batch}×{inputs}→{outputs}", flops, () => DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, x, z, inputs, outputs, 1)));
                    var aligned = Aligned(packed);
                    var ax = Aligned(x);
                    cells.Add(($"  panels on 64-byte lines", flops, () => DenseKernels.ForwardBatchPrepacked<float>(aligned.Span, w, b, x, z, inputs, outputs, 1)));
                    // What a generated network's hidden layer gets: x and z are workspace rows, on lines too.
                    var az = new AlignedArray<float>(z.Length);
                    cells.Add(($"  panels, x and z on lines", flops, () => DenseKernels.ForwardBatchPrepacked<float>(aligned.Span, w, b, ax.Span, az.Span, inputs, outputs, 1)));
                }
                else
                {
                    cells.Add(($"∂W {outputs}×{inputs}, batch {batch}", flops, () => DenseKernels.AccumulateGradientBatch<float>(d, x, gw, gb, inputs, outputs, 1)));
                    cells.Add(($"∂input {batch}×{inputs}←{outputs}", flops, () => DenseKernels.BackwardInputBatch<float>(w, d, dx, inputs, outputs, 1)));
                    // What a generated network passes: parameters, gradient, workspace rows and the trainer's batch on lines.
                    AlignedArray<float> aw = Aligned(w), ax = Aligned(x), ad = Aligned(d), agw = new(gw.Length), adx = new(dx.Length);
                    cells.Add(($"  ∂W, all on 64-byte lines", flops, () => DenseKernels.AccumulateGradientBatch<float>(ad.Span, ax.Span, agw.Span, gb, inputs, outputs, 1)));
                    cells.Add(($"  ∂input, all on 64-byte lines", flops, () => DenseKernels.BackwardInputBatch<float>(aw.Span, ad.Span, adx.Span, inputs, outputs, 1)));
                }
            }
        }
        // The FMA loop beside the cells, round after round: on a host that shares its cores, the peak of the moment.
        cells.Add(("FMA loop (the peak)", 0, () => { }));
        var peaks = new double[rounds];
        var samples = new double[cells.Count, arms.Length, rounds];
        for (int r = 0; r < rounds; r++)
            for (int c = 0; c < cells.Count - 1; c++)
                for (int a = 0; a < arms.Length; a++)
                {
                    if (c == 0 && a == 0)
                        peaks[r] = Enumerable.Range(0, 3).Max(_ => FmaPeak.MeasureOnce());
                    arms[a].Apply();
                    samples[c, a, r] = GemmBreakdown.MedianSeconds(cells[c].Run, 9, 1);
                }
        DenseKernels.SixSampleBlocks = six;
        DenseKernels.SixSampleDots = sixDots;
        DenseKernels.CopiesWideStrips = copies;
        DenseKernels.SixBlocksBackward = true;
        DenseKernels.StripsOuter = true;
        DenseKernels.KBlock = kBlock;
        Console.WriteLine($"{"cell",-30} " + string.Join(" ", arms.Select(a => $"{a.Name,16}")));
        Array.Sort(peaks);
        Console.WriteLine($"FMA loop, median of the rounds' best of three: {peaks[rounds / 2]:F1} GFLOP/s (range {peaks[0]:F1}–{peaks[^1]:F1}); % below are of it");
        peak = peaks[rounds / 2];
        for (int c = 0; c < cells.Count - 1; c++)
        {
            var line = $"{cells[c].Name,-30} ";
            for (int a = 0; a < arms.Length; a++)
            {
                var sorted = Enumerable.Range(0, rounds).Select(r => samples[c, a, r]).OrderBy(t => t).ToArray();
                double gflops = cells[c].Flops / sorted[rounds / 2] * 1e-9;
                line += $"{gflops,7:F1} ({100 * gflops / peak,4:F0} %) ";
            }
            Console.WriteLine(line);
        }
        return 0;
    }

    // A copy of values on 64-byte lines, as a generated network keeps its buffers.
    private static AlignedArray<float> Aligned(float[] values)
    {
        var copy = new AlignedArray<float>(values.Length);
        values.CopyTo(copy.Span);
        return copy;
    }
}
