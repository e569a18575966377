using System.Collections.Generic;
using System.Linq;
using System.Text;
using StaticNets.Generator.Helpers;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// The batched forward of a small dense network in lanes (<see cref="Strategies.BatchInLanes"/>): blocks of L samples
/// (L = the vector width in scalars) are transposed so that lane row k holds input k of every sample, each layer is
/// <c>z_j = b_j + Σ_k w_jk·X_k</c> with the weight broadcast from the fused copy and several outputs per pass, the
/// activations are applied in lanes, and the outputs are transposed back. Each output is summed in the fused
/// single-sample method's chains and order at the same width, so a sample's outputs are bit-identical to
/// <c>Forward(input, output)</c> (except a kernel softmax of 8 or more outputs, equal within rounding).
/// </summary>
internal static class LaneForwardEmitter
{
    private const string UnsafeAdd = "global::System.Runtime.CompilerServices.Unsafe.Add";
    private const string Marshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    private static readonly int[] Widths = { 512, 256, 128 };

    // Accumulators (outputs × chains) one pass may hold: half of AVX-512's 32 registers, half of the 16 below.
    private static int Slots(int bits) => bits == 512 ? 16 : 8;

    private static int Lanes(NetworkSpec spec, int bits) => bits / 8 / FusedForwardEmitter.ScalarBytes(spec);

    /// <summary>Outputs per pass: as many as fit the accumulator budget with the layer's chains.</summary>
    private static int PerPass(NetworkSpec spec, DenseLayerSpec layer, int bits)
        => System.Math.Max(1, System.Math.Min(layer.Outputs, Slots(bits) / FusedForwardEmitter.Chains(spec, layer, bits)));

    private static int MaxWidth(NetworkSpec spec) => System.Math.Max(spec.InputSize, spec.Layers.OfType<DenseLayerSpec>().Max(l => l.Outputs));

    /// <summary>The header line naming the strategy, with the chains and outputs per pass of each layer at 512 bits.</summary>
    public static string Describe(NetworkSpec spec)
    {
        var layers = spec.Layers.OfType<DenseLayerSpec>().Select(l =>
            $"layer {l.Index} {l.Inputs} → {l.Outputs}: {PerPass(spec, l, 512)} output(s) × {FusedForwardEmitter.Chains(spec, l, 512)} chain(s) per pass");
        return $"Batched forward (Forward with a workspace): in lanes of {Lanes(spec, 512)}/{Lanes(spec, 256)}/{Lanes(spec, 128)} samples (512/256/128-bit), "
            + $"weights broadcast from the fused copy, the fused method's chains, blocks of fewer than {Strategies.LaneMinimumBlock(Lanes(spec, 512))}/{Strategies.LaneMinimumBlock(Lanes(spec, 256))}/{Strategies.LaneMinimumBlock(Lanes(spec, 128))} samples one by one fused; at 512 bits "
            + string.Join(", ", layers);
    }

    /// <summary>The dispatch inside the batched <c>Forward</c>, after its checks: the widest lane method, unless the spans overlap.</summary>
    public static void EmitDispatch(SourceWriter w, NetworkSpec spec)
    {
        string t = Names.Scalar(spec.Scalar);
        w.Comment("Small dense network: the batch runs in lanes (overlapping spans take the workspace path, which reads every input first).");
        using (w.Block("if (!global::System.MemoryExtensions.Overlaps(inputs, (global::System.ReadOnlySpan<" + t + ">)outputs))"))
        {
            w.Line("if (global::System.Threading.Volatile.Read(ref _transposedVersion) != global::System.Threading.Volatile.Read(ref _parameterVersion))");
            w.Line("    RefreshTransposed();");
            foreach (int bits in Widths)
            {
                w.Line($"if (global::StaticNets.Kernels.FusedSimd.Use{bits}<{t}>())");
                using (w.Block())
                {
                    w.Line($"ForwardLanes{bits}(inputs, outputs, batch);");
                    w.Line("return;");
                }
            }
        }
    }

    /// <summary>The three lane methods.</summary>
    public static void EmitMethods(SourceWriter w, NetworkSpec spec)
    {
        foreach (int bits in Widths)
        {
            EmitMethod(w, spec, bits);
            w.Line();
        }
    }

