using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace StaticNets.Persistence;

/// <summary>
/// The <c>.snet</c> layout (version 1), documented byte by byte in docs/persistence.md. Everything is
/// little-endian. The generator parses the same layout on its own (netstandard2.0) to bake weights in; both
/// sides are tested against the same files.
/// </summary>
/// <remarks>
/// <code>
/// offset  size  field
///  0       4    magic "SNET"
///  4       2    format version (1)
///  6       2    reserved, 0
///  8       8    total file length in bytes, checksum included
/// 16       1    element type: 0 = float32, 1 = float64
/// 17       1    loss (StaticNets.Loss)
/// 18       2    reserved, 0
/// 20       4    input size
/// 24       4    layer count L
/// 28      8·L   per layer: outputs (int32), kind (uint8, 0 = dense), activation (uint8), reserved uint16 0
/// ..       8    parameter count P (int64)
/// ..     P·e    parameters in the INetwork layout (e = 4 or 8)
/// ..       4    section count S, then S × { name length (uint16), UTF-8 name, value type (uint8: 0 float32,
///               1 float64, 2 int64), value count (int64), values }
/// end−4    4    CRC-32 (zlib) of every byte before it
/// </code>
/// </remarks>
internal static class NetworkFileFormat
{
    public static ReadOnlySpan<byte> Magic => "SNET"u8;

    public const ushort Version = 1;
    public const int FixedHeaderSize = 28;
    public const int LayerRecordSize = 8;
    public const int ChecksumSize = 4;
    public const string OptimizerSection = "optimizer";
    public const string OptimizerStepsSection = "optimizer.steps";

    /// <summary>Section value type for int64 values (0 and 1 are the element types).</summary>
    public const byte Int64Code = 2;

    /// <summary>Element type codes; the same values as <see cref="Precision"/>.</summary>
    public static byte ElementCode<T>() where T : unmanaged
        => typeof(T) == typeof(float) ? (byte)0
         : typeof(T) == typeof(double) ? (byte)1
         : throw new NotSupportedException($"Networks store float or double parameters, not {typeof(T).Name}.");

    public static int ElementSize(byte code) => code == 0 ? 4 : 8;

    public static string ValueTypeName(byte code) => code switch { 0 => "float32", 1 => "float64", 2 => "int64", _ => $"value type {code}" };

    public static string ElementName(byte code) => code switch { 0 => "float32 (Single)", 1 => "float64 (Double)", _ => $"element type code {code}" };

