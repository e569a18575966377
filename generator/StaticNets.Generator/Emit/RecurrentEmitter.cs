using System.Collections.Generic;
using System.Linq;
using StaticNets.Generator.Model;
using StaticNets.Kernels;

namespace StaticNets.Generator.Emit;

/// <summary>
/// The network-level part of recurrent networks: <c>IRecurrentNetwork&lt;T&gt;</c> — the step sizes, the state
/// layout, <c>CreateState</c>, <c>Step</c> (one time step of one stream, through every layer) and the truncation
/// window of back-propagation through time. The layers' whole-sequence code is <see cref="RecurrentLayerEmitter"/>'s;
/// networks without recurrent layers get none of this.
/// </summary>
internal static class RecurrentEmitter
{
    public static bool IsRecurrent(NetworkSpec spec) => spec.Layers.OfType<RecurrentLayerSpec>().Any();

    public static string InterfaceList(NetworkSpec spec) => IsRecurrent(spec) ? $", global::StaticNets.IRecurrentNetwork<{Names.Scalar(spec.Scalar)}>" : "";

    /// <summary>Values of one step entering or leaving a layer: the last dimension of a sequence, the whole vector otherwise.</summary>
    private static int PerStep(ShapeSpec shape) => shape.Rank == 2 ? shape.Dims[1] : (int)shape.Size;

    private static int StepInputSize(NetworkSpec spec) => PerStep(spec.Input);

    private static int StepOutputSize(NetworkSpec spec) => PerStep(spec.OutputLayer.Output);

    /// <summary>Where each recurrent layer's state starts in the state values, and the total.</summary>
    private static (Dictionary<int, int> Offsets, int Total) StateLayout(NetworkSpec spec)
    {
        var offsets = new Dictionary<int, int>();
        int total = 0;
        foreach (var layer in spec.Layers.OfType<RecurrentLayerSpec>())
        {
            offsets[layer.Index] = total;
            total += RecurrentLayout.StateSize(layer.Cell == RecurrentCell.Lstm, layer.Units);
        }
        return (offsets, total);
    }

    /// <summary>Scratch of one step: the recurrent kernels' (the largest layer's), then one region per layer that writes a step output of its own.</summary>
    private static (int RecurrentScratch, Dictionary<int, int> Offsets, int Total) ScratchLayout(NetworkSpec spec)
    {
        int recurrent = spec.Layers.OfType<RecurrentLayerSpec>().Select(l => (int)RecurrentLayout.StepScratchLength(l.Features, l.Units)).DefaultIfEmpty(0).Max();
        var offsets = new Dictionary<int, int>();
        int total = recurrent;
        foreach (var layer in spec.Layers)
        {
            if (layer is DenseLayerSpec or ActivationLayerSpec)
            {
                offsets[layer.Index] = total;
                total += PerStep(layer.Output);
            }
        }
        return (recurrent, offsets, total);
    }

    public static void EmitHeaderComment(Helpers.SourceWriter w, NetworkSpec spec)
    {
        if (!IsRecurrent(spec))
            return;
        w.Comment($"  Streaming: Step runs one time step ({StepInputSize(spec)} → {StepOutputSize(spec)} values) on a caller-owned RecurrentState of {StateLayout(spec).Total} values; whole sequences start from a zero state.");
    }

