using System.Linq;
using System.Text;
using StaticNets.Generator.Helpers;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// The fused single-sample forward of a small network: one method per vector width (512, 256, 128 bits)
/// that runs every layer with constant bounds over a padded copy of the transposed weights, the activation
/// applied in registers before the store. For networks where per-layer kernel calls (guards, slices, width
/// dispatch, a call each) cost more than the arithmetic.
/// </summary>
internal static class FusedForwardEmitter
{
    /// <summary>Largest layer (inputs and outputs) a fused network may have: 64 × 64 weights.</summary>
    public const int MaxLayerSize = 64;

    // Rows of the padded copy are whole 64-byte lines, so every vector load of any width stays inside its row
    // and the padding lanes (zero weights, zero biases) compute zeros that are never read.
    private const int RowBytes = 64;

    // Accumulators one layer may use: independent chains over the inputs hide the FMA latency (the critical
    // path of a tiny net). Eight in flight cover two FMA ports of 4-cycle latency at every width; 16 at 512 bits
    // measured slower (N1 0.97x single, 0.74x batch 256 with 8, RESULTS.md round 17): each chain more costs a
    // tree addition, and the lane forward's outputs per pass are its accumulators over the chains, so fewer
    // chains load each lane row for more outputs.
    internal const int MaxAccumulators = 8;

    internal const int MaxChains = 8;

    /// <summary>
    /// Whether the network gets a fused single-sample forward: a dense chain (dropout is the identity there) of layers
    /// at most 64 × 64 whose three fused methods together write at most <see cref="Strategies.FusedMultiplyAddBudget"/>
    /// vector multiply-adds. Above it the unrolled code measured slower than the per-layer code (and grew to megabytes).
    /// </summary>
    public static bool Applies(NetworkSpec spec) => Candidate(spec) && MultiplyAdds(spec) <= Strategies.FusedMultiplyAddBudget;

    /// <summary>A dense chain of layers at most 64 × 64: fused if it also fits the budget.</summary>
    private static bool Candidate(NetworkSpec spec)
        => NetworkGenerator.Emitter.IsDenseChain(spec) && spec.Layers.OfType<DenseLayerSpec>().All(d => d.Inputs <= MaxLayerSize && d.Outputs <= MaxLayerSize);

