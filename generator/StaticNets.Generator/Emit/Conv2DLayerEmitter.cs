using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// Emits a 2-D convolution: a static <c>Conv2DShape</c> with the layer's constant sizes, and calls of
/// <c>ConvKernels</c> over whole batches (NCHW rows) with the workspace's shared scratch.
/// </summary>
internal sealed class Conv2DLayerEmitter : LayerEmitter
{
    public override bool ForwardsInput => false;

    public override bool SharesDelta => false;

    private static bool HasZ(Conv2DLayerSpec layer) => layer.Activation != ActivationKind.Identity;

    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => HasZ((Conv2DLayerSpec)layer) ? "z" + layer.Index : "a" + layer.Index;

    public override void EmitConstants(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Conv2DLayerSpec)spec;
        var w = c.W;
        int l = layer.Index;
        w.Line($"/// <summary>Index of layer {l}'s first weight in <see cref=\"Parameters\"/>; weights are [{layer.Filters}, {layer.Input.Channels}, {layer.KernelHeight}, {layer.KernelWidth}] row-major (out_c, in_c, kh, kw).</summary>");
        w.Line($"public const int Layer{l}WeightOffset = {layer.WeightOffset};");
        w.Line($"/// <summary>Number of layer {l}'s weights ({layer.Filters} × {layer.Input.Channels} × {layer.KernelHeight} × {layer.KernelWidth}).</summary>");
        w.Line($"public const int Layer{l}WeightCount = {layer.WeightCount};");
        w.Line($"/// <summary>Output channels of layer {l}.</summary>");
        w.Line($"public const int Layer{l}Filters = {layer.Filters};");
        if (layer.HasBias)
        {
            w.Line($"/// <summary>Index of layer {l}'s first bias (one per output channel) in <see cref=\"Parameters\"/>.</summary>");
            w.Line($"public const int Layer{l}BiasOffset = {layer.BiasOffset};");
        }
        w.Comment($"Layer {l}: {layer.Input} → {layer.Output}; pads are top, left, bottom (implied by the output height), right (implied by the width).");
        w.Line($"private static readonly {Names.Kernels}.Conv2DShape Layer{l}Shape = new {Names.Kernels}.Conv2DShape(");
        w.Line($"    InChannels: {layer.Input.Channels}, InHeight: {layer.Input.Height}, InWidth: {layer.Input.Width},");
        w.Line($"    OutChannels: {layer.Filters}, KernelHeight: {layer.KernelHeight}, KernelWidth: {layer.KernelWidth},");
        w.Line($"    StrideY: {layer.StrideY}, StrideX: {layer.StrideX}, PadTop: {layer.PadTop}, PadLeft: {layer.PadLeft},");
        w.Line($"    OutHeight: {layer.Output.Height}, OutWidth: {layer.Output.Width});");
    }

    public override string InfoExpression(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Conv2DLayerSpec)spec;
        return $"new global::StaticNets.Conv2DLayerInfo({layer.Input.Expression}, {layer.Filters}, {layer.KernelHeight}, {layer.KernelWidth}, {layer.StrideY}, {layer.StrideX}, "
             + $"{layer.PadTop}, {layer.PadLeft}, {layer.PadBottom}, {layer.PadRight}, global::StaticNets.Activation.{layer.Activation}, {layer.ParameterOffset}{(layer.HasBias ? "" : ", bias: false")})";
    }

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Conv2DLayerSpec)spec;
        int l = layer.Index;
        if (HasZ(layer))
            yield return new WorkspaceBuffer(Names.Z(l), c.T, layer.Outputs);
        yield return new WorkspaceBuffer(Names.A(l), c.T, layer.Outputs);
        yield return new WorkspaceBuffer(Names.D(l), c.T, layer.Outputs);
        yield return new WorkspaceBuffer("Scratch", c.T, 0, $"{Names.Conv}.ScratchLength<{c.T}>(in Layer{l}Shape, batchCapacity)");
    }

    public override void EmitViews(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Conv2DLayerSpec)spec;
        int l = layer.Index, n = layer.Outputs;
        c.W.Line($"{Names.Span}<{c.T}> a{l} = {c.View(Names.A(l), n)}{c.DeltaView(l, n)};");
        if (HasZ(layer))
            c.W.Line($"{Names.Span}<{c.T}> z{l} = {c.View(Names.Z(l), n)};");
    }

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Conv2DLayerSpec)spec;
        int l = layer.Index;
        string bias = layer.HasBias ? $"p.Slice(Layer{l}BiasOffset, Layer{l}Filters)" : $"{Names.ReadOnlySpan}<{c.T}>.Empty";
        string target = HasZ(layer) ? "z" + l : "a" + l;
        c.W.Line($"{Names.Conv}.ForwardPrepared<{c.T}>(in Layer{l}Shape, prepared{l}, p.Slice(Layer{l}WeightOffset, Layer{l}WeightCount), {bias}, {c.Input(layer)}, {target}, ws.Scratch.Span, ws.Threads);");
        if (HasZ(layer))
            c.EmitActivation(layer.Activation, "z" + l, "a" + l, layer.Outputs);
    }

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec spec, bool applyDerivative)
    {
        var layer = (Conv2DLayerSpec)spec;
        int l = layer.Index;
        string d = c.Delta(layer);
        if (applyDerivative && HasZ(layer))
        {
            c.W.Comment($"δ{l} ⊙= σ'(z{l}), σ = {layer.Activation}.");
            c.EmitDerivative(layer.Activation, "z" + l, "a" + l, d, layer.Outputs);
        }
        string biasGradient = layer.HasBias ? $"gradient.Slice(Layer{l}BiasOffset, Layer{l}Filters)" : $"{Names.Span}<{c.T}>.Empty";
        c.W.Comment(l == 0
            ? $"Layer {l}: ∂C/∂W += δ·colᵀ, ∂C/∂b += Σ δ; ∂C/∂input only into a non-empty dx (the kernel skips an empty one)."
            : c.InputDeltaOnlyForCaller(layer)
                ? $"Layer {l}: ∂C/∂W += δ·colᵀ, ∂C/∂b += Σ δ; ∂C/∂input = col2im(Wᵀ·δ) only for a non-empty dx (no layer below has trainable parameters)."
                : $"Layer {l}: ∂C/∂W += δ·colᵀ, ∂C/∂b += Σ δ, ∂C/∂input = col2im(Wᵀ·δ).");
        c.W.Line($"{Names.Conv}.Backward<{c.T}>(in Layer{l}Shape, p.Slice(Layer{l}WeightOffset, Layer{l}WeightCount),");
        string dIn = l > 0 && c.InputDeltaOnlyForCaller(layer) ? $"dx.IsEmpty ? {Names.Span}<{c.T}>.Empty : {c.DeltaIn(layer)}" : c.DeltaIn(layer);
        c.W.Line($"    {c.Input(layer)}, {d}, gradient.Slice(Layer{l}WeightOffset, Layer{l}WeightCount), {biasGradient}, {dIn}, ws.Scratch.Span, ws.Threads);");
    }

    // Every convolution keeps its weights in the layout its scheme reads (ConvKernels.PrepareWeights; empty when the
    // scheme reads them as they are), so a forward does not transpose them per call.
    public override bool HasBatchCache(NetworkEmitContext c, LayerSpec layer) => true;

    public override void EmitBatchCacheField(NetworkEmitContext c, LayerSpec layer)
        => c.W.Line($"private {c.T}[]? _prepared{layer.Index};");

    public override void EmitBatchCacheRefresh(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Conv2DLayerSpec)spec;
        int l = layer.Index;
        string bias = layer.HasBias ? $"_parameters.Span.Slice(Layer{l}BiasOffset, Layer{l}Filters)" : $"{Names.ReadOnlySpan}<{c.T}>.Empty";
        c.W.Line($"int prepared{l} = {Names.Conv}.PreparedLength<{c.T}>(in Layer{l}Shape);");
        c.W.Line($"if (_prepared{l} is null || _prepared{l}.Length != prepared{l})");
        c.W.Line($"    _prepared{l} = new {c.T}[prepared{l}];");
        c.W.Line($"{Names.Conv}.PrepareWeights<{c.T}>(in Layer{l}Shape, _parameters.Span.Slice(Layer{l}WeightOffset, Layer{l}WeightCount), {bias}, _prepared{l});");
    }

    public override void EmitBatchCacheView(NetworkEmitContext c, LayerSpec layer)
        => c.W.Line($"{Names.ReadOnlySpan}<{c.T}> prepared{layer.Index} = _prepared{layer.Index};");
}
