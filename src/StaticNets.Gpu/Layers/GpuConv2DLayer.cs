using ILGPU;
using ILGPU.Runtime;

namespace StaticNets.Gpu.Layers;

/// <summary>
/// A 2-D convolution as im2col + GEMM over the whole batch. The columns are <c>[K, batch·P]</c> (K = inC·kh·kw,
/// P = outH·outW, column n·P + p), so each product is one GEMM launch however large the batch:
/// forward zc = W·cols (<c>[outC, batch·P]</c>, channel-major), then one kernel adds the bias and applies σ while
/// writing z and a back as NCHW; backward δ goes channel-major into the same scratch, ∂W = δc·colsᵀ / batch,
/// ∂b = δc's row sums / batch, and ∂cols = Wᵀ·δc overwrites the columns (∂W has used them) for a col2im gather.
/// </summary>
internal sealed class GpuConv2DLayer : GpuLayer
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _columns, _channelMajor, _z, _a;
    private readonly ArrayView<float> _weights, _bias, _weightGradient, _biasGradient;
    private readonly bool _hasBias;
    private readonly ConvGeometry _geometry;

    public GpuConv2DLayer(Conv2DLayerInfo info, in GpuLayerContext context, GpuLayer? below)
        : base(info, context, below)
    {
        var input = info.InputShape;
        var output = info.OutputShape;
        _geometry = new ConvGeometry
        {
            InChannels = input.Channels, InHeight = input.Height, InWidth = input.Width,
            OutChannels = info.Filters, KernelHeight = info.KernelHeight, KernelWidth = info.KernelWidth,
            StrideY = info.StrideY, StrideX = info.StrideX, PadTop = info.PadTop, PadLeft = info.PadLeft,
            OutHeight = output.Height, OutWidth = output.Width, Batch = context.Capacity,
        };
        _hasBias = info.HasBias;
        _weights = context.Parameters.SubView(info.WeightOffset, info.WeightCount);
        _weightGradient = context.Gradient.SubView(info.WeightOffset, info.WeightCount);
        // Without a bias the kernels read none; any view will do as their argument.
        _bias = _hasBias ? context.Parameters.SubView(info.BiasOffset, info.Filters) : _weights;
        _biasGradient = _hasBias ? context.Gradient.SubView(info.BiasOffset, info.Filters) : _weightGradient;
        _columns = Rows(context, (long)_geometry.Patch * _geometry.Plane);
        _channelMajor = Rows(context, info.Outputs);
        _z = Rows(context, info.Outputs);
        _a = Rows(context, info.Outputs);
    }

    private ConvGeometry For(int batch)
    {
        var g = _geometry;
        g.Batch = batch;
        return g;
    }

    protected override void ForwardCore(ArrayView<float> input, int batch)
    {
        var g = For(batch);
        int patch = g.Patch, columns = g.Columns;
        var cols = _columns.View.SubView(0, (long)patch * columns);
        var zc = _channelMajor.View.SubView(0, (long)g.OutChannels * columns);
        var z = _z.View.SubView(0, (long)batch * Outputs);
        var a = _a.View.SubView(0, (long)batch * Outputs);
        K.Im2Col(input, cols, g);
        K.Gemm(_weights, false, patch, cols, false, columns, zc, columns, g.OutChannels, columns, patch, 1f, false);
        K.ChannelBiasActivation(zc, z, a, _bias, g, _hasBias, Activation);
        PreActivation = z;
        Output = a;
    }

    protected override void BackwardCore(ArrayView<float> delta, int batch, float scale, ArrayView<float> inputDelta)
    {
        var g = For(batch);
        int patch = g.Patch, columns = g.Columns;
        var cols = _columns.View.SubView(0, (long)patch * columns);
        var dc = _channelMajor.View.SubView(0, (long)g.OutChannels * columns);
        K.ToChannelMajor(delta, dc, g);
        K.Gemm(dc, false, columns, cols, true, columns, _weightGradient, patch, g.OutChannels, patch, columns, scale, false);
        if (_hasBias)
            K.RowSums(dc, _biasGradient, g.OutChannels, columns, scale);
        if (inputDelta.Length > 0)
        {
            K.Gemm(_weights, true, patch, dc, false, columns, cols, columns, patch, columns, g.OutChannels, 1f, false);
            K.Col2Im(cols, inputDelta, g);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _columns.Dispose();
        _channelMajor.Dispose();
        _z.Dispose();
        _a.Dispose();
    }
}