    /// <summary>
    /// The vector multiply-adds the three fused methods would write (each a statement of the source): per width and
    /// layer, a loop body of chains × vectors plus the unrolled inputs × vectors, where the unrolled inputs are all of
    /// them after a layer kept in registers and the remainder of the loop otherwise. Mirrors <see cref="EmitMethod"/>.
    /// </summary>
    public static int MultiplyAdds(NetworkSpec spec)
    {
        var layers = spec.Layers.OfType<DenseLayerSpec>().ToList();
        long total = 0;
        foreach (int bits in new[] { 512, 256, 128 })
        {
            int lanes = bits / 8 / ScalarBytes(spec);
            bool previousInRegisters = false;
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                int vectors = (layer.Outputs + lanes - 1) / lanes;
                int chains = Chains(spec, layer, bits);
                int group = Group(spec, layers, i, bits);
                if (group > 1)
                {
                    total += layer.Inputs / group;
                }
                else if (previousInRegisters)
                {
                    total += (long)layer.Inputs * vectors;
                }
                else
                {
                    int main = layer.Inputs / chains * chains;
                    total += (main > 0 ? (long)chains * vectors : 0) + (long)(layer.Inputs - main) * vectors;
                }
                previousInRegisters = i < layers.Count - 1 && KeptInRegisters(layer.Activation);
            }
        }
        return (int)System.Math.Min(int.MaxValue, total);
    }

    internal static int ScalarBytes(NetworkSpec spec) => spec.Scalar == ScalarKind.Double ? 8 : 4;

    /// <summary>Outputs rounded up to whole 64-byte rows.</summary>
    internal static int Padded(NetworkSpec spec, int outputs)
    {
        int lanes = RowBytes / ScalarBytes(spec);
        return (outputs + lanes - 1) / lanes * lanes;
    }

    private static int LayerLength(NetworkSpec spec, DenseLayerSpec layer) => (layer.Inputs + 1) * Padded(spec, layer.Outputs);

    /// <summary>
    /// Elements of the padded copy: per layer, Wᵀ rows of padded width then the padded biases; after them the grouped
    /// copies (<see cref="Group"/>) of the layers that some width computes grouped.
    /// </summary>
    public static int Length(NetworkSpec spec)
    {
        var layers = spec.Layers.OfType<DenseLayerSpec>().ToList();
        return layers.Sum(l => LayerLength(spec, l)) + GroupedCopies(spec, layers).Sum(c => c.Length);
    }

    // The grouped copies in the order they follow the padded layers: per width (512, 256, 128), per grouped layer.
    private static System.Collections.Generic.IEnumerable<(int Bits, int Layer, int Group, int Offset, int Length)> GroupedCopies(
        NetworkSpec spec, System.Collections.Generic.IReadOnlyList<DenseLayerSpec> layers)
    {
        int offset = layers.Sum(l => LayerLength(spec, l));
        foreach (int bits in new[] { 512, 256, 128 })
        {
            int lanes = bits / 8 / ScalarBytes(spec);
            for (int i = 0; i < layers.Count; i++)
            {
                int group = Group(spec, layers, i, bits);
                if (group == 1)
                    continue;
                int length = (layers[i].Inputs / group + 1) * lanes;
                yield return (bits, i, group, offset, length);
                offset += length;
            }
        }
    }

    /// <summary>
    /// Inputs per multiply-add when layer <paramref name="i"/> is computed grouped in the fused method of this width, else 1.
    /// A layer whose outputs fill at most half a vector would waste the other lanes (a 32 → 4 layer at 512 bits: 32
    /// multiply-adds of which a quarter of the lanes are used); grouped, lane o·G + g holds output o times input k + g,
    /// so it takes Inputs / G. Chain c of the ungrouped layer is lane group c mod G of accumulator c / G, and the chains are
    /// summed in the same tree, so the grouped layer gives the same bits (and the lane forward's). Only for inputs in
    /// registers (a block of G inputs is one permute), a power-of-two number of chains, and inputs a multiple of it.
    /// </summary>
    internal static int Group(NetworkSpec spec, System.Collections.Generic.IReadOnlyList<DenseLayerSpec> layers, int i, int bits)
    {
        var layer = layers[i];
        int lanes = bits / 8 / ScalarBytes(spec);
        int outputs = 1;
        while (outputs < layer.Outputs)
            outputs *= 2;
        int chains = Chains(spec, layer, bits);
        int group = System.Math.Min(lanes / outputs, chains);
        bool powerOfTwo = (chains & (chains - 1)) == 0;
        return InputsInRegisters(layers, i) && group >= 2 && powerOfTwo && layer.Inputs % chains == 0 ? group : 1;
    }

    internal static int Offset(NetworkSpec spec, DenseLayerSpec layer)
        => spec.Layers.OfType<DenseLayerSpec>().Where(l => l.Index < layer.Index).Sum(l => LayerLength(spec, l));

    /// <summary>The header line naming the strategy.</summary>
    public static string Describe(NetworkSpec spec)
        => Applies(spec)
            ? $"Single-sample forward: fused (every layer ≤ {MaxLayerSize} × {MaxLayerSize}, {MultiplyAdds(spec)} vector multiply-adds written out, budget {Strategies.FusedMultiplyAddBudget}): one method per vector width, constant bounds, padded transposed weights, activations applied in registers{DescribeGroups(spec)}"
            : $"Single-sample forward: per layer, not fused: the fused methods would write {MultiplyAdds(spec)} vector multiply-adds, over the budget of {Strategies.FusedMultiplyAddBudget} (above it they measured slower than the per-layer code)";

    // "; grouped: layer 2 by 4 at 512 bits, by 2 at 256 bits" (inputs per multiply-add), or nothing.
    private static string DescribeGroups(NetworkSpec spec)
    {
        var layers = spec.Layers.OfType<DenseLayerSpec>().ToList();
        var parts = GroupedCopies(spec, layers).GroupBy(c => c.Layer)
            .Select(g => $"layer {layers[g.Key].Index} " + string.Join(", ", g.Select(c => $"by {c.Group} at {c.Bits} bits"))).ToList();
        return parts.Count == 0 ? "" : "; grouped (inputs per multiply-add): " + string.Join("; ", parts);
    }

    /// <summary>Whether the header says why the network is not fused: a dense chain of small layers over the budget.</summary>
    public static bool OverBudget(NetworkSpec spec) => Candidate(spec) && !Applies(spec);

    /// <summary>Statements inside the refresh lock that rebuild the padded copy from <c>_parameters</c>.</summary>
    public static void EmitRefresh(SourceWriter w, NetworkSpec spec)
    {
        string t = Names.Scalar(spec.Scalar);
        w.Line($"global::System.Span<{t}> fused = _fused.Span;");
        w.Line($"global::System.ReadOnlySpan<{t}> parameters = _parameters.Span;");
        foreach (var layer in spec.Layers.OfType<DenseLayerSpec>())
        {
            int o = Offset(spec, layer), p = Padded(spec, layer.Outputs);
            w.Comment($"Layer {layer.Index}: fused[{o} + k·{p} + j] = w[j, k], biases at {o + layer.Inputs * p}; padding lanes stay zero.");
            using (w.Block($"for (int j = 0; j < {layer.Outputs}; j++)"))
            {
                w.Line($"for (int k = 0; k < {layer.Inputs}; k++)");
                w.Line($"    fused[{o} + k * {p} + j] = parameters[{layer.WeightOffset} + j * {layer.Inputs} + k];");
                w.Line($"fused[{o + layer.Inputs * p} + j] = parameters[{layer.BiasOffset} + j];");
            }
        }
        var layers = spec.Layers.OfType<DenseLayerSpec>().ToList();
        foreach (var copy in GroupedCopies(spec, layers))
        {
            var layer = layers[copy.Layer];
            int lanes = copy.Bits / 8 / ScalarBytes(spec), g = copy.Group, o = copy.Offset;
            w.Comment($"Layer {layer.Index} grouped by {g} at {copy.Bits} bits: fused[{o} + (k / {g})·{lanes} + j·{g} + k % {g}] = w[j, k], biases at {o + layer.Inputs / g * lanes} + j·{g}.");
            using (w.Block($"for (int j = 0; j < {layer.Outputs}; j++)"))
            {
                w.Line($"for (int k = 0; k < {layer.Inputs}; k++)");
                w.Line($"    fused[{o} + k / {g} * {lanes} + j * {g} + k % {g}] = parameters[{layer.WeightOffset} + j * {layer.Inputs} + k];");
                w.Line($"fused[{o + layer.Inputs / g * lanes} + j * {g}] = parameters[{layer.BiasOffset} + j];");
            }
        }
    }

    /// <summary>The dispatch at the end of <c>Forward</c>: the widest fused method the kernels would use, else falls through.</summary>
    public static void EmitDispatch(SourceWriter w, NetworkSpec spec)
    {
        string t = Names.Scalar(spec.Scalar);
        w.Comment("Small network: one fused method for all layers, at the width the kernels use; the per-layer code is the scalar path.");
        w.Line($"ref {t} xf = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(input);");
        foreach (int bits in new[] { 512, 256, 128 })
        {
            w.Line($"if (global::StaticNets.Kernels.FusedSimd.Use{bits}<{t}>())");
            using (w.Block())
            {
                w.Line($"ForwardFused{bits}(ref xf, output);");
                w.Line("return;");
            }
        }
    }

    /// <summary>The three fused methods.</summary>
    public static void EmitMethods(SourceWriter w, NetworkSpec spec)
    {
        foreach (int bits in new[] { 512, 256, 128 })
        {
            EmitMethod(w, spec, bits);
            w.Line();
        }
    }

    private static void EmitMethod(SourceWriter w, NetworkSpec spec, int bits)
    {
        string t = Names.Scalar(spec.Scalar);
        string vec = $"global::System.Runtime.Intrinsics.Vector{bits}";
        string v = $"{vec}<{t}>";
        string unsafeAdd = "global::System.Runtime.CompilerServices.Unsafe.Add";
        int lanes = bits / 8 / ScalarBytes(spec);
        var layers = spec.Layers.OfType<DenseLayerSpec>().ToList();
        int last = layers.Count - 1;
        var output = layers[last];
        // Hidden layers with ReLU, LeakyReLU or identity stay in registers. Scratch: the padded activations of
        // the other hidden layers (their kernel works on memory), then the output layer's z when it cannot go
        // straight into output (ragged for this width, or an activation that needs the whole row).
        bool outputInRegisters = InRegisters(output.Activation) && output.Outputs % lanes == 0;
        bool vectorSoftmax = VectorSoftmax(spec, output);
        int scratch = layers.Take(last).Where(l => !KeptInRegisters(l.Activation)).Sum(l => Padded(spec, l.Outputs)) + (outputInRegisters || vectorSoftmax ? 0 : Padded(spec, output.Outputs));

        w.Line($"/// <summary>All {layers.Count} layers for one sample with {bits}-bit vectors; <paramref name=\"x\"/> and <paramref name=\"output\"/> have been length-checked.</summary>");
        w.Line(Names.OptimizationAttribute);
        using (w.Block($"private void ForwardFused{bits}(ref {t} x, {Names.Span}<{t}> output)"))
        {
            w.Line($"ref {t} f = ref _fused.GetPinnableReference();");
            if (outputInRegisters || (output.Activation == ActivationKind.Softmax && output.Outputs < SmallSoftmax))
                w.Line($"ref {t} y = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(output);");
            if (scratch > 0)
            {
                w.Line($"{Names.Span}<{t}> scratch = stackalloc {t}[{scratch}];");
                w.Line($"ref {t} s = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(scratch);");
            }
            int spill = Enumerable.Range(0, last).Where(i => KeptInRegisters(layers[i].Activation)).Select(i => Spilled(spec, layers, i, bits) * lanes).DefaultIfEmpty(0).Max();
            if (spill > 0)
            {
                w.Line($"{Names.Span}<{t}> spill = stackalloc {t}[{spill}];");
                w.Line($"ref {t} sp = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(spill);");
            }
            string input = "x";
            int inputOffset = 0, scratchOffset = 0;
            int registerInput = -1; // index of the previous layer when its activations are still in registers
            int registerVectors = 0; // that layer's vectors of activations, and how many of them went to the spill copy
            int registerSpilled = 0;
            foreach (var layer in layers)
            {
                int l = layer.Index, p = Padded(spec, layer.Outputs), o = Offset(spec, layer);
                int vectors = (layer.Outputs + lanes - 1) / lanes;
                int chains = Chains(spec, layer, bits);
                int group = Group(spec, layers, layers.IndexOf(layer), bits);
                bool isOutput = ReferenceEquals(layer, output);
                if (group > 1)
                    w.Comment($"Layer {l}: dense {layer.Inputs} → {layer.Outputs}, {layer.Activation}: grouped, {group} inputs per multiply-add (lane o·{group} + g: output o, input k + g); {chains} chains as {chains / group} accumulator(s) of {group} lane groups.");
                else
                    w.Comment($"Layer {l}: dense {layer.Inputs} → {layer.Outputs}, {layer.Activation}: {vectors} vector(s) of outputs, {chains} chain(s) over the inputs.");
                bool keepInRegisters = !isOutput && KeptInRegisters(layer.Activation);
                if (keepInRegisters)
                    w.Line($"{v} " + string.Join(", ", Enumerable.Range(0, vectors).Select(q => $"h{l}_{q}")) + ";");
                using (w.Block())
                {
                    if (group > 1)
                        EmitGrouped(w, spec, layer, bits, group, chains, GroupedCopies(spec, layers).First(c => c.Bits == bits && c.Layer == layers.IndexOf(layer)).Offset, registerInput);
                    else
                        w.Line($"ref {t} wt = ref {unsafeAdd}(ref f, {o});");
                    // Chain 0 starts at the biases, the others at zero.
                    for (int c = 0; c < (group > 1 ? 0 : chains); c++)
                    {
                        var decl = new StringBuilder($"{v} ");
                        for (int q = 0; q < vectors; q++)
                            decl.Append(q == 0 ? "" : ", ").Append($"a{c}_{q} = ").Append(c == 0 ? $"{vec}.LoadUnsafe(ref wt, {layer.Inputs * p + q * lanes})" : $"{v}.Zero");
                        w.Line(decl.Append(';').ToString());
                    }
                    string inputRef = input == "x" ? "x" : "s";
                    int main = layer.Inputs / chains * chains;
                    if (group > 1)
                    {
                        main = layer.Inputs;
                    }
                    else if (registerInput >= 0)
                    {
                        // The previous layer's activations are still in registers: each input is a lane broadcast
                        // with a constant index (one permute by a constant index vector), so the inputs are unrolled.
                        // The inputs of the spilled vectors are broadcast loads from the spill copy instead (see Spilled).
                        int firstSpilled = (registerVectors - registerSpilled) * lanes;
                        for (int k = 0; k < layer.Inputs; k++)
                        {
                            int c = k % chains;
                            if (k >= firstSpilled)
                                w.Line($"{v} xk{k} = {vec}.Create({unsafeAdd}(ref sp, {k - firstSpilled}));");
                            else
                                w.Line($"{v} xk{k} = {vec}.Shuffle(h{registerInput}_{k / lanes}, {vec}.Create({(spec.Scalar == ScalarKind.Double ? $"{k % lanes}L" : $"{k % lanes}")}));");
                            var line = new StringBuilder();
                            for (int q = 0; q < vectors; q++)
                                line.Append(q == 0 ? "" : " ").Append($"a{c}_{q} = global::StaticNets.Kernels.FusedSimd.MultiplyAdd({vec}.LoadUnsafe(ref wt, {k * p + q * lanes}), xk{k}, a{c}_{q});");
                            w.Line(line.ToString());
                        }
                        main = layer.Inputs;
                    }
                    else if (main > 0)
                    {
                        using (w.Block($"for (nuint k = 0; k < {main}; k += {chains})"))
                        {
                            for (int c = 0; c < chains; c++)
                            {
                                string kk = c == 0 ? "k" : $"k + {c}";
                                string index = inputOffset == 0 ? kk : $"{inputOffset} + {kk}";
                                w.Line($"{v} x{c} = {vec}.Create({unsafeAdd}(ref {inputRef}, {index}));");
                                var line = new StringBuilder();
                                for (int q = 0; q < vectors; q++)
                                    line.Append(q == 0 ? "" : " ").Append($"a{c}_{q} = global::StaticNets.Kernels.FusedSimd.MultiplyAdd({vec}.LoadUnsafe(ref wt, ({kk}) * {p} + {q * lanes}), x{c}, a{c}_{q});");
                                w.Line(line.ToString());
                            }
                        }
                    }
                    for (int k = main; k < layer.Inputs; k++)
                    {
                        w.Line($"{v} xt{k} = {vec}.Create({unsafeAdd}(ref {inputRef}, {inputOffset + k}));");
                        var line = new StringBuilder();
                        for (int q = 0; q < vectors; q++)
                            line.Append(q == 0 ? "" : " ").Append($"a0_{q} = global::StaticNets.Kernels.FusedSimd.MultiplyAdd({vec}.LoadUnsafe(ref wt, {k * p + q * lanes}), xt{k}, a0_{q});");
                        w.Line(line.ToString());
                    }
                    for (int q = 0; q < vectors; q++)
                    {
                        string sum = group > 1 ? "a0" : TreeSum(Enumerable.Range(0, chains).Select(c => $"a{c}_{q}").ToList());
                        string activated = InRegisters(layer.Activation) ? Activate(layer.Activation, sum) : sum;
                        string target = isOutput && outputInRegisters ? $"ref y, {q * lanes}" : $"ref s, {scratchOffset + q * lanes}";
                        if (keepInRegisters)
                        {
                            w.Line($"h{l}_{q} = {activated};");
                            int spilled = Spilled(spec, layers, layers.IndexOf(layer), bits);
                            if (q >= vectors - spilled)
                                w.Line($"{vec}.StoreUnsafe(h{l}_{q}, ref sp, {(q - (vectors - spilled)) * lanes});");
                        }
                        else if (isOutput && vectorSoftmax)
                            w.Line($"{v} o{q} = {activated};");
                        else
                            w.Line($"{vec}.StoreUnsafe({activated}, {target});");
                    }
                    if (isOutput && vectorSoftmax)
                        EmitVectorSoftmax(w, spec, layer, bits);
                    else if (isOutput)
                        EmitOutputActivation(w, spec, layer, outputInRegisters, scratchOffset);
                    else if (!InRegisters(layer.Activation))
                        w.Line($"{Names.ActivationForward(layer.Activation)}<{t}>(scratch.Slice({scratchOffset}, {layer.Outputs}), scratch.Slice({scratchOffset}, {layer.Outputs}));");
                }
                input = "s";
                inputOffset = scratchOffset;
                if (!keepInRegisters)
                    scratchOffset += p;
                registerInput = keepInRegisters ? l : -1;
                registerVectors = vectors;
                registerSpilled = keepInRegisters ? Spilled(spec, layers, layers.IndexOf(layer), bits) : 0;
            }
        }
    }

    // A grouped layer (see Group): the accumulators, one multiply-add per block of inputs, then the chains' tree: the
    // levels within a lane group by in-vector swaps, the others across accumulators; a0 then holds output o in lane o.
    private static void EmitGrouped(SourceWriter w, NetworkSpec spec, DenseLayerSpec layer, int bits, int group, int chains, int offset, int registerInput)
    {
        string t = Names.Scalar(spec.Scalar);
        string vec = $"global::System.Runtime.Intrinsics.Vector{bits}";
        string v = $"{vec}<{t}>";
        string suffix = spec.Scalar == ScalarKind.Double ? "L" : "";
        int lanes = bits / 8 / ScalarBytes(spec), accumulators = chains / group, blocks = layer.Inputs / group;
        string Indices(System.Func<int, int> lane) => $"{vec}.Create({string.Join(", ", Enumerable.Range(0, lanes).Select(i => lane(i) + suffix))})";
        w.Line($"ref {t} wt = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref f, {offset});");
        w.Line($"{v} " + string.Join(", ", Enumerable.Range(0, accumulators).Select(r => r == 0 ? $"a0 = {vec}.LoadUnsafe(ref wt, {blocks * lanes})" : $"a{r} = {v}.Zero")) + ";");
        for (int b = 0; b < blocks; b++)
        {
            int k = b * group;
            w.Line($"a{k % chains / group} = global::StaticNets.Kernels.FusedSimd.MultiplyAdd({vec}.LoadUnsafe(ref wt, {b * lanes}), {vec}.Shuffle(h{registerInput}_{k / lanes}, {Indices(i => k % lanes + i % group)}), a{k % chains / group});");
        }
        for (int step = 1; step < chains; step *= 2)
        {
            if (step < group)
            {
                for (int r = 0; r < accumulators; r++)
                    w.Line($"a{r} += {vec}.Shuffle(a{r}, {Indices(i => i ^ step)});");
            }
            else
            {
                int apart = step / group;
                for (int r = 0; r < accumulators; r += 2 * apart)
                    w.Line($"a{r} += a{r + apart};");
            }
        }
        w.Line($"a0 = {vec}.Shuffle(a0, {Indices(i => i % (lanes / group) * group)});");
    }

    // (a0 + a1) + (a2 + a3): the chains are summed pairwise, log₂ deep rather than one after another.
    internal static string TreeSum(System.Collections.Generic.List<string> terms)
    {
        while (terms.Count > 1)
        {
            var next = new System.Collections.Generic.List<string>();
            for (int i = 0; i + 1 < terms.Count; i += 2)
                next.Add($"({terms[i]} + {terms[i + 1]})");
            if (terms.Count % 2 == 1)
                next.Add(terms[terms.Count - 1]);
            terms = next;
        }
        return terms[0];
    }

    // How many of a register-kept layer's activation vectors are also stored to the spill copy, from the last: the next
    // layer reads those inputs as broadcast loads (load ports) instead of lane permutes, each of which takes the shuffle
    // port, on Intel also the second 512-bit FMA port. With 16 accumulators a layer, spilling only the last half measured
    // best (the permuted half hid the store-to-load forwarding); with 8, whose chains are twice as long, spilling all
    // measured 0.96-0.98x that at 512 bits and the same at 256 (RESULTS.md round 17). A grouped next layer needs one
    // permute per block of inputs, so nothing is spilled for it.
    private static int Spilled(NetworkSpec spec, System.Collections.Generic.IReadOnlyList<DenseLayerSpec> layers, int i, int bits)
    {
        int lanes = bits / 8 / ScalarBytes(spec);
        return i + 1 < layers.Count && Group(spec, layers, i + 1, bits) > 1 ? 0 : (layers[i].Outputs + lanes - 1) / lanes;
    }

    // A hidden layer with a register activation is applied in registers and never goes through the activation kernel
    // or the scratch; the next layer reads it from those registers (grouped: permutes) or from the spill copy (Spilled).
    private static bool KeptInRegisters(ActivationKind activation) => InRegisters(activation);

    internal static bool InRegisters(ActivationKind activation)
        => activation is ActivationKind.Identity or ActivationKind.ReLU or ActivationKind.LeakyReLU;

    // FusedSimd.ReLU/LeakyReLU: one x86 max with z second (NaN passes through, −0 stays −0), not VectorNNN.Max, whose
    // IEEE 754 semantics cost a vfixupimm after every max.
    internal static string Activate(ActivationKind activation, string sum) => activation switch
    {
        ActivationKind.ReLU => $"global::StaticNets.Kernels.FusedSimd.ReLU({sum})",
        ActivationKind.LeakyReLU => $"global::StaticNets.Kernels.FusedSimd.LeakyReLU({sum})",
        _ => sum,
    };

    /// <summary>
    /// The independent partial sums (chains) per output of a layer in the fused method of this width: enough to hide the
    /// multiply-add latency within the accumulator budget. The lane forward uses the same chains, in the same order.
    /// </summary>
    internal static int Chains(NetworkSpec spec, DenseLayerSpec layer, int bits)
    {
        int lanes = bits / 8 / ScalarBytes(spec);
        int vectors = (layer.Outputs + lanes - 1) / lanes;
        return System.Math.Max(1, System.Math.Min(System.Math.Min(MaxChains, MaxAccumulators / vectors), layer.Inputs));
    }

    /// <summary>
    /// Whether the fused method reads layer <paramref name="i"/>'s inputs from registers (the previous layer is hidden with
    /// an activation applied in registers): then every input k goes to chain k mod chains, the loop's remainder included;
    /// from memory the inputs after the last whole round of chains go to chain 0.
    /// </summary>
    internal static bool InputsInRegisters(System.Collections.Generic.IReadOnlyList<DenseLayerSpec> layers, int i)
        => i > 0 && KeptInRegisters(layers[i - 1].Activation);

    /// <summary>Below this many outputs the fused softmax is written out (in one vector, or scalar code) rather than the kernel's.</summary>
    internal const int SmallSoftmax = 8;

    /// <summary>Whether the output softmax runs in one 128- or 256-bit vector, straight from the output layer's registers.</summary>
    private static bool VectorSoftmax(NetworkSpec spec, DenseLayerSpec output)
        => output.Activation == ActivationKind.Softmax && output.Outputs < SmallSoftmax && output.Outputs <= 32 / ScalarBytes(spec);

    /// <summary>
    /// Softmax of the output layer's sums <c>o0, o1, …</c> in one small vector: the padding lanes set to −∞, the maximum by
    /// shuffles, <see cref="LaneKernels"/>' exponential, the sum in output order, one division. Each step is the lane
    /// forward's for one sample, so both give the same bits.
    /// </summary>
    private static void EmitVectorSoftmax(SourceWriter w, NetworkSpec spec, DenseLayerSpec layer, int bits)
    {
        string t = Names.Scalar(spec.Scalar);
        int n = layer.Outputs, sb = ScalarBytes(spec);
        int small = n <= 16 / sb ? 128 : 256;
        int count = small / 8 / sb;
        string sv = $"global::System.Runtime.Intrinsics.Vector{small}";
        string z;
        string big = $"global::System.Runtime.Intrinsics.Vector{bits}";
        if (bits == small)
            z = "o0";
        else if (bits > small)
            z = bits == 512 && small == 128 ? "global::System.Runtime.Intrinsics.Vector256.GetLower(global::System.Runtime.Intrinsics.Vector512.GetLower(o0))" : $"{big}.GetLower(o0)";
        else
            z = $"{sv}.Create(o0, o1)"; // 128-bit method, more outputs than one 128-bit vector holds
        w.Comment($"Softmax over {n} outputs in one {small}-bit vector: padding lanes −∞, maximum by shuffles (x86 max: a NaN still reaches every output through the sum), LaneKernels.Exp, the sum in output order.");
        w.Line($"{sv}<{t}> z = {z};");
        if (n < count)
        {
            string index = sb == 4 ? "int" : "long";
            string indices = string.Join(", ", Enumerable.Range(0, count).Select(i => sb == 4 ? $"{i}" : $"{i}L"));
            w.Line($"z = {sv}.ConditionalSelect({sv}.As<{index}, {t}>({sv}.LessThan({sv}.Create({indices}), {sv}.Create(({index}){n}))), z, {sv}.Create({t}.NegativeInfinity));");
        }
        w.Line($"{sv}<{t}> m = z;");
        for (int step = 1; step < count; step *= 2)
        {
            string perm = string.Join(", ", Enumerable.Range(0, count).Select(i => (i ^ step) + (sb == 4 ? "" : "L")));
            w.Line($"m = global::StaticNets.Kernels.FusedSimd.MaxNative(m, {sv}.Shuffle(m, {sv}.Create({perm})));");
        }
        w.Line($"{sv}<{t}> e = global::StaticNets.Kernels.LaneKernels.Exp(z - m);");
        w.Line($"{t} sum = " + string.Join(" + ", Enumerable.Range(0, n).Select(j => j == 0 ? $"{sv}.ToScalar(e)" : $"{sv}.GetElement(e, {j})")) + ";");
        w.Line($"{sv}<{t}> q = e / {sv}.Create(sum);");
        if (n == count)
            w.Line($"{sv}.StoreUnsafe(q, ref y);");
        else
            for (int j = 0; j < n; j++)
                w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref y, {j}) = {sv}.GetElement(q, {j});");
    }

    private static void EmitOutputActivation(SourceWriter w, NetworkSpec spec, DenseLayerSpec layer, bool inRegisters, int offset)
    {
        string t = Names.Scalar(spec.Scalar);
        int n = layer.Outputs;
        if (inRegisters)
            return;
        if (InRegisters(layer.Activation))
        {
            w.Comment("Ragged for this width: the activated row was stored in the scratch, copied out here.");
            w.Line($"scratch.Slice({offset}, {n}).CopyTo(output);");
            return;
        }
        if (layer.Activation == ActivationKind.Softmax && n < SmallSoftmax)
        {
            string math = spec.Scalar == ScalarKind.Double ? "global::System.Math" : "global::System.MathF";
            string unsafeAdd = "global::System.Runtime.CompilerServices.Unsafe.Add";
            w.Comment($"Softmax over {n} outputs in scalar code (LaneKernels' exponential, as the lane forward): more than one 256-bit vector holds.");
            w.Line($"{t} " + string.Join(", ", Enumerable.Range(0, n).Select(j => $"z{j} = {unsafeAdd}(ref s, {offset + j})")) + ";");
            string max = "z0";
            for (int j = 1; j < n; j++)
                max = $"{math}.Max({max}, z{j})";
            w.Line($"{t} max = {max};");
            w.Line($"{t} " + string.Join(", ", Enumerable.Range(0, n).Select(j => $"e{j} = global::StaticNets.Kernels.LaneKernels.ExpScalar<{t}>(z{j} - max)")) + ";");
            w.Line($"{t} sum = " + string.Join(" + ", Enumerable.Range(0, n).Select(j => $"e{j}")) + ";");
            for (int j = 0; j < n; j++)
                w.Line($"{unsafeAdd}(ref y, {j}) = e{j} / sum;");
            return;
        }
        w.Comment("The output activation needs the whole row: the kernel, from the scratch into output.");
        w.Line($"{Names.ActivationForward(layer.Activation)}<{t}>(scratch.Slice({offset}, {n}), output);");
    }
}
