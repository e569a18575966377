namespace StaticNets.Interop;

/// <summary>Element type of the tensors in an exported ONNX model.</summary>
public enum OnnxElementType
{
    /// <summary>The network's own element type: float32 for single-precision networks, float64 for double.</summary>
    Native,
    /// <summary>Always float32; double-precision parameters are rounded. Runtimes support more float32 kernels.</summary>
    Float32,
}

/// <summary>Options of <see cref="OnnxExport"/>.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>The graph's name (default: the network's type name).</summary>
    public string? GraphName { get; init; }

    /// <summary>Tensor element type (default <see cref="OnnxElementType.Native"/>).</summary>
    public OnnxElementType ElementType { get; init; } = OnnxElementType.Native;

    internal static readonly OnnxExportOptions Default = new();
}
