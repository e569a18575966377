using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace StaticNets.Persistence;

/// <summary>
/// The runtime's side of the <c>.snet</c> format (docs/persistence.md): <see cref="SnetFormat"/>, which the
/// generator links too, turns bytes into plain records and back; this class turns those records into
/// <see cref="NetworkInfo"/> (through the self-validating <see cref="LayerInfo"/> constructors) and a network's
/// <see cref="NetworkInfo"/> into records, one small entry per <see cref="LayerKind"/>.
/// </summary>
internal static class NetworkFileFormat
{
    public static ReadOnlySpan<byte> Magic => "SNET"u8;

    /// <summary>The version the writer writes; the reader also takes version 1.</summary>
    public const ushort Version = SnetFormat.CurrentVersion;
    public const int ChecksumSize = SnetFormat.ChecksumSize;
    public const string OptimizerSection = "optimizer";
    public const string OptimizerStepsSection = "optimizer.steps";

    /// <summary>Section value type for int64 values (0 and 1 are the element types).</summary>
    public const byte Int64Code = SnetFormat.Int64Code;

    /// <summary>Element type codes; the same values as <see cref="Precision"/>.</summary>
    public static byte ElementCode<T>() where T : unmanaged
        => typeof(T) == typeof(float) ? (byte)0
         : typeof(T) == typeof(double) ? (byte)1
         : throw new NotSupportedException($"Networks store float or double parameters, not {typeof(T).Name}.");

    public static int ElementSize(byte code) => code == 0 ? 4 : 8;

    public static string ValueTypeName(byte code) => code switch { 0 => "float32", 1 => "float64", 2 => "int64", _ => $"value type {code}" };

    public static string ElementName(byte code) => code switch { 0 => "float32 (Single)", 1 => "float64 (Double)", _ => $"element type code {code}" };

    /// <summary>How each layer kind becomes a record and back. A new kind adds one entry here and one in <see cref="SnetFormat.Kinds"/>.</summary>
    private static readonly Dictionary<LayerKind, (Func<LayerInfo, (int[] Hyperparameters, double Rate)> ToRecord, Func<SnetLayer, int, LayerInfo> FromRecord)> Kinds = new()
    {
        [LayerKind.Dense] = (l => (new[] { l is DenseLayerInfo d ? d.Units : l.Outputs }, 0),
            (r, offset) => new DenseLayerInfo(new Shape(r.InputShape), r.Hyperparameters[0], (Activation)r.Activation, offset, r.HasBias)),
        [LayerKind.Lstm] = (Recurrent,
            (r, offset) => new LstmLayerInfo(new Shape(r.InputShape), r.Hyperparameters[0], r.Hyperparameters[1] != 0, offset)),
        [LayerKind.Gru] = (Recurrent,
            (r, offset) => new GruLayerInfo(new Shape(r.InputShape), r.Hyperparameters[0], r.Hyperparameters[1] != 0, offset)),
        [LayerKind.Activation] = (l => (Array.Empty<int>(), 0),
            (r, offset) => new ActivationLayerInfo(new Shape(r.InputShape), (Activation)r.Activation, offset)),
        [LayerKind.Conv2D] = (l => l is Conv2DLayerInfo c
                ? (new[] { c.Filters, c.KernelHeight, c.KernelWidth, c.StrideY, c.StrideX, c.PadTop, c.PadLeft, c.PadBottom, c.PadRight }, 0)
                : throw new ArgumentException($"A {l.Kind} layer must be a {nameof(Conv2DLayerInfo)}."),
            (r, offset) => new Conv2DLayerInfo(new Shape(r.InputShape), r.Hyperparameters[0], r.Hyperparameters[1], r.Hyperparameters[2], r.Hyperparameters[3], r.Hyperparameters[4],
                r.Hyperparameters[5], r.Hyperparameters[6], r.Hyperparameters[7], r.Hyperparameters[8], (Activation)r.Activation, offset, r.HasBias)),
        [LayerKind.MaxPool2D] = (Pool,
            (r, offset) => new MaxPool2DLayerInfo(new Shape(r.InputShape), r.Hyperparameters[0], r.Hyperparameters[1], r.Hyperparameters[2], r.Hyperparameters[3], offset)),
        [LayerKind.AvgPool2D] = (Pool,
            (r, offset) => new AvgPool2DLayerInfo(new Shape(r.InputShape), r.Hyperparameters[0], r.Hyperparameters[1], r.Hyperparameters[2], r.Hyperparameters[3], offset)),
        [LayerKind.Flatten] = (l => (Array.Empty<int>(), 0),
            (r, offset) => new FlattenLayerInfo(new Shape(r.InputShape), offset)),
        [LayerKind.Dropout] = (l => (Array.Empty<int>(), l is DropoutLayerInfo d ? d.Rate : throw new ArgumentException($"A {l.Kind} layer must be a {nameof(DropoutLayerInfo)}.")),
            (r, offset) => new DropoutLayerInfo(new Shape(r.InputShape), r.Rate, offset)),
        [LayerKind.TiedDense] = (l => l is TiedDenseLayerInfo t
                ? (new[] { t.Outputs, t.TiedTo }, 0)
                : throw new ArgumentException($"A {l.Kind} layer must be a {nameof(TiedDenseLayerInfo)}."),
            (r, offset) => new TiedDenseLayerInfo(r.InputShape[0], r.Hyperparameters[0], (Activation)r.Activation, r.Hyperparameters[1], offset, r.HasBias)),
        [LayerKind.Normalize] = (l => (Array.Empty<int>(), 0),
            (r, offset) => new NormalizeLayerInfo(new Shape(r.InputShape), offset)),
    };