    private static void EmitMethod(SourceWriter w, NetworkSpec spec, int bits)
    {
        string t = Names.Scalar(spec.Scalar);
        int lanes = Lanes(spec, bits);
        int width = MaxWidth(spec);
        var layers = spec.Layers.OfType<DenseLayerSpec>().ToList();
        int minimum = Strategies.LaneMinimumBlock(lanes);

        w.Line($"/// <summary>The batched forward in lanes of {lanes} samples with {bits}-bit vectors; the spans have been checked and do not overlap.</summary>");
        w.Line(Names.OptimizationAttribute);
        using (w.Block($"private void ForwardLanes{bits}({Names.ReadOnlySpan}<{t}> inputs, {Names.Span}<{t}> outputs, int batch)"))
        {
            w.Line($"ref {t} f = ref _fused.GetPinnableReference();");
            w.Comment($"Two lane buffers of {width} rows × {lanes} samples, each layer reading one and writing the other.");
            w.Line($"{Names.Span}<{t}> lanes = stackalloc {t}[{2 * width * lanes}];");
            w.Line($"ref {t} s = ref {Marshal}.GetReference(lanes);");
            using (w.Block($"for (int b = 0; b < batch; b += {lanes})"))
            {
                w.Line($"int count = batch - b < {lanes} ? batch - b : {lanes};");
                if (minimum > 1)
                {
                    using (w.Block($"if (count < {minimum})"))
                    {
                        w.Comment("A short last block: one by one through the fused method (the same bits) costs less than a padded block.");
                        w.Line($"ref {t} xr = ref {Marshal}.GetReference(inputs);");
                        w.Line("for (int r = b; r < batch; r++)");
                        w.Line($"    ForwardFused{bits}(ref {UnsafeAdd}(ref xr, r * InputSize), outputs.Slice(r * OutputSize, OutputSize));");
                        w.Line("return;");
                    }
                }
                w.Line($"global::StaticNets.Kernels.LaneKernels.ToLanes<{t}>(inputs.Slice(b * InputSize, count * InputSize), InputSize, count, lanes, {lanes});");
                int inOffset = 0;
                for (int i = 0; i < layers.Count; i++)
                {
                    int outOffset = inOffset == 0 ? width * lanes : 0;
                    EmitLayer(w, spec, layers, i, bits, inOffset, outOffset);
                    inOffset = outOffset;
                }
                w.Line($"global::StaticNets.Kernels.LaneKernels.FromLanes<{t}>(lanes.Slice({inOffset}, OutputSize * {lanes}), OutputSize, count, outputs.Slice(b * OutputSize, count * OutputSize), {lanes});");
            }
        }
    }

    private static void EmitLayer(SourceWriter w, NetworkSpec spec, List<DenseLayerSpec> layers, int i, int bits, int inOffset, int outOffset)
    {
        string t = Names.Scalar(spec.Scalar);
        var layer = layers[i];
        bool isOutput = i == layers.Count - 1;
        int lanes = Lanes(spec, bits);
        int n = layer.Inputs, m = layer.Outputs;
        int o = FusedForwardEmitter.Offset(spec, layer);
        int chains = FusedForwardEmitter.Chains(spec, layer, bits);
        bool roundRobin = FusedForwardEmitter.InputsInRegisters(layers, i);
        int perPass = PerPass(spec, layer, bits);
        int passes = m / perPass, rest = m % perPass;
        bool inRegisters = FusedForwardEmitter.InRegisters(layer.Activation);
        w.Comment($"Layer {layer.Index}: dense {n} → {m}, {layer.Activation}: {perPass} output(s) × {chains} chain(s) per pass{(roundRobin ? ", every input to chain k mod chains" : "")}; lanes {inOffset} → {outOffset}.");
        using (w.Block())
        {
            w.Line($"ref {t} wt = ref {UnsafeAdd}(ref f, {o});");
            if (passes > 0)
            {
                using (w.Block($"for (nuint j = 0; j < {passes * perPass}; j += {perPass})"))
                    EmitPass(w, spec, layer, bits, "j", perPass, chains, roundRobin, inOffset, outOffset, inRegisters);
            }
            if (rest > 0)
            {
                using (w.Block())
                {
                    w.Line($"nuint j = {passes * perPass};");
                    EmitPass(w, spec, layer, bits, "j", rest, chains, roundRobin, inOffset, outOffset, inRegisters);
                }
            }
        }
        string region = $"lanes.Slice({outOffset}, {m * lanes})";
        if (isOutput && layer.Activation == ActivationKind.Softmax)
            w.Line($"global::StaticNets.Kernels.LaneKernels.Softmax<{t}>({region}, {m}, {lanes});");
        else if (!inRegisters)
            w.Line($"{Names.ActivationForward(layer.Activation)}<{t}>({region}, {region});");
    }

