using System.Collections.Generic;
using System.Text;
using StaticNets.Generator.Helpers;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// Emits a dense layer: its constants, forward (one sample, and its statements inside the batched forward),
/// gradient accumulation and back-propagation of the delta. Single-sample code for dense-only networks lives here
/// too and is called by the network emitter's fused or per-layer single-sample forward.
/// </summary>
internal sealed class DenseLayerEmitter : LayerEmitter
{
    public override bool ForwardsInput => false;

    public override bool SharesDelta => false;

    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => "z" + layer.Index;

    public override void EmitConstants(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (DenseLayerSpec)spec;
        var w = c.W;
        w.Line(layer.PerStep ? $"/// <summary>Number of outputs of layer {layer.Index} per step (dense, {layer.Activation}, applied to each of {layer.Steps} steps).</summary>" : $"/// <summary>Number of outputs of layer {layer.Index} (dense, {layer.Activation}).</summary>");
        w.Line($"public const int Layer{layer.Index}Size = {layer.OutputCount};");
        w.Line($"/// <summary>Index of layer {layer.Index}'s first weight in <see cref=\"Parameters\"/>; weights are row-major [{layer.OutputCount}, {layer.InputCount}].</summary>");
        w.Line($"public const int Layer{layer.Index}WeightOffset = {layer.WeightOffset};");
        w.Line($"/// <summary>Number of layer {layer.Index}'s weights ({layer.OutputCount} × {layer.InputCount}).</summary>");
        w.Line($"public const int Layer{layer.Index}WeightCount = {layer.WeightCount};");
        if (layer.HasBias)
        {
            w.Line($"/// <summary>Index of layer {layer.Index}'s first bias in <see cref=\"Parameters\"/>.</summary>");
            w.Line($"public const int Layer{layer.Index}BiasOffset = {layer.BiasOffset};");
        }
        else
        {
            w.Comment($"Layer {layer.Index} has no bias: the kernels add these zeros.");
            w.Line($"private static readonly {c.T}[] s_zeroBias{layer.Index} = new {c.T}[{layer.OutputCount}];");
        }
    }