    public static void EmitMembers(NetworkEmitContext c)
    {
        var (w, spec, t) = (c.W, c.Spec, c.T);
        if (!IsRecurrent(spec))
            return;
        var (stateOffsets, stateSize) = StateLayout(spec);
        var (recurrentScratch, scratchOffsets, scratchSize) = ScratchLayout(spec);
        string ros = Names.ReadOnlySpan, span = Names.Span;
        w.Line("/// <summary>Values of one time step's input.</summary>");
        w.Line($"public const int StepInputSize = {StepInputSize(spec)};");
        w.Line("/// <summary>Values of one time step's output.</summary>");
        w.Line($"public const int StepOutputSize = {StepOutputSize(spec)};");
        w.Line("/// <summary>Values of one stream's state: h (and c for an LSTM) of every recurrent layer, in layer order.</summary>");
        w.Line($"public const int StateSize = {stateSize};");
        w.Line($"private const int StepScratchSize = {scratchSize};");
        w.Line($"int global::StaticNets.IRecurrentNetwork<{t}>.StepInputSize => StepInputSize;");
        w.Line($"int global::StaticNets.IRecurrentNetwork<{t}>.StepOutputSize => StepOutputSize;");
        w.Line($"int global::StaticNets.IRecurrentNetwork<{t}>.StateSize => StateSize;");
        w.Line();
        w.Line("private int _backpropagationWindow;");
        w.Line("/// <inheritdoc />");
        using (w.Block("public int BackpropagationWindow"))
        {
            w.Line("get => _backpropagationWindow;");
            w.Line("set => _backpropagationWindow = value >= 0 ? value : throw new global::System.ArgumentOutOfRangeException(\"value\", value, \"The window must be 0 (back-propagate through every step) or a positive number of steps.\");");
        }
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line($"public global::StaticNets.RecurrentState<{t}> CreateState() => new global::StaticNets.RecurrentState<{t}>(Architecture, StateSize, StepScratchSize);");
        w.Line();
        w.Line("/// <summary>Runs one time step of one stream: advances <paramref name=\"state\"/> in place and writes the step's output. Allocates nothing; safe on many threads with distinct states.</summary>");
        w.Line("/// <param name=\"input\">Exactly <see cref=\"StepInputSize\"/> values.</param>");
        w.Line("/// <param name=\"output\">Exactly <see cref=\"StepOutputSize\"/> values, overwritten.</param>");
        w.Line("/// <param name=\"state\">A state of this network from <see cref=\"CreateState\"/>.</param>");
        using (w.Block($"public void Step({ros}<{t}> input, {span}<{t}> output, global::StaticNets.RecurrentState<{t}> state)"))
        {
            w.Line($"{Names.Guard}.Length(input.Length, StepInputSize, \"input\");");
            w.Line($"{Names.Guard}.Length(output.Length, StepOutputSize, \"output\");");
            w.Line("if (state is null) throw new global::System.ArgumentNullException(\"state\");");
            w.Line("state.CheckFor(Architecture, \"state\");");
            w.Comment("The fused gate matrices are the batched path's weight caches: rebuild them if the parameters changed.");
            w.Line("if (global::System.Threading.Volatile.Read(ref _packedVersion) != global::System.Threading.Volatile.Read(ref _parameterVersion))");
            w.Line("    RefreshPacked(1);");
            w.Line($"{ros}<{t}> p = _parameters.Span;");
            w.Line($"{span}<{t}> values = state.Values, scratch = state.Scratch;");
            string current = "input";
            foreach (var layer in spec.Layers)
            {
                int l = layer.Index;
                switch (layer)
                {
                    case RecurrentLayerSpec recurrent:
                        w.Comment($"Layer {l}: one {recurrent.CellName} step; its state's first {recurrent.Units} values are the new h.");
                        w.Line($"{span}<{t}> s{l} = values.Slice({stateOffsets[l]}, {RecurrentLayout.StateSize(recurrent.Cell == RecurrentCell.Lstm, recurrent.Units)});");
                        w.Line($"{Names.Kernels}.RecurrentKernels.Step<{t}>(in Layer{l}Shape, _prepared{l}, {current}, s{l}, scratch.Slice(0, {RecurrentLayout.StepScratchLength(recurrent.Features, recurrent.Units)}));");
                        current = $"s{l}.Slice(0, {recurrent.Units})";
                        break;
                    case DenseLayerSpec dense:
                        w.Comment($"Layer {l}: dense {dense.InputCount} → {dense.OutputCount}, {dense.Activation}, on this step.");
                        w.Line($"{span}<{t}> o{l} = scratch.Slice({scratchOffsets[l]}, {dense.OutputCount});");
                        string bias = dense.HasBias ? $"p.Slice(Layer{l}BiasOffset, Layer{l}Size)" : $"s_zeroBias{l}";
                        w.Line($"{Names.Dense}.Forward<{t}>(p.Slice(Layer{l}WeightOffset, Layer{l}WeightCount), {bias}, {current}, o{l});");
                        if (dense.Activation != ActivationKind.Identity)
                            w.Line($"{Names.ActivationForward(dense.Activation)}<{t}>(o{l}, o{l});");
                        current = $"o{l}";
                        break;
                    case ActivationLayerSpec activation:
                        w.Comment($"Layer {l}: {activation.Activation} on this step.");
                        w.Line($"{span}<{t}> o{l} = scratch.Slice({scratchOffsets[l]}, {PerStep(activation.Output)});");
                        w.Line($"{Names.ActivationForward(activation.Activation)}<{t}>({current}, o{l});");
                        current = $"o{l}";
                        break;
                    default:
                        w.Comment($"Layer {l}: {layer.Description}: the identity at inference.");
                        break;
                }
            }
            w.Line($"{current}.CopyTo(output);");
        }
        w.Line();
    }
}
