using System.Linq;
using System.Collections.Generic;
using StaticNets.Generator.Helpers;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>Names shared by the network emitter and the per-kind layer emitters.</summary>
internal static class Names
{
    public const string Span = "global::System.Span";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan";
    public const string Kernels = "global::StaticNets.Kernels";
    public const string Dense = Kernels + ".DenseKernels";
    public const string AlignedArray = Kernels + ".AlignedArray";
    public const string Conv = Kernels + ".ConvKernels";
    public const string Pool = Kernels + ".PoolKernels";
    public const string Activations = Kernels + ".ActivationKernels";
    public const string Losses = Kernels + ".LossKernels";
    public const string Guard = "global::StaticNets.Guard";
    public const string ActivationEnum = "global::StaticNets.Activation";
    public const string InliningAttribute = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

    // On the generated methods whose vector loops do a call's work (the fused and lane forwards): compiled fully
    // optimised from the first call, as the runtime's kernels are; in tier 0 each vector operation would be a call.
    public const string OptimizationAttribute = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    public static string Scalar(ScalarKind kind) => kind == ScalarKind.Double ? "double" : "float";

    public static string Zero(ScalarKind kind) => kind == ScalarKind.Double ? "0d" : "0f";

    /// <summary>The workspace field holding layer <paramref name="index"/>'s weighted inputs, activations or deltas.</summary>
    public static string Z(int index) => "Z" + index;

    public static string A(int index) => "A" + index;

    public static string D(int index) => "D" + index;

    /// <summary>The kernel that applies an activation forward, e.g. <c>ActivationKernels.ReLU</c>.</summary>
    public static string ActivationForward(ActivationKind activation) => Activations + "." + activation;

    /// <summary>The kernel that multiplies a delta by σ'(z); null for identity (derivative 1) and softmax (a Jacobian, see <see cref="NetworkEmitContext.EmitDerivative"/>).</summary>
    public static string? ActivationDerivative(ActivationKind activation) => activation switch
    {
        ActivationKind.Identity => null,
        ActivationKind.Softmax => null,
        _ => Activations + "." + activation + "Derivative",
    };
}

/// <summary>A workspace array a layer needs: <c>PerSample</c> elements per sample of the batch, or a fixed length expression.</summary>
/// <param name="Field">The field name in the generated Workspace class.</param>
/// <param name="ElementType">The element type (the network's scalar, or <c>int</c>).</param>
/// <param name="PerSample">Elements per sample (0 when <paramref name="Length"/> is given).</param>
/// <param name="Length">A C# expression of <c>batchCapacity</c> for buffers not proportional to it; layers naming the same field share it at the largest length.</param>
internal sealed record WorkspaceBuffer(string Field, string ElementType, long PerSample, string? Length = null);

/// <summary>
/// What every emitter of one network needs: the spec, the writer, and the names of the spans that carry each
/// layer's input, output and delta in batched code. The names are decided here, from each kind's emitter, so
/// emitters never agree on a variable name by convention.
/// </summary>
internal sealed class NetworkEmitContext
{
    public NetworkEmitContext(NetworkSpec spec, SourceWriter writer)
    {
        Spec = spec;
        W = writer;
        T = Names.Scalar(spec.Scalar);
    }

    public NetworkSpec Spec { get; }

    /// <summary>Whether views are being declared for Backward (δ spans included) rather than ForwardBatch (no δ needed).</summary>
    public bool InBackward { get; set; }

    /// <summary><c>, d3 = new Span…</c> for the δ view inside Backward, nothing in the forward pass.</summary>
    public string DeltaView(int index, long perSample) => InBackward ? $", d{index} = {View(Names.D(index), perSample)}" : "";

    public SourceWriter W { get; }

    /// <summary>
    /// Whether the batched forward takes a <c>packed</c> flag that Backward clears: when every weight cache is a dense
    /// layer's packed Wᵀ panels, training's forward multiplies by W directly (the kernels pack per call into an L1-sized
    /// buffer, or use the dot-product kernel below 64 samples). Re-packing the whole of Wᵀ after every update cost N3
    /// 784-512-512-10 200–300 µs of a 1.3 ms step at batch 32 and did not scale over threads; inference keeps the panels.
    /// </summary>
    public bool TrainingSkipsPacking
        => Spec.Layers.Any(l => l is DenseLayerSpec { PackedPanels: true })
        && Spec.Layers.All(l => l is DenseLayerSpec || !LayerEmitters.For(l).HasBatchCache(this, l));

    /// <summary>The scalar type, <c>float</c> or <c>double</c>.</summary>
    public string T { get; }

    public IReadOnlyList<LayerSpec> Layers => Spec.Layers;

    public bool HasDropout
    {
        get
        {
            foreach (var layer in Spec.Layers)
            {
                if (layer is DropoutLayerSpec)
                    return true;
            }
            return false;
        }
    }

    public bool IsOutput(LayerSpec layer) => layer.Index == Spec.Layers.Count - 1;

