using System;
using System.IO;
using System.Numerics;

namespace StaticNets.Persistence;

/// <summary>
/// Saves and loads networks in the <c>.snet</c> format (docs/persistence.md): magic, version, element type,
/// architecture, parameters, an optional optimizer-state section and a CRC-32.
/// </summary>
/// <remarks>
/// Saving to a path is atomic: the file is written next to the target under a temporary name, flushed to disk
/// and renamed over it, so a crash mid-save leaves the previous file intact. Loading verifies the whole file
/// (checksum, structure, element type, architecture) before it copies anything into the network; a rejected
/// file throws <see cref="InvalidNetworkFileException"/> and leaves the network unchanged. Round trips are bit-exact.
/// </remarks>
public static class NetworkFile
{
    /// <summary>The usual file extension, <c>.snet</c>.</summary>
    public const string Extension = ".snet";

    /// <summary>Saves <paramref name="network"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="network">The network whose architecture and parameters are written.</param>
    /// <param name="path">The target file; replaced only once the new content is completely on disk.</param>
    /// <param name="optimizerState">Optional raw optimizer state (velocities, moments) to resume training; empty for none.</param>
    public static void Save<T>(INetwork<T> network, string path, ReadOnlySpan<T> optimizerState = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        WriteAtomically(path, NetworkFileFormat.Write<T>(network.Info, network.Parameters, optimizerState));
    }

    /// <summary>Writes <paramref name="network"/> to <paramref name="stream"/> at its current position.</summary>
    /// <param name="network">The network whose architecture and parameters are written.</param>
    /// <param name="stream">A writable stream; it is flushed, not closed.</param>
    /// <param name="optimizerState">Optional raw optimizer state to resume training; empty for none.</param>
    public static void Save<T>(INetwork<T> network, Stream stream, ReadOnlySpan<T> optimizerState = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(NetworkFileFormat.Write<T>(network.Info, network.Parameters, optimizerState));
        stream.Flush();
    }

    /// <summary>The bytes of a <c>.snet</c> file for <paramref name="network"/>.</summary>
    /// <param name="network">The network to serialise.</param>
    /// <param name="optimizerState">Optional raw optimizer state; empty for none.</param>
    public static byte[] ToBytes<T>(INetwork<T> network, ReadOnlySpan<T> optimizerState = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        return NetworkFileFormat.Write<T>(network.Info, network.Parameters, optimizerState);
    }

    /// <summary>Loads parameters saved from a network of the same architecture into <paramref name="into"/>.</summary>
    /// <exception cref="InvalidNetworkFileException">The file is corrupt, truncated, of another version, element type or architecture.</exception>
    public static void Load<T>(INetwork<T> into, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Load(into, path, Span<T>.Empty, wantState: false);

    /// <summary>Loads parameters and the optimizer state saved with them.</summary>
    /// <param name="into">The network to fill.</param>
    /// <param name="path">The file.</param>
    /// <param name="optimizerState">Receives the saved optimizer state; the file must hold exactly this many values.</param>
    /// <exception cref="InvalidNetworkFileException">As <see cref="Load{T}(INetwork{T}, string)"/>, or the state is missing or of another length.</exception>
    public static void Load<T>(INetwork<T> into, string path, Span<T> optimizerState) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Load(into, path, optimizerState, wantState: true);

    /// <summary>Loads parameters from the rest of <paramref name="stream"/>, which must hold exactly one file.</summary>
    public static void Load<T>(INetwork<T> into, Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Load(into, ReadToEnd(stream), Span<T>.Empty, wantState: false, source: null);

    /// <summary>Loads parameters and optimizer state from the rest of <paramref name="stream"/>.</summary>
    public static void Load<T>(INetwork<T> into, Stream stream, Span<T> optimizerState) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Load(into, ReadToEnd(stream), optimizerState, wantState: true, source: null);

    /// <summary>Loads parameters from the bytes of a whole file (for example an embedded resource).</summary>
    public static void Load<T>(INetwork<T> into, ReadOnlySpan<byte> file) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Load(into, file, Span<T>.Empty, wantState: false, source: null);

    /// <summary>Reads and verifies a file without a network, for tools: its architecture, parameters and sections.</summary>
    /// <exception cref="InvalidNetworkFileException">The file is not a valid <c>.snet</c> file.</exception>
    public static NetworkFileContents Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] data = File.ReadAllBytes(path);
        return new NetworkFileContents(data, NetworkFileFormat.Parse(data, path));
    }

