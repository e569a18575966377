using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// Emits a dense layer whose weights are tied to an earlier dense layer's (z = Wᵀ·a + b). The dense kernels serve
/// with the roles swapped: the forward product a·W is what <c>BackwardInputBatch</c> computes for the tied layer,
/// ∂C/∂input = δ·Wᵀ is <c>ForwardBatch</c> with zero biases, and ∂C/∂W (= aᵀ·δ, transposed) is
/// <c>AccumulateGradientBatch</c> with a and δ swapped, added into the tied layer's block so both layers' gradients sum.
/// </summary>
internal sealed class TiedDenseLayerEmitter : LayerEmitter
{
    public override bool ForwardsInput => false;

    public override bool SharesDelta => false;

    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => "z" + layer.Index;

    public override void EmitConstants(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (TiedDenseLayerSpec)spec;
        var w = c.W;
        int l = layer.Index;
        w.Line($"/// <summary>Number of outputs of layer {l} (dense, {layer.Activation}, weights tied to layer {layer.TiedLayer}).</summary>");
        w.Line($"public const int Layer{l}Size = {layer.OutputCount};");
        w.Line($"/// <summary>The layer whose weights layer {l} uses transposed ('{layer.TiedName}').</summary>");
        w.Line($"public const int Layer{l}TiedTo = {layer.TiedLayer};");
        if (layer.HasBias)
        {
            w.Line($"/// <summary>Index of layer {l}'s first bias in <see cref=\"Parameters\"/> (its only block).</summary>");
            w.Line($"public const int Layer{l}BiasOffset = {layer.BiasOffset};");
        }
        w.Comment($"Zero biases for ∂C/∂input of layer {l}, computed by the forward kernel over the tied weights.");
        w.Line($"private static readonly {c.T}[] s_zeroBias{l} = new {c.T}[{layer.InputCount}];");
    }

    public override string InfoExpression(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (TiedDenseLayerSpec)spec;
        return $"new global::StaticNets.TiedDenseLayerInfo({layer.InputCount}, {layer.OutputCount}, global::StaticNets.Activation.{layer.Activation}, {layer.TiedLayer}, {layer.ParameterOffset}{(layer.HasBias ? "" : ", bias: false")})";
    }

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec spec)
    {
        int l = spec.Index;
        yield return new WorkspaceBuffer(Names.Z(l), c.T, spec.Outputs);
        yield return new WorkspaceBuffer(Names.A(l), c.T, spec.Outputs);
        yield return new WorkspaceBuffer(Names.D(l), c.T, spec.Outputs);
        // The swapped gradient kernel also sums a per column, which is not wanted: it lands here and is dropped.
        yield return new WorkspaceBuffer("TiedDiscard" + l, c.T, 0, spec.Inputs.ToString());
    }

    public override void EmitViews(NetworkEmitContext c, LayerSpec layer)
    {
        int l = layer.Index, n = layer.Outputs;
        c.W.Line($"{Names.Span}<{c.T}> z{l} = {c.View(Names.Z(l), n)}, a{l} = {c.View(Names.A(l), n)}{c.DeltaView(l, n)};");
    }

    /// <summary><c>p.Slice(Layer0WeightOffset, Layer0WeightCount)</c>: the tied layer's block.</summary>
    private static string TiedWeights(TiedDenseLayerSpec layer, string span) => $"{span}.Slice(Layer{layer.TiedLayer}WeightOffset, Layer{layer.TiedLayer}WeightCount)";

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (TiedDenseLayerSpec)spec;
        var w = c.W;
        string t = c.T, input = c.Input(layer);
        int l = layer.Index;
        w.Comment($"z = x·W{layer.TiedLayer} (Wᵀ applied to each sample): the kernel that back-propagates through layer {layer.TiedLayer}.");
        w.Line($"{Names.Dense}.BackwardInputBatch<{t}>({TiedWeights(layer, "p")}, {input}, z{l}, {layer.OutputCount}, {layer.InputCount}, ws.Threads);");
        if (layer.HasBias)
        {
            w.Line($"{Names.ReadOnlySpan}<{t}> b{l} = p.Slice(Layer{l}BiasOffset, Layer{l}Size);");
            using (w.Block("for (int s = 0; s < batch; s++)"))
                w.Line($"{Names.Kernels}.VectorMath.AddInPlace<{t}>(z{l}.Slice(s * {layer.OutputCount}, {layer.OutputCount}), b{l});");
        }
        c.EmitActivation(layer.Activation, $"z{l}", $"a{l}", layer.OutputCount);
    }

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec spec, bool applyDerivative)
    {
        var layer = (TiedDenseLayerSpec)spec;
        var w = c.W;
        string t = c.T, input = c.Input(layer), d = c.Delta(layer), dIn = c.DeltaIn(layer);
        int l = layer.Index;
        if (applyDerivative && layer.Activation != ActivationKind.Identity)
        {
            w.Comment($"δ{l} ⊙= σ'(z{l}), σ = {layer.Activation}: element-wise, so one pass over the whole batch.");
            c.EmitDerivative(layer.Activation, $"z{l}", $"a{l}", d, layer.OutputCount);
        }
        w.Comment($"Layer {l}: ∂C/∂W{layer.TiedLayer}[k, j] += Σ_s {input}[s, k]·δ{l}[s, j], added to layer {layer.TiedLayer}'s own gradient (the kernel's column sums of {input} are discarded).");
        w.Line($"{Names.Dense}.AccumulateGradientBatch<{t}>({input}, {d}, {TiedWeights(layer, "gradient")}, ws.TiedDiscard{l}.Span, {layer.OutputCount}, {layer.InputCount}, ws.Threads);");
        w.Line($"ws.TiedDiscard{l}.Span.Clear();");
        if (layer.HasBias)
        {
            w.Comment($"∂C/∂b{l} += Σ_s δ{l}[s].");
            w.Line($"{Names.Span}<{t}> gb{l} = gradient.Slice(Layer{l}BiasOffset, Layer{l}Size);");
            using (w.Block("for (int s = 0; s < batch; s++)"))
                w.Line($"{Names.Kernels}.VectorMath.AddInPlace<{t}>(gb{l}, {d}.Slice(s * {layer.OutputCount}, {layer.OutputCount}));");
        }
        string backward = $"{Names.Dense}.ForwardBatch<{t}>({TiedWeights(layer, "p")}, s_zeroBias{l}, {d}, {dIn}, {layer.OutputCount}, {layer.InputCount}, ws.Threads);";
        if (!c.InputDeltaOnlyForCaller(layer))
        {
            w.Comment($"∂C/∂input = δ{l}·W{layer.TiedLayer}ᵀ: the forward kernel of layer {layer.TiedLayer}, without biases.");
            w.Line(backward);
        }
        else
        {
            w.Comment("∂C/∂input only when the caller asked for it (chained networks).");
            w.Line($"if (!dx.IsEmpty) {backward}");
        }
    }
}
