using System.Collections.Generic;
using StaticNets.Generator.Model;
using StaticNets.Kernels;

namespace StaticNets.Generator.Emit;

/// <summary>
/// Emits an LSTM or GRU layer: a static <c>RecurrentShape</c> with its constant sizes, the fused gate matrix kept as
/// a weight cache, and calls of <c>RecurrentKernels</c> over whole batches of sequences; its single step is emitted by
/// <see cref="RecurrentEmitter"/>.
/// </summary>
internal sealed class RecurrentLayerEmitter : LayerEmitter
{
    public override bool ForwardsInput => false;

    public override bool SharesDelta => false;

    // No activation of its own: σ' is never applied to a recurrent layer's output.
    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => "a" + layer.Index;

    /// <summary>The span holding every step's h: the output itself when the layer returns sequences.</summary>
    public static string Hidden(RecurrentLayerSpec layer) => layer.ReturnSequences ? "a" + layer.Index : "h" + layer.Index;

    public override void EmitConstants(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (RecurrentLayerSpec)spec;
        var w = c.W;
        int l = layer.Index;
        w.Line($"/// <summary>Hidden units of layer {l} ({layer.CellName}).</summary>");
        w.Line($"public const int Layer{l}Units = {layer.Units};");
        w.Line($"/// <summary>Index of layer {l}'s first parameter in <see cref=\"Parameters\"/>: weight_ih_l0 [{layer.GateRows}, {layer.Features}], weight_hh_l0 [{layer.GateRows}, {layer.Units}], bias_ih_l0 [{layer.GateRows}], bias_hh_l0 [{layer.GateRows}], in that order.</summary>");
        w.Line($"public const int Layer{l}ParameterOffset = {layer.ParameterOffset};");
        w.Line($"/// <summary>Number of layer {l}'s parameters.</summary>");
        w.Line($"public const int Layer{l}ParameterCount = {layer.ParameterCount};");
        w.Line($"private static readonly {Names.Kernels}.RecurrentShape Layer{l}Shape = new {Names.Kernels}.RecurrentShape({Names.Kernels}.RecurrentCell.{layer.Cell}, Steps: {layer.Steps}, Features: {layer.Features}, Units: {layer.Units}, ReturnSequences: {(layer.ReturnSequences ? "true" : "false")});");
    }

