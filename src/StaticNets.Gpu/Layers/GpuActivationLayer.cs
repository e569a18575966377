using ILGPU;
using ILGPU.Runtime;

namespace StaticNets.Gpu.Layers;

/// <summary>
/// A standalone activation: a = σ(input), softmax over each sample as one vector (output layer only). Its δ is the
/// layer below's buffer, multiplied by σ′(input) in place, as the generated code does.
/// </summary>
internal sealed class GpuActivationLayer : GpuLayer
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _a;

    public GpuActivationLayer(ActivationLayerInfo info, in GpuLayerContext context, GpuLayer? below)
        : base(info, context, below, sharesDelta: true)
        => _a = Rows(context, info.Outputs);

    protected override void ForwardCore(ArrayView<float> input, int batch)
    {
        var a = _a.View.SubView(0, (long)batch * Outputs);
        if (Activation == Activation.Softmax)
            K.Softmax(input, a, Outputs);
        else
            K.Activate(input, a, Activation);
        PreActivation = input;
        Output = a;
    }

    protected override void BackwardCore(ArrayView<float> delta, int batch, float scale, ArrayView<float> inputDelta) { }

    public override void Dispose()
    {
        base.Dispose();
        _a.Dispose();
    }
}
