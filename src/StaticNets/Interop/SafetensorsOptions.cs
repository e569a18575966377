using System.Collections.Generic;

namespace StaticNets.Interop;

/// <summary>How network layers map onto safetensors tensor names.</summary>
/// <remarks>
/// Names are given only to layers with parameters (dense and convolution layers); pooling, flatten, activation
/// and dropout layers have no tensors and take no name. Such a layer is <c>{name}.{WeightSuffix}</c> (shape
/// <c>[out, in]</c> as <c>nn.Linear.weight</c>, or <c>[out_c, in_c, kh, kw]</c> as <c>nn.Conv2d.weight</c>) and,
/// unless it is declared without bias, <c>{name}.{BiasSuffix}</c> (shape <c>[out]</c>). Without
/// <see cref="LayerNames"/>, export names the layer at index <c>i</c> of <see cref="NetworkInfo.Layers"/>
/// <c>layers.{i}</c>, counting parameter-free layers, as an <c>nn.Sequential</c> stored in an attribute
/// <c>layers</c> whose modules match the layers one to one; import takes every prefix of a weight tensor of
/// rank 2 or 4 (the ranks the network's weights have), in natural order (<c>0 &lt; 2 &lt; 10</c>,
/// <c>fc1 &lt; fc2</c>) — which is what <c>model.state_dict()</c> of an <c>nn.Sequential</c> or of a module with
/// <c>conv1</c>, <c>fc1</c>, … gives.
/// </remarks>
public sealed class SafetensorsOptions
{
    /// <summary>The tensor-name prefix of each layer that has parameters, input side first (parameter-free layers are skipped); null for the default naming.</summary>
    public IReadOnlyList<string>? LayerNames { get; init; }

    /// <summary>The suffix of weight tensors (default <c>"weight"</c>).</summary>
    public string WeightSuffix { get; init; } = "weight";

    /// <summary>The suffix of bias tensors (default <c>"bias"</c>).</summary>
    public string BiasSuffix { get; init; } = "bias";

    /// <summary>Extra string metadata written into the header's <c>__metadata__</c> on export.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal static readonly SafetensorsOptions Default = new();
}
