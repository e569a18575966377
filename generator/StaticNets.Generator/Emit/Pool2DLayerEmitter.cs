using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>Emits max or average pooling: a static <c>Pool2DShape</c> and <c>PoolKernels</c> calls over whole batches.</summary>
internal sealed class Pool2DLayerEmitter : LayerEmitter
{
    public override bool ForwardsInput => false;

    public override bool SharesDelta => false;

    public override string PreActivation(NetworkEmitContext c, LayerSpec layer) => "a" + layer.Index;

    public override void EmitConstants(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Pool2DLayerSpec)spec;
        int l = layer.Index;
        c.W.Comment($"Layer {l}: {layer.Input} → {layer.Output}.");
        c.W.Line($"private static readonly {Names.Kernels}.Pool2DShape Layer{l}Shape = new {Names.Kernels}.Pool2DShape(");
        c.W.Line($"    Channels: {layer.Input.Channels}, InHeight: {layer.Input.Height}, InWidth: {layer.Input.Width},");
        c.W.Line($"    WindowHeight: {layer.WindowHeight}, WindowWidth: {layer.WindowWidth}, StrideY: {layer.StrideY}, StrideX: {layer.StrideX},");
        c.W.Line($"    OutHeight: {layer.Output.Height}, OutWidth: {layer.Output.Width});");
    }

    public override string InfoExpression(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Pool2DLayerSpec)spec;
        return $"new global::StaticNets.{layer.Kind}LayerInfo({layer.Input.Expression}, {layer.WindowHeight}, {layer.WindowWidth}, {layer.StrideY}, {layer.StrideX}, {layer.ParameterOffset})";
    }

    public override IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Pool2DLayerSpec)spec;
        yield return new WorkspaceBuffer(Names.A(layer.Index), c.T, layer.Outputs);
        yield return new WorkspaceBuffer(Names.D(layer.Index), c.T, layer.Outputs);
        if (layer.IsMax)
            yield return new WorkspaceBuffer("ArgMax" + layer.Index, "int", layer.Outputs);
    }

    public override void EmitViews(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Pool2DLayerSpec)spec;
        int l = layer.Index, n = layer.Outputs;
        c.W.Line($"{Names.Span}<{c.T}> a{l} = {c.View(Names.A(l), n)}{c.DeltaView(l, n)};");
        if (layer.IsMax)
            c.W.Line($"{Names.Span}<int> argMax{l} = {c.View("ArgMax" + l, n, "int")};");
    }

    public override void EmitBatchForward(NetworkEmitContext c, LayerSpec spec)
    {
        var layer = (Pool2DLayerSpec)spec;
        int l = layer.Index;
        c.W.Line(layer.IsMax
            ? $"{Names.Pool}.MaxForward<{c.T}>(in Layer{l}Shape, {c.Input(layer)}, a{l}, argMax{l}, ws.Threads);"
            : $"{Names.Pool}.AvgForward<{c.T}>(in Layer{l}Shape, {c.Input(layer)}, a{l}, ws.Threads);");
    }

    public override void EmitBatchBackward(NetworkEmitContext c, LayerSpec spec, bool applyDerivative)
    {
        var layer = (Pool2DLayerSpec)spec;
        int l = layer.Index;
        string call = layer.IsMax
            ? $"{Names.Pool}.MaxBackward<{c.T}>(in Layer{l}Shape, {c.Delta(layer)}, argMax{l}, {c.DeltaIn(layer)}, ws.Threads);"
            : $"{Names.Pool}.AvgBackward<{c.T}>(in Layer{l}Shape, {c.Delta(layer)}, {c.DeltaIn(layer)}, ws.Threads);";
        c.W.Comment(layer.IsMax ? $"Layer {l}: each δ goes to its window's arg-max; the rest of ∂C/∂input is zero." : $"Layer {l}: each δ is shared equally by its window.");
        c.W.Line(c.InputDeltaOnlyForCaller(layer) ? $"if (!dx.IsEmpty) {call}" : call);
    }
}