    // One pass: `count` outputs from j, `chains` accumulators each (chain 0 from the bias), inputs in rounds of chains,
    // the remainder to chain 0 (or round robin), then the fused method's pairwise sum, activation and store.
    private static void EmitPass(SourceWriter w, NetworkSpec spec, DenseLayerSpec layer, int bits, string j, int count, int chains,
        bool roundRobin, int inOffset, int outOffset, bool activate)
    {
        string t = Names.Scalar(spec.Scalar);
        string vec = $"global::System.Runtime.Intrinsics.Vector{bits}";
        string v = $"{vec}<{t}>";
        int lanes = Lanes(spec, bits);
        int n = layer.Inputs;
        int p = FusedForwardEmitter.Padded(spec, layer.Outputs);
        string Weight(string k, int q) => $"{vec}.Create({UnsafeAdd}(ref wt, {k} + {j} + {q}))";
        for (int c = 0; c < chains; c++)
        {
            var decl = new StringBuilder($"{v} ");
            for (int q = 0; q < count; q++)
                decl.Append(q == 0 ? "" : ", ").Append($"a{q}_{c} = ").Append(c == 0 ? Weight($"{n * p}", q) : $"{v}.Zero");
            w.Line(decl.Append(';').ToString());
        }
        int main = n / chains * chains;
        if (main > 0)
        {
            // A round of chains inputs per iteration, from references advanced past it: constant offsets inside.
            w.Line($"ref {t} wk = ref {UnsafeAdd}(ref wt, {j});");
            w.Line($"ref {t} xk = ref {UnsafeAdd}(ref s, {inOffset});");
            using (w.Block($"for (nuint k = 0; k < {main}; k += {chains})"))
            {
                for (int c = 0; c < chains; c++)
                {
                    w.Line($"{v} x{c} = {vec}.LoadUnsafe(ref xk, {c * lanes});");
                    var line = new StringBuilder();
                    for (int q = 0; q < count; q++)
                        line.Append(q == 0 ? "" : " ").Append($"a{q}_{c} = global::StaticNets.Kernels.FusedSimd.MultiplyAdd({vec}.Create({UnsafeAdd}(ref wk, {c * p + q})), x{c}, a{q}_{c});");
                    w.Line(line.ToString());
                }
                w.Line($"wk = ref {UnsafeAdd}(ref wk, {chains * p});");
                w.Line($"xk = ref {UnsafeAdd}(ref xk, {chains * lanes});");
            }
        }
        for (int k = main; k < n; k++)
        {
            int c = roundRobin ? k % chains : 0;
            w.Line($"{v} xt{k} = {vec}.LoadUnsafe(ref s, {inOffset + k * lanes});");
            var line = new StringBuilder();
            for (int q = 0; q < count; q++)
                line.Append(q == 0 ? "" : " ").Append($"a{q}_{c} = global::StaticNets.Kernels.FusedSimd.MultiplyAdd({Weight($"{k * p}", q)}, xt{k}, a{q}_{c});");
            w.Line(line.ToString());
        }
        for (int q = 0; q < count; q++)
        {
            string sum = FusedForwardEmitter.TreeSum(Enumerable.Range(0, chains).Select(c => $"a{q}_{c}").ToList());
            string value = activate ? FusedForwardEmitter.Activate(layer.Activation, sum) : sum;
            string target = q == 0 ? $"({j}) * {lanes}" : $"({j} + {q}) * {lanes}";
            w.Line($"{vec}.StoreUnsafe({value}, ref s, {(outOffset == 0 ? target : $"{outOffset} + {target}")});");
        }
    }
}
