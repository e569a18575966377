using System.Collections.Generic;
using System.Globalization;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// Emits inverted dropout. While <c>train</c> is set (Backward on a network in Training mode) the layer's output is a
/// masked copy of its input (0, or 1/(1 − rate)) and δ is masked alike; otherwise the next layer reads the input
/// itself. The layer below keeps its unmasked activations, so its σ' is right. Network-level members (Training,
/// DropoutSeed, the mask stream) are <see cref="DropoutEmitter"/>'s.
/// </summary>
internal sealed class DropoutLayerEmitter : LayerEmitter
{
    public override bool ForwardsInput => false;

    public override bool SharesDelta => true;

    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => "a" + layer.Index;

    public override string InfoExpression(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (DropoutLayerSpec)spec;
        return $"new global::StaticNets.DropoutLayerInfo({layer.Input.Expression}, {layer.Rate.ToString("R", CultureInfo.InvariantCulture)}, {layer.ParameterOffset})";
    }

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec layer)
    {
        yield return new WorkspaceBuffer("O" + layer.Index, c.T, layer.Outputs);
        yield return new WorkspaceBuffer("M" + layer.Index, c.T, layer.Outputs);
        if (c.OwnsDelta(layer))
            yield return new WorkspaceBuffer(Names.D(layer.Index), c.T, layer.Outputs);
    }

    public override void EmitViews(NetworkEmitContext c, LayerSpec layer)
    {
        int l = layer.Index;
        c.W.Line($"{Names.Span}<{c.T}> o{l} = {c.View("O" + l, layer.Outputs)}, m{l} = {c.View("M" + l, layer.Outputs)};");
        c.W.Line($"{Names.ReadOnlySpan}<{c.T}> a{l} = train ? o{l} : {c.Input(layer)};");
        if (c.OwnsDelta(layer) && c.InBackward)
            c.W.Line($"{Names.Span}<{c.T}> d{l} = {c.View(Names.D(l), layer.Outputs)};");
    }

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (DropoutLayerSpec)spec;
        int l = layer.Index;
        string keep = (1 - layer.Rate).ToString("R", CultureInfo.InvariantCulture);
        c.W.Comment($"Dropout {layer.RateText} while training: the next layer reads {c.Input(layer)} ⊙ mask; {c.Input(layer)} itself stays intact for σ'.");
        using (c.W.Block("if (train)"))
        {
            c.W.Line($"{c.Input(layer)}.CopyTo(o{l});");
            c.W.Line($"{DropoutEmitter.Kernels}.Apply<{c.T}>(o{l}, m{l}, ({c.T}){keep}, ref rng);");
        }
    }

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec layer, bool applyDerivative)
    {
        int l = layer.Index;
        c.W.Comment($"Layer {l}: dropped values pass no gradient: δ ⊙= mask.");
        using (c.W.Block("if (train)"))
            c.W.Line($"{DropoutEmitter.Kernels}.Backward<{c.T}>({c.Delta(layer)}, m{l});");
        if (l == 0)
            c.W.Line("if (!dx.IsEmpty) d0.CopyTo(dx);");
    }
}
