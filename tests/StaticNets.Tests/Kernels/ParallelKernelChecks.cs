using System;
using System.Collections.Generic;
using System.Numerics;
using StaticNets.Kernels;
using Xunit;
using static StaticNets.Tests.Kernels.KernelTestSupport;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// The batched dense GEMMs split over threads: on one thread against a plain double reference, and on 2, 3
/// and 8 threads bit for bit equal to one thread, at every edge length 0 … 256 of each dimension (inputs,
/// outputs, samples) around odd shapes, for the dot-product, packed-per-call and prepacked forward paths.
/// The split threshold is lowered so that even the smallest shapes are cut into chunks.
/// </summary>
internal static class ParallelKernelChecks
{
    private static readonly int[] ThreadCounts = { 2, 3, 8 };

    // The two the packed kernels fuse, one applied per chunk after the product, and identity (a copy of z).
    private static readonly Activation[] Activations = { Activation.ReLU, Activation.LeakyReLU, Activation.Tanh, Activation.Identity };

    public static void All<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        long saved = StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk;
        StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = 1;
        try
        {
            var rng = new Random(907);
            foreach (var (outputs, inputs, samples) in Shapes())
                Check<T>(rng, outputs, inputs, samples);
        }
        finally
        {
            StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = saved;
        }
    }

    /// <summary>
    /// The convolution forward split into sub-batches and the backward split by channel, tap and sample, on 2, 3 and 8
    /// threads, give the bits of one thread, for every shape of the convolution checks (each scheme) and batches around
    /// the sub-batch count; one thread is checked against the reference by <see cref="ConvChecks"/>.
    /// </summary>
    public static void Conv<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        long saved = StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk;
        StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = 1;
        try
        {
            ConvShapes<T>();
        }
        finally
        {
            StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = saved;
        }
    }

    private static void ConvShapes<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(908);
        foreach (Conv2DShape shape in ConvChecks.Shapes())
        {
            foreach (int batch in new[] { 0, 1, 2, 3, 5, 8, 13 })
            {
                T[] w = Uniform<T>(rng, shape.WeightCount), b = Uniform<T>(rng, shape.OutChannels), x = Uniform<T>(rng, batch * shape.InputSize);
                var scratch = new T[ConvKernels.ScratchLength<T>(shape, Math.Max(batch, 8))];
                var expected = new T[batch * shape.OutputSize];
                ConvKernels.Forward<T>(shape, w, b, x, expected, scratch, 1);
                foreach (int threads in ThreadCounts)
                {
                    var z = new T[expected.Length];
                    ConvKernels.Forward<T>(shape, w, b, x, z, scratch, threads);
                    Same(expected, z, $"ConvKernels.Forward {ConvKernels.Describe<T>(shape)} batch {batch} on {threads} threads");
                }
                Backward<T>(rng, shape, batch, w, x);
            }
        }
    }

    // The backward split (∂W by channel or tap, ∂x by sample): the bits of one thread, accumulating onto gradients that
    // are not zero, with and without a bias and ∂x, with the workspace's scratch and with the one-sample minimum.
    private static void Backward<T>(Random rng, Conv2DShape shape, int batch, T[] w, T[] x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] d = Uniform<T>(rng, batch * shape.OutputSize), gw0 = Uniform<T>(rng, shape.WeightCount), gb0 = Uniform<T>(rng, shape.OutChannels);
        bool bias = (batch + shape.OutChannels) % 3 != 0, wantInput = (batch + shape.InChannels) % 4 != 0;
        foreach (int scratchBatch in new[] { Math.Max(batch, 8), 1 })
        {
            var scratch = new T[ConvKernels.ScratchLength<T>(shape, scratchBatch)];
            T[] gw = (T[])gw0.Clone(), gb = bias ? (T[])gb0.Clone() : Array.Empty<T>(), dx = wantInput ? new T[x.Length] : Array.Empty<T>();
            ConvKernels.Backward<T>(shape, w, x, d, gw, gb, dx, scratch, 1);
            foreach (int threads in ThreadCounts)
            {
                T[] gwt = (T[])gw0.Clone(), gbt = bias ? (T[])gb0.Clone() : Array.Empty<T>(), dxt = wantInput ? new T[x.Length] : Array.Empty<T>();
                ConvKernels.Backward<T>(shape, w, x, d, gwt, gbt, dxt, scratch, threads);
                string what = $"ConvKernels.Backward {ConvKernels.Describe<T>(shape)} batch {batch}, scratch for {scratchBatch}, on {threads} threads";
                Same(gw, gwt, what + ": ∂W");
                Same(gb, gbt, what + ": ∂b");
                Same(dx, dxt, what + ": ∂x");
            }
        }
    }

    /// <summary>Every length 1 … 256 of inputs and of outputs, and 0 … 256 samples, each beside odd sizes of the others.</summary>
    public static IEnumerable<(int Outputs, int Inputs, int Samples)> Shapes()
    {
        for (int n = 1; n <= MaxLength; n++)
            yield return (67, n, n % 2 == 0 ? 9 : 70);
        for (int n = 1; n <= MaxLength; n++)
            yield return (n, 37, n % 2 == 0 ? 13 : 66);
        for (int m = 0; m <= MaxLength; m++)
            yield return (70, 33, m);
        yield return (130, 784, 67);
        yield return (192, 100, 70);
        yield return (3, 5, 257);
    }

    private static void Check<T>(Random rng, int outputs, int inputs, int m) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string shape = $"{outputs}×{inputs}, m={m}";
        T[] w = Uniform<T>(rng, outputs * inputs), b = Uniform<T>(rng, outputs), x = Uniform<T>(rng, m * inputs), d = Uniform<T>(rng, m * outputs);
        T[] packed = new T[DenseKernels.PackedLength<T>(inputs, outputs)];
        DenseKernels.PackPanels<T>(w, packed, inputs, outputs);
        T[] gw0 = Uniform<T>(rng, outputs * inputs), gb0 = Uniform<T>(rng, outputs);

        // The packing against its definition: panel p, input k, output jj at (p·inputs + k)·nr + jj.
        int nr = 256 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        for (int p = 0; p < outputs / nr; p++)
            for (int k = 0; k < inputs; k++)
                for (int jj = 0; jj < nr; jj++)
                    if (!packed[(p * inputs + k) * nr + jj].Equals(w[(p * nr + jj) * inputs + k]))
                        Assert.Fail($"PackPanels {shape}: panel {p}, input {k}, output {jj} is wrong.");

        // One thread against the reference.
        var z = new T[m * outputs];
        DenseKernels.ForwardBatch<T>(w, b, x, z, inputs, outputs, 1);
        var (expectedZ, scaleZ) = ForwardReference(w, b, x, outputs, inputs, m);
        AllClose(expectedZ, z, scaleZ, $"ForwardBatch {shape}");
        var zp = new T[m * outputs];
        DenseKernels.ForwardBatchPrepacked<T>(packed, w, b, x, zp, inputs, outputs, 1);
        AllClose(expectedZ, zp, scaleZ, $"ForwardBatchPrepacked {shape}");
        // With σ: z exactly as without it, a exactly σ(z) as the element-wise kernel computes it, also in place (a = z).
        // Every activation where all outputs lie in whole panels (where ReLU is fused), one in turn elsewhere.
        foreach (Activation activation in outputs % 32 == 0 ? Activations : new[] { Activations[(outputs + inputs + m) % Activations.Length] })
            CheckActivation(packed, w, b, x, zp, z, inputs, outputs, activation, shape);
        T[] gw = (T[])gw0.Clone(), gb = (T[])gb0.Clone();
        DenseKernels.AccumulateGradientBatch<T>(d, x, gw, gb, inputs, outputs, 1);
        var (expectedGw, scaleGw, expectedGb, scaleGb) = GradientReference(d, x, gw0, gb0, outputs, inputs, m);
        AllClose(expectedGw, gw, scaleGw, $"AccumulateGradientBatch gw {shape}");
        AllClose(expectedGb, gb, scaleGb, $"AccumulateGradientBatch gb {shape}");
        var dx = new T[m * inputs];
        DenseKernels.BackwardInputBatch<T>(w, d, dx, inputs, outputs, 1);
        var (expectedDx, scaleDx) = InputReference(w, d, outputs, inputs, m);
        AllClose(expectedDx, dx, scaleDx, $"BackwardInputBatch {shape}");

        // More threads: the same bits.
        foreach (int threads in ThreadCounts)
        {
            var packedT = new T[packed.Length];
            DenseKernels.PackPanels<T>(w, packedT, inputs, outputs, threads);
            Same(packed, packedT, $"PackPanels {shape} on {threads} threads");
            var zt = new T[z.Length];
            DenseKernels.ForwardBatch<T>(w, b, x, zt, inputs, outputs, threads);
            Same(z, zt, $"ForwardBatch {shape} on {threads} threads");
            DenseKernels.ForwardBatchPrepacked<T>(packed, w, b, x, zt, inputs, outputs, threads);
            Same(zp, zt, $"ForwardBatchPrepacked {shape} on {threads} threads");
            T[] gwt = (T[])gw0.Clone(), gbt = (T[])gb0.Clone();
            DenseKernels.AccumulateGradientBatch<T>(d, x, gwt, gbt, inputs, outputs, threads);
            Same(gw, gwt, $"AccumulateGradientBatch gw {shape} on {threads} threads");
            Same(gb, gbt, $"AccumulateGradientBatch gb {shape} on {threads} threads");
            var dxt = new T[dx.Length];
            DenseKernels.BackwardInputBatch<T>(w, d, dxt, inputs, outputs, threads);
            Same(dx, dxt, $"BackwardInputBatch {shape} on {threads} threads");
        }
    }

    private static void CheckActivation<T>(T[] packed, T[] w, T[] b, T[] x, T[] zp, T[] z, int inputs, int outputs, Activation activation, string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // The unpacked forward with σ: its own z bit for bit, a = σ(z), on every thread count.
        var expectedUnpacked = new T[z.Length];
        ActivationKernels.Apply<T>(activation, z, expectedUnpacked);
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            T[] zu = new T[z.Length], au = new T[z.Length];
            DenseKernels.ForwardBatch<T>(w, b, x, zu, au, inputs, outputs, activation, threads);
            Same(z, zu, $"ForwardBatch with {activation}: z {shape} on {threads} threads");
            Same(expectedUnpacked, au, $"ForwardBatch with {activation}: a {shape} on {threads} threads");
        }

        var expectedA = new T[zp.Length];
        ActivationKernels.Apply<T>(activation, zp, expectedA);
        T[] za = new T[zp.Length], aa = new T[zp.Length];
        DenseKernels.ForwardBatchPrepacked<T>(packed, w, b, x, za, aa, inputs, outputs, activation, 1);
        Same(zp, za, $"ForwardBatchPrepacked with {activation}: z {shape}");
        Same(expectedA, aa, $"ForwardBatchPrepacked with {activation}: a {shape}");
        var inPlace = new T[zp.Length];
        DenseKernels.ForwardBatchPrepacked<T>(packed, w, b, x, inPlace, inPlace, inputs, outputs, activation, 1);
        Same(expectedA, inPlace, $"ForwardBatchPrepacked with {activation} in place {shape}");
        foreach (int threads in ThreadCounts)
        {
            T[] zt = new T[zp.Length], at = new T[zp.Length];
            DenseKernels.ForwardBatchPrepacked<T>(packed, w, b, x, zt, at, inputs, outputs, activation, threads);
            Same(zp, zt, $"ForwardBatchPrepacked with {activation}: z {shape} on {threads} threads");
            Same(expectedA, at, $"ForwardBatchPrepacked with {activation}: a {shape} on {threads} threads");
        }
    }

    private static void Same<T>(T[] expected, T[] actual, string context) where T : IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i]))
                Assert.Fail($"{context} ({typeof(T).Name}): element {i} is {actual[i]} but one thread gives {expected[i]}.");
        }
    }

    private static (double[] Values, double[] Scale) ForwardReference<T>(T[] w, T[] b, T[] x, int outputs, int inputs, int m) where T : IBinaryFloatingPointIeee754<T>
    {
        var values = new double[m * outputs];
        var scale = new double[m * outputs];
        for (int s = 0; s < m; s++)
        {
            for (int j = 0; j < outputs; j++)
            {
                double sum = D(b[j]), abs = Math.Abs(D(b[j]));
                for (int k = 0; k < inputs; k++)
                {
                    double p = D(w[j * inputs + k]) * D(x[s * inputs + k]);
                    sum += p;
                    abs += Math.Abs(p);
                }
                values[s * outputs + j] = sum;
                scale[s * outputs + j] = abs;
            }
        }
        return (values, scale);
    }

    private static (double[], double[], double[], double[]) GradientReference<T>(T[] d, T[] x, T[] gw, T[] gb, int outputs, int inputs, int m) where T : IBinaryFloatingPointIeee754<T>
    {
        var w = new double[outputs * inputs];
        var ws = new double[outputs * inputs];
        var bias = new double[outputs];
        var bs = new double[outputs];
        for (int j = 0; j < outputs; j++)
        {
            bias[j] = D(gb[j]);
            bs[j] = Math.Abs(bias[j]);
            for (int s = 0; s < m; s++)
            {
                bias[j] += D(d[s * outputs + j]);
                bs[j] += Math.Abs(D(d[s * outputs + j]));
            }
            for (int k = 0; k < inputs; k++)
            {
                double sum = D(gw[j * inputs + k]), abs = Math.Abs(sum);
                for (int s = 0; s < m; s++)
                {
                    double p = D(d[s * outputs + j]) * D(x[s * inputs + k]);
                    sum += p;
                    abs += Math.Abs(p);
                }
                w[j * inputs + k] = sum;
                ws[j * inputs + k] = abs;
            }
        }
        return (w, ws, bias, bs);
    }

    private static (double[] Values, double[] Scale) InputReference<T>(T[] w, T[] d, int outputs, int inputs, int m) where T : IBinaryFloatingPointIeee754<T>
    {
        var values = new double[m * inputs];
        var scale = new double[m * inputs];
        for (int s = 0; s < m; s++)
        {
            for (int k = 0; k < inputs; k++)
            {
                double sum = 0, abs = 0;
                for (int j = 0; j < outputs; j++)
                {
                    double p = D(d[s * outputs + j]) * D(w[j * inputs + k]);
                    sum += p;
                    abs += Math.Abs(p);
                }
                values[s * inputs + k] = sum;
                scale[s * inputs + k] = abs;
            }
        }
        return (values, scale);
    }
}
