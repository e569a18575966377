using System.Linq;
using System;
using System.Collections.Generic;
using System.Numerics;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary><see cref="ConvKernels"/> against plain double-precision loops, over many shapes.</summary>
public class ConvKernelsTests
{
    [Fact]
    public void ForwardAndBackward_MatchReference_Single() => ConvChecks.All<float>();

    [Fact]
    public void ForwardAndBackward_MatchReference_Double() => ConvChecks.All<double>();

    [Fact]
    public void LeNetShapes_MatchReference()
    {
        var rng = new Random(5);
        ConvChecks.Check<float>(rng, new Conv2DShape(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 28, 28), 3, true);
        ConvChecks.Check<float>(rng, new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10), 5, true);
    }

    /// <summary>The channel-vectorised shapes at batches 1 to 5, with and without bias, in both precisions.</summary>
    [Fact]
    public void ChannelShapes_MatchReference()
    {
        var rng = new Random(23);
        int i = 0;
        foreach (Conv2DShape s in ConvChecks.ChannelShapes())
        {
            ConvChecks.Check<float>(rng, s, 1 + i % 5, i % 2 == 0);
            ConvChecks.Check<double>(rng, s, 5 - i % 5, i % 2 == 1);
            i++;
        }
    }

    [Fact]
    public void ScratchLength_GrowsWithTheBatchUpToABlock_OrZeroForPointwise()
    {
        var s = new Conv2DShape(3, 9, 7, 4, 3, 2, 2, 1, 1, 0, 5, 6);
        int one = 3 * 3 * 2 * 5 * 6;
        Assert.Equal(one, ConvKernels.ScratchLength<float>(s, 0));
        Assert.Equal(one, ConvKernels.ScratchLength<float>(s, 1));
        int packed = 4 * 5 * 6; // a block's output deltas, packed for the input delta's GEMM
        Assert.Equal(3 * (one + packed), ConvKernels.ScratchLength<float>(s, 3));
        Assert.Equal(8 * (one + packed), ConvKernels.ScratchLength<float>(s, 100));
        var big = new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10); // 60 000 bytes unrolled: four fit in 256 KiB
        Assert.Equal(4 * (150 + 16) * 100, ConvKernels.ScratchLength<float>(big, 64));
        Assert.Equal(0, ConvKernels.ScratchLength<double>(new Conv2DShape(3, 4, 5, 2, 1, 1, 1, 1, 0, 0, 4, 5), 8));
    }

    /// <summary>A scratch for one sample serves any batch (one sample per block), to the same tolerance.</summary>
    [Fact]
    public void MinimalScratch_ServesAnyBatch()
    {
        var rng = new Random(17);
        var s = new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10);
        ConvChecks.Check<float>(rng, s, 5, true, ConvKernels.ScratchLength<float>(s, 1));
        ConvChecks.Check<double>(rng, new Conv2DShape(2, 7, 9, 3, 3, 5, 1, 1, 1, 2, 7, 9), 6, false, ConvKernels.ScratchLength<double>(new Conv2DShape(2, 7, 9, 3, 3, 5, 1, 1, 1, 2, 7, 9), 1) + 3);
    }

    [Fact]
    public void WrongLengths_Throw_NamingTheArgument()
    {
        var s = new Conv2DShape(2, 5, 4, 3, 3, 3, 1, 1, 1, 1, 5, 4);
        int scratchLength = ConvKernels.ScratchLength<float>(s, 2);
        float[] w = new float[s.WeightCount], b = new float[3], x = new float[2 * s.InputSize], y = new float[2 * s.OutputSize];
        float[] scratch = new float[scratchLength], gw = new float[s.WeightCount], gb = new float[3], dx = new float[x.Length];

        AssertArg("weights", () => ConvKernels.Forward<float>(s, new float[w.Length - 1], b, x, y, scratch));
        AssertArg("bias", () => ConvKernels.Forward<float>(s, w, new float[2], x, y, scratch));
        var e = AssertArg("input", () => ConvKernels.Forward<float>(s, w, b, new float[x.Length + 1], y, scratch));
        Assert.Contains($"whole number of samples of {s.InputSize} inputs but got {x.Length + 1} values", e.Message, StringComparison.Ordinal);
        AssertArg("output", () => ConvKernels.Forward<float>(s, w, b, x, new float[y.Length - 1], scratch));
        AssertArg("scratch", () => ConvKernels.Forward<float>(s, w, b, x, y, new float[ConvKernels.ScratchLength<float>(s, 1) - 1]));
        float[] shared = new float[x.Length + y.Length];
        AssertArg("output", () => ConvKernels.Forward<float>(s, w, b, shared.AsSpan(0, x.Length), shared.AsSpan(10, y.Length), scratch));

        AssertArg("weights", () => ConvKernels.Backward<float>(s, new float[1], x, y, gw, gb, dx, scratch));
        AssertArg("input", () => ConvKernels.Backward<float>(s, w, new float[7], y, gw, gb, dx, scratch));
        AssertArg("outputDelta", () => ConvKernels.Backward<float>(s, w, x, new float[s.OutputSize], gw, gb, dx, scratch));
        AssertArg("weightGradient", () => ConvKernels.Backward<float>(s, w, x, y, new float[gw.Length + 1], gb, dx, scratch));
        AssertArg("biasGradient", () => ConvKernels.Backward<float>(s, w, x, y, gw, new float[4], dx, scratch));
        AssertArg("inputDelta", () => ConvKernels.Backward<float>(s, w, x, y, gw, gb, new float[s.InputSize], scratch));
        AssertArg("scratch", () => ConvKernels.Backward<float>(s, w, x, y, gw, gb, dx, new float[3]));

        Assert.ThrowsAny<ArgumentException>(() => ConvKernels.Forward<float>(s with { OutHeight = 9 }, w, b, x, y, scratch));
        Assert.ThrowsAny<ArgumentException>(() => ConvKernels.Forward<float>(s with { StrideX = 0 }, w, b, x, y, scratch));
        Assert.ThrowsAny<ArgumentException>(() => ConvKernels.Forward<float>(s with { PadTop = -1 }, w, b, x, y, scratch));
    }

    [Fact]
    public void Kernels_DoNotAllocate()
    {
        var s = new Conv2DShape(3, 11, 9, 5, 3, 4, 2, 1, 1, 2, 6, 10);
        var c2 = new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10); // the channel scheme
        var c3 = new Conv2DShape(3, 15, 15, 17, 3, 3, 2, 2, 1, 1, 8, 8);   // 17 channels, stride 2, padded
        var p = new Pool2DShape(3, 11, 9, 2, 2, 2, 2, 5, 4);
        var rng = new Random(3);
        const int batch = 3;
        float[] w = KernelTestSupport.Uniform<float>(rng, s.WeightCount), b = KernelTestSupport.Uniform<float>(rng, s.OutChannels);
        float[] x = KernelTestSupport.Uniform<float>(rng, batch * s.InputSize), y = new float[batch * s.OutputSize];
        float[] scratch = new float[ConvKernels.ScratchLength<float>(s, batch)], gw = new float[s.WeightCount], gb = new float[s.OutChannels];
        float[] dx = new float[x.Length], py = new float[batch * p.OutputSize], pdx = new float[x.Length];
        int[] am = new int[py.Length];
        float[] w2 = KernelTestSupport.Uniform<float>(rng, c2.WeightCount), b2 = new float[c2.OutChannels], x2 = KernelTestSupport.Uniform<float>(rng, batch * c2.InputSize);
        float[] y2 = new float[batch * c2.OutputSize], sc2 = new float[ConvKernels.ScratchLength<float>(c2, batch)], gw2 = new float[c2.WeightCount], dx2 = new float[x2.Length];
        float[] w3 = KernelTestSupport.Uniform<float>(rng, c3.WeightCount), b3 = new float[c3.OutChannels], x3 = KernelTestSupport.Uniform<float>(rng, batch * c3.InputSize);
        float[] y3 = new float[batch * c3.OutputSize], sc3 = new float[ConvKernels.ScratchLength<float>(c3, batch)], gw3 = new float[c3.WeightCount], dx3 = new float[x3.Length];
        var calls = new List<(string Name, Action Call)>
        {
            ("Conv.Forward", () => ConvKernels.Forward<float>(s, w, b, x, y, scratch)),
            ("Conv.Backward", () => ConvKernels.Backward<float>(s, w, x, y, gw, gb, dx, scratch)),
            ("Conv.Forward (channels)", () => ConvKernels.Forward<float>(c2, w2, b2, x2, y2, sc2)),
            ("Conv.Backward (channels)", () => ConvKernels.Backward<float>(c2, w2, x2, y2, gw2, b2, dx2, sc2)),
            ("Conv.Forward (17 channels, stride 2, padded)", () => ConvKernels.Forward<float>(c3, w3, b3, x3, y3, sc3)),
            ("Conv.Backward (17 channels, stride 2, padded)", () => ConvKernels.Backward<float>(c3, w3, x3, y3, gw3, b3, Span<float>.Empty, sc3)),
            ("Pool.MaxForward", () => PoolKernels.MaxForward<float>(p, x, py, am)),
            ("Pool.MaxBackward", () => PoolKernels.MaxBackward<float>(p, py, am, pdx)),
            ("Pool.AvgForward", () => PoolKernels.AvgForward<float>(p, x, py)),
            ("Pool.AvgBackward", () => PoolKernels.AvgBackward<float>(p, py, pdx)),
        };
        foreach (var (name, call) in calls)
        {
            call();
            long allocated = 0;
            for (int round = 0; round < 5; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 200; i++)
                    call();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated == 0)
                    break;
            }
            Assert.True(allocated == 0, $"{name} allocated {allocated} bytes in each of 5 rounds of 200 calls.");
        }
    }

    internal static ArgumentException AssertArg(string paramName, Action call)
    {
        var e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(paramName, e.ParamName);
        return e;
    }
}

