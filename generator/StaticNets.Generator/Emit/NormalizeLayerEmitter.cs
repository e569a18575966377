using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// Emits a Normalize layer: y = (x − mean) · scale over the batch (NormalizeKernels), and in Backward ∂C/∂x = δ · scale.
/// The statistics are not trained, so Backward adds nothing to their gradient.
/// </summary>
internal sealed class NormalizeLayerEmitter : LayerEmitter
{
    public const string Kernels = Names.Kernels + ".NormalizeKernels";

    public override bool ForwardsInput => false;

    public override bool SharesDelta => true;

    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => "a" + layer.Index;

    public override string InfoExpression(NetworkEmitContext c, LayerSpec layer)
        => $"new global::StaticNets.NormalizeLayerInfo({layer.Input.Expression}, {layer.ParameterOffset})";

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec layer) => OutputAndDelta(c, layer);

    public override void EmitViews(NetworkEmitContext c, LayerSpec layer) => EmitOutputAndDeltaViews(c, layer);

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (NormalizeLayerSpec)spec;
        c.W.Comment("(x − mean) · scale per value, the statistics fitted by Normalization.Fit and stored with the parameters.");
        c.W.Line($"{Kernels}.Forward<{c.T}>({c.Input(layer)}, p.Slice({layer.MeanOffset}, {layer.Inputs}), p.Slice({layer.ScaleOffset}, {layer.Inputs}), a{layer.Index});");
    }

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec spec, bool applyDerivative)
    {
        var layer = (NormalizeLayerSpec)spec;
        c.W.Comment($"Layer {layer.Index}: the statistics are not trained (no gradient); ∂C/∂x = δ · scale.");
        if (layer.Index == 0)
        {
            c.W.Line("if (!dx.IsEmpty)");
            c.W.Line($"    {Kernels}.Backward<{c.T}>(d0, p.Slice({layer.ScaleOffset}, {layer.Inputs}), dx);");
        }
        else
        {
            c.W.Line($"{Kernels}.Backward<{c.T}>({c.Delta(layer)}, p.Slice({layer.ScaleOffset}, {layer.Inputs}), {c.Delta(layer)});");
        }
    }
}