    public override string InfoExpression(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (DenseLayerSpec)spec;
        string input = layer.PerStep ? layer.Input.Expression : layer.InputCount.ToString();
        return $"new global::StaticNets.DenseLayerInfo({input}, {layer.OutputCount}, {Names.ActivationEnum}.{layer.Activation}, {layer.ParameterOffset}{(layer.HasBias ? "" : ", bias: false")})";
    }

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec spec)
    {
        int l = spec.Index;
        yield return new WorkspaceBuffer(Names.Z(l), c.T, spec.Outputs);
        yield return new WorkspaceBuffer(Names.A(l), c.T, spec.Outputs);
        yield return new WorkspaceBuffer(Names.D(l), c.T, spec.Outputs);
        if (spec is DenseLayerSpec { HasBias: false })
            yield return new WorkspaceBuffer("NoBiasGradient" + l, c.T, 0, spec.Outputs.ToString());
    }

    public override void EmitViews(NetworkEmitContext c, LayerSpec layer)
    {
        int l = layer.Index, n = layer.Outputs;
        c.W.Line($"{Names.Span}<{c.T}> z{l} = {c.View(Names.Z(l), n)}, a{l} = {c.View(Names.A(l), n)}{c.DeltaView(l, n)};");
    }

    private static string Bias(DenseLayerSpec layer, string parameters)
        => layer.HasBias ? $"{parameters}.Slice(Layer{layer.Index}BiasOffset, Layer{layer.Index}Size)" : $"s_zeroBias{layer.Index}";

    private static string BiasGradient(DenseLayerSpec layer)
        => layer.HasBias ? $"gradient.Slice(Layer{layer.Index}BiasOffset, Layer{layer.Index}Size)" : $"ws.NoBiasGradient{layer.Index}.Span";

    /// <summary><c>p.Slice(Layer3WeightOffset, Layer3WeightCount)</c>: the constants the file declares, so a reader sees what is sliced.</summary>
    private static string Weights(DenseLayerSpec layer, string span) => $"{span}.Slice(Layer{layer.Index}WeightOffset, Layer{layer.Index}WeightCount)";

    /// <summary>The network field holding layer <paramref name="index"/>'s packed Wᵀ panels.</summary>
    private static string PackedField(int index) => "_packed" + index;

    public override bool HasBatchCache(NetworkEmitContext c, LayerSpec layer) => ((DenseLayerSpec)layer).PackedPanels;

    public override void EmitBatchCacheField(NetworkEmitContext c, LayerSpec layer)
        => c.W.Line($"private {Names.AlignedArray}<{c.T}>? {PackedField(layer.Index)};");

    public override void EmitBatchCacheRefresh(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (DenseLayerSpec)spec;
        string field = PackedField(layer.Index);
        c.W.Line($"{field} ??= new {Names.AlignedArray}<{c.T}>({Names.Dense}.PackedLength<{c.T}>({layer.InputCount}, {layer.OutputCount}));");
        c.W.Line($"{Names.Dense}.PackPanels<{c.T}>(_parameters.Span.Slice(Layer{layer.Index}WeightOffset, Layer{layer.Index}WeightCount), {field}.Span, {layer.InputCount}, {layer.OutputCount}, threads);");
    }

    public override void EmitBatchCacheView(NetworkEmitContext c, LayerSpec layer)
        => c.W.Line($"{Names.ReadOnlySpan}<{c.T}> packed{layer.Index} = {PackedField(layer.Index)} is null ? default : {PackedField(layer.Index)}.Span;");

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (DenseLayerSpec)spec;
        var w = c.W;
        string t = c.T, input = c.Input(layer);
        int l = layer.Index;
        if (layer.Strategy == DenseStrategy.Unrolled)
        {
            w.Comment("Too narrow for SIMD: the unrolled single-sample code, once per sample.");
            using (w.Block("for (int s = 0; s < batch; s++)"))
                w.Line($"Layer{l}Forward(p, {input}.Slice(s * {layer.InputCount}, {layer.InputCount}), z{l}.Slice(s * {layer.OutputCount}, {layer.OutputCount}), a{l}.Slice(s * {layer.OutputCount}, {layer.OutputCount}));");
            return;
        }
        if (layer.PackedPanels && layer.Activation != ActivationKind.Softmax)
        {
            w.Comment(layer.Activation is ActivationKind.ReLU or ActivationKind.LeakyReLU
                ? $"Outer product over the network's packed Wᵀ panels (no packing per call); rows past the last panel as dot products; σ = {layer.Activation} applied as whole panels store z{l}."
                : $"Outer product over the network's packed Wᵀ panels (no packing per call); rows past the last panel as dot products; σ = {layer.Activation} over each thread's rows right after its product.");
            string prepacked = $"{Names.Dense}.ForwardBatchPrepacked<{t}>(packed{l}, {Weights(layer, "p")}, {Bias(layer, "p")}, {input}, z{l}, a{l}, {layer.InputCount}, {layer.OutputCount}, {Names.ActivationEnum}.{layer.Activation}, ws.Threads);";
            if (!c.TrainingSkipsPacking)
            {
                w.Line(prepacked);
                return;
            }
            w.Line("if (packed)");
            w.Line("    " + prepacked);
            w.Line("else");
            w.Line($"    {Names.Dense}.ForwardBatch<{t}>({Weights(layer, "p")}, {Bias(layer, "p")}, {input}, z{l}, a{l}, {layer.InputCount}, {layer.OutputCount}, {Names.ActivationEnum}.{layer.Activation}, ws.Threads);");
            return;
        }
        if (layer.PackedPanels)
        {
            w.Comment("Outer product over the network's packed Wᵀ panels (no packing per call); rows past the last panel as dot products.");
            string prepacked = $"{Names.Dense}.ForwardBatchPrepacked<{t}>(packed{l}, {Weights(layer, "p")}, {Bias(layer, "p")}, {input}, z{l}, {layer.InputCount}, {layer.OutputCount}, ws.Threads);";
            if (!c.TrainingSkipsPacking)
                w.Line(prepacked);
            else
            {
                w.Line("if (packed)");
                w.Line("    " + prepacked);
                w.Line("else");
                w.Line($"    {Names.Dense}.ForwardBatch<{t}>({Weights(layer, "p")}, {Bias(layer, "p")}, {input}, z{l}, {layer.InputCount}, {layer.OutputCount}, ws.Threads);");
            }
        }
        else
        {
            w.Comment("Blocked over samples so each weight row is loaded once for several samples.");
            w.Line($"{Names.Dense}.ForwardBatch<{t}>({Weights(layer, "p")}, {Bias(layer, "p")}, {input}, z{l}, {layer.InputCount}, {layer.OutputCount}, ws.Threads);");
        }
        c.EmitActivation(layer.Activation, $"z{l}", $"a{l}", layer.OutputCount, c.Rows(layer));
    }

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec spec, bool applyDerivative)
    {
        var layer = (DenseLayerSpec)spec;
        var w = c.W;
        string t = c.T, input = c.Input(layer), d = c.Delta(layer), dIn = c.DeltaIn(layer);
        int l = layer.Index;
        if (applyDerivative && layer.Activation != ActivationKind.Identity)
        {
            w.Comment($"δ{l} ⊙= σ'(z{l}), σ = {layer.Activation}: element-wise, so one pass over the whole batch.");
            c.EmitDerivative(layer.Activation, $"z{l}", $"a{l}", d, layer.OutputCount, c.Rows(layer));
        }
        if (layer.Strategy == DenseStrategy.Unrolled)
        {
            w.Comment($"Layer {l}: ∂C/∂w = δ{l}·{input}ᵀ and ∂C/∂b = δ{l}, then ∂C/∂input = (W{l})ᵀ·δ{l}; unrolled, sample by sample.");
            using (w.Block("for (int s = 0; s < batch; s++)"))
            {
                w.Line($"{Names.ReadOnlySpan}<{t}> ds = {d}.Slice(s * {layer.OutputCount}, {layer.OutputCount});");
                w.Line($"Layer{l}Gradient(ds, {input}.Slice(s * {layer.InputCount}, {layer.InputCount}), gradient);");
                if (!c.InputDeltaOnlyForCaller(layer))
                    w.Line($"Layer{l}Backpropagate(p, ds, {dIn}.Slice(s * {layer.InputCount}, {layer.InputCount}));");
                else
                    w.Line($"if (!dx.IsEmpty) Layer{l}Backpropagate(p, ds, {dIn}.Slice(s * {layer.InputCount}, {layer.InputCount}));");
            }
            return;
        }
        w.Comment($"Layer {l}: ∂C/∂W += δ{l}ᵀ·{input} and ∂C/∂b += Σ δ{l} over the whole batch, register-blocked (4 rows × 2 vectors).");
        w.Line($"{Names.Dense}.AccumulateGradientBatch<{t}>({d}, {input}, {Weights(layer, "gradient")}, {BiasGradient(layer)}, {layer.InputCount}, {layer.OutputCount}, ws.Threads);");
        string backward = $"{Names.Dense}.BackwardInputBatch<{t}>({Weights(layer, "p")}, {d}, {dIn}, {layer.InputCount}, {layer.OutputCount}, ws.Threads);";
        if (!c.InputDeltaOnlyForCaller(layer))
        {
            w.Comment($"∂C/∂input = δ{l}·W{l} for the whole batch, register-blocked (4 samples × 2 vectors).");
            w.Line(backward);
        }
        else
        {
            w.Comment(l == 0 ? "∂C/∂input only when the caller asked for it (chained networks)." : "∂C/∂input only when the caller asked for it: no layer below has trainable parameters.");
            w.Line($"if (!dx.IsEmpty) {backward}");
        }
    }

    public override void EmitMethods(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (DenseLayerSpec)spec;
        var w = c.W;
        // Single-sample methods serve the single-sample forward of dense chains, and the unrolled batch loop.
        if (!NetworkGenerator.Emitter.IsDenseChain(c.Spec) && layer.Strategy != DenseStrategy.Unrolled)
            return;
        EmitForward(w, c.T, layer);
        // Vectorised layers back-propagate whole batches through the blocked kernels; only unrolled layers
        // need per-sample gradient code of their own.
        if (layer.Strategy != DenseStrategy.Unrolled)
            return;
        w.Line();
        EmitGradient(w, c.T, layer);
        w.Line();
        EmitBackpropagate(w, c.T, layer);
    }

    private static void EmitForward(SourceWriter w, string t, DenseLayerSpec layer)
    {
        if (layer.Strategy == DenseStrategy.OutputVectors)
        {
            EmitForwardTransposed(w, t, layer);
            return;
        }
        int l = layer.Index;
        w.Line($"/// <summary>Layer {l} forward for one sample: z = W·x + b, a = {layer.Activation}(z). <paramref name=\"z\"/> and <paramref name=\"a\"/> may be the same span.</summary>");
        w.Line(Names.InliningAttribute);
        using (w.Block($"private static void Layer{l}Forward({Names.ReadOnlySpan}<{t}> p, {Names.ReadOnlySpan}<{t}> x, {Names.Span}<{t}> z, {Names.Span}<{t}> a)"))
        {
            if (layer.Strategy == DenseStrategy.Unrolled)
            {
                w.Comment($"Weights w[j, k] at p[{layer.WeightOffset} + j·{layer.InputCount} + k], biases at p[{layer.BiasOffset} + j].");
                w.Line($"{Names.ReadOnlySpan}<{t}> w = p.Slice({layer.WeightOffset}, {layer.WeightCount}), b = p.Slice({layer.BiasOffset}, {layer.OutputCount});");
                w.Line(DeclareLocals(t, "x", "x", layer.InputCount));
                for (int j = 0; j < layer.OutputCount; j++)
                {
                    var sum = new StringBuilder($"z[{j}] = b[{j}]");
                    for (int k = 0; k < layer.InputCount; k++)
                        sum.Append($" + w[{j * layer.InputCount + k}] * x{k}");
                    w.Line(sum.Append(';').ToString());
                }
            }
            else
            {
                w.Comment($"Each of the {layer.OutputCount} outputs is one SIMD dot product of a {layer.InputCount}-wide weight row with x; the weights are this network's own array, so z cannot alias them.");
                w.Line($"{Names.Dense}.ForwardUnaliased<{t}>({Weights(layer, "p")}, {Bias(layer, "p")}, x, z);");
            }
            w.Line($"{Names.ActivationForward(layer.Activation)}<{t}>(z, a);");
        }
    }

    private static void EmitForwardTransposed(SourceWriter w, string t, DenseLayerSpec layer)
    {
        int l = layer.Index;
        w.Line($"/// <summary>Layer {l} forward for one sample from the transposed weights <paramref name=\"wT\"/>: z = W·x + b, a = {layer.Activation}(z). <paramref name=\"z\"/> and <paramref name=\"a\"/> may be the same span.</summary>");
        w.Line(Names.InliningAttribute);
        using (w.Block($"private static void Layer{l}ForwardTransposed({Names.ReadOnlySpan}<{t}> p, {Names.ReadOnlySpan}<{t}> wT, {Names.ReadOnlySpan}<{t}> x, {Names.Span}<{t}> z, {Names.Span}<{t}> a)"))
        {
            w.Comment($"Only {layer.InputCount} inputs: each one is broadcast into vectors of all {layer.OutputCount} outputs, the biases are the accumulators' start; the weights are this network's own arrays, so z cannot alias them.");
            w.Line($"{Names.Dense}.ForwardTransposedUnaliased<{t}>(wT, {Bias(layer, "p")}, x, z);");
            w.Line($"{Names.ActivationForward(layer.Activation)}<{t}>(z, a);");
        }
    }

    private static void EmitGradient(SourceWriter w, string t, DenseLayerSpec layer)
    {
        int l = layer.Index;
        w.Line($"/// <summary>Layer {l}: adds ∂C/∂w_jk = x_k·δ_j and ∂C/∂b_j = δ_j of one sample into <paramref name=\"g\"/>.</summary>");
        w.Line(Names.InliningAttribute);
        using (w.Block($"private static void Layer{l}Gradient({Names.ReadOnlySpan}<{t}> d, {Names.ReadOnlySpan}<{t}> x, {Names.Span}<{t}> g)"))
        {
            if (layer.Strategy == DenseStrategy.Unrolled)
            {
                w.Line($"{Names.Span}<{t}> gw = g.Slice({layer.WeightOffset}, {layer.WeightCount}), gb = g.Slice({layer.BiasOffset}, {layer.OutputCount});");
                w.Line(DeclareLocals(t, "d", "d", layer.OutputCount));
                w.Line(DeclareLocals(t, "x", "x", layer.InputCount));
                for (int j = 0; j < layer.OutputCount; j++)
                {
                    var row = new StringBuilder();
                    for (int k = 0; k < layer.InputCount; k++)
                        row.Append($"gw[{j * layer.InputCount + k}] += d{j} * x{k}; ");
                    row.Append($"gb[{j}] += d{j};");
                    w.Line(row.ToString());
                }
            }
            else
            {
                w.Comment("Rank-1 update of the weight gradient, one SIMD axpy per row.");
                w.Line($"{Names.Dense}.AccumulateGradient<{t}>(d, x, g.Slice({layer.WeightOffset}, {layer.WeightCount}), g.Slice({layer.BiasOffset}, {layer.OutputCount}));");
            }
        }
    }

    private static void EmitBackpropagate(SourceWriter w, string t, DenseLayerSpec layer)
    {
        int l = layer.Index;
        w.Line($"/// <summary>Layer {l}: <paramref name=\"dx\"/> = Wᵀ·δ, the part of the previous layer's delta before σ'.</summary>");
        w.Line(Names.InliningAttribute);
        using (w.Block($"private static void Layer{l}Backpropagate({Names.ReadOnlySpan}<{t}> p, {Names.ReadOnlySpan}<{t}> d, {Names.Span}<{t}> dx)"))
        {
            if (layer.Strategy == DenseStrategy.Unrolled)
            {
                w.Line($"{Names.ReadOnlySpan}<{t}> w = p.Slice({layer.WeightOffset}, {layer.WeightCount});");
                w.Line(DeclareLocals(t, "d", "d", layer.OutputCount));
                for (int k = 0; k < layer.InputCount; k++)
                {
                    var sum = new StringBuilder($"dx[{k}] = ");
                    for (int j = 0; j < layer.OutputCount; j++)
                        sum.Append($"{(j == 0 ? "" : " + ")}w[{j * layer.InputCount + k}] * d{j}");
                    w.Line(sum.Append(';').ToString());
                }
            }
            else
            {
                w.Comment("Sum of the weight rows scaled by δ_j, accumulated with SIMD axpys.");
                w.Line($"{Names.Dense}.BackwardInput<{t}>(p.Slice({layer.WeightOffset}, {layer.WeightCount}), d, dx);");
            }
        }
    }

    /// <summary><c>float x0 = x[0], x1 = x[1];</c> — values read once, used by every unrolled row.</summary>
    private static string DeclareLocals(string t, string prefix, string span, int count)
    {
        var line = new StringBuilder(t).Append(' ');
        for (int i = 0; i < count; i++)
            line.Append($"{(i == 0 ? "" : ", ")}{prefix}{i} = {span}[{i}]");
        return line.Append(';').ToString();
    }
}