/// <summary>The convolution checks, shared with <see cref="VectorWidthTests"/>.</summary>
internal static class ConvChecks
{
    /// <summary>Hand-picked shapes plus random ones: odd and non-square sizes and kernels, stride 1–3, asymmetric and implied bottom/right padding.</summary>
    public static IEnumerable<Conv2DShape> Shapes()
    {
        yield return Make(1, 5, 5, 1, 3, 3, 1, 1, 0, 0, 0, 0);
        yield return Make(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
        yield return Make(3, 4, 5, 2, 1, 1, 1, 1, 0, 0, 0, 0);   // pointwise: no scratch
        yield return Make(2, 7, 9, 3, 3, 5, 1, 1, 1, 2, 1, 2);
        yield return Make(3, 9, 6, 5, 4, 2, 2, 3, 2, 0, 1, 1);
        yield return Make(1, 17, 23, 6, 5, 5, 1, 1, 2, 2, 2, 2);
        yield return Make(2, 8, 8, 7, 3, 3, 2, 2, 1, 1, 0, 0);  // bottom pad smaller than top
        yield return Make(4, 6, 11, 3, 2, 3, 3, 1, 0, 2, 1, 0);
        yield return Make(5, 3, 13, 4, 3, 1, 1, 2, 2, 0, 2, 0);
        yield return Make(2, 12, 5, 9, 5, 2, 3, 1, 0, 1, 2, 1);
        yield return Make(1, 10, 40, 4, 1, 3, 1, 1, 0, 1, 0, 1);  // wide: several vectors plus a ragged end
        foreach (Conv2DShape d in DirectShapes())
            yield return d;
        foreach (Conv2DShape c in ChannelShapes())
            yield return c;
        var rng = new Random(2024);
        int made = 0;
        while (made < 40)
        {
            int ic = rng.Next(1, 8), oc = rng.Next(1, 8), kh = rng.Next(1, 6), kw = rng.Next(1, 6);
            int ih = rng.Next(1, 14), iw = rng.Next(1, 14), sy = rng.Next(1, 4), sx = rng.Next(1, 4);
            int pt = rng.Next(0, Math.Min(3, kh)), pl = rng.Next(0, Math.Min(3, kw));
            int pb = rng.Next(0, Math.Min(3, kh)), pr = rng.Next(0, Math.Min(3, kw));
            if (ih + pt + pb < kh || iw + pl + pr < kw)
                continue;
            made++;
            yield return Make(ic, ih, iw, oc, kh, kw, sy, sx, pt, pl, pb, pr);
        }
    }

    /// <summary>
    /// Shapes the direct scheme takes where vectors fit the output row (see <c>DirectShapes_TakeTheDirectScheme</c>):
    /// LeNet's first layer at widths around each vector length (one to several vectors, ragged ends, a row of exactly
    /// one vector), channel counts that leave partial blocks of six (forward) and three (weight gradient), kernel
    /// widths that leave partial blocks of four columns, vertical stride and implied bottom/right padding.
    /// </summary>
    public static IEnumerable<Conv2DShape> DirectShapes()
    {
        foreach (int iw in new[] { 5, 9, 12, 16, 17, 20, 23, 28, 33, 40, 56 })
            yield return Make(1, 6 + iw % 5, iw, 6, 5, 5, 1, 1, 2, 2, 2, 2);
        yield return Make(1, 9, 20, 1, 5, 5, 1, 1, 2, 2, 2, 2);
        yield return Make(2, 9, 31, 4, 3, 7, 2, 1, 1, 3, 0, 2);
        yield return Make(1, 11, 24, 5, 4, 2, 3, 1, 2, 1, 1, 0);
        yield return Make(1, 8, 28, 12, 5, 5, 1, 1, 2, 2, 2, 2);
        yield return Make(1, 8, 44, 5, 5, 5, 1, 1, 2, 2, 2, 2);
        yield return Make(2, 9, 28, 6, 3, 7, 2, 1, 1, 3, 0, 2);
        yield return Make(1, 8, 24, 6, 3, 3, 1, 1, 1, 1, 1, 1);
    }

    /// <summary>
    /// Shapes for the scheme vectorised over output channels (see <c>ChannelShapes_TakeTheChannelScheme</c>): LeNet's
    /// second layer and its neighbours with 8, 15, 16, 17 and 32 output channels (partial, whole and two or more
    /// channel vectors at each width), strides 1 and 2 on either axis, padding (a padded, phase-split copy) and none
    /// (the input read in place), a single output row, and output widths that leave ragged column blocks of five.
    /// </summary>
    public static IEnumerable<Conv2DShape> ChannelShapes()
    {
        foreach (int oc in new[] { 8, 15, 16, 17, 32 })
            yield return Make(6, 14, 14, oc, 5, 5, 1, 1, 0, 0, 0, 0);
        yield return Make(4, 12, 13, 16, 3, 3, 1, 1, 1, 1, 1, 1);
        yield return Make(3, 15, 15, 17, 3, 3, 2, 2, 1, 1, 1, 1);
        yield return Make(5, 11, 16, 32, 3, 4, 2, 1, 1, 2, 0, 1);
        yield return Make(2, 9, 14, 15, 4, 5, 1, 2, 2, 2, 1, 2);
        yield return Make(8, 3, 12, 16, 3, 3, 1, 1, 0, 0, 0, 0);
        yield return Make(3, 8, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1);
        yield return Make(6, 7, 7, 32, 3, 3, 1, 1, 0, 0, 0, 0);
    }

    private static Conv2DShape Make(int ic, int ih, int iw, int oc, int kh, int kw, int sy, int sx, int pt, int pl, int pb, int pr)
        => new(ic, ih, iw, oc, kh, kw, sy, sx, pt, pl, (ih + pt + pb - kh) / sy + 1, (iw + pl + pr - kw) / sx + 1);

    public static void All<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(11);
        int i = 0;
        foreach (Conv2DShape s in Shapes())
        {
            Check<T>(rng, s, 1 + i % 5, i % 3 != 1);
            i++;
        }
    }

