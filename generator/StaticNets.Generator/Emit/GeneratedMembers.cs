using System;
using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// The names of the members the emitter declares in a network type, known from the spec before anything is emitted,
/// so the parse step can reject a type of such a name (SNN032) instead of generating code that fails with CS0542.
/// A superset is safe (a name is refused that would have worked); a missing name is not: the fuzz tests collect
/// every member of generated networks of each kind and check that this class knows it.
/// </summary>
internal static class GeneratedMembers
{
    /// <summary>Members of every network or of some kinds of network (dropout, baked weights, weight caches, recurrent layers, code layers).</summary>
    private static readonly HashSet<string> Fixed = new(StringComparer.Ordinal)
    {
        "InputSize", "OutputSize", "LayerCount", "ParameterCount", "Architecture", "Parameters", "EditParameters", "Initialize",
        "ParametersChanged", "Forward", "ForwardBatch", "ForwardPerLayer", "Classify", "Backward", "BackwardFromOutputGradient", "BackwardCore",
        "CreateWorkspace", "Workspace", "RefreshTransposed", "RefreshPacked",
        "BakedWeightBytes", "LoadBakedWeights", "FromBakedWeights",
        "Training", "DropoutSeed", "DropoutKey", "DropoutCalls", "Info",
        "StepInputSize", "StepOutputSize", "StateSize", "StepScratchSize", "BackpropagationWindow", "CreateState", "Step",
        "CodeSize", "CodeLayer", "Encode", "EncodeBatch",
    };

    /// <summary>Prefixes of generated names: fused and lane forwards (ForwardFused256, ForwardLanes512), private state (_parameters, t_singleSample, s_zeroBias0).</summary>
    private static readonly string[] Prefixes = { "ForwardFused", "ForwardLanes", "_", "t_", "s_" };

    /// <summary>Whether a network of <paramref name="spec"/> gets a member called <paramref name="name"/>.</summary>
    public static bool Declares(NetworkSpec spec, string name)
    {
        if (Fixed.Contains(name))
            return true;
        foreach (string prefix in Prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
                return true;
        }
        // Per-layer members: Layer0Weights, Layer2Forward, Layer3Shape, ...
        if (name.StartsWith("Layer", StringComparison.Ordinal))
        {
            int end = 5;
            while (end < name.Length && name[end] >= '0' && name[end] <= '9')
                end++;
            if (end > 5 && end < name.Length && int.TryParse(name.Substring(5, end - 5), out int index) && index < spec.Layers.Count && name.Substring(5, end - 5) == index.ToString())
                return true;
        }
        return false;
    }
}
