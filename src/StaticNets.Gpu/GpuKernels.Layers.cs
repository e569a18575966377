using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace StaticNets.Gpu;

/// <summary>
/// The sizes of one convolution launch over a batch, NCHW. The padding below and right of the input is implied by the
/// output size, as in the runtime's <c>Conv2DShape</c>: windows that reach past the input read zeros.
/// </summary>
internal struct ConvGeometry
{
    public int InChannels, InHeight, InWidth, OutChannels, KernelHeight, KernelWidth, StrideY, StrideX, PadTop, PadLeft, OutHeight, OutWidth, Batch;

    /// <summary>Rows of the column matrix: one per weight of a filter (<c>InChannels × KernelHeight × KernelWidth</c>).</summary>
    public readonly int Patch => InChannels * KernelHeight * KernelWidth;

    /// <summary>Output positions per channel.</summary>
    public readonly int Plane => OutHeight * OutWidth;

    /// <summary>Columns of the column matrix: every output position of every sample of the batch.</summary>
    public readonly int Columns => Batch * OutHeight * OutWidth;
}

/// <summary>The sizes of one pooling launch over a batch, NCHW, without padding (every window lies inside the input).</summary>
internal struct PoolGeometry
{
    public int Channels, InHeight, InWidth, WindowHeight, WindowWidth, StrideY, StrideX, OutHeight, OutWidth;
}

/// <summary>
/// The kernels of the convolution, pooling and standalone activation layers. A convolution is im2col into a column
/// matrix <c>[InChannels·kh·kw, batch·OutHeight·OutWidth]</c>, so that one GEMM per product covers the whole batch; its
/// result is channel-major (<c>[OutChannels, batch·plane]</c>), which the bias + activation kernel writes back as NCHW.
/// Every backward kernel that would scatter (col2im, pooling) is written as a gather: one thread per input element sums,
/// in a fixed order, what maps onto it — deterministic without atomics.
/// </summary>
internal sealed partial class GpuKernels
{
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ConvGeometry> _im2col;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ConvGeometry> _col2im;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry, int, int> _channelBiasActivation;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ConvGeometry> _toChannelMajor;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, int, float> _rowSums;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, int> _activate;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<int>, PoolGeometry> _maxPoolForward;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, PoolGeometry> _maxPoolBackward;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, PoolGeometry> _avgPoolForward;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, PoolGeometry> _avgPoolBackward;

    /// <summary>cols[k, n·plane + p] ← the input value under weight k of output position p of sample n (0 in the padding).</summary>
    public void Im2Col(ArrayView<float> input, ArrayView<float> columns, in ConvGeometry g)
    {
        int n = g.Patch * g.Columns, threads = Threads(n);
        _im2col(threads, n, threads, input, columns, g);
    }

    /// <summary>∂input[n, c, y, x] ← Σ of the column entries that im2col read from that pixel (a gather, in (ky, kx) order).</summary>
    public void Col2Im(ArrayView<float> columns, ArrayView<float> inputDelta, in ConvGeometry g)
    {
        int n = g.Batch * g.InChannels * g.InHeight * g.InWidth, threads = Threads(n);
        _col2im(threads, n, threads, columns, inputDelta, g);
    }

    /// <summary>z[n, c, p] ← zc[c, n·plane + p] (+ bias[c]), a ← σ(z) for an element-wise σ: the channel-major GEMM result back to NCHW.</summary>
    public void ChannelBiasActivation(ArrayView<float> channelMajor, ArrayView<float> z, ArrayView<float> a, ArrayView<float> bias, in ConvGeometry g, bool hasBias, Activation activation)
    {
        int n = g.Batch * g.OutChannels * g.Plane, threads = Threads(n);
        _channelBiasActivation(threads, n, threads, channelMajor, z, a, bias, g, hasBias ? 1 : 0, (int)activation);
    }