    /// <summary>Forward, weight and bias gradients (added), input delta (overwritten) and the skipped input delta, against the reference.</summary>
    public static void Check<T>(Random rng, Conv2DShape s, int batch, bool withBias, int scratchLength = -1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double tol = typeof(T) == typeof(float) ? 1e-5 : 1e-12;
        T[] w = KernelTestSupport.Uniform<T>(rng, s.WeightCount);
        T[] b = withBias ? KernelTestSupport.Uniform<T>(rng, s.OutChannels) : [];
        T[] x = KernelTestSupport.Uniform<T>(rng, batch * s.InputSize);
        T[] delta = KernelTestSupport.Uniform<T>(rng, batch * s.OutputSize);
        T[] scratch = new T[scratchLength >= 0 ? scratchLength : ConvKernels.ScratchLength<T>(s, batch)];
        Array.Fill(scratch, T.CreateTruncating(1e30));

        // Forward.
        T[] y = new T[batch * s.OutputSize];
        Array.Fill(y, T.NaN);
        ConvKernels.Forward<T>(s, w, b, x, y, scratch);
        Reference(s, batch, KernelTestSupport.D(w), withBias ? KernelTestSupport.D(b) : null, KernelTestSupport.D(x), KernelTestSupport.D(delta),
            out double[] yRef, out double[] yMag, out double[] gwRef, out double[] gwMag, out double[] gbRef, out double[] gbMag, out double[] dxRef, out double[] dxMag);
        Compare("output", s, y, yRef, yMag, tol);

        // Backward: gradients accumulate onto non-zero values; the input delta is overwritten over garbage.
        T[] gw0 = KernelTestSupport.Uniform<T>(rng, s.WeightCount), gb0 = withBias ? KernelTestSupport.Uniform<T>(rng, s.OutChannels) : [];
        T[] gw = (T[])gw0.Clone(), gb = (T[])gb0.Clone();
        T[] dx = new T[x.Length];
        Array.Fill(dx, T.CreateTruncating(12345.0));
        ConvKernels.Backward<T>(s, w, x, delta, gw, gb, dx, scratch);
        Compare("weightGradient", s, gw, Add(gwRef, gw0), Add(gwMag, gw0, abs: true), tol);
        if (withBias)
            Compare("biasGradient", s, gb, Add(gbRef, gb0), Add(gbMag, gb0, abs: true), tol);
        Compare("inputDelta", s, dx, dxRef, dxMag, tol);

        // Skipping the input delta gives the same parameter gradients.
        T[] gw2 = (T[])gw0.Clone(), gb2 = (T[])gb0.Clone();
        ConvKernels.Backward<T>(s, w, x, delta, gw2, gb2, Span<T>.Empty, scratch);
        Assert.Equal(gw, gw2);
        Assert.Equal(gb, gb2);
    }

