using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using StaticNets.Persistence;

namespace StaticNets.Interop;

/// <summary>
/// Imports and exports network parameters as safetensors, the format PyTorch and Hugging Face use. Every
/// parameter block is one tensor with PyTorch's name and layout: a dense layer's weight <c>[out, in]</c>
/// (<c>nn.Linear</c>), a convolution's weight <c>[out_c, in_c, kh, kw]</c> (<c>nn.Conv2d</c>), and their bias
/// <c>[out]</c> unless the layer has none; a Normalize layer's statistics are <c>mean</c> and <c>scale</c>, shaped as
/// one sample (<c>layers.0.mean</c>, <c>layers.0.scale</c>). Layers without parameters (pooling, flatten, activations, dropout)
/// have no tensors. <see cref="SafetensorsOptions"/> says how layers are named.
/// </summary>
public static class Safetensors
{
    /// <summary>Writes the parameters of <paramref name="network"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="network">The network to export; tensors get its element type (F32 or F64).</param>
    /// <param name="path">The target file.</param>
    /// <param name="options">Tensor naming and metadata; null for the defaults.</param>
    public static void Export<T>(INetwork<T> network, string path, SafetensorsOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        NetworkFile.WriteAtomically(path, ToBytes(network, options));
    }

    /// <summary>Writes the parameters of <paramref name="network"/> to <paramref name="stream"/>.</summary>
    public static void Export<T>(INetwork<T> network, Stream stream, SafetensorsOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes(network, options));
        stream.Flush();
    }

    /// <summary>The bytes of a safetensors file holding the parameters of <paramref name="network"/>.</summary>
    public static byte[] ToBytes<T>(INetwork<T> network, SafetensorsOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= SafetensorsOptions.Default;
        var info = network.Info;
        var prefixes = ExportNames(info, options);
        byte code = NetworkFileFormat.ElementCode<T>();
        string dtype = code == 0 ? "F32" : "F64";
        int e = NetworkFileFormat.ElementSize(code);

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            writer.WriteString("producer", "StaticNets");
            writer.WriteString("architecture", info.ToString());
            foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
                writer.WriteString(key, value);
            writer.WriteEndObject();
            long offset = 0;
            var layers = ParameterLayers(info);
            for (int i = 0; i < layers.Length; i++)
            {
                foreach (var block in layers[i].Layer.Blocks)
                    WriteEntry(writer, TensorName(prefixes[i], block, options), dtype, Dims(block.Shape), ref offset, (long)block.Count * e);
            }
            writer.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data is aligned for memory-mapping readers.
        int headerSize = (json.WrittenCount + 7) / 8 * 8;
        var file = new byte[8 + headerSize + (long)network.ParameterCount * e];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerSize);
        json.WrittenSpan.CopyTo(file.AsSpan(8));
        file.AsSpan(8 + json.WrittenCount, headerSize - json.WrittenCount).Fill((byte)' ');
        // Tensors are written in parameter order (each layer's blocks, which tile the span): the data is the parameter span as is.
        NetworkFileFormat.WriteValues<T>(network.Parameters, file.AsSpan(8 + headerSize));
        return file;
    }

    /// <summary>Reads the parameters of <paramref name="into"/> from a safetensors file.</summary>
    /// <param name="into">The network to fill; nothing is written unless every tensor checks out.</param>
    /// <param name="path">The file.</param>
    /// <param name="options">Tensor naming; null to detect layers by name.</param>
    /// <exception cref="InvalidNetworkFileException">Malformed file, missing tensor, wrong shape or unsupported dtype.</exception>
    public static void Import<T>(INetwork<T> into, string path, SafetensorsOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Import(into, File.ReadAllBytes(path), options, path);
    }

    /// <summary>Reads the parameters of <paramref name="into"/> from the rest of <paramref name="stream"/>.</summary>
    public static void Import<T>(INetwork<T> into, Stream stream, SafetensorsOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Import(into, buffer.ToArray(), options, null);
    }

    /// <summary>Reads the parameters of <paramref name="into"/> from the bytes of a whole safetensors file.</summary>
    public static void Import<T>(INetwork<T> into, ReadOnlySpan<byte> file, SafetensorsOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Import(into, file, options, null);

    private static void Import<T>(INetwork<T> into, ReadOnlySpan<byte> file, SafetensorsOptions? options, string? source) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(into);
        options ??= SafetensorsOptions.Default;
        var info = into.Info;
        var parsed = SafetensorsFile.Parse(file, source);
        var prefixes = options.LayerNames is not null ? CheckNames(info, options.LayerNames) : DetectNames(info, parsed, options, source);

        // Check every tensor first, then copy: a bad file never leaves a half-loaded network.
        var plan = new List<(SafetensorsTensor Tensor, int Offset, int Count)>();
        var layers = ParameterLayers(info);
        for (int i = 0; i < layers.Length; i++)
        {
            var (l, layer) = layers[i];
            foreach (var block in layer.Blocks)
                plan.Add((Find(parsed, TensorName(prefixes[i], block, options), block, layer, l, source), block.Offset, block.Count));
            string bias = $"{prefixes[i]}.{options.BiasSuffix}";
            if (layer.Biases is null && parsed.Find(bias) is { } unexpected)
                throw SafetensorsFile.Error(NetworkFileProblem.ArchitectureMismatch, $"Tensor '{bias}' is a bias but layer {l} ({layer.Kind}) has none",
                    $"no '{bias}' (the layer is declared without bias)", unexpected.ShapeText, source);
        }
        using var edit = into.EditParameters();
        Span<T> parameters = edit.Span;
        foreach (var (tensor, offset, count) in plan)
            Convert(file.Slice((int)tensor.Offset, (int)tensor.Length), tensor.DType, parameters.Slice(offset, count));
    }

    private static SafetensorsTensor Find(SafetensorsFile file, string name, ParameterBlock block, LayerInfo layer, int l, string? source)
    {
        long[] shape = Dims(block.Shape);
        var tensor = file.Find(name)
            ?? throw SafetensorsFile.Error(NetworkFileProblem.MissingTensor, $"No tensor '{name}' for layer {l}", $"'{name}' of shape [{string.Join(", ", shape)}]",
                file.Tensors.Count == 0 ? "no tensors" : "only " + string.Join(", ", file.Tensors.Select(t => $"'{t.Name}' {t.ShapeText}")), source);
        if (!tensor.Shape.SequenceEqual(shape))
            throw SafetensorsFile.Error(NetworkFileProblem.ShapeMismatch, $"Tensor '{name}' has the wrong shape for layer {l}", $"[{string.Join(", ", shape)}]" + LayoutHint(block, layer), tensor.ShapeText, source);
        if (tensor.DType is not ("F32" or "F64" or "F16" or "BF16"))
            throw SafetensorsFile.Error(NetworkFileProblem.ElementTypeMismatch, $"Tensor '{name}' has an unsupported dtype", "F32, F64, F16 or BF16", tensor.DType, source);
        return tensor;
    }

    /// <summary>The PyTorch layout a weight tensor must have, for shape errors.</summary>
    private static string LayoutHint(ParameterBlock block, LayerInfo layer) => (block.Role, layer) switch
    {
        (ParameterRole.Weight, DenseLayerInfo) => " ([out, in], as nn.Linear.weight)",
        (ParameterRole.Weight, Conv2DLayerInfo) => " ([out_c, in_c, kh, kw], as nn.Conv2d.weight)",
        (ParameterRole.Weight, LstmLayerInfo) => " ([4·hidden, in] and [4·hidden, hidden], gates i, f, g, o, as nn.LSTM)",
        (ParameterRole.Weight, GruLayerInfo) => " ([3·hidden, in] and [3·hidden, hidden], gates r, z, n, as nn.GRU)",
        _ => "",
    };

    /// <summary>The layers that own parameter blocks, with their index among all layers.</summary>
    private static (int Index, LayerInfo Layer)[] ParameterLayers(NetworkInfo info)
        => info.Layers.Select((layer, index) => (index, layer)).Where(p => p.layer.Blocks.Count > 0).ToArray();

    /// <summary>
    /// The blocks named <c>weight</c> and <c>bias</c> (dense, convolution) take the options' suffixes; every other block
    /// keeps its own name: a Normalize layer's <c>prefix.mean</c> and <c>prefix.scale</c>, a recurrent layer's four
    /// blocks as nn.LSTM and nn.GRU name them (<c>prefix.weight_ih_l0</c> …).
    /// </summary>
    private static string TensorName(string prefix, ParameterBlock block, SafetensorsOptions options) => block.Name switch
    {
        WeightBlock => $"{prefix}.{options.WeightSuffix}",
        BiasBlock => $"{prefix}.{options.BiasSuffix}",
        _ => $"{prefix}.{block.Name}",
    };

    private const string WeightBlock = "weight", BiasBlock = "bias";

    private static long[] Dims(Shape shape)
    {
        var dims = new long[shape.Rank];
        for (int d = 0; d < dims.Length; d++)
            dims[d] = shape[d];
        return dims;
    }

    private static void Convert<T>(ReadOnlySpan<byte> bytes, string dtype, Span<T> destination) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (dtype)
        {
            case "F32":
                NetworkFileFormat.ReadValues(bytes, 0, destination);
                break;
            case "F64":
                NetworkFileFormat.ReadValues(bytes, 1, destination);
                break;
            case "F16":
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = T.CreateChecked((float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]));
                break;
            default:
                // bfloat16 is the top half of a float32.
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = T.CreateChecked(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16));
                break;
        }
    }

    /// <summary>Default names are <c>layers.{index}</c> with the layer's index among all layers, parameter-free ones included.</summary>
    private static IReadOnlyList<string> ExportNames(NetworkInfo info, SafetensorsOptions options)
        => options.LayerNames is not null ? CheckNames(info, options.LayerNames) : ParameterLayers(info).Select(p => $"layers.{p.Index}").ToArray();

    private static IReadOnlyList<string> CheckNames(NetworkInfo info, IReadOnlyList<string> names)
    {
        int count = ParameterLayers(info).Length;
        if (names.Count != count)
            throw new ArgumentException($"Expected {count} layer names (one per layer with parameters of {info}) but got {names.Count}.", nameof(SafetensorsOptions.LayerNames));
        return names;
    }

    /// <summary>Every prefix of a weight tensor whose rank some layer's weight has (2 dense, 4 convolution), in natural order.</summary>
    private static IReadOnlyList<string> DetectNames(NetworkInfo info, SafetensorsFile file, SafetensorsOptions options, string? source)
    {
        string weight = "." + options.WeightSuffix, bias = "." + options.BiasSuffix;
        var layers = ParameterLayers(info);
        // Layers whose first block is a 'weight' are found by the weight suffix and the weight's rank; the others
        // (Normalize, recurrent, tied dense) by their first block's own name, e.g. 'layers.0.mean', 'layers.1.weight_ih_l0', 'layers.3.bias'.
        var ranks = layers.Where(p => p.Layer.Blocks[0].Name == WeightBlock).Select(p => p.Layer.Blocks[0].Shape.Rank).ToHashSet();
        var others = layers.Where(p => p.Layer.Blocks[0].Name != WeightBlock).Select(p => "." + p.Layer.Blocks[0].Name).ToHashSet();
        var prefixes = file.Tensors
            .Where(t => t.Name.EndsWith(weight, StringComparison.Ordinal) && ranks.Contains(t.Shape.Count))
            .Select(t => t.Name[..^weight.Length])
            .Concat(file.Tensors.SelectMany(t => others.Where(o => t.Name.EndsWith(o, StringComparison.Ordinal)).Select(o => t.Name[..^o.Length])))
            // A layer with only a bias (tied dense) finds every '.bias': a prefix counts once.
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => p, NaturalComparer.Instance)
            .ToArray();
        if (prefixes.Length != layers.Length)
            throw SafetensorsFile.Error(NetworkFileProblem.MissingTensor, "Layers not found by name",
                $"{layers.Length} layers with parameters ('<name>{weight}' [out, in] or [out_c, in_c, kh, kw], and '<name>{bias}' where the layer has a bias) for {info}",
                prefixes.Length == 0 ? "none" : $"{prefixes.Length}: " + string.Join(", ", prefixes.Select(p => $"'{p}' {(file.Find(p + weight) ?? file.Tensors.First(t => t.Name.StartsWith(p + ".", StringComparison.Ordinal))).ShapeText}")) + "; set SafetensorsOptions.LayerNames to choose", source);
        return prefixes;
    }

    private static void WriteEntry(Utf8JsonWriter writer, string name, string dtype, long[] shape, ref long offset, long length)
    {
        writer.WriteStartObject(name);
        writer.WriteString("dtype", dtype);
        writer.WriteStartArray("shape");
        foreach (long d in shape)
            writer.WriteNumberValue(d);
        writer.WriteEndArray();
        writer.WriteStartArray("data_offsets");
        writer.WriteNumberValue(offset);
        writer.WriteNumberValue(offset + length);
        writer.WriteEndArray();
        writer.WriteEndObject();
        offset += length;
    }

    /// <summary>Orders "layers.2" before "layers.10" and "fc2" before "fc10": digit runs compare as numbers.</summary>
    private sealed class NaturalComparer : IComparer<string>
    {
        public static readonly NaturalComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            x ??= "";
            y ??= "";
            int i = 0, j = 0;
            while (i < x.Length && j < y.Length)
            {
                if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
                {
                    int si = i, sj = j;
                    while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                    while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                    var a = x.AsSpan(si, i - si).TrimStart('0');
                    var b = y.AsSpan(sj, j - sj).TrimStart('0');
                    int c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
                    if (c != 0)
                        return c;
                }
                else
                {
                    int c = x[i].CompareTo(y[j]);
                    if (c != 0)
                        return c;
                    i++;
                    j++;
                }
            }
            return (x.Length - i).CompareTo(y.Length - j);
        }
    }
}