    /// <summary>The batch span the layer reads: the input rows for layer 0, the previous layer's output otherwise.</summary>
    public string Input(LayerSpec layer) => layer.Index == 0 ? "x" : Output(Spec.Layers[layer.Index - 1]);

    /// <summary>The batch span holding the layer's output (a layer that moves no data hands on its input's name).</summary>
    public string Output(LayerSpec layer) => LayerEmitters.For(layer).ForwardsInput ? Input(layer) : "a" + layer.Index;

    /// <summary>The span the layer's activation was applied to (its weighted input); the output itself for layers without activation.</summary>
    public string PreActivation(LayerSpec layer) => LayerEmitters.For(layer).PreActivation(this, layer);

    /// <summary>Whether the layer has a δ buffer of its own; layers whose backward is element-wise share the buffer below, except at layer 0.</summary>
    public bool OwnsDelta(LayerSpec layer) => layer.Index == 0 || !LayerEmitters.For(layer).SharesDelta;

    /// <summary>The batch span holding ∂C/∂(layer output) when the layer's backward starts (then ∂C/∂z after its σ').</summary>
    public string Delta(LayerSpec layer) => OwnsDelta(layer) ? "d" + layer.Index : Delta(Spec.Layers[layer.Index - 1]);

    /// <summary>
    /// Whether ∂C/∂(the layer's input) serves only the caller's <c>dx</c>: no layer below has trainable parameters
    /// (they are parameter-free, or a Normalize whose statistics are not trained). Such a layer computes it only when
    /// <c>dx</c> is non-empty, as layer 0 does.
    /// </summary>
    public bool InputDeltaOnlyForCaller(LayerSpec layer)
    {
        for (int l = 0; l < layer.Index; l++)
        {
            foreach (var block in Spec.Layers[l].Blocks)
            {
                if (block.Role is BlockRole.Weight or BlockRole.Bias)
                    return false;
            }
        }
        return true;
    }

    /// <summary>Where the layer writes ∂C/∂(its input): the layer below's δ, or <c>dx</c> (the caller's input gradient, maybe empty) for layer 0.</summary>
    public string DeltaIn(LayerSpec layer) => layer.Index == 0 ? "dx" : Delta(Spec.Layers[layer.Index - 1]);

    /// <summary>
    /// δ ⊙= σ'(z) over a whole batch for <paramref name="activation"/>: nothing for identity, the kernel for element-wise
    /// activations, the softmax Jacobian sample by sample.
    /// </summary>
    public void EmitDerivative(ActivationKind activation, string z, string a, string d, int perSample, string rows = "batch")
    {
        if (activation == ActivationKind.Identity)
            return;
        if (activation == ActivationKind.Softmax)
        {
            W.Comment(rows == "batch" ? "Softmax couples the values of one sample: δ = Jᵀ·δ, sample by sample." : "Softmax couples the values of one step: δ = Jᵀ·δ, row by row.");
            using (W.Block($"for (int s = 0; s < {rows}; s++)"))
                W.Line($"{Names.Activations}.SoftmaxBackward<{T}>({a}.Slice(s * {perSample}, {perSample}), {d}.Slice(s * {perSample}, {perSample}), {d}.Slice(s * {perSample}, {perSample}));");
            return;
        }
        W.Line($"{Names.ActivationDerivative(activation)}<{T}>({z}, {a}, {d});");
    }

    /// <summary>a = σ(z) over a whole batch: one element-wise pass, or softmax sample by sample.</summary>
    public void EmitActivation(ActivationKind activation, string z, string a, int perSample, string rows = "batch")
    {
        if (activation == ActivationKind.Softmax)
        {
            W.Comment(rows == "batch" ? "Softmax normalises each sample's values on its own: rows of a block of samples side by side in vector lanes." : "Softmax normalises each step's values on its own: rows of a block of steps side by side in vector lanes.");
            W.Line($"{Names.Activations}.SoftmaxRows<{T}>({z}, {a}, {perSample});");
            return;
        }
        W.Comment("Element-wise activation over the whole batch in one vectorised pass.");
        W.Line($"{Names.ActivationForward(activation)}<{T}>({z}, {a});");
    }

    /// <summary>The rows of a layer's output in the batch: <c>batch</c>, or <c>batch * steps</c> for a dense layer applied to every step.</summary>
    public string Rows(LayerSpec layer) => layer is DenseLayerSpec { PerStep: true } dense ? $"batch * {dense.Steps}" : "batch";

    /// <summary>Values of one row of <see cref="Rows"/>.</summary>
    public int RowSize(LayerSpec layer) => layer is DenseLayerSpec { PerStep: true } dense ? dense.OutputCount : layer.Outputs;

    /// <summary><c>ws.Field.Span.Slice(0, batch * n)</c>: the first rows of a workspace buffer.</summary>
    public string View(string field, long perSample, string elementType = "")
    {
        string type = elementType.Length == 0 ? T : elementType;
        return $"ws.{field}.Span.Slice(0, batch * {perSample})";
    }
}
