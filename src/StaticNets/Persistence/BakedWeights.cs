using System;
using System.ComponentModel;
using System.Numerics;

namespace StaticNets.Persistence;

/// <summary>
/// Called by generated code of networks declared with <c>Weights = "file.snet"</c>: copies the parameters the
/// generator embedded as static data (little-endian bytes) into the network. No file, no allocation.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BakedWeights
{
    /// <summary>Copies embedded little-endian parameters into <paramref name="parameters"/>.</summary>
    /// <param name="bytes">The embedded bytes: exactly <c>parameters.Length</c> values of <typeparamref name="T"/>.</param>
    /// <param name="parameters">The network's parameter span.</param>
    public static void CopyTo<T>(ReadOnlySpan<byte> bytes, Span<T> parameters) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        byte code = NetworkFileFormat.ElementCode<T>();
        Guard.Length(bytes.Length, parameters.Length * NetworkFileFormat.ElementSize(code), nameof(bytes));
        NetworkFileFormat.ReadValues(bytes, code, parameters);
    }
}