    private static double[] Add<T>(double[] values, T[] start, bool abs = false) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new double[values.Length];
        for (int i = 0; i < r.Length; i++)
            r[i] = values[i] + (abs ? Math.Abs(KernelTestSupport.D(start[i])) : KernelTestSupport.D(start[i]));
        return r;
    }

    private static void Compare<T>(string what, Conv2DShape s, T[] actual, double[] expected, double[] magnitude, double tol) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double a = KernelTestSupport.D(actual[i]);
            double bound = tol * Math.Max(magnitude[i], 1e-300) + 1e-300;
            Assert.True(Math.Abs(a - expected[i]) <= bound, $"{what}[{i}] of {s}: expected {expected[i]} but got {a}.");
        }
    }

    /// <summary>Naive loops in double; each result comes with the sum of the magnitudes of its terms.</summary>
    private static void Reference(Conv2DShape s, int batch, double[] w, double[]? b, double[] x, double[] delta,
        out double[] y, out double[] yMag, out double[] gw, out double[] gwMag, out double[] gb, out double[] gbMag, out double[] dx, out double[] dxMag)
    {
        y = new double[batch * s.OutputSize]; yMag = new double[y.Length];
        gw = new double[s.WeightCount]; gwMag = new double[gw.Length];
        gb = new double[s.OutChannels]; gbMag = new double[gb.Length];
        dx = new double[batch * s.InputSize]; dxMag = new double[dx.Length];
        for (int n = 0; n < batch; n++)
            for (int oc = 0; oc < s.OutChannels; oc++)
                for (int oy = 0; oy < s.OutHeight; oy++)
                    for (int ox = 0; ox < s.OutWidth; ox++)
                    {
                        int o = ((n * s.OutChannels + oc) * s.OutHeight + oy) * s.OutWidth + ox;
                        double sum = b?[oc] ?? 0, mag = Math.Abs(b?[oc] ?? 0), d = delta[o];
                        gb[oc] += d; gbMag[oc] += Math.Abs(d);
                        for (int ic = 0; ic < s.InChannels; ic++)
                            for (int ky = 0; ky < s.KernelHeight; ky++)
                                for (int kx = 0; kx < s.KernelWidth; kx++)
                                {
                                    int iy = oy * s.StrideY - s.PadTop + ky, ix = ox * s.StrideX - s.PadLeft + kx;
                                    if (iy < 0 || iy >= s.InHeight || ix < 0 || ix >= s.InWidth)
                                        continue;
                                    int wi = ((oc * s.InChannels + ic) * s.KernelHeight + ky) * s.KernelWidth + kx;
                                    int xi = ((n * s.InChannels + ic) * s.InHeight + iy) * s.InWidth + ix;
                                    sum += w[wi] * x[xi]; mag += Math.Abs(w[wi] * x[xi]);
                                    gw[wi] += d * x[xi]; gwMag[wi] += Math.Abs(d * x[xi]);
                                    dx[xi] += d * w[wi]; dxMag[xi] += Math.Abs(d * w[wi]);
                                }
                        y[o] = sum; yMag[o] = mag;
                    }
    }
}

