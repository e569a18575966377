namespace StaticNets.Generator.Model;

/// <summary>The <c>Weights = "file.snet"</c> argument of a declaration and where it is, for diagnostics.</summary>
internal sealed record WeightsRequest(string Path, LocationInfo? Location);

/// <summary>
/// The parameters of a verified weights file, as the little-endian bytes the emitter writes into the assembly.
/// Equatable by content, so an unchanged file keeps the emitted source cached.
/// </summary>
internal sealed record BakedWeightsData(string FileName, EquatableArray<byte> ParameterBytes, uint Checksum);

/// <summary>An <c>AdditionalFiles</c> item ending in <c>.snet</c>: its path and bytes, or why it could not be read.</summary>
internal sealed record WeightsFile(string Path, EquatableArray<byte> Bytes, string? Error);

/// <summary>A spec after its weights were resolved, and the diagnostic when they could not be.</summary>
internal sealed record ResolvedSpec(NetworkSpec Spec, DiagnosticInfo? Diagnostic);

/// <summary>Baked weights ride on the spec as optional members, so the emitter still receives one value.</summary>
internal sealed partial record NetworkSpec
{
    /// <summary>What the declaration asked for; null without <c>Weights</c>.</summary>
    public WeightsRequest? Weights { get; init; }

    /// <summary>The verified parameters to bake in; null until resolved, or when resolution failed.</summary>
    public BakedWeightsData? Baked { get; init; }
}
