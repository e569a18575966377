using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>Emits nothing for the data: NCHW row-major is already the flat vector. Only a first-layer Flatten owns a δ.</summary>
internal sealed class FlattenLayerEmitter : LayerEmitter
{
    public override bool ForwardsInput => true;

    public override bool SharesDelta => true;

    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => c.Output(layer);

    public override string InfoExpression(NetworkEmitContext c, LayerSpec layer)
        => $"new global::StaticNets.FlattenLayerInfo({layer.Input.Expression}, {layer.ParameterOffset})";

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec layer)
    {
        if (c.OwnsDelta(layer))
            yield return new WorkspaceBuffer(Names.D(layer.Index), c.T, layer.Outputs);
    }

    public override void EmitViews(NetworkEmitContext c, LayerSpec layer)
    {
        if (c.OwnsDelta(layer) && c.InBackward)
            c.W.Line($"{Names.Span}<{c.T}> d{layer.Index} = {c.View(Names.D(layer.Index), layer.Outputs)};");
    }

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec layer)
        => c.W.Comment($"No data moves: the next layer reads {c.Input(layer)} as it lies.");

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec layer, bool applyDerivative)
    {
        if (layer.Index == 0)
            c.W.Line("if (!dx.IsEmpty) d0.CopyTo(dx);");
        else
            c.W.Comment($"Layer {layer.Index}: flatten; its δ already lies in {c.Delta(layer)}, shaped as the layer below.");
    }
}
