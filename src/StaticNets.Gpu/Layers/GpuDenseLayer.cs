using ILGPU;
using ILGPU.Runtime;

namespace StaticNets.Gpu.Layers;

/// <summary>A dense layer over vectors: z = a·Wᵀ (tiled GEMM, W transposed) + b, a = σ(z) (softmax on the output layer).</summary>
internal sealed class GpuDenseLayer : GpuLayer
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _z, _a;
    private readonly ArrayView<float> _weights, _bias, _weightGradient, _biasGradient;
    private readonly bool _hasBias;

    public GpuDenseLayer(DenseLayerInfo info, in GpuLayerContext context, GpuLayer? below)
        : base(info, context, below)
    {
        _hasBias = info.HasBias;
        _weights = context.Parameters.SubView(info.WeightOffset, (long)info.Inputs * info.Outputs);
        _weightGradient = context.Gradient.SubView(info.WeightOffset, _weights.Length);
        // Without a bias the kernel reads none; any view will do as its argument.
        _bias = _hasBias ? context.Parameters.SubView(info.BiasOffset, info.Outputs) : _weights;
        _biasGradient = _hasBias ? context.Gradient.SubView(info.BiasOffset, info.Outputs) : _weightGradient;
        _z = Rows(context, info.Outputs);
        _a = Rows(context, info.Outputs);
    }

    protected override void ForwardCore(ArrayView<float> input, int batch)
    {
        var z = _z.View.SubView(0, (long)batch * Outputs);
        var a = _a.View.SubView(0, (long)batch * Outputs);
        K.Gemm(input, false, Inputs, _weights, true, Inputs, z, Outputs, batch, Outputs, Inputs, 1f, false);
        K.BiasActivation(z, a, _bias, Outputs, _hasBias, Activation);
        if (Activation == Activation.Softmax)
            K.Softmax(z, a, Outputs);
        PreActivation = z;
        Output = a;
    }

    protected override void BackwardCore(ArrayView<float> delta, int batch, float scale, ArrayView<float> inputDelta)
    {
        // ∂W = δᵀ·a / batch, ∂b = column sums / batch, ∂input = δ·W.
        K.Gemm(delta, true, Outputs, Input, false, Inputs, _weightGradient, Inputs, Outputs, Inputs, batch, scale, false);
        if (_hasBias)
            K.BiasGradient(delta, _biasGradient, batch, Outputs, scale);
        if (inputDelta.Length > 0)
            K.Gemm(delta, false, Outputs, _weights, false, Inputs, inputDelta, Inputs, batch, Inputs, Outputs, 1f, false);
    }

    public override void Dispose()
    {
        base.Dispose();
        _z.Dispose();
        _a.Dispose();
    }
}
