using ILGPU;
using ILGPU.Runtime;

namespace StaticNets.Gpu.Layers;

/// <summary>Average pooling per channel; the backward is a gather per input element of δ / window size over the windows that cover it.</summary>
internal sealed class GpuAvgPool2DLayer : GpuLayer
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _a;
    private readonly PoolGeometry _geometry;

    public GpuAvgPool2DLayer(AvgPool2DLayerInfo info, in GpuLayerContext context, GpuLayer? below)
        : base(info, context, below)
    {
        _geometry = Geometry(info);
        _a = Rows(context, info.Outputs);
    }

    /// <summary>The kernels' sizes of a pooling layer.</summary>
    internal static PoolGeometry Geometry(Pool2DLayerInfo info) => new()
    {
        Channels = info.InputShape.Channels, InHeight = info.InputShape.Height, InWidth = info.InputShape.Width,
        WindowHeight = info.WindowHeight, WindowWidth = info.WindowWidth, StrideY = info.StrideY, StrideX = info.StrideX,
        OutHeight = info.OutputShape.Height, OutWidth = info.OutputShape.Width,
    };

    protected override void ForwardCore(ArrayView<float> input, int batch)
    {
        var a = _a.View.SubView(0, (long)batch * Outputs);
        K.AvgPoolForward(input, a, _geometry, batch);
        Output = a;
        PreActivation = a;
    }

    protected override void BackwardCore(ArrayView<float> delta, int batch, float scale, ArrayView<float> inputDelta)
    {
        if (inputDelta.Length > 0)
            K.AvgPoolBackward(delta, inputDelta, _geometry, batch);
    }

    public override void Dispose()
    {
        base.Dispose();
        _a.Dispose();
    }
}