    /// <summary>dc[c, n·plane + p] ← δ[n, c, p]: a batch of output deltas in the layout of the GEMM's result.</summary>
    public void ToChannelMajor(ArrayView<float> delta, ArrayView<float> channelMajor, in ConvGeometry g)
    {
        int n = g.Batch * g.OutChannels * g.Plane, threads = Threads(n);
        _toChannelMajor(threads, n, threads, delta, channelMajor, g);
    }

    /// <summary>sums[r] = scale · Σ_j values[r·columns + j], each row by one thread in order.</summary>
    public void RowSums(ArrayView<float> values, ArrayView<float> sums, int rows, int columns, float scale)
    {
        int threads = Threads(rows);
        _rowSums(threads, rows, threads, values, sums, columns, scale);
    }

    /// <summary>a ← σ(z) element-wise, z unchanged (a standalone activation layer; σ not softmax).</summary>
    public void Activate(ArrayView<float> z, ArrayView<float> a, Activation activation)
    {
        int n = (int)a.Length, threads = Threads(n);
        _activate(threads, n, threads, z, a, (int)activation);
    }

    /// <summary>Max pooling of <paramref name="batch"/> samples; argmax receives each output's input index within its sample.</summary>
    public void MaxPoolForward(ArrayView<float> input, ArrayView<float> output, ArrayView<int> argmax, in PoolGeometry g, int batch)
    {
        int n = batch * g.Channels * g.OutHeight * g.OutWidth, threads = Threads(n);
        _maxPoolForward(threads, n, threads, input, output, argmax, g);
    }

    /// <summary>∂input of max pooling: each input element sums the deltas of the windows that chose it (zero elsewhere).</summary>
    public void MaxPoolBackward(ArrayView<float> delta, ArrayView<int> argmax, ArrayView<float> inputDelta, in PoolGeometry g, int batch)
    {
        int n = batch * g.Channels * g.InHeight * g.InWidth, threads = Threads(n);
        _maxPoolBackward(threads, n, threads, delta, argmax, inputDelta, g);
    }

    /// <summary>Average pooling of <paramref name="batch"/> samples.</summary>
    public void AvgPoolForward(ArrayView<float> input, ArrayView<float> output, in PoolGeometry g, int batch)
    {
        int n = batch * g.Channels * g.OutHeight * g.OutWidth, threads = Threads(n);
        _avgPoolForward(threads, n, threads, input, output, g);
    }

    /// <summary>∂input of average pooling: each input element sums δ / window size over the windows that cover it.</summary>
    public void AvgPoolBackward(ArrayView<float> delta, ArrayView<float> inputDelta, in PoolGeometry g, int batch)
    {
        int n = batch * g.Channels * g.InHeight * g.InWidth, threads = Threads(n);
        _avgPoolBackward(threads, n, threads, delta, inputDelta, g);
    }

    // ---- kernels ----

    internal static void Im2ColKernel(Index1D thread, int count, int stride, ArrayView<float> input, ArrayView<float> columns, ConvGeometry g)
    {
        int width = g.Columns, plane = g.Plane;
        for (int index = thread; index < count; index += stride)
        {
            int k = index / width, j = index % width;
            int n = j / plane, p = j % plane;
            int oy = p / g.OutWidth, ox = p % g.OutWidth;
            int kx = k % g.KernelWidth, ky = k / g.KernelWidth % g.KernelHeight, c = k / (g.KernelWidth * g.KernelHeight);
            int y = oy * g.StrideY - g.PadTop + ky, x = ox * g.StrideX - g.PadLeft + kx;
            columns[index] = y >= 0 && y < g.InHeight && x >= 0 && x < g.InWidth
                ? input[(((long)n * g.InChannels + c) * g.InHeight + y) * g.InWidth + x]
                : 0f;
        }
    }

