using System;
using System.Buffers.Binary;
using System.IO;
using StaticNets.Persistence;

namespace StaticNets.Unsupervised;

// An RBM is stored as a .snet file (docs/persistence.md) of the dense network it unrolls into — input [visible], one
// dense layer visible → hidden whose activation (sigmoid or identity) records the hidden units — plus two sections: the
// visible bias and the kind of visible units. The same writer, checksum and verification as networks, and the file still
// loads as that one-layer network (a feature extractor) anywhere .snet files are read.
public sealed partial class Rbm<T>
{
    /// <summary>Name of the section holding the visible biases (<see cref="VisibleCount"/> values of the element type).</summary>
    public const string VisibleBiasSection = "rbm.visible_bias";

    /// <summary>Name of the section holding the kind of visible units (one int64: the <see cref="Unsupervised.VisibleUnits"/> value).</summary>
    public const string VisibleUnitsSection = "rbm.visible_units";

    /// <summary>The one-layer dense network this RBM's weights and hidden biases form: <c>visible → hidden</c> with <see cref="HiddenActivation"/>.</summary>
    public NetworkInfo DenseInfo => new("rbm", typeof(T) == typeof(float) ? Precision.Single : Precision.Double, Loss.Quadratic,
        Shape.Vector(VisibleCount), new LayerInfo[] { new DenseLayerInfo(VisibleCount, HiddenCount, HiddenActivation, 0) });

    /// <summary>Saves the RBM to <paramref name="path"/> atomically (written beside it, flushed, renamed over it).</summary>
    /// <param name="path">The target file, by convention with the <c>.snet</c> extension.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        NetworkFile.WriteAtomically(path, ToBytes());
    }

    /// <summary>Writes the RBM to <paramref name="stream"/> at its position; the stream is flushed, not closed.</summary>
    /// <param name="stream">A writable stream.</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes());
        stream.Flush();
    }

    /// <summary>The bytes of the RBM's <c>.snet</c> file.</summary>
    public byte[] ToBytes()
    {
        byte code = NetworkFileFormat.ElementCode<T>();
        var bias = new byte[VisibleCount * NetworkFileFormat.ElementSize(code)];
        NetworkFileFormat.WriteValues<T>(VisibleBias, bias);
        var units = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(units, (long)VisibleUnits);
        var sections = new[]
        {
            new SnetSection(VisibleBiasSection, code, VisibleCount, 0, bias.Length, bias),
            new SnetSection(VisibleUnitsSection, NetworkFileFormat.Int64Code, 1, 0, 8, units),
        };
        var info = DenseInfo;
        var parameters = new byte[DenseParameters.Length * NetworkFileFormat.ElementSize(code)];
        NetworkFileFormat.WriteValues(DenseParameters, parameters);
        return SnetFormat.Write(code, (int)info.Loss, new[] { VisibleCount }, NetworkFileFormat.ToRecords(info), DenseParameters.Length, parameters, sections);
    }

    /// <summary>Loads an RBM saved by <see cref="Save(string)"/>. The whole file is verified before anything is built.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidNetworkFileException">The file is corrupt, truncated, or not an RBM (not exactly one dense sigmoid or identity layer, or a section missing or of the wrong type or length).</exception>
    public static Rbm<T> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>Loads an RBM from the rest of <paramref name="stream"/>, which must hold exactly one file.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <exception cref="InvalidNetworkFileException">As <see cref="Load(string)"/>.</exception>
    public static Rbm<T> Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return FromBytes(buffer.ToArray(), null);
    }

    /// <summary>Loads an RBM from the bytes of a whole file. Values stored as the other element type are converted (float to double exactly).</summary>
    /// <param name="file">The file's bytes.</param>
    /// <exception cref="InvalidNetworkFileException">As <see cref="Load(string)"/>.</exception>
    public static Rbm<T> FromBytes(ReadOnlySpan<byte> file) => FromBytes(file, null);

    private static Rbm<T> FromBytes(ReadOnlySpan<byte> data, string? source)
    {
        var file = NetworkFileFormat.Parse(data, source);
        var info = file.Info;
        if (info.Layers.Count != 1 || info.InputShape.Rank != 1 || info.Layers[0] is not DenseLayerInfo { HasBias: true, Steps: 1 } layer
            || layer.Activation is not (Activation.Sigmoid or Activation.Identity))
            throw InvalidNetworkFileException.Create(NetworkFileProblem.ArchitectureMismatch, "Not an RBM file",
                "one dense layer visible → hidden with a bias and a sigmoid or identity activation", info.ToString(), source);
        int visible = layer.Inputs, hidden = layer.Outputs;
        var biasRange = Section(file, VisibleBiasSection, file.ElementCode, visible * NetworkFileFormat.ElementSize(file.ElementCode), $"{visible} {NetworkFileFormat.ValueTypeName(file.ElementCode)} values", source);
        var unitsRange = Section(file, VisibleUnitsSection, NetworkFileFormat.Int64Code, 8, "one int64", source);
        long units = BinaryPrimitives.ReadInt64LittleEndian(data[unitsRange]);
        if (units is not ((long)VisibleUnits.Bernoulli or (long)VisibleUnits.Gaussian))
            throw InvalidNetworkFileException.Create(NetworkFileProblem.Malformed, "Malformed RBM file", $"section '{VisibleUnitsSection}' holding 0 (Bernoulli) or 1 (Gaussian)", $"{units}", source);
        var hiddenUnits = layer.Activation == Activation.Sigmoid ? HiddenUnits.Bernoulli : HiddenUnits.Gaussian;
        if (units == (long)VisibleUnits.Gaussian && hiddenUnits == HiddenUnits.Gaussian)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.Malformed, "Malformed RBM file", "Bernoulli units on at least one side", "Gaussian visible and hidden units", source);

        var rbm = new Rbm<T>(visible, hidden, (VisibleUnits)units, hiddenUnits);
        NetworkFileFormat.ReadValues(data[file.Parameters], file.ElementCode, rbm._parameters.AsSpan(0, rbm._weightCount + hidden));
        NetworkFileFormat.ReadValues(data[biasRange], file.ElementCode, rbm.VisibleBias);
        return rbm;
    }

    private static Range Section(ParsedFile file, string name, byte type, int bytes, string expected, string? source)
    {
        if (!file.Sections.TryGetValue(name, out var section))
            throw InvalidNetworkFileException.Create(NetworkFileProblem.MissingTensor, "Not an RBM file", $"a section '{name}' of {expected}", "none", source);
        if (section.Type != type || section.Values.End.Value - section.Values.Start.Value != bytes)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.LengthMismatch, "Malformed RBM file", $"section '{name}' of {expected}",
                $"{(section.Values.End.Value - section.Values.Start.Value) / (section.Type == NetworkFileFormat.Int64Code ? 8 : NetworkFileFormat.ElementSize(section.Type))} {NetworkFileFormat.ValueTypeName(section.Type)} values", source);
        return section.Values;
    }
}
