using System;
using System.Numerics;
using StaticNets.Kernels;
using static StaticNets.Tests.Kernels.KernelTestSupport;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// The whole-batch backward GEMMs against a plain double reference, for every small shape (so each vector
/// width meets every column tail) and batch sizes around the 4-sample register block.
/// </summary>
internal static class BatchKernelChecks
{
    private static readonly int[] BatchSizes = { 0, 1, 3, 4, 5, 8, 9 };

    public static void All<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        AccumulateGradientBatch<T>();
        BackwardInputBatch<T>();
        ForwardBatchAcrossRowBlocks<T>();
        ForwardBatchPacked<T>();
        ForwardBatchPackedPositionIndependent<T>();
        ForwardBatchPrepacked<T>();
        ForwardTransposed<T>();
        GradientReduction<T>();
    }

    public static void AccumulateGradientBatch<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(601);
        foreach (var (outputs, inputs) in KernelChecks.Shapes())
        {
            foreach (int m in BatchSizes)
            {
                T[] d = Uniform<T>(rng, m * outputs), x = Uniform<T>(rng, m * inputs);
                T[] gw = Uniform<T>(rng, outputs * inputs), gb = Uniform<T>(rng, outputs);
                var expectedW = new double[gw.Length];
                var scaleW = new double[gw.Length];
                for (int j = 0; j < outputs; j++)
                {
                    for (int k = 0; k < inputs; k++)
                    {
                        int i = j * inputs + k;
                        expectedW[i] = D(gw[i]);
                        scaleW[i] = Math.Abs(D(gw[i]));
                        for (int s = 0; s < m; s++)
                        {
                            double p = D(d[s * outputs + j]) * D(x[s * inputs + k]);
                            expectedW[i] += p;
                            scaleW[i] += Math.Abs(p);
                        }
                    }
                }
                var expectedB = new double[outputs];
                var scaleB = new double[outputs];
                for (int j = 0; j < outputs; j++)
                {
                    expectedB[j] = D(gb[j]);
                    scaleB[j] = Math.Abs(D(gb[j]));
                    for (int s = 0; s < m; s++)
                    {
                        expectedB[j] += D(d[s * outputs + j]);
                        scaleB[j] += Math.Abs(D(d[s * outputs + j]));
                    }
                }
                DenseKernels.AccumulateGradientBatch<T>(d, x, gw, gb, inputs, outputs);
                AllClose(expectedW, gw, scaleW, $"AccumulateGradientBatch gw {outputs}×{inputs} m={m}");
                AllClose(expectedB, gb, scaleB, $"AccumulateGradientBatch gb {outputs}×{inputs} m={m}");
            }
        }
    }

    public static void BackwardInputBatch<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(602);
        foreach (var (outputs, inputs) in KernelChecks.Shapes())
        {
            T[] w = Uniform<T>(rng, outputs * inputs);
            foreach (int m in BatchSizes)
            {
                T[] d = Uniform<T>(rng, m * outputs);
                // Stale values must be overwritten, not accumulated.
                T[] dx = Uniform<T>(rng, m * inputs);
                var expected = new double[dx.Length];
                var scale = new double[dx.Length];
                for (int s = 0; s < m; s++)
                {
                    for (int k = 0; k < inputs; k++)
                    {
                        for (int j = 0; j < outputs; j++)
                        {
                            double p = D(d[s * outputs + j]) * D(w[j * inputs + k]);
                            expected[s * inputs + k] += p;
                            scale[s * inputs + k] += Math.Abs(p);
                        }
                    }
                }
                DenseKernels.BackwardInputBatch<T>(w, d, dx, inputs, outputs);
                AllClose(expected, dx, scale, $"BackwardInputBatch {outputs}×{inputs} m={m}");
            }
        }
    }

    /// <summary>
    /// Layers wide enough that the forward kernel splits W into several cache blocks, with a ragged last block; 13 and
    /// 30 samples also run the AVX-512 six-sample blocks (rows past the last four included) and single samples after them.
    /// </summary>
    public static void ForwardBatchAcrossRowBlocks<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(604);
        foreach (var (outputs, inputs) in new[] { (130, 784), (67, 1001) })
        {
            T[] w = Uniform<T>(rng, outputs * inputs), b = Uniform<T>(rng, outputs);
            foreach (int m in new[] { 1, 4, 7, 13, 30 })
            {
                T[] x = Uniform<T>(rng, m * inputs);
                var z = new T[m * outputs];
                DenseKernels.ForwardBatch<T>(w, b, x, z, inputs, outputs);
                var expected = new double[z.Length];
                var scale = new double[z.Length];
                for (int s = 0; s < m; s++)
                {
                    for (int j = 0; j < outputs; j++)
                    {
                        double sum = D(b[j]), magnitude = Math.Abs(D(b[j]));
                        for (int k = 0; k < inputs; k++)
                        {
                            double p = D(w[j * inputs + k]) * D(x[s * inputs + k]);
                            sum += p;
                            magnitude += Math.Abs(p);
                        }
                        expected[s * outputs + j] = sum;
                        scale[s * outputs + j] = magnitude;
                    }
                }
                AllClose(expected, z, scale, $"ForwardBatch {outputs}×{inputs} m={m}");
            }
        }
    }

    /// <summary>
    /// Batches of 64 samples and more take the packed outer-product path: whole output panels (8 to 64 wide,
    /// by width), rows left over past the last panel, several input blocks with a ragged last one, and
    /// sample counts that are not a multiple of the 4-sample block.
    /// </summary>
    public static void ForwardBatchPacked<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(605);
        foreach (var (outputs, inputs, m) in new[] { (130, 784, 67), (64, 300, 64), (40, 17, 65), (70, 5, 66), (24, 600, 100) })
        {
            T[] w = Uniform<T>(rng, outputs * inputs), b = Uniform<T>(rng, outputs);
            T[] x = Uniform<T>(rng, m * inputs);
            var z = new T[m * outputs];
            DenseKernels.ForwardBatch<T>(w, b, x, z, inputs, outputs);
            var expected = new double[z.Length];
            var scale = new double[z.Length];
            for (int s = 0; s < m; s++)
            {
                for (int j = 0; j < outputs; j++)
                {
                    double sum = D(b[j]), magnitude = Math.Abs(D(b[j]));
                    for (int k = 0; k < inputs; k++)
                    {
                        double p = D(w[j * inputs + k]) * D(x[s * inputs + k]);
                        sum += p;
                        magnitude += Math.Abs(p);
                    }
                    expected[s * outputs + j] = sum;
                    scale[s * outputs + j] = magnitude;
                }
            }
            AllClose(expected, z, scale, $"ForwardBatch (packed) {outputs}×{inputs} m={m}");
        }
    }

    /// <summary>
    /// Panels packed once by PackPanels, then read by ForwardBatchPrepacked: against the double reference at
    /// batch sizes below and above the packed threshold, shapes with and without whole panels, a ragged last
    /// input block and rows past the last panel; from 64 samples on bit for bit what ForwardBatch gives
    /// (the same operations in the same order); and a packed copy of the wrong length is rejected by name.
    /// </summary>
    public static void ForwardBatchPrepacked<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(607);
        foreach (var (outputs, inputs) in new[] { (130, 784), (64, 300), (70, 5), (40, 17), (128, 33) })
        {
            T[] w = Uniform<T>(rng, outputs * inputs), b = Uniform<T>(rng, outputs);
            var packed = new T[DenseKernels.PackedLength<T>(inputs, outputs)];
            DenseKernels.PackPanels<T>(w, packed, inputs, outputs);
            foreach (int m in new[] { 0, 1, 3, 4, 5, 9, 16, 32, 67 })
            {
                T[] x = Uniform<T>(rng, m * inputs);
                var z = new T[m * outputs];
                DenseKernels.ForwardBatchPrepacked<T>(packed, w, b, x, z, inputs, outputs);
                var expected = new double[z.Length];
                var scale = new double[z.Length];
                for (int s = 0; s < m; s++)
                {
                    for (int j = 0; j < outputs; j++)
                    {
                        double sum = D(b[j]), magnitude = Math.Abs(D(b[j]));
                        for (int k = 0; k < inputs; k++)
                        {
                            double p = D(w[j * inputs + k]) * D(x[s * inputs + k]);
                            sum += p;
                            magnitude += Math.Abs(p);
                        }
                        expected[s * outputs + j] = sum;
                        scale[s * outputs + j] = magnitude;
                    }
                }
                AllClose(expected, z, scale, $"ForwardBatchPrepacked {outputs}×{inputs} m={m}");
                if (m >= 64)
                {
                    var unpacked = new T[z.Length];
                    DenseKernels.ForwardBatch<T>(w, b, x, unpacked, inputs, outputs);
                    for (int i = 0; i < z.Length; i++)
                    {
                        if (z[i] != unpacked[i])
                            throw new Xunit.Sdk.XunitException($"ForwardBatchPrepacked {outputs}×{inputs} m={m}: z[{i}] = {z[i]}, ForwardBatch gives {unpacked[i]}");
                    }
                }
            }
        }
        var error = Xunit.Assert.Throws<ArgumentException>(() =>
            DenseKernels.ForwardBatchPrepacked<T>(new T[64 * 10 - 1], new T[64 * 10], new T[64], new T[4 * 10], new T[4 * 64], 10, 64));
        Xunit.Assert.Equal("packed", error.ParamName);
        var softmax = Xunit.Assert.Throws<ArgumentOutOfRangeException>(() =>
            DenseKernels.ForwardBatchPrepacked<T>(new T[64 * 10], new T[64 * 10], new T[64], new T[4 * 10], new T[4 * 64], new T[4 * 64], 10, 64, Activation.Softmax));
        Xunit.Assert.Equal("activation", softmax.ParamName);
        Xunit.Assert.Contains("SoftmaxRows", softmax.Message);
        var shortA = Xunit.Assert.Throws<ArgumentException>(() =>
            DenseKernels.ForwardBatchPrepacked<T>(new T[64 * 10], new T[64 * 10], new T[64], new T[4 * 10], new T[4 * 64], new T[4 * 64 - 1], 10, 64, Activation.ReLU));
        Xunit.Assert.Equal("a", shortA.ParamName);
        var shifted = new T[4 * 64 + 1];
        var overlapping = Xunit.Assert.Throws<ArgumentException>(() =>
            DenseKernels.ForwardBatchPrepacked<T>(new T[64 * 10], new T[64 * 10], new T[64], new T[4 * 10], shifted.AsSpan(0, 4 * 64), shifted.AsSpan(1), 10, 64, Activation.ReLU));
        Xunit.Assert.Equal("a", overlapping.ParamName);
    }

    /// <summary>
    /// A sample's outputs do not depend on where it sits in a batch: sample 64 is the single left-over sample
    /// of a batch of 65 and inside a 4-sample block of a batch of 68, and must come out bit for bit the same.
    /// </summary>
    public static void ForwardBatchPackedPositionIndependent<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(606);
        const int inputs = 300, outputs = 128; // whole panels at every width: rows past the last panel take the dot-product kernel
        T[] w = Uniform<T>(rng, outputs * inputs), b = Uniform<T>(rng, outputs), x = Uniform<T>(rng, 68 * inputs);
        var z65 = new T[65 * outputs];
        var z68 = new T[68 * outputs];
        DenseKernels.ForwardBatch<T>(w, b, x.AsSpan(0, 65 * inputs), z65, inputs, outputs);
        DenseKernels.ForwardBatch<T>(w, b, x, z68, inputs, outputs);
        for (int j = 0; j < outputs; j++)
        {
            if (z65[64 * outputs + j] != z68[64 * outputs + j])
                throw new Xunit.Sdk.XunitException($"output {j} of sample 64: {z65[64 * outputs + j]} in a batch of 65, {z68[64 * outputs + j]} in a batch of 68");
        }
    }

    /// <summary>Transpose then ForwardTransposed gives W·x + b, for every small shape and output counts that hit each vector block.</summary>
    public static void ForwardTransposed<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(605);
        var shapes = new System.Collections.Generic.List<(int Outputs, int Inputs)>(KernelChecks.Shapes());
        shapes.AddRange(new[] { (37, 5), (130, 7), (48, 33), (64, 3), (96, 9), (33, 64), (16, 1), (17, 2) });
        foreach (var (outputs, inputs) in shapes)
        {
            T[] w = Uniform<T>(rng, outputs * inputs), b = Uniform<T>(rng, outputs), x = Uniform<T>(rng, inputs);
            var wT = new T[w.Length];
            DenseKernels.Transpose<T>(w, wT, inputs, outputs);
            for (int j = 0; j < outputs; j++)
                for (int k = 0; k < inputs; k++)
                    Xunit.Assert.Equal(w[j * inputs + k], wT[k * outputs + j]);
            var z = new T[outputs];
            DenseKernels.ForwardTransposed<T>(wT, b, x, z);
            var expected = new double[outputs];
            var scale = new double[outputs];
            for (int j = 0; j < outputs; j++)
            {
                expected[j] = D(b[j]);
                scale[j] = Math.Abs(D(b[j]));
                for (int k = 0; k < inputs; k++)
                {
                    double p = D(w[j * inputs + k]) * D(x[k]);
                    expected[j] += p;
                    scale[j] += Math.Abs(p);
                }
            }
            AllClose(expected, z, scale, $"ForwardTransposed {outputs}×{inputs}");
        }
    }

    public static void GradientReduction<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(603);
        for (int n = 0; n <= 70; n++)
        {
            T[] target = Uniform<T>(rng, n), source = Uniform<T>(rng, n);
            T scale = T.CreateTruncating(0.25);
            var expected = new double[n];
            var magnitude = new double[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = (D(target[i]) + D(source[i])) * 0.25;
                magnitude[i] = (Math.Abs(D(target[i])) + Math.Abs(D(source[i]))) * 0.25;
            }
            GradientKernels.AddScaleAndClear<T>(target, source, scale);
            AllClose(expected, target, magnitude, $"AddScaleAndClear n={n}");
            Xunit.Assert.All(source, v => Xunit.Assert.Equal(T.Zero, v));
        }
    }
}