    internal static void Col2ImKernel(Index1D thread, int count, int stride, ArrayView<float> columns, ArrayView<float> inputDelta, ConvGeometry g)
    {
        int width = g.Columns, plane = g.Plane;
        for (int index = thread; index < count; index += stride)
        {
            int x = index % g.InWidth, y = index / g.InWidth % g.InHeight;
            int c = index / (g.InWidth * g.InHeight) % g.InChannels, n = index / (g.InWidth * g.InHeight * g.InChannels);
            float sum = 0;
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                // Output row oy reads this pixel through kernel row ky when oy·StrideY − PadTop + ky = y.
                int ty = y + g.PadTop - ky;
                if (ty < 0 || ty % g.StrideY != 0)
                    continue;
                int oy = ty / g.StrideY;
                if (oy >= g.OutHeight)
                    continue;
                for (int kx = 0; kx < g.KernelWidth; kx++)
                {
                    int tx = x + g.PadLeft - kx;
                    if (tx < 0 || tx % g.StrideX != 0)
                        continue;
                    int ox = tx / g.StrideX;
                    if (ox >= g.OutWidth)
                        continue;
                    int k = (c * g.KernelHeight + ky) * g.KernelWidth + kx;
                    sum += columns[(long)k * width + (long)n * plane + oy * g.OutWidth + ox];
                }
            }
            inputDelta[index] = sum;
        }
    }

    internal static void ChannelBiasActivationKernel(Index1D thread, int count, int stride, ArrayView<float> channelMajor, ArrayView<float> z, ArrayView<float> a,
        ArrayView<float> bias, ConvGeometry g, int hasBias, int activation)
    {
        int plane = g.Plane, perSample = g.OutChannels * plane, width = g.Columns;
        for (int index = thread; index < count; index += stride)
        {
            int n = index / perSample, rest = index % perSample;
            int c = rest / plane, p = rest % plane;
            float v = channelMajor[(long)c * width + (long)n * plane + p];
            if (hasBias != 0)
                v += bias[c];
            z[index] = v;
            a[index] = Apply(activation, v);
        }
    }

    internal static void ToChannelMajorKernel(Index1D thread, int count, int stride, ArrayView<float> delta, ArrayView<float> channelMajor, ConvGeometry g)
    {
        int plane = g.Plane, perSample = g.OutChannels * plane, width = g.Columns;
        for (int index = thread; index < count; index += stride)
        {
            int n = index / perSample, rest = index % perSample;
            int c = rest / plane, p = rest % plane;
            channelMajor[(long)c * width + (long)n * plane + p] = delta[index];
        }
    }

    internal static void RowSumsKernel(Index1D thread, int count, int stride, ArrayView<float> values, ArrayView<float> sums, int columns, float scale)
    {
        for (int row = thread; row < count; row += stride)
        {
            float sum = 0;
            long start = (long)row * columns;
            for (int j = 0; j < columns; j++)
                sum += values[start + j];
            sums[row] = scale * sum;
        }
    }

    internal static void ActivateKernel(Index1D thread, int count, int stride, ArrayView<float> z, ArrayView<float> a, int activation)
    {
        for (int index = thread; index < count; index += stride)
            a[index] = Apply(activation, z[index]);
    }

    internal static void MaxPoolForwardKernel(Index1D thread, int count, int stride, ArrayView<float> input, ArrayView<float> output, ArrayView<int> argmax, PoolGeometry g)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int index = thread; index < count; index += stride)
        {
            int ox = index % g.OutWidth, oy = index / g.OutWidth % g.OutHeight;
            int plane = index / outPlane; // n·Channels + c
            int c = plane % g.Channels;
            long planeStart = (long)plane * inPlane;
            int best = oy * g.StrideY * g.InWidth + ox * g.StrideX;
            int first = best;
            float v = input[planeStart + best];
            // The runtime's rule: the first maximum in row-major window order, except that the first NaN wins.
            for (int wy = 0; wy < g.WindowHeight; wy++)
            {
                for (int wx = wy == 0 ? 1 : 0; wx < g.WindowWidth; wx++)
                {
                    int at = first + wy * g.InWidth + wx;
                    float candidate = input[planeStart + at];
                    if (candidate > v || (XMath.IsNaN(candidate) && !XMath.IsNaN(v)))
                    {
                        v = candidate;
                        best = at;
                    }
                }
            }
            output[index] = v;
            argmax[index] = c * inPlane + best;
        }
    }

    internal static void MaxPoolBackwardKernel(Index1D thread, int count, int stride, ArrayView<float> delta, ArrayView<int> argmax, ArrayView<float> inputDelta, PoolGeometry g)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int index = thread; index < count; index += stride)
        {
            int x = index % g.InWidth, y = index / g.InWidth % g.InHeight;
            int plane = index / inPlane;
            int local = plane % g.Channels * inPlane + y * g.InWidth + x;
            long outStart = (long)plane * outPlane;
            WindowRange(y, g.WindowHeight, g.StrideY, g.OutHeight, out int oy0, out int oy1);
            WindowRange(x, g.WindowWidth, g.StrideX, g.OutWidth, out int ox0, out int ox1);
            // Output order, as the runtime adds them: the same sum to the last bit where windows overlap.
            float sum = 0;
            for (int oy = oy0; oy <= oy1; oy++)
            {
                for (int ox = ox0; ox <= ox1; ox++)
                {
                    long o = outStart + oy * g.OutWidth + ox;
                    if (argmax[o] == local)
                        sum += delta[o];
                }
            }
            inputDelta[index] = sum;
        }
    }

    internal static void AvgPoolForwardKernel(Index1D thread, int count, int stride, ArrayView<float> input, ArrayView<float> output, PoolGeometry g)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        float scale = 1f / (g.WindowHeight * g.WindowWidth);
        bool twoByTwo = g.WindowHeight == 2 && g.WindowWidth == 2 && g.StrideY == 2 && g.StrideX == 2;
        for (int index = thread; index < count; index += stride)
        {
            int ox = index % g.OutWidth, oy = index / g.OutWidth % g.OutHeight;
            long start = (long)(index / outPlane) * inPlane + oy * g.StrideY * g.InWidth + ox * g.StrideX;
            float sum;
            if (twoByTwo)
            {
                // The runtime's 2 × 2 path adds the rows' pairs first: the same association gives the same bits.
                sum = input[start] + input[start + 1] + (input[start + g.InWidth] + input[start + g.InWidth + 1]);
            }
            else
            {
                sum = 0;
                for (int wy = 0; wy < g.WindowHeight; wy++)
                    for (int wx = 0; wx < g.WindowWidth; wx++)
                        sum += input[start + wy * g.InWidth + wx];
            }
            output[index] = sum * scale;
        }
    }

    internal static void AvgPoolBackwardKernel(Index1D thread, int count, int stride, ArrayView<float> delta, ArrayView<float> inputDelta, PoolGeometry g)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        float scale = 1f / (g.WindowHeight * g.WindowWidth);
        for (int index = thread; index < count; index += stride)
        {
            int x = index % g.InWidth, y = index / g.InWidth % g.InHeight;
            long outStart = (long)(index / inPlane) * outPlane;
            WindowRange(y, g.WindowHeight, g.StrideY, g.OutHeight, out int oy0, out int oy1);
            WindowRange(x, g.WindowWidth, g.StrideX, g.OutWidth, out int ox0, out int ox1);
            float sum = 0;
            for (int oy = oy0; oy <= oy1; oy++)
                for (int ox = ox0; ox <= ox1; ox++)
                    sum += delta[outStart + oy * g.OutWidth + ox] * scale;
            inputDelta[index] = sum;
        }
    }

    /// <summary>The windows (first and last output index along one axis) that cover input position <paramref name="i"/>; first &gt; last when none does.</summary>
    private static void WindowRange(int i, int window, int stride, int outputs, out int first, out int last)
    {
        // Window o covers [o·stride, o·stride + window): o ≥ (i − window + 1) / stride rounded up, o ≤ i / stride.
        int lowest = i - window + 1;
        first = lowest <= 0 ? 0 : (lowest + stride - 1) / stride;
        last = XMath.Min(i / stride, outputs - 1);
    }
}
