using ILGPU;
using ILGPU.Runtime;

namespace StaticNets.Gpu.Layers;

/// <summary>
/// Max pooling per channel: the forward records each output's arg-max (the runtime's rule: first maximum in window
/// order, the first NaN wins); the backward is a gather per input element over the windows that chose it, so
/// overlapping windows (stride below the window) need no atomics.
/// </summary>
internal sealed class GpuMaxPool2DLayer : GpuLayer
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _a;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _argmax;
    private readonly PoolGeometry _geometry;

    public GpuMaxPool2DLayer(MaxPool2DLayerInfo info, in GpuLayerContext context, GpuLayer? below)
        : base(info, context, below)
    {
        _geometry = GpuAvgPool2DLayer.Geometry(info);
        _a = Rows(context, info.Outputs);
        _argmax = context.Accelerator.Allocate1D<int>((long)context.Capacity * info.Outputs);
    }

    protected override void ForwardCore(ArrayView<float> input, int batch)
    {
        var a = _a.View.SubView(0, (long)batch * Outputs);
        K.MaxPoolForward(input, a, _argmax.View, _geometry, batch);
        Output = a;
        PreActivation = a;
    }

    protected override void BackwardCore(ArrayView<float> delta, int batch, float scale, ArrayView<float> inputDelta)
    {
        if (inputDelta.Length > 0)
            K.MaxPoolBackward(delta, _argmax.View, inputDelta, _geometry, batch);
    }

    public override void Dispose()
    {
        base.Dispose();
        _a.Dispose();
        _argmax.Dispose();
    }
}