/// <summary>Prepared weights at each forced vector width: in the width collection, since the width is process-wide.</summary>
[Collection(nameof(VectorWidthCollection))]
public class ConvPreparedWeightsTests
{
    /// <summary>
    /// Prepared weights give bit-identical outputs to the plain forward on every channel-vectorised shape (and LeNet's
    /// two), at every vector width; a prepared copy of the wrong length is ignored, not misread.
    /// </summary>
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(0)]
    public void PreparedWeights_GiveTheSameOutputs(int bits)
    {
        int saved = VectorWidth.MaxBits;
        VectorWidth.MaxBits = bits;
        try
        {
            var rng = new Random(41);
            var shapes = new List<Conv2DShape>(ConvChecks.ChannelShapes()) { new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 28, 28), new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10) };
            foreach (var s in shapes)
            {
                const int batch = 3;
                float[] w = Enumerable.Range(0, s.WeightCount).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                float[] b = Enumerable.Range(0, s.OutChannels).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                float[] x = Enumerable.Range(0, batch * s.InputSize).Select(_ => (float)rng.NextDouble()).ToArray();
                var scratch = new float[ConvKernels.ScratchLength<float>(s, batch)];
                var plain = new float[batch * s.OutputSize];
                ConvKernels.Forward<float>(s, w, b, x, plain, scratch);

                var prepared = new float[ConvKernels.PreparedLength<float>(s)];
                ConvKernels.PrepareWeights<float>(s, w, b, prepared);
                var fromPrepared = new float[plain.Length];
                ConvKernels.ForwardPrepared<float>(s, prepared, w, b, x, fromPrepared, scratch);
                Assert.Equal(plain, fromPrepared);

                // A copy that does not fit this width's layout is ignored.
                var wrong = new float[prepared.Length + 1];
                var fromWrong = new float[plain.Length];
                ConvKernels.ForwardPrepared<float>(s, wrong, w, b, x, fromWrong, scratch);
                Assert.Equal(plain, fromWrong);
            }
        }
        finally
        {
            VectorWidth.MaxBits = saved;
        }
    }
}