    /// <summary>Serialises a whole file; optimizer state, when given, becomes the sections "optimizer" and (with a step count) "optimizer.steps".</summary>
    public static byte[] Write<T>(NetworkInfo info, ReadOnlySpan<T> parameters, ReadOnlySpan<T> optimizerState, long? optimizerSteps = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        byte code = ElementCode<T>();
        int e = ElementSize(code);
        var sections = new List<(byte[] Name, byte Type, long Count, byte[] Values)>();
        if (!optimizerState.IsEmpty || optimizerSteps is not null)
        {
            var values = new byte[(long)optimizerState.Length * e];
            WriteValues(optimizerState, values);
            sections.Add((Encoding.UTF8.GetBytes(OptimizerSection), code, optimizerState.Length, values));
        }
        if (optimizerSteps is long steps)
        {
            var values = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(values, steps);
            sections.Add((Encoding.UTF8.GetBytes(OptimizerStepsSection), Int64Code, 1, values));
        }
        long length = FixedHeaderSize + (long)LayerRecordSize * info.Layers.Count + 8 + (long)parameters.Length * e + 4 + ChecksumSize;
        foreach (var section in sections)
            length += 2 + section.Name.Length + 1 + 8 + section.Values.Length;
        if (length > Array.MaxLength)
            throw new NotSupportedException($"The file would be {length} bytes, more than one array holds.");
        var file = new byte[length];
        var span = file.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], length);
        span[16] = code;
        span[17] = (byte)info.Loss;
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], info.InputSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], info.Layers.Count);
        int at = FixedHeaderSize;
        foreach (var layer in info.Layers)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], layer.Outputs);
            span[at + 4] = (byte)layer.Kind;
            span[at + 5] = (byte)layer.Activation;
            at += LayerRecordSize;
        }
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], parameters.Length);
        at += 8;
        at += WriteValues(parameters, span[at..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], sections.Count);
        at += 4;
        foreach (var (name, type, count, values) in sections)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)name.Length);
            name.CopyTo(span[(at + 2)..]);
            at += 2 + name.Length;
            span[at++] = type;
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], count);
            at += 8;
            values.CopyTo(span[at..]);
            at += values.Length;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32.Compute(span[..at]));
        return file;
    }

    /// <summary>
    /// Verifies a whole file — magic, version, length, checksum, then structure — and describes it. Throws
    /// <see cref="InvalidNetworkFileException"/> on the first problem; never reads outside <paramref name="data"/>.
    /// </summary>
    public static ParsedFile Parse(ReadOnlySpan<byte> data, string? source)
    {
        if (data.Length < Magic.Length ? !Magic[..data.Length].SequenceEqual(data) : !data[..4].SequenceEqual(Magic))
            throw InvalidNetworkFileException.Create(NetworkFileProblem.BadMagic, "Not a StaticNets network file (wrong magic bytes)", "\"SNET\" (53 4E 45 54)", Hex(data[..Math.Min(4, data.Length)]), source);
        if (data.Length < 16)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.Truncated, "Truncated header", "at least 16 bytes", $"{data.Length} bytes", source);
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        if (version != Version)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.UnsupportedVersion, "Unsupported format version", $"version {Version}", $"version {version}", source);
        long declared = BinaryPrimitives.ReadInt64LittleEndian(data[8..]);
        if (declared > data.Length)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.Truncated, "File is truncated", $"{declared} bytes (from the header)", $"{data.Length} bytes", source);
        if (declared < data.Length)
        {
            if (declared < FixedHeaderSize + LayerRecordSize + 8 + 4 + ChecksumSize)
                throw Malformed($"a total length of at least {FixedHeaderSize + LayerRecordSize + 8 + 4 + ChecksumSize} bytes", $"{declared}", source);
            throw InvalidNetworkFileException.Create(NetworkFileProblem.TrailingData, "Unexpected data after the end of the file", $"{declared} bytes (from the header)", $"{data.Length} bytes ({data.Length - declared} trailing)", source);
        }
        if (data.Length < FixedHeaderSize + LayerRecordSize + 8 + 4 + ChecksumSize)
            throw Malformed($"a total length of at least {FixedHeaderSize + LayerRecordSize + 8 + 4 + ChecksumSize} bytes", $"{data.Length}", source);
        int body = data.Length - ChecksumSize;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(data[body..]), computed = Crc32.Compute(data[..body]);
        if (stored != computed)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.ChecksumMismatch, "Checksum mismatch, the file is corrupted", $"CRC-32 0x{computed:X8} (computed)", $"0x{stored:X8} (stored)", source);

        // From here the bytes are what the writer wrote, unless a writer was wrong: still check every field.
        if (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(data[18..]) != 0)
            throw Malformed("reserved header fields to be 0", "non-zero values", source);
        byte code = data[16];
        if (code > 1)
            throw Malformed("element type 0 (float32) or 1 (float64)", $"{code}", source);
        byte loss = data[17];
        if (!Enum.IsDefined((Loss)loss))
            throw Malformed("a defined Loss value", $"{loss}", source);
        int inputSize = BinaryPrimitives.ReadInt32LittleEndian(data[20..]);
        int layerCount = BinaryPrimitives.ReadInt32LittleEndian(data[24..]);
        if (layerCount < 1 || (long)layerCount * LayerRecordSize > body - FixedHeaderSize - 8 - 4)
            throw Malformed($"a layer count between 1 and what {data.Length} bytes hold", $"{layerCount}", source);
        var sizes = new int[layerCount + 1];
        var activations = new Activation[layerCount];
        sizes[0] = inputSize;
        int at = FixedHeaderSize;
        for (int l = 0; l < layerCount; l++, at += LayerRecordSize)
        {
            sizes[l + 1] = BinaryPrimitives.ReadInt32LittleEndian(data[at..]);
            byte kind = data[at + 4], activation = data[at + 5];
            if (kind != (byte)LayerKind.Dense)
                throw Malformed($"layer {l} of kind 0 (dense)", $"kind {kind}", source);
            if (!Enum.IsDefined((Activation)activation))
                throw Malformed($"a defined Activation for layer {l}", $"{activation}", source);
            if (BinaryPrimitives.ReadUInt16LittleEndian(data[(at + 6)..]) != 0)
                throw Malformed($"reserved bytes of layer {l} to be 0", "non-zero values", source);
            activations[l] = (Activation)activation;
        }
        NetworkInfo info;
        try
        {
            info = new NetworkInfo("file", (Precision)code, (Loss)loss, sizes, activations);
        }
        catch (ArgumentException ex)
        {
            throw Malformed("valid layer sizes", $"{string.Join("-", sizes)} ({ex.Message})", source);
        }
        long count = BinaryPrimitives.ReadInt64LittleEndian(data[at..]);
        at += 8;
        if (count != info.ParameterCount)
            throw Malformed($"{info.ParameterCount} parameters for {info}", $"{count}", source);
        int e = ElementSize(code);
        if ((long)count * e > body - at - 4)
            throw Malformed($"{count} parameters of {e} bytes within the file", $"{body - at - 4} bytes left", source);
        var parameters = new Range(at, at + (int)count * e);
        at = parameters.End.Value;
        int sectionCount = BinaryPrimitives.ReadInt32LittleEndian(data[at..]);
        at += 4;
        if (sectionCount < 0 || sectionCount > (body - at) / 12)
            throw Malformed("a section count that fits the file", $"{sectionCount}", source);
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        for (int s = 0; s < sectionCount; s++)
        {
            if (body - at < 2)
                throw Malformed($"section {s} within the file", "the end of the file", source);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(data[at..]);
            at += 2;
            if (nameLength < 1 || nameLength > body - at - 9)
                throw Malformed($"a name of section {s} within the file", $"a name of {nameLength} bytes", source);
            string name;
            try
            {
                name = new UTF8Encoding(false, true).GetString(data.Slice(at, nameLength));
            }
            catch (ArgumentException)
            {
                throw Malformed($"a UTF-8 name for section {s}", "invalid UTF-8", source);
            }
            at += nameLength;
            byte type = data[at++];
            if (type > Int64Code)
                throw Malformed($"value type 0, 1 or 2 for section '{name}'", $"{type}", source);
            int size = type == Int64Code ? 8 : ElementSize(type);
            long values = BinaryPrimitives.ReadInt64LittleEndian(data[at..]);
            at += 8;
            if (values < 0 || values > (body - at) / size)
                throw Malformed($"section '{name}' to fit in the file", $"{values} values of {size} bytes with {body - at} bytes left", source);
            if (!sections.TryAdd(name, new Section(type, new Range(at, at + (int)values * size))))
                throw Malformed("unique section names", $"'{name}' twice", source);
            at += (int)values * size;
        }
        if (at != body)
            throw Malformed($"the checksum right after the last section at byte {at}", $"{body - at} unaccounted bytes", source);
        return new ParsedFile(info, code, parameters, sections);
    }

    public static InvalidNetworkFileException Malformed(string expected, string actual, string? source)
        => InvalidNetworkFileException.Create(NetworkFileProblem.Malformed, "Malformed network file", expected, actual, source);

    /// <summary>Little-endian bytes of <paramref name="values"/>; returns the number of bytes written.</summary>
    public static int WriteValues<T>(ReadOnlySpan<T> values, Span<byte> destination) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        bytes.CopyTo(destination);
        if (!BitConverter.IsLittleEndian)
            ReverseElements(destination[..bytes.Length], System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        return bytes.Length;
    }

    /// <summary>Reads little-endian values of element type <paramref name="code"/> into any floating-point type.</summary>
    public static void ReadValues<T>(ReadOnlySpan<byte> source, byte code, Span<T> destination) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int e = code == Int64Code ? 8 : ElementSize(code);
        if (code == ElementCode<T>() && BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }
        for (int i = 0; i < destination.Length; i++)
        {
            var raw = source.Slice(i * e, e);
            destination[i] = code switch
            {
                0 => T.CreateChecked(BinaryPrimitives.ReadSingleLittleEndian(raw)),
                1 => T.CreateChecked(BinaryPrimitives.ReadDoubleLittleEndian(raw)),
                _ => T.CreateChecked(BinaryPrimitives.ReadInt64LittleEndian(raw)),
            };
        }
    }

    private static void ReverseElements(Span<byte> bytes, int size)
    {
        for (int i = 0; i < bytes.Length; i += size)
            bytes.Slice(i, size).Reverse();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "an empty file" : Convert.ToHexString(bytes);
}

/// <summary>A verified file: its architecture, element type and where its parameters and sections lie.</summary>
internal sealed record ParsedFile(NetworkInfo Info, byte ElementCode, Range Parameters, Dictionary<string, Section> Sections);

/// <summary>An optional section: its value type (0 float32, 1 float64, 2 int64) and where its values lie.</summary>
internal readonly record struct Section(byte Type, Range Values);
