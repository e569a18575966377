using System.Linq;
using StaticNets.Generator.Helpers;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// Inverted dropout on hidden layers. While <c>Training</c> is set, the batched forward pass of
/// <c>Backward</c> multiplies a layer's activations by a mask (0, or 1/(1 − rate)) into a separate buffer
/// <c>O</c> that feeds the next layer, and the backward pass multiplies that layer's δ by the same mask.
/// The activations <c>A</c> stay unmasked, so σ'(z) computed from them is right. Single-sample and batched
/// <c>Forward</c> never drop (inference), and networks without dropout get none of this code.
/// </summary>
internal static class DropoutEmitter
{
    public const string Kernels = Names.Kernels + ".DropoutKernels";

    public static bool HasDropout(NetworkSpec spec) => spec.Layers.OfType<DenseLayerSpec>().Any(l => l.Dropout > 0);

    public static double Rate(LayerSpec layer) => layer is DenseLayerSpec dense ? dense.Dropout : 0;

    /// <summary>The span that feeds the layer above <paramref name="layer"/>: its masked activations when it drops.</summary>
    public static string Output(LayerSpec layer) => (Rate(layer) > 0 ? "o" : "a") + layer.Index;

    public static void EmitHeaderComment(SourceWriter w, NetworkSpec spec)
    {
        if (!HasDropout(spec))
            return;
        string layers = string.Join(", ", spec.Layers.Where(l => Rate(l) > 0).Select(l => $"layer {l.Index} at {Rate(l).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}"));
        w.Comment($"  Dropout while Training (inverted, masks from SplitMix64 streams keyed by seed, workspace and call): {layers}.");
    }

    public static string InterfaceList(NetworkSpec spec) => HasDropout(spec) ? ", global::StaticNets.Training.IDropoutNetwork" : "";

    public static void EmitMembers(SourceWriter w, NetworkSpec spec)
    {
        if (!HasDropout(spec))
            return;
        w.Line("/// <summary>Whether <see cref=\"Backward\"/> drops hidden activations (training mode). <see cref=\"Forward(global::System.ReadOnlySpan{" + Names.Scalar(spec.Scalar) + "}, global::System.Span{" + Names.Scalar(spec.Scalar) + "})\"/> never does.</summary>");
        w.Line("public bool Training { get; set; }");
        w.Line("/// <summary>Start of the mask streams: with the workspace's key and call count it fixes every mask, so a seed reproduces a run.</summary>");
        w.Line("public ulong DropoutSeed { get; set; }");
        w.Line();
    }

    /// <summary>At the top of <c>ForwardBatch</c>: the stream this call draws its masks from.</summary>
    public static void EmitStreamStart(SourceWriter w, NetworkSpec spec)
    {
        if (!HasDropout(spec))
            return;
        w.Comment("Each training call draws fresh masks: the stream depends on the seed, the workspace's key and how often it ran.");
        w.Line($"ulong rng = train ? {Kernels}.StreamStart(DropoutSeed, ws.DropoutKey, ws.DropoutCalls++) : 0UL;");
    }

    /// <summary>After a layer's activation in <c>ForwardBatch</c>: mask the activations into <c>O</c> while training.</summary>
    public static void EmitForward(SourceWriter w, NetworkSpec spec, LayerSpec layer)
    {
        double rate = Rate(layer);
        if (rate <= 0)
            return;
        string t = Names.Scalar(spec.Scalar);
        int l = layer.Index, n = layer.Outputs;
        string keep = (1 - rate).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        w.Comment($"Dropout {rate.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} on layer {l} while training: the next layer reads a{l} ⊙ mask; a{l} itself stays intact for σ'.");
        w.Line($"{Names.Span}<{t}> o{l} = a{l};");
        using (w.Block("if (train)"))
        {
            w.Line($"o{l} = new {Names.Span}<{t}>(ws.O{l}, 0, batch * {n});");
            w.Line($"a{l}.CopyTo(o{l});");
            w.Line($"{Kernels}.Apply<{t}>(o{l}, new {Names.Span}<{t}>(ws.M{l}, 0, batch * {n}), ({t}){keep}, ref rng);");
        }
    }

    /// <summary>In <c>Backward</c>, beside the whole-batch views: the masked activations that fed the layer above.</summary>
    public static void EmitBackwardViews(SourceWriter w, NetworkSpec spec, LayerSpec layer)
    {
        if (Rate(layer) <= 0)
            return;
        string t = Names.Scalar(spec.Scalar);
        int l = layer.Index, n = layer.Outputs;
        w.Line($"{Names.Span}<{t}> o{l} = train ? new {Names.Span}<{t}>(ws.O{l}, 0, batch * {n}) : a{l};");
    }

    /// <summary>In <c>Backward</c>, once δ of <paramref name="layer"/> holds (W)ᵀ·δ from above: the mask's derivative is the mask.</summary>
    public static void EmitBackward(SourceWriter w, NetworkSpec spec, LayerSpec layer)
    {
        if (Rate(layer) <= 0)
            return;
        string t = Names.Scalar(spec.Scalar);
        int l = layer.Index, n = layer.Outputs;
        w.Comment($"Dropped activations pass no gradient: δ{l} ⊙= mask.");
        using (w.Block("if (train)"))
            w.Line($"{Kernels}.Backward<{t}>(d{l}, new {Names.Span}<{t}>(ws.M{l}, 0, batch * {n}));");
    }

    public static string WorkspaceInterfaces(NetworkSpec spec) => HasDropout(spec) ? ", global::StaticNets.Training.IDropoutWorkspace" : "";

    public static void EmitWorkspaceFields(SourceWriter w, NetworkSpec spec)
    {
        foreach (var layer in spec.Layers.Where(l => Rate(l) > 0))
            w.Line($"internal readonly {Names.Scalar(spec.Scalar)}[] O{layer.Index}, M{layer.Index};");
    }

    public static void EmitWorkspaceAllocation(SourceWriter w, NetworkSpec spec)
    {
        foreach (var layer in spec.Layers.Where(l => Rate(l) > 0))
        {
            w.Line($"O{layer.Index} = new {Names.Scalar(spec.Scalar)}[Z{layer.Index}.Length];");
            w.Line($"M{layer.Index} = new {Names.Scalar(spec.Scalar)}[Z{layer.Index}.Length];");
        }
    }

    public static void EmitWorkspaceMembers(SourceWriter w, NetworkSpec spec)
    {
        if (!HasDropout(spec))
            return;
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("public ulong DropoutKey { get; set; }");
        w.Line("/// <inheritdoc />");
        w.Line("public ulong DropoutCalls { get; set; }");
    }
}
