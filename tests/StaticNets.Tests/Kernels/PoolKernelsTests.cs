using System;
using System.Collections.Generic;
using System.Numerics;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary><see cref="PoolKernels"/> against plain loops: ties, overlapping windows, windows that do not divide the input.</summary>
/// <remarks>In the collection that runs alone: the thread-count checks lower the pool's split threshold for the whole process.</remarks>
[Collection(nameof(VectorWidthCollection))]
public class PoolKernelsTests
{
    public static IEnumerable<Pool2DShape> Shapes()
    {
        yield return Make(1, 4, 4, 2, 2, 2, 2);
        yield return Make(6, 28, 28, 2, 2, 2, 2);
        yield return Make(3, 7, 9, 2, 2, 2, 2);     // floor: last row and column ignored
        yield return Make(2, 5, 6, 3, 3, 1, 1);     // overlapping windows
        yield return Make(2, 8, 7, 3, 2, 2, 1);     // overlapping across, non-square window
        yield return Make(4, 9, 10, 2, 3, 3, 2);    // stride > window across the rows: gaps
        yield return Make(1, 1, 1, 1, 1, 1, 1);
        yield return Make(5, 6, 13, 4, 1, 1, 3);
        yield return Make(2, 11, 11, 5, 5, 3, 3);
        // 2×2 stride 2 at row lengths around each vector width (4, 8, 16 floats): the vector rows, their
        // overlapping last vector, odd input widths, and rows too short for any vector.
        foreach (int ow in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 23, 32, 33 })
            yield return Make(2, 4 + ow % 3, 2 * ow + ow % 2, 2, 2, 2, 2);
        yield return Make(16, 10, 10, 2, 2, 2, 2);
    }

    /// <summary>
    /// The batched forward split into sub-batches on 2, 3 and 8 threads gives the bits of one thread (outputs and
    /// arg-max), every shape, batches 1 … 9 and 31, with every call big enough to split.
    /// </summary>
    [Fact]
    public void Forward_OnAnyThreadCount_GivesTheBitsOfOne()
    {
        long saved = StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk;
        StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = 1;
        try
        {
            var rng = new Random(41);
            foreach (var s in Shapes())
            {
                foreach (int batch in new[] { 1, 2, 3, 5, 9, 31 })
                {
                    var x = new float[batch * s.InputSize];
                    for (int i = 0; i < x.Length; i++)
                        x[i] = (float)rng.Next(-4, 5); // ties
                    var y1 = new float[batch * s.OutputSize];
                    var a1 = new int[y1.Length];
                    var avg1 = new float[y1.Length];
                    PoolKernels.MaxForward<float>(s, x, y1, a1);
                    PoolKernels.AvgForward<float>(s, x, avg1);
                    // The backward too: each sample's input delta from its own arg-max and deltas (overwriting what was there).
                    var d = new float[y1.Length];
                    for (int i = 0; i < d.Length; i++)
                        d[i] = (float)(rng.NextDouble() - 0.5);
                    float[] dxMax1 = new float[x.Length], dxAvg1 = new float[x.Length];
                    PoolKernels.MaxBackward<float>(s, d, a1, dxMax1);
                    PoolKernels.AvgBackward<float>(s, d, dxAvg1);
                    foreach (int threads in new[] { 2, 3, 8 })
                    {
                        var y = new float[y1.Length];
                        var a = new int[y1.Length];
                        var avg = new float[y1.Length];
                        PoolKernels.MaxForward<float>(s, x, y, a, threads);
                        PoolKernels.AvgForward<float>(s, x, avg, threads);
                        Assert.Equal(y1, y);
                        Assert.Equal(a1, a);
                        Assert.Equal(avg1, avg);
                        float[] dxMax = new float[x.Length], dxAvg = new float[x.Length];
                        Array.Fill(dxMax, 7f);
                        Array.Fill(dxAvg, 7f);
                        PoolKernels.MaxBackward<float>(s, d, a, dxMax, threads);
                        PoolKernels.AvgBackward<float>(s, d, dxAvg, threads);
                        Assert.Equal(dxMax1, dxMax);
                        Assert.Equal(dxAvg1, dxAvg);
                    }
                }
            }
        }
        finally
        {
            StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = saved;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PoolKernels.MaxForward<float>(Make(1, 4, 4, 2, 2, 2, 2), new float[16], new float[4], new int[4], 0));
        Assert.Equal("threads", e.ParamName);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => PoolKernels.MaxBackward<float>(Make(1, 4, 4, 2, 2, 2, 2), new float[4], new int[4], new float[16], 0)).ParamName);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => PoolKernels.AvgBackward<float>(Make(1, 4, 4, 2, 2, 2, 2), new float[4], new float[16], -1)).ParamName);
    }

    /// <summary>An arg-max outside its sample is refused from a chunk of a split backward too, naming the index.</summary>
    [Fact]
    public void MaxBackward_split_refuses_a_bad_index()
    {
        long saved = StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk;
        StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = 1;
        try
        {
            var s = Make(2, 8, 8, 2, 2, 2, 2);
            const int batch = 6;
            var am = new int[batch * s.OutputSize];
            am[^1] = s.InputSize; // one past its sample, in the last chunk
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => PoolKernels.MaxBackward<float>(s, new float[am.Length], am, new float[batch * s.InputSize], 3));
            Assert.Contains(s.InputSize.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        }
        finally
        {
            StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = saved;
        }
    }

    private static Pool2DShape Make(int c, int ih, int iw, int wh, int ww, int sy, int sx)
        => new(c, ih, iw, wh, ww, sy, sx, (ih - wh) / sy + 1, (iw - ww) / sx + 1);

    [Fact]
    public void Max_MatchesReference_Single() => CheckAll<float>(quantised: false);

    [Fact]
    public void Max_MatchesReference_Double() => CheckAll<double>(quantised: false);

    /// <summary>Values from a handful of levels make ties common: the first maximum in row-major window order wins.</summary>
    [Fact]
    public void Max_Ties_FirstMaximumWins() => CheckAll<float>(quantised: true);

    /// <summary>NaNs scattered among the inputs: the first NaN of a window wins, at every path.</summary>
    [Fact]
    public void Max_ScatteredNaNs_FirstNaNWins() => CheckAll<float>(quantised: true, nans: true);

    /// <summary>
    /// The backward pass adds at whatever in-sample index argmax holds, even one outside its window (an argmax not
    /// from <see cref="PoolKernels.MaxForward{T}"/> of this shape), and repeated indices add up.
    /// </summary>
    [Fact]
    public void MaxBackward_ArbitraryIndices_AddThere() => CheckArbitraryIndices<float>();

    private static void CheckArbitraryIndices<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(12);
        foreach (Pool2DShape s in new[] { Make(2, 6, 34, 2, 2, 2, 2), Make(3, 4, 10, 2, 2, 2, 2), Make(1, 2, 2, 2, 2, 2, 2) })
        {
            const int batch = 2;
            T[] x = KernelTestSupport.Uniform<T>(rng, batch * s.InputSize), y = new T[batch * s.OutputSize];
            int[] am = new int[y.Length];
            PoolKernels.MaxForward<T>(s, x, y, am);
            am[am.Length - 1] = rng.Next(s.InputSize);           // anywhere in its sample
            am[rng.Next(am.Length)] = am[0];                     // a repeat adds up
            T[] d = KernelTestSupport.Uniform<T>(rng, y.Length), dx = new T[x.Length];
            PoolKernels.MaxBackward<T>(s, d, am, dx);
            double[] dxRef = new double[x.Length];
            for (int k = 0; k < d.Length; k++)
                dxRef[k / s.OutputSize * s.InputSize + am[k]] += KernelTestSupport.D(d[k]);
            for (int k = 0; k < dx.Length; k++)
                Assert.True(Math.Abs(KernelTestSupport.D(dx[k]) - dxRef[k]) <= 1e-6, $"inputDelta[{k}] of {s}");
        }
    }

    /// <summary>Every max-pooling check, shared with <see cref="VectorWidthTests"/>.</summary>
    internal static void AllMax<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckArbitraryIndices<T>();
        CheckAll<T>(quantised: false);
        CheckAll<T>(quantised: true);
        CheckAll<T>(quantised: true, nans: true);
    }

    private static void CheckAll<T>(bool quantised, bool nans = false) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(quantised ? nans ? 6 : 8 : 7);
        int i = 0;
        foreach (Pool2DShape s in Shapes())
        {
            int batch = 1 + i++ % 4;
            T[] x = KernelTestSupport.Uniform<T>(rng, batch * s.InputSize);
            if (quantised)
                for (int k = 0; k < x.Length; k++)
                    x[k] = nans && rng.Next(8) == 0 ? T.NaN : T.CreateTruncating(rng.Next(3));
            T[] y = new T[batch * s.OutputSize];
            int[] am = new int[y.Length];
            Array.Fill(am, -5);
            PoolKernels.MaxForward<T>(s, x, y, am);
            ReferenceMax(s, batch, x, out T[] yRef, out int[] amRef);
            Assert.Equal(yRef, y);
            Assert.Equal(amRef, am);

            T[] d = KernelTestSupport.Uniform<T>(rng, y.Length);
            T[] dx = new T[x.Length];
            Array.Fill(dx, T.CreateTruncating(999.0));
            PoolKernels.MaxBackward<T>(s, d, am, dx);
            double[] dxRef = new double[x.Length];
            for (int k = 0; k < d.Length; k++)
                dxRef[k / s.OutputSize * s.InputSize + amRef[k]] += KernelTestSupport.D(d[k]);
            for (int k = 0; k < dx.Length; k++)
                Assert.True(Math.Abs(KernelTestSupport.D(dx[k]) - dxRef[k]) <= 1e-6, $"inputDelta[{k}] of {s}");
        }
    }

    private static void ReferenceMax<T>(Pool2DShape s, int batch, T[] x, out T[] y, out int[] am) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        y = new T[batch * s.OutputSize];
        am = new int[y.Length];
        int o = 0;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < s.Channels; c++)
                for (int oy = 0; oy < s.OutHeight; oy++)
                    for (int ox = 0; ox < s.OutWidth; ox++, o++)
                    {
                        int best = -1;
                        for (int wy = 0; wy < s.WindowHeight; wy++)
                            for (int wx = 0; wx < s.WindowWidth; wx++)
                            {
                                int i = (c * s.InHeight + oy * s.StrideY + wy) * s.InWidth + ox * s.StrideX + wx;
                                T v = x[n * s.InputSize + i];
                                if (best < 0 || v > x[n * s.InputSize + best] || (T.IsNaN(v) && !T.IsNaN(x[n * s.InputSize + best])))
                                    best = i;
                            }
                        am[o] = best;
                        y[o] = x[n * s.InputSize + best];
                    }
    }

    [Fact]
    public void Max_NaN_Propagates_FirstNaNWins()
    {
        var s = new Pool2DShape(1, 2, 4, 2, 2, 2, 2, 1, 2);
        float[] x = [1, 5, float.NaN, 2, float.NaN, 9, 3, float.NaN];
        float[] y = new float[2];
        int[] am = new int[2];
        PoolKernels.MaxForward<float>(s, x, y, am);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(4, am[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(2, am[1]);
        // The general path (3-wide window) behaves the same.
        var s3 = new Pool2DShape(1, 1, 4, 1, 3, 1, 1, 1, 2);
        float[] x3 = [1, float.NaN, 7, float.NaN];
        PoolKernels.MaxForward<float>(s3, x3, y, am);
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]));
        Assert.Equal([1, 1], am);
    }

    [Fact]
    public void Avg_MatchesReference_Single() => CheckAvg<float>(1e-6);

    [Fact]
    public void Avg_MatchesReference_Double() => CheckAvg<double>(1e-14);

    private static void CheckAvg<T>(double tol) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(9);
        int i = 0;
        foreach (Pool2DShape s in Shapes())
        {
            int batch = 1 + i++ % 3;
            T[] x = KernelTestSupport.Uniform<T>(rng, batch * s.InputSize);
            T[] y = new T[batch * s.OutputSize];
            Array.Fill(y, T.NaN);
            PoolKernels.AvgForward<T>(s, x, y);
            T[] d = KernelTestSupport.Uniform<T>(rng, y.Length);
            T[] dx = new T[x.Length];
            Array.Fill(dx, T.CreateTruncating(-77.0));
            PoolKernels.AvgBackward<T>(s, d, dx);

            double[] dxRef = new double[x.Length];
            double area = s.WindowHeight * s.WindowWidth;
            int o = 0;
            for (int n = 0; n < batch; n++)
                for (int c = 0; c < s.Channels; c++)
                    for (int oy = 0; oy < s.OutHeight; oy++)
                        for (int ox = 0; ox < s.OutWidth; ox++, o++)
                        {
                            double sum = 0;
                            for (int wy = 0; wy < s.WindowHeight; wy++)
                                for (int wx = 0; wx < s.WindowWidth; wx++)
                                {
                                    int k = n * s.InputSize + (c * s.InHeight + oy * s.StrideY + wy) * s.InWidth + ox * s.StrideX + wx;
                                    sum += KernelTestSupport.D(x[k]);
                                    dxRef[k] += KernelTestSupport.D(d[o]) / area;
                                }
                            Assert.True(Math.Abs(KernelTestSupport.D(y[o]) - sum / area) <= tol, $"output[{o}] of {s}");
                        }
            for (int k = 0; k < dx.Length; k++)
                Assert.True(Math.Abs(KernelTestSupport.D(dx[k]) - dxRef[k]) <= tol * 10, $"inputDelta[{k}] of {s}");
        }
    }

    [Fact]
    public void WrongLengths_Throw_NamingTheArgument()
    {
        var s = new Pool2DShape(2, 6, 6, 2, 2, 2, 2, 3, 3);
        float[] x = new float[2 * s.InputSize], y = new float[2 * s.OutputSize], dx = new float[x.Length];
        int[] am = new int[y.Length];
        var e = ConvKernelsTests.AssertArg("input", () => PoolKernels.MaxForward<float>(s, new float[73], y, am));
        Assert.Contains($"whole number of samples of {s.InputSize} inputs but got 73 values", e.Message, StringComparison.Ordinal);
        ConvKernelsTests.AssertArg("output", () => PoolKernels.MaxForward<float>(s, x, new float[y.Length + 1], am));
        ConvKernelsTests.AssertArg("argmax", () => PoolKernels.MaxForward<float>(s, x, y, new int[3]));
        ConvKernelsTests.AssertArg("outputDelta", () => PoolKernels.MaxBackward<float>(s, new float[5], am, dx));
        ConvKernelsTests.AssertArg("argmax", () => PoolKernels.MaxBackward<float>(s, y, new int[1], dx));
        ConvKernelsTests.AssertArg("inputDelta", () => PoolKernels.MaxBackward<float>(s, y, am, new float[s.InputSize]));
        ConvKernelsTests.AssertArg("output", () => PoolKernels.AvgForward<float>(s, x, new float[1]));
        ConvKernelsTests.AssertArg("inputDelta", () => PoolKernels.AvgBackward<float>(s, y, new float[1]));
        Array.Fill(am, s.InputSize);
        ConvKernelsTests.AssertArg("argmax", () => PoolKernels.MaxBackward<float>(s, y, am, dx));
        Assert.ThrowsAny<ArgumentException>(() => PoolKernels.AvgForward<float>(s with { OutHeight = 4 }, x, y));
    }
}