    private static (int[], double) Pool(LayerInfo l) => l is Pool2DLayerInfo p
        ? (new[] { p.WindowHeight, p.WindowWidth, p.StrideY, p.StrideX }, 0)
        : throw new ArgumentException($"A {l.Kind} layer must be a {nameof(Pool2DLayerInfo)}.");

    private static (int[], double) Recurrent(LayerInfo l) => l is RecurrentLayerInfo r
        ? (new[] { r.Units, r.ReturnSequences ? 1 : 0 }, 0)
        : throw new ArgumentException($"A {l.Kind} layer must be a {nameof(RecurrentLayerInfo)}.");

    private static bool HasBias(LayerInfo layer) => layer.Biases is not null;

    private static int[] Dims(Shape shape) => shape.Dimensions.ToArray();

    /// <summary>The records of <paramref name="info"/>'s layers, as the file stores them.</summary>
    public static SnetLayer[] ToRecords(NetworkInfo info)
    {
        var records = new SnetLayer[info.Layers.Count];
        for (int l = 0; l < records.Length; l++)
        {
            var layer = info.Layers[l];
            if (!Kinds.TryGetValue(layer.Kind, out var entry))
                throw new NotSupportedException($"Layer {l} is of kind {layer.Kind}, which the .snet format does not store yet.");
            var (hyperparameters, rate) = entry.ToRecord(layer);
            var blocks = new SnetBlock[layer.Blocks.Count];
            for (int b = 0; b < blocks.Length; b++)
                blocks[b] = new SnetBlock(layer.Blocks[b].Name, (int)layer.Blocks[b].Role, Dims(layer.Blocks[b].Shape));
            records[l] = new SnetLayer((int)layer.Kind, (int)layer.Activation, HasBias(layer), Dims(layer.InputShape), Dims(layer.OutputShape), hyperparameters, rate, blocks);
        }
        return records;
    }

