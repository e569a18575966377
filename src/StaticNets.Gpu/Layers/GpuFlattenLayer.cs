using ILGPU;

namespace StaticNets.Gpu.Layers;

/// <summary>Flatten: no kernel. NCHW row-major already is the feature vector, so the output is the input and δ the layer below's.</summary>
internal sealed class GpuFlattenLayer : GpuLayer
{
    public GpuFlattenLayer(FlattenLayerInfo info, in GpuLayerContext context, GpuLayer? below)
        : base(info, context, below, sharesDelta: true) { }

    protected override void ForwardCore(ArrayView<float> input, int batch)
    {
        Output = input;
        PreActivation = input;
    }

    protected override void BackwardCore(ArrayView<float> delta, int batch, float scale, ArrayView<float> inputDelta) { }
}
