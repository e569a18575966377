using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using StaticNets.Persistence;

namespace StaticNets.Interop;

/// <summary>One tensor of a safetensors file: its name, dtype, shape and where its bytes lie in the file.</summary>
/// <param name="Name">The tensor's name, for example <c>fc1.weight</c>.</param>
/// <param name="DType">The dtype as written in the header, for example <c>F32</c>.</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Offset">Index of the first byte in the whole file.</param>
/// <param name="Length">Number of bytes.</param>
public sealed record SafetensorsTensor(string Name, string DType, IReadOnlyList<long> Shape, long Offset, long Length)
{
    /// <summary>The shape as PyTorch prints it, for example <c>[32, 64]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// The verified header of a safetensors file (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length, a JSON header mapping names to dtype, shape and data offsets, then the data.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderSize = 100_000_000;

    private static readonly Dictionary<string, int> DTypeSizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    private SafetensorsFile(IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when there are none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public SafetensorsTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    /// <summary>Parses and checks a whole file: header size, JSON, dtypes, shapes against byte counts, and offsets (in range, no overlap, no gap).</summary>
    /// <exception cref="InvalidNetworkFileException">The file breaks the format.</exception>
    public static SafetensorsFile Parse(ReadOnlySpan<byte> file, string? source = null)
    {
        if (file.Length < 8)
            throw Error(NetworkFileProblem.Truncated, "File too short for the header length", "at least 8 bytes", $"{file.Length} bytes", source);
        ulong headerSize = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerSize > MaxHeaderSize)
            throw Error(NetworkFileProblem.Malformed, "Header too large", $"at most {MaxHeaderSize} bytes", $"{headerSize} bytes", source);
        if ((long)headerSize > file.Length - 8)
            throw Error(NetworkFileProblem.Truncated, "File ends inside the header", $"{headerSize} header bytes", $"{file.Length - 8}", source);
        var header = file.Slice(8, (int)headerSize);
        if (header.IsEmpty || header[0] != (byte)'{')
            throw Error(NetworkFileProblem.Malformed, "Malformed header", "a JSON object starting with '{'", header.IsEmpty ? "an empty header" : $"'{(char)header[0]}'", source);
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw Error(NetworkFileProblem.Malformed, "Malformed header", "UTF-8 JSON", "invalid UTF-8", source);
        long dataStart = 8 + (long)headerSize, dataLength = file.Length - dataStart;

        var tensors = new List<SafetensorsTensor>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Error(NetworkFileProblem.Malformed, "Malformed header", "a JSON object", document.RootElement.ValueKind.ToString(), source);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw Error(NetworkFileProblem.Malformed, "Malformed header", "unique tensor names", $"'{property.Name}' twice", source);
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw Error(NetworkFileProblem.Malformed, "Malformed __metadata__", "an object of strings", property.Value.ValueKind.ToString(), source);
                    foreach (var entry in property.Value.EnumerateObject())
                    {
                        if (entry.Value.ValueKind != JsonValueKind.String)
                            throw Error(NetworkFileProblem.Malformed, "Malformed __metadata__", $"a string for '{entry.Name}'", entry.Value.ValueKind.ToString(), source);
                        metadata[entry.Name] = entry.Value.GetString()!;
                    }
                    continue;
                }
                tensors.Add(ReadTensor(property, dataStart, dataLength, source));
            }
        }
        catch (JsonException ex)
        {
            throw Error(NetworkFileProblem.Malformed, "Malformed header", "valid JSON", ex.Message, source);
        }

        // The data must be covered exactly: sorted by offset, each tensor starts where the previous ended.
        long expectedStart = 0;
        foreach (var tensor in tensors.OrderBy(t => t.Offset).ThenBy(t => t.Length))
        {
            long begin = tensor.Offset - dataStart;
            if (begin < expectedStart)
                throw Error(NetworkFileProblem.Malformed, $"Tensor '{tensor.Name}' overlaps another", $"data_offsets starting at {expectedStart} or later", $"{begin}", source);
            if (begin > expectedStart)
                throw Error(NetworkFileProblem.Malformed, $"Gap before tensor '{tensor.Name}'", $"data_offsets starting at {expectedStart}", $"{begin}", source);
            expectedStart = begin + tensor.Length;
        }
        if (expectedStart != dataLength)
            throw Error(expectedStart > dataLength ? NetworkFileProblem.Truncated : NetworkFileProblem.TrailingData,
                "Data section size differs from the tensors", $"{expectedStart} data bytes", $"{dataLength}", source);
        return new SafetensorsFile(tensors, metadata);
    }

    private static SafetensorsTensor ReadTensor(JsonProperty property, long dataStart, long dataLength, string? source)
    {
        string name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw Error(NetworkFileProblem.Malformed, $"Malformed entry '{name}'", "an object with dtype, shape and data_offsets", value.ValueKind.ToString(), source);
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Error(NetworkFileProblem.Malformed, $"Malformed entry '{name}'", "a string \"dtype\"", "none", source);
        string dtype = dtypeElement.GetString()!;
        if (!DTypeSizes.TryGetValue(dtype, out int size))
            throw Error(NetworkFileProblem.Malformed, $"Unknown dtype of '{name}'", "one of " + string.Join(", ", DTypeSizes.Keys), dtype, source);
        long[] shape = ReadIntegers(value, "shape", name, source);
        long[] offsets = ReadIntegers(value, "data_offsets", name, source);
        if (offsets.Length != 2 || offsets[0] > offsets[1])
            throw Error(NetworkFileProblem.Malformed, $"Bad data_offsets of '{name}'", "[begin, end] with begin <= end", "[" + string.Join(", ", offsets) + "]", source);
        if (offsets[1] > dataLength)
            throw Error(NetworkFileProblem.Malformed, $"data_offsets of '{name}' out of range", $"an end of at most {dataLength} (the data size)", $"{offsets[1]}", source);
        // Element count without overflow: anything beyond the data size is already wrong.
        long elements = shape.Contains(0) ? 0 : 1;
        bool tooLarge = false;
        foreach (long d in shape)
        {
            if (elements != 0 && elements > dataLength / d)
                tooLarge = true;
            else
                elements *= d;
        }
        if (tooLarge || elements * size != offsets[1] - offsets[0])
            throw Error(NetworkFileProblem.Malformed, $"Size of '{name}' does not match its shape", $"{(tooLarge ? "more than the data holds" : $"{elements * size} bytes ({elements} × {dtype})")} for shape [{string.Join(", ", shape)}]", $"{offsets[1] - offsets[0]} bytes", source);
        return new SafetensorsTensor(name, dtype, shape, dataStart + offsets[0], offsets[1] - offsets[0]);
    }

    private static long[] ReadIntegers(JsonElement value, string key, string name, string? source)
    {
        if (!value.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw Error(NetworkFileProblem.Malformed, $"Malformed entry '{name}'", $"an array \"{key}\"", "none", source);
        var result = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw Error(NetworkFileProblem.Malformed, $"Malformed {key} of '{name}'", "non-negative integers", item.GetRawText(), source);
            result[i++] = v;
        }
        return result;
    }

    internal static InvalidNetworkFileException Error(NetworkFileProblem problem, string what, string expected, string actual, string? source)
        => InvalidNetworkFileException.Create(problem, what, expected, actual, source);
}
