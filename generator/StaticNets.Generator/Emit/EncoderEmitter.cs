using System.Linq;
using StaticNets.Generator.Helpers;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// The members of a network with a code layer (<c>[Network(Code = "name")]</c>): <c>IEncoder&lt;T&gt;</c>'s
/// <c>CodeSize</c>, <c>CodeLayer</c> and <c>Encode</c>, single-sample and batched, over an <c>EncodeBatch</c> that is the
/// batched forward cut after the code layer (inference mode: dropout is the identity). Networks without one get none of this.
/// </summary>
internal static class EncoderEmitter
{
    public static string InterfaceList(NetworkSpec spec) => spec.HasCode ? $", global::StaticNets.IEncoder<{Names.Scalar(spec.Scalar)}>" : "";

    public static void EmitHeaderComment(SourceWriter w, NetworkSpec spec)
    {
        if (!spec.HasCode)
            return;
        var layer = spec.Layers[spec.CodeLayer];
        w.Comment($"  Encode: the batched forward cut after layer {layer.Index}, the code ({layer.Outputs} values); one sample runs on a per-thread one-sample workspace.");
    }

    public static void EmitMembers(NetworkEmitContext c)
    {
        var (w, spec, t) = (c.W, c.Spec, c.T);
        if (!spec.HasCode)
            return;
        var code = spec.Layers[spec.CodeLayer];
        string ros = Names.ReadOnlySpan, span = Names.Span, encoder = $"global::StaticNets.IEncoder<{t}>";
        w.Line($"/// <summary>Values of one sample's code: the outputs of layer {code.Index} ({code.Description}).</summary>");
        w.Line($"public const int CodeSize = {code.Outputs};");
        w.Line($"/// <summary>Index of the code layer in <see cref=\"Architecture\"/>'s layers.</summary>");
        w.Line($"public const int CodeLayer = {code.Index};");
        w.Line($"int {encoder}.CodeSize => CodeSize;");
        w.Line($"int {encoder}.CodeLayer => CodeLayer;");
        w.Comment("Single-sample Encode runs the batched code on a one-sample workspace per thread, so it stays thread-safe.");
        w.Line("[global::System.ThreadStatic]");
        w.Line("private static Workspace? t_encode;");
        w.Line();
        w.Line("/// <summary>Encodes one sample: the activations of the code layer. Allocates nothing after a thread's first call; safe to call from many threads at once.</summary>");
        w.Line("/// <param name=\"input\">Exactly <see cref=\"InputSize\"/> values.</param>");
        w.Line("/// <param name=\"code\">Exactly <see cref=\"CodeSize\"/> values, overwritten.</param>");
        using (w.Block($"public void Encode({ros}<{t}> input, {span}<{t}> code)"))
        {
            w.Line($"{Names.Guard}.Length(input.Length, InputSize, \"input\");");
            w.Line($"{Names.Guard}.Length(code.Length, CodeSize, \"code\");");
            w.Line("Workspace ws = t_encode ??= new Workspace(1);");
            w.Line("EncodeBatch(input, 1, ws).CopyTo(code);");
        }
        w.Line();
        w.Line("/// <summary>Encodes a batch, row-major, on the caller's workspace. Allocates nothing.</summary>");
        w.Line("/// <param name=\"inputs\">A whole number of samples, at most the workspace's capacity.</param>");
        w.Line("/// <param name=\"codes\">Exactly one code of <see cref=\"CodeSize\"/> values per sample, overwritten.</param>");
        w.Line("/// <param name=\"workspace\">A workspace of this network from <see cref=\"CreateWorkspace\"/>.</param>");
        using (w.Block($"public void Encode({ros}<{t}> inputs, {span}<{t}> codes, global::StaticNets.INetworkWorkspace<{t}> workspace)"))
        {
            w.Line("Workspace ws = Workspace.From(workspace, \"workspace\");");
            w.Line($"int batch = {Names.Guard}.BatchSize(inputs.Length, InputSize, ws.BatchCapacity, \"inputs\");");
            w.Line($"{Names.Guard}.Length(codes.Length, batch * CodeSize, \"codes\");");
            w.Line("EncodeBatch(inputs, batch, ws).CopyTo(codes);");
        }
        w.Line();
        w.Line($"/// <summary>The batched forward pass up to and including layer {code.Index}, in inference mode; returns the code rows.</summary>");
        using (w.Block($"private {ros}<{t}> EncodeBatch({ros}<{t}> x, int batch, Workspace ws)"))
        {
            w.Line($"{ros}<{t}> p = _parameters.Span;");
            var layers = spec.Layers.Take(code.Index + 1).ToList();
            var packed = layers.Where(l => LayerEmitters.For(l).HasBatchCache(c, l)).ToList();
            if (packed.Count > 0)
            {
                w.Comment("Rebuild the weight caches if the parameters may have changed since.");
                w.Line("if (global::System.Threading.Volatile.Read(ref _packedVersion) != global::System.Threading.Volatile.Read(ref _parameterVersion))");
                w.Line("    RefreshPacked(ws.Threads);");
                foreach (var layer in packed)
                    LayerEmitters.For(layer).EmitBatchCacheView(c, layer);
            }
            if (c.TrainingSkipsPacking && layers.Any(l => l is DenseLayerSpec { PackedPanels: true }))
                w.Line("bool packed = true; // inference: the packed panels, as Forward reads them");
            if (layers.Any(l => l is DropoutLayerSpec))
            {
                w.Comment("Inference: dropout layers pass their input on.");
                w.Line("bool train = false;");
                w.Line("ulong rng = 0UL;");
            }
            foreach (var layer in layers)
            {
                var emitter = LayerEmitters.For(layer);
                w.Comment($"Layer {layer.Index}: {layer.Description}.");
                emitter.EmitViews(c, layer);
                emitter.EmitBatchForward(c, layer);
            }
            w.Line($"return {c.Output(code)};");
        }
        w.Line();
    }
}
