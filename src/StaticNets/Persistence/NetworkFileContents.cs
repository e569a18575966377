using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace StaticNets.Persistence;

/// <summary>A verified <c>.snet</c> file read without a network: for tools, converters and inspection.</summary>
public sealed class NetworkFileContents
{
    private readonly byte[] _data;
    private readonly ParsedFile _file;

    internal NetworkFileContents(byte[] data, ParsedFile file)
    {
        _data = data;
        _file = file;
    }

    /// <summary>The stored architecture (its <see cref="NetworkInfo.Name"/> is "file"; names are not stored).</summary>
    public NetworkInfo Architecture => _file.Info;

    /// <summary>The format version the file was written in: 2 for files this library writes, 1 for dense networks saved by earlier versions.</summary>
    public int FormatVersion => _file.Records.Version;

    /// <summary>The stored layers, input side first, with their shapes, hyperparameters and parameter blocks (the same as <c>Architecture.Layers</c>).</summary>
    public IReadOnlyList<LayerInfo> Layers => _file.Info.Layers;

    /// <summary>Shape of one input sample.</summary>
    public Shape InputShape => _file.Info.InputShape;

    /// <summary>The CRC-32 stored in (and verified against) the file.</summary>
    public uint Checksum => _file.Records.Checksum;

    /// <summary>The element type the parameters are stored as.</summary>
    public Precision Precision => _file.Info.Precision;

    /// <summary>Names of the optional sections, such as <c>"optimizer"</c>.</summary>
    public IReadOnlyList<string> SectionNames => _file.Sections.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

    /// <summary>The parameters converted to <typeparamref name="T"/> (float to double is exact).</summary>
    public T[] GetParameters<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> => Values<T>(_file.Parameters, _file.ElementCode);

    /// <summary>The values of a section converted to <typeparamref name="T"/> (int64 sections such as <c>"optimizer.steps"</c> too).</summary>
    /// <exception cref="KeyNotFoundException">The file has no section called <paramref name="name"/>.</exception>
    public T[] GetSection<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => _file.Sections.TryGetValue(name, out var range)
            ? Values<T>(range.Values, range.Type)
            : throw new KeyNotFoundException($"Expected a section '{name}' but the file has {(_file.Sections.Count == 0 ? "none" : string.Join(", ", SectionNames.Select(n => $"'{n}'")))}.");

    private T[] Values<T>(Range range, byte type) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var bytes = _data.AsSpan()[range];
        var values = new T[bytes.Length / (type == NetworkFileFormat.Int64Code ? 8 : NetworkFileFormat.ElementSize(type))];
        NetworkFileFormat.ReadValues(bytes, type, values.AsSpan());
        return values;
    }
}
