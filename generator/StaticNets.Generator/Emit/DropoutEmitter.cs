using System.Linq;
using StaticNets.Generator.Helpers;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// The network-level part of dropout: the <c>Training</c> switch and <c>DropoutSeed</c>, the mask stream each
/// training call draws from, and the workspace's stream key. The layers themselves are
/// <see cref="DropoutLayerEmitter"/>'s. Single-sample and batched <c>Forward</c> never drop (inference), and
/// networks without dropout get none of this code.
/// </summary>
internal static class DropoutEmitter
{
    public const string Kernels = Names.Kernels + ".DropoutKernels";

    public static bool HasDropout(NetworkSpec spec) => spec.Layers.OfType<DropoutLayerSpec>().Any();

    public static void EmitHeaderComment(SourceWriter w, NetworkSpec spec)
    {
        if (!HasDropout(spec))
            return;
        string layers = string.Join(", ", spec.Layers.OfType<DropoutLayerSpec>().Select(l => $"layer {l.Index} at {l.RateText}"));
        w.Comment($"  Dropout while Training (inverted, masks from SplitMix64 streams keyed by seed, workspace and call): {layers}.");
    }

    public static string InterfaceList(NetworkSpec spec) => HasDropout(spec) ? ", global::StaticNets.Training.IDropoutNetwork" : "";

    public static void EmitMembers(SourceWriter w, NetworkSpec spec)
    {
        if (!HasDropout(spec))
            return;
        w.Line("/// <summary>Whether <see cref=\"Backward(global::System.ReadOnlySpan{" + Names.Scalar(spec.Scalar) + "}, global::System.ReadOnlySpan{" + Names.Scalar(spec.Scalar) + "}, global::System.Span{" + Names.Scalar(spec.Scalar) + "}, global::StaticNets.INetworkWorkspace{" + Names.Scalar(spec.Scalar) + "})\"/> drops values (training mode). Forward never does.</summary>");
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

    public static string WorkspaceInterfaces(NetworkSpec spec) => HasDropout(spec) ? ", global::StaticNets.Training.IDropoutWorkspace" : "";

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
