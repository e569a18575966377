using System;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace StaticNets.Gpu.Tests;

/// <summary>
/// The convolution and pooling kernels on ILGPU's CPU accelerator against plain references written here: im2col and
/// max pooling exactly (they only move values), col2im and average pooling against double-precision sums within
/// 1e-6 + 1e-6·|x|. Sizes are odd, with padding on uneven sides, strides above 1 and windows that overlap, so that every
/// edge case (windows past the input, rows no window reaches, pixels several windows share) occurs.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public class ConvKernelTests
{
    private readonly GpuDevice _device;

    public ConvKernelTests(CpuDeviceFixture fixture) => _device = fixture.Fast;

    // batch, inC, inH, inW, outC, kh, kw, sy, sx, top, left, bottom, right
    public static TheoryData<int[]> ConvShapes() => new()
    {
        new[] { 2, 1, 5, 5, 2, 3, 3, 1, 1, 0, 0, 0, 0 },
        new[] { 3, 2, 7, 6, 3, 3, 2, 2, 1, 1, 0, 2, 1 },
        new[] { 1, 3, 9, 7, 2, 4, 3, 3, 2, 2, 1, 1, 2 },
        new[] { 2, 2, 4, 5, 1, 1, 1, 1, 2, 0, 0, 0, 0 },
        new[] { 1, 1, 3, 3, 1, 3, 3, 1, 1, 2, 2, 2, 2 },
    };

    private static ConvGeometry Geometry(int[] s)
    {
        int oh = (s[2] + s[9] + s[11] - s[5]) / s[7] + 1, ow = (s[3] + s[10] + s[12] - s[6]) / s[8] + 1;
        return new ConvGeometry
        {
            Batch = s[0], InChannels = s[1], InHeight = s[2], InWidth = s[3], OutChannels = s[4], KernelHeight = s[5], KernelWidth = s[6],
            StrideY = s[7], StrideX = s[8], PadTop = s[9], PadLeft = s[10], OutHeight = oh, OutWidth = ow,
        };
    }

    /// <summary>The input index im2col reads for column-matrix entry (k, j), or −1 for padding.</summary>
    private static long Source(in ConvGeometry g, int k, int j)
    {
        int n = j / g.Plane, p = j % g.Plane, oy = p / g.OutWidth, ox = p % g.OutWidth;
        int c = k / (g.KernelHeight * g.KernelWidth), ky = k / g.KernelWidth % g.KernelHeight, kx = k % g.KernelWidth;
        int y = oy * g.StrideY - g.PadTop + ky, x = ox * g.StrideX - g.PadLeft + kx;
        if (y < 0 || y >= g.InHeight || x < 0 || x >= g.InWidth)
            return -1;
        return ((long)(n * g.InChannels + c) * g.InHeight + y) * g.InWidth + x;
    }

    [Theory]
    [MemberData(nameof(ConvShapes))]
    public void Im2col_and_col2im_match_a_plain_reference(int[] shape)
    {
        var g = Geometry(shape);
        int inputs = g.Batch * g.InChannels * g.InHeight * g.InWidth, entries = g.Patch * g.Columns;
        float[] x = TestData.Random(inputs, 21), cols = TestData.Random(entries, 22);
        var expectedCols = new float[entries];
        var expectedDx = new double[inputs];
        int padded = 0;
        for (int k = 0; k < g.Patch; k++)
        {
            for (int j = 0; j < g.Columns; j++)
            {
                long at = Source(g, k, j);
                if (at < 0)
                {
                    padded++;
                    continue;
                }
                expectedCols[k * g.Columns + j] = x[at];
                expectedDx[at] += cols[k * g.Columns + j];
            }
        }
        bool padding = shape[9] + shape[10] + shape[11] + shape[12] > 0;
        Assert.Equal(padding, padded > 0);

        using var dx = _device.Upload(x);
        using var dcols = _device.Upload(new float[entries]);
        _device.Kernels.Im2Col(dx.Flat(), dcols.Flat(), g);
        Assert.Equal(expectedCols, dcols.Download());

        using var dcols2 = _device.Upload(cols);
        using var ddx = _device.Upload(TestData.Random(inputs, 23)); // overwritten, not added to
        _device.Kernels.Col2Im(dcols2.Flat(), ddx.Flat(), g);
        TestData.Close(Array.ConvertAll(expectedDx, v => (float)v), ddx.Download(), 1e-6, 1e-6, "∂input");
    }

    // batch, channels, inH, inW, wh, ww, sy, sx
    public static TheoryData<int[]> PoolShapes() => new()
    {
        new[] { 2, 3, 8, 8, 2, 2, 2, 2 },
        new[] { 2, 2, 7, 9, 2, 2, 2, 2 },
        new[] { 1, 2, 9, 7, 3, 3, 2, 2 },
        new[] { 3, 1, 6, 7, 3, 2, 1, 3 },
        new[] { 1, 1, 5, 5, 5, 5, 1, 1 },
    };

    private static PoolGeometry Pool(int[] s) => new()
    {
        Channels = s[1], InHeight = s[2], InWidth = s[3], WindowHeight = s[4], WindowWidth = s[5], StrideY = s[6], StrideX = s[7],
        OutHeight = (s[2] - s[4]) / s[6] + 1, OutWidth = (s[3] - s[5]) / s[7] + 1,
    };

    [Theory]
    [MemberData(nameof(PoolShapes))]
    public void Max_pooling_matches_a_plain_reference_with_ties_and_nans(int[] shape)
    {
        int batch = shape[0];
        var g = Pool(shape);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        int inputs = batch * g.Channels * inPlane, outputs = batch * g.Channels * outPlane;
        // Values on a coarse grid so that windows tie, and two NaNs.
        float[] x = TestData.Random(inputs, 24);
        for (int i = 0; i < x.Length; i++)
            x[i] = MathF.Round(x[i] * 2) / 2;
        x[inputs / 3] = float.NaN;
        x[inputs / 3 + 1] = float.NaN;
        float[] d = TestData.Random(outputs, 25);

        var expected = new float[outputs];
        var expectedArg = new int[outputs];
        var expectedDx = new float[inputs];
        for (int plane = 0; plane < batch * g.Channels; plane++)
        {
            int c = plane % g.Channels;
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    // The runtime's rule, written plainly: the first maximum in row-major order; the first NaN wins.
                    int best = -1;
                    float v = 0;
                    for (int wy = 0; wy < g.WindowHeight; wy++)
                    {
                        for (int wx = 0; wx < g.WindowWidth; wx++)
                        {
                            int at = (oy * g.StrideY + wy) * g.InWidth + ox * g.StrideX + wx;
                            float candidate = x[plane * inPlane + at];
                            if (best < 0 || (!float.IsNaN(v) && (float.IsNaN(candidate) || candidate > v)))
                            {
                                best = at;
                                v = candidate;
                            }
                        }
                    }
                    int o = plane * outPlane + oy * g.OutWidth + ox;
                    expected[o] = v;
                    expectedArg[o] = c * inPlane + best;
                    expectedDx[plane / g.Channels * g.Channels * inPlane + expectedArg[o]] += d[o];
                }
            }
        }

        using var dx = _device.Upload(x);
        using var dy = _device.Upload(new float[outputs]);
        using var darg = _device.Accelerator.Allocate1D<int>(outputs);
        _device.Kernels.MaxPoolForward(dx.Flat(), dy.Flat(), darg.View, g, batch);
        Assert.Equal(expected, dy.Download());
        Assert.Equal(expectedArg, darg.GetAsArray1D());

        using var dd = _device.Upload(d);
        using var ddx = _device.Upload(TestData.Random(inputs, 26));
        _device.Kernels.MaxPoolBackward(dd.Flat(), darg.View, ddx.Flat(), g, batch);
        // The gather adds in output order, as the runtime's scatter does: the same sums exactly.
        Assert.Equal(expectedDx, ddx.Download());
    }

    [Theory]
    [MemberData(nameof(PoolShapes))]
    public void Average_pooling_matches_a_plain_reference(int[] shape)
    {
        int batch = shape[0];
        var g = Pool(shape);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        int inputs = batch * g.Channels * inPlane, outputs = batch * g.Channels * outPlane;
        float[] x = TestData.Random(inputs, 27), d = TestData.Random(outputs, 28);
        double area = g.WindowHeight * g.WindowWidth;
        var expected = new float[outputs];
        var expectedDx = new double[inputs];
        for (int plane = 0; plane < batch * g.Channels; plane++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    int o = plane * outPlane + oy * g.OutWidth + ox;
                    double sum = 0;
                    for (int wy = 0; wy < g.WindowHeight; wy++)
                    {
                        for (int wx = 0; wx < g.WindowWidth; wx++)
                        {
                            int at = plane * inPlane + (oy * g.StrideY + wy) * g.InWidth + ox * g.StrideX + wx;
                            sum += x[at];
                            expectedDx[at] += d[o] / area;
                        }
                    }
                    expected[o] = (float)(sum / area);
                }
            }
        }

        using var dx = _device.Upload(x);
        using var dy = _device.Upload(new float[outputs]);
        _device.Kernels.AvgPoolForward(dx.Flat(), dy.Flat(), g, batch);
        TestData.Close(expected, dy.Download(), 1e-6, 1e-6, "average");

        using var dd = _device.Upload(d);
        using var ddx = _device.Upload(TestData.Random(inputs, 29));
        _device.Kernels.AvgPoolBackward(dd.Flat(), ddx.Flat(), g, batch);
        TestData.Close(Array.ConvertAll(expectedDx, v => (float)v), ddx.Download(), 1e-6, 1e-6, "∂input");
    }

    [Fact]
    public void Channel_kernels_move_between_nchw_and_the_channel_major_product()
    {
        var g = new ConvGeometry { Batch = 3, OutChannels = 2, OutHeight = 2, OutWidth = 3 };
        int count = 3 * 2 * 6, width = g.Columns;
        float[] zc = TestData.Random(count, 30), bias = { 0.5f, -0.25f };
        var expectedZ = new float[count];
        for (int n = 0; n < 3; n++)
            for (int c = 0; c < 2; c++)
                for (int p = 0; p < 6; p++)
                    expectedZ[(n * 2 + c) * 6 + p] = zc[c * width + n * 6 + p] + bias[c];

        using var dzc = _device.Upload(zc);
        using var dz = _device.Upload(new float[count]);
        using var da = _device.Upload(new float[count]);
        using var db = _device.Upload(bias);
        _device.Kernels.ChannelBiasActivation(dzc.Flat(), dz.Flat(), da.Flat(), db.Flat(), g, hasBias: true, Activation.ReLU);
        Assert.Equal(expectedZ, dz.Download());
        Assert.Equal(Array.ConvertAll(expectedZ, v => v > 0 ? v : 0f), da.Download());

        // Back to channel-major: the inverse permutation (without the bias).
        using var back = _device.Upload(new float[count]);
        _device.Kernels.ToChannelMajor(dz.Flat(), back.Flat(), g);
        var expectedBack = new float[count];
        for (int i = 0; i < count; i++)
            expectedBack[i] = zc[i] + bias[i / width];
        Assert.Equal(expectedBack, back.Download());

        using var sums = _device.Upload(new float[2]);
        _device.Kernels.RowSums(back.Flat(), sums.Flat(), 2, width, 0.5f);
        var expectedSums = new float[2];
        for (int c = 0; c < 2; c++)
        {
            double s = 0;
            for (int j = 0; j < width; j++)
                s += expectedBack[c * width + j];
            expectedSums[c] = (float)(0.5 * s);
        }
        TestData.Close(expectedSums, sums.Download(), 1e-6, 1e-6, "row sums");
    }
}