    public override string InfoExpression(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (RecurrentLayerSpec)spec;
        string type = layer.Cell == RecurrentCell.Lstm ? "LstmLayerInfo" : "GruLayerInfo";
        return $"new global::StaticNets.{type}({layer.Input.Expression}, {layer.Units}, {(layer.ReturnSequences ? "true" : "false")}, {layer.ParameterOffset})";
    }

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (RecurrentLayerSpec)spec;
        int l = layer.Index;
        yield return new WorkspaceBuffer("Gates" + l, c.T, RecurrentLayout.GatesPerSample(layer.Steps, layer.Units));
        if (layer.Cell == RecurrentCell.Lstm)
            yield return new WorkspaceBuffer("Cells" + l, c.T, RecurrentLayout.CellsPerSample(true, layer.Steps, layer.Units));
        if (!layer.ReturnSequences)
            yield return new WorkspaceBuffer("H" + l, c.T, (long)layer.Steps * layer.Units);
        yield return new WorkspaceBuffer(Names.A(l), c.T, layer.Outputs);
        yield return new WorkspaceBuffer(Names.D(l), c.T, layer.Outputs);
        // Back-propagation through time needs every step's gate gradient; layers share one buffer at the largest length.
        yield return new WorkspaceBuffer("RecurrentScratch", c.T, 0, $"{Names.Kernels}.RecurrentKernels.BackwardScratchLength<{c.T}>(in Layer{l}Shape, batchCapacity)");
    }

    public override void EmitViews(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (RecurrentLayerSpec)spec;
        int l = layer.Index;
        var w = c.W;
        w.Line($"{Names.Span}<{c.T}> a{l} = {c.View(Names.A(l), layer.Outputs)}{c.DeltaView(l, layer.Outputs)};");
        w.Line($"{Names.Span}<{c.T}> g{l} = {c.View("Gates" + l, RecurrentLayout.GatesPerSample(layer.Steps, layer.Units))};");
        w.Line(layer.Cell == RecurrentCell.Lstm
            ? $"{Names.Span}<{c.T}> c{l} = {c.View("Cells" + l, RecurrentLayout.CellsPerSample(true, layer.Steps, layer.Units))};"
            : $"{Names.Span}<{c.T}> c{l} = default; // a GRU keeps no cells");
        if (!layer.ReturnSequences)
            w.Line($"{Names.Span}<{c.T}> h{l} = {c.View("H" + l, (long)layer.Steps * layer.Units)};");
    }

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (RecurrentLayerSpec)spec;
        int l = layer.Index;
        c.W.Comment(layer.ReturnSequences
            ? $"Every step of every sample from a zero state; h of every step is the layer's output."
            : $"Every step of every sample from a zero state; the last step's h is the layer's output, every step's is kept for back-propagation through time.");
        string output = layer.ReturnSequences ? $"{Names.Span}<{c.T}>.Empty" : "a" + l;
        c.W.Line($"{Names.Kernels}.RecurrentKernels.Forward<{c.T}>(in Layer{l}Shape, prepared{l}, {c.Input(layer)}, g{l}, c{l}, {Hidden(layer)}, {output}, ws.Threads);");
    }

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec spec, bool applyDerivative)
    {
        var layer = (RecurrentLayerSpec)spec;
        int l = layer.Index;
        c.W.Comment(l == 0
            ? $"Layer {l}: back-propagation through time (truncated at multiples of BackpropagationWindow when set); ∂C/∂input only into a non-empty dx."
            : $"Layer {l}: back-propagation through time (truncated at multiples of BackpropagationWindow when set), then ∂C/∂input for the layer below.");
        c.W.Line($"{Names.Kernels}.RecurrentKernels.Backward<{c.T}>(in Layer{l}Shape, p.Slice(Layer{l}ParameterOffset, Layer{l}ParameterCount), {c.Input(layer)}, g{l}, c{l}, {Hidden(layer)}, {c.Delta(layer)},");
        c.W.Line($"    gradient.Slice(Layer{l}ParameterOffset, Layer{l}ParameterCount), {c.DeltaIn(layer)}, ws.RecurrentScratch.Span.Slice(0, {Names.Kernels}.RecurrentKernels.BackwardScratchLength<{c.T}>(in Layer{l}Shape, batch)), _backpropagationWindow, ws.Threads);");
    }

    // The fused gate matrix [W_ihᵀ; W_hhᵀ] and bias, rebuilt once per parameter version: both the whole-sequence
    // and the single-step paths read it.
    public override bool HasBatchCache(NetworkEmitContext c, LayerSpec layer) => true;

    public override void EmitBatchCacheField(NetworkEmitContext c, LayerSpec layer)
        => c.W.Line($"private {c.T}[]? _prepared{layer.Index};");

    public override void EmitBatchCacheRefresh(NetworkEmitContext c, LayerSpec layer)
    {
        int l = layer.Index;
        c.W.Line($"_prepared{l} ??= new {c.T}[{Names.Kernels}.RecurrentKernels.PreparedLength<{c.T}>(in Layer{l}Shape)];");
        c.W.Line($"{Names.Kernels}.RecurrentKernels.PrepareWeights<{c.T}>(in Layer{l}Shape, _parameters.Span.Slice(Layer{l}ParameterOffset, Layer{l}ParameterCount), _prepared{l});");
    }

    public override void EmitBatchCacheView(NetworkEmitContext c, LayerSpec layer)
        => c.W.Line($"{Names.ReadOnlySpan}<{c.T}> prepared{layer.Index} = _prepared{layer.Index};");
}