    /// <summary>Reads and verifies the rest of <paramref name="stream"/> as one file.</summary>
    public static NetworkFileContents Read(Stream stream)
    {
        byte[] data = ReadToEnd(stream);
        return new NetworkFileContents(data, NetworkFileFormat.Parse(data, null));
    }

    private static void Load<T>(INetwork<T> into, string path, Span<T> optimizerState, bool wantState) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Load(into, File.ReadAllBytes(path), optimizerState, wantState, path);
    }

    private static void Load<T>(INetwork<T> into, ReadOnlySpan<byte> data, Span<T> optimizerState, bool wantState, string? source)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(into);
        var file = NetworkFileFormat.Parse(data, source);
        CheckArchitecture(into.Info, file.Info, NetworkFileFormat.ElementCode<T>(), file.ElementCode, source);
        ReadOnlySpan<byte> state = default;
        if (wantState)
        {
            if (!file.Sections.TryGetValue(NetworkFileFormat.OptimizerSection, out var range))
                throw InvalidNetworkFileException.Create(NetworkFileProblem.MissingTensor, "No optimizer state in the file", $"a section '{NetworkFileFormat.OptimizerSection}' of {optimizerState.Length} values", "none (saved without optimizer state)", source);
            state = data[range];
            int values = state.Length / NetworkFileFormat.ElementSize(file.ElementCode);
            if (values != optimizerState.Length)
                throw InvalidNetworkFileException.Create(NetworkFileProblem.LengthMismatch, "Optimizer state of another size", $"{optimizerState.Length} values", $"{values} values", source);
        }
        // Everything is verified: only now touch the network.
        NetworkFileFormat.ReadValues(data[file.Parameters], file.ElementCode, into.Parameters);
        if (wantState)
            NetworkFileFormat.ReadValues(state, file.ElementCode, optimizerState);
    }

    internal static void CheckArchitecture(NetworkInfo expected, NetworkInfo actual, byte expectedCode, byte actualCode, string? source)
    {
        if (!SameLayers(expected, actual))
            throw InvalidNetworkFileException.Create(NetworkFileProblem.ArchitectureMismatch, $"Architecture mismatch: the network '{expected.Name}' cannot take these parameters",
                expected.ToString(), actual.ToString(), source);
        if (expectedCode != actualCode)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.ElementTypeMismatch, $"Element type mismatch for '{expected.Name}' ({expected})",
                NetworkFileFormat.ElementName(expectedCode), NetworkFileFormat.ElementName(actualCode), source);
    }

    /// <summary>Architecture equality ignoring precision, which is reported on its own.</summary>
    internal static bool SameLayers(NetworkInfo a, NetworkInfo b)
    {
        if (a.Loss != b.Loss || a.Layers.Count != b.Layers.Count || a.InputSize != b.InputSize)
            return false;
        for (int i = 0; i < a.Layers.Count; i++)
        {
            if (a.Layers[i].Kind != b.Layers[i].Kind || a.Layers[i].Outputs != b.Layers[i].Outputs || a.Layers[i].Activation != b.Layers[i].Activation)
                return false;
        }
        return true;
    }

    private static byte[] ReadToEnd(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Writes next to the target, flushes to disk, then renames over it: the old file survives any crash before the rename.</summary>
    internal static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
