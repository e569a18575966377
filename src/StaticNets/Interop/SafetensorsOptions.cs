using System.Collections.Generic;

namespace StaticNets.Interop;

/// <summary>How network layers map onto safetensors tensor names.</summary>
/// <remarks>
/// Layer <c>l</c> is the pair <c>{LayerNames[l]}.{WeightSuffix}</c> (shape <c>[out, in]</c>, as PyTorch's
/// <c>nn.Linear.weight</c>) and <c>{LayerNames[l]}.{BiasSuffix}</c> (shape <c>[out]</c>). Without
/// <see cref="LayerNames"/>, export names layers <c>layers.0</c>, <c>layers.1</c>, …, and import takes every
/// prefix that has both tensors, in natural order (<c>0 &lt; 2 &lt; 10</c>, <c>fc1 &lt; fc2</c>) — which is what
/// <c>model.state_dict()</c> of an <c>nn.Sequential</c> or of a module with <c>fc1</c>, <c>fc2</c>, … gives.
/// </remarks>
public sealed class SafetensorsOptions
{
    /// <summary>The tensor-name prefix of each layer, input side first; null for the default naming.</summary>
    public IReadOnlyList<string>? LayerNames { get; init; }

    /// <summary>The suffix of weight tensors (default <c>"weight"</c>).</summary>
    public string WeightSuffix { get; init; } = "weight";

    /// <summary>The suffix of bias tensors (default <c>"bias"</c>).</summary>
    public string BiasSuffix { get; init; } = "bias";

    /// <summary>Extra string metadata written into the header's <c>__metadata__</c> on export.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal static readonly SafetensorsOptions Default = new();
}
