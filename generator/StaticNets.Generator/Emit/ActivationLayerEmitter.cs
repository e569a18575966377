using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>Emits a standalone activation: σ over the whole batch forward, δ ⊙= σ' in the buffer it shares with the layer below.</summary>
internal sealed class ActivationLayerEmitter : LayerEmitter
{
    public override bool ForwardsInput => false;

    public override bool SharesDelta => true;

    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => c.Input(layer);

    public override string InfoExpression(NetworkEmitContext c, LayerSpec layer)
        => $"new global::StaticNets.ActivationLayerInfo({layer.Input.Expression}, global::StaticNets.Activation.{layer.Activation}, {layer.ParameterOffset})";

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec layer) => OutputAndDelta(c, layer);

    public override void EmitViews(NetworkEmitContext c, LayerSpec layer) => EmitOutputAndDeltaViews(c, layer);

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec layer)
        => c.EmitActivation(layer.Activation, c.Input(layer), "a" + layer.Index, layer.Outputs);

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec layer, bool applyDerivative)
    {
        if (applyDerivative)
        {
            c.W.Comment($"Layer {layer.Index}: δ ⊙= σ'({c.Input(layer)}), σ = {layer.Activation}, in place: the layer below reads the same buffer.");
            c.EmitDerivative(layer.Activation, c.Input(layer), "a" + layer.Index, c.Delta(layer), layer.Outputs);
        }
        if (layer.Index == 0)
            c.W.Line("if (!dx.IsEmpty) d0.CopyTo(dx);");
    }
}