    /// <summary>Serialises a whole file; optimizer state, when given, becomes the sections "optimizer" and (with a step count) "optimizer.steps".</summary>
    public static byte[] Write<T>(NetworkInfo info, ReadOnlySpan<T> parameters, ReadOnlySpan<T> optimizerState, long? optimizerSteps = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(info);
        if (parameters.Length != info.ParameterCount)
            throw new ArgumentException($"Expected {info.ParameterCount} parameters for {info} but got {parameters.Length}.", nameof(parameters));
        byte code = ElementCode<T>();
        int e = ElementSize(code);
        var sections = new List<SnetSection>();
        if (!optimizerState.IsEmpty || optimizerSteps is not null)
        {
            var values = new byte[(long)optimizerState.Length * e];
            WriteValues(optimizerState, values);
            sections.Add(new SnetSection(OptimizerSection, code, optimizerState.Length, 0, values.Length, values));
        }
        if (optimizerSteps is long steps)
        {
            var values = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(values, steps);
            sections.Add(new SnetSection(OptimizerStepsSection, Int64Code, 1, 0, 8, values));
        }
        ReadOnlySpan<byte> parameterBytes;
        if (BitConverter.IsLittleEndian)
        {
            parameterBytes = MemoryMarshal.AsBytes(parameters);
        }
        else
        {
            var swapped = new byte[(long)parameters.Length * e];
            WriteValues(parameters, swapped);
            parameterBytes = swapped;
        }
        return SnetFormat.Write(code, (int)info.Loss, Dims(info.InputShape), ToRecords(info), parameters.Length, parameterBytes, sections);
    }

    /// <summary>
    /// Verifies a whole file — magic, version, length, checksum, then every field of every record — and builds
    /// its <see cref="NetworkInfo"/>. Throws <see cref="InvalidNetworkFileException"/> on the first problem;
    /// never reads outside <paramref name="data"/>.
    /// </summary>
    public static ParsedFile Parse(ReadOnlySpan<byte> data, string? source)
    {
        SnetFile file;
        try
        {
            file = SnetFormat.Parse(data);
        }
        catch (SnetFormatException ex)
        {
            throw ToException(ex.Error, source);
        }
        var info = ToNetworkInfo(file, source);
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        foreach (var section in file.Sections)
            sections.Add(section.Name, new Section((byte)section.Type, new Range(section.Start, section.Start + section.ByteLength)));
        return new ParsedFile(info, (byte)file.ElementCode, new Range(file.ParameterStart, file.ParameterStart + file.ParameterByteLength), sections, file);
    }

    internal static InvalidNetworkFileException ToException(SnetError error, string? source)
        => InvalidNetworkFileException.Create((NetworkFileProblem)(int)error.Problem, error.What, error.Expected, error.Actual, source);

    /// <summary>Builds the runtime layers from verified records; any disagreement of the LayerInfo checks with the records is a malformed file.</summary>
    internal static NetworkInfo ToNetworkInfo(SnetFile file, string? source)
    {
        var layers = new LayerInfo[file.Layers.Length];
        int offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            var record = file.Layers[l];
            var kind = (LayerKind)record.Kind;
            if (!Kinds.TryGetValue(kind, out var entry) || !Enum.IsDefined(kind) || !Enum.IsDefined((Activation)record.Activation))
                throw Malformed($"a layer kind and activation this library knows for layer {l}", $"kind {record.Kind}, activation {record.Activation}", source);
            LayerInfo layer;
            try
            {
                layer = entry.FromRecord(record, offset);
            }
            catch (Exception ex) when (ex is ArgumentException or OverflowException)
            {
                throw Malformed($"a valid {kind} layer {l}", ex.Message, source);
            }
            if (!layer.OutputShape.Dimensions.SequenceEqual(record.OutputShape) || layer.Blocks.Count != record.Blocks.Length)
                throw Malformed($"layer {l} ({kind}) to give {layer.OutputShape} with {layer.Blocks.Count} blocks", $"{SnetFormat.ShapeText(record.OutputShape)} with {record.Blocks.Length}", source);
            layers[l] = layer;
            offset = checked(offset + layer.ParameterCount);
        }
        try
        {
            return new NetworkInfo("file", (Precision)file.ElementCode, (Loss)file.LossCode, new Shape(file.InputShape), layers);
        }
        catch (ArgumentException ex)
        {
            throw Malformed("layers that chain from the input", ex.Message, source);
        }
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

}

/// <summary>A verified file: its architecture, element type and where its parameters and sections lie.</summary>
internal sealed record ParsedFile(NetworkInfo Info, byte ElementCode, Range Parameters, Dictionary<string, Section> Sections, SnetFile Records);

/// <summary>An optional section: its value type (0 float32, 1 float64, 2 int64) and where its values lie.</summary>
internal readonly record struct Section(byte Type, Range Values);
