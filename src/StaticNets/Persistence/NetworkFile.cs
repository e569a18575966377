using System;
using System.IO;
using System.Buffers.Binary;
using System.Numerics;
using StaticNets.Training;

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

    /// <summary>Saves <paramref name="network"/> with the state and step count of <paramref name="optimizer"/>, atomically, to resume training later.</summary>
    /// <param name="network">The network whose architecture and parameters are written.</param>
    /// <param name="path">The target file.</param>
    /// <param name="optimizer">Any optimizer that exposes its state (all built-in ones do).</param>
    public static void Save<T>(INetwork<T> network, string path, IOptimizerState<T> optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentException.ThrowIfNullOrEmpty(path);
        WriteAtomically(path, NetworkFileFormat.Write<T>(network.Info, network.Parameters, optimizer.State, optimizer.StepCount));
    }

    /// <summary>Writes <paramref name="network"/> and the state of <paramref name="optimizer"/> to <paramref name="stream"/>.</summary>
    public static void Save<T>(INetwork<T> network, Stream stream, IOptimizerState<T> optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(NetworkFileFormat.Write<T>(network.Info, network.Parameters, optimizer.State, optimizer.StepCount));
        stream.Flush();
    }

    /// <summary>Loads parameters into <paramref name="into"/> and restores <paramref name="optimizer"/>'s state and step count.</summary>
    /// <exception cref="InvalidNetworkFileException">As <see cref="Load{T}(INetwork{T}, string)"/>, or the file has no optimizer state, or state for another kind of optimizer (another number of slots).</exception>
    public static void Load<T>(INetwork<T> into, string path, IOptimizerState<T> optimizer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Load(into, File.ReadAllBytes(path), optimizer, path);
    }

    /// <summary>Loads parameters and optimizer state from the rest of <paramref name="stream"/>.</summary>
    public static void Load<T>(INetwork<T> into, Stream stream, IOptimizerState<T> optimizer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Load(into, ReadToEnd(stream), optimizer, null);

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
            state = data[StateSection(file, source)];
            int values = state.Length / NetworkFileFormat.ElementSize(file.ElementCode);
            if (values != optimizerState.Length)
                throw InvalidNetworkFileException.Create(NetworkFileProblem.LengthMismatch, "Optimizer state of another size", $"{optimizerState.Length} values", $"{values} values", source);
        }
        // Everything is verified: only now touch the network.
        using (var edit = into.EditParameters())
            NetworkFileFormat.ReadValues(data[file.Parameters], file.ElementCode, edit.Span);
        if (wantState)
            NetworkFileFormat.ReadValues(state, file.ElementCode, optimizerState);
    }

    private static void Load<T>(INetwork<T> into, ReadOnlySpan<byte> data, IOptimizerState<T> optimizer, string? source)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(optimizer);
        var file = NetworkFileFormat.Parse(data, source);
        CheckArchitecture(into.Info, file.Info, NetworkFileFormat.ElementCode<T>(), file.ElementCode, source);
        var state = data[StateSection(file, source)];
        if (!file.Sections.TryGetValue(NetworkFileFormat.OptimizerStepsSection, out var stepsSection) || stepsSection.Type != NetworkFileFormat.Int64Code
            || stepsSection.Values.End.Value - stepsSection.Values.Start.Value != 8)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.MissingTensor, "No optimizer step count in the file", $"a section '{NetworkFileFormat.OptimizerStepsSection}' of one int64", "none (saved from a span, not an optimizer)", source);
        long steps = BinaryPrimitives.ReadInt64LittleEndian(data[stepsSection.Values]);
        int values = state.Length / NetworkFileFormat.ElementSize(file.ElementCode);
        // The optimizer's own check, made here so that a mismatch is reported before anything is written.
        long expected = (long)optimizer.StateSlots * into.ParameterCount;
        bool fresh = values == 0 && steps == 0;
        if (steps < 0 || (values != expected && !fresh))
            throw InvalidNetworkFileException.Create(NetworkFileProblem.LengthMismatch, $"Optimizer state does not fit {TypeName(optimizer)}",
                $"{optimizer.StateSlots} slot(s) × {into.ParameterCount} parameters = {expected} values and a step count ≥ 0", $"{values} values after {steps} steps", source);

        using (var edit = into.EditParameters())
            NetworkFileFormat.ReadValues(data[file.Parameters], file.ElementCode, edit.Span);
        if (values == 0 && optimizer.StateSlots > 0)
        {
            // Saved before its first step: nothing to restore but a clean start.
            (optimizer as IOptimizer<T>)?.Reset();
            return;
        }
        var restored = new T[values];
        NetworkFileFormat.ReadValues(state, file.ElementCode, restored.AsSpan());
        optimizer.LoadState(restored, steps);
    }

    /// <summary>"Momentum" rather than "Momentum`1".</summary>
    private static string TypeName(object value)
    {
        string name = value.GetType().Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick > 0 ? name[..tick] : name;
    }

    private static Range StateSection(ParsedFile file, string? source)
    {
        if (!file.Sections.TryGetValue(NetworkFileFormat.OptimizerSection, out var section) || section.Type != file.ElementCode)
            throw InvalidNetworkFileException.Create(NetworkFileProblem.MissingTensor, "No optimizer state in the file",
                $"a section '{NetworkFileFormat.OptimizerSection}' of {NetworkFileFormat.ValueTypeName(file.ElementCode)} values", "none (saved without optimizer state)", source);
        return section.Values;
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

    /// <summary>
    /// Architecture equality ignoring precision, which is reported on its own, and Dropout layers, which own no
    /// parameters and are the identity at inference: a file saved from a network with dropout loads into the
    /// same network, and a version-1 file of a dense network into the equivalent network.
    /// </summary>
    internal static bool SameLayers(NetworkInfo a, NetworkInfo b)
    {
        if (a.Loss != b.Loss || !a.InputShape.Equals(b.InputShape))
            return false;
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Layers.Count && a.Layers[i].Kind == LayerKind.Dropout)
                i++;
            while (j < b.Layers.Count && b.Layers[j].Kind == LayerKind.Dropout)
                j++;
            if (i == a.Layers.Count || j == b.Layers.Count)
                return i == a.Layers.Count && j == b.Layers.Count;
            if (!a.Layers[i].Equals(b.Layers[j]))
                return false;
            i++;
            j++;
        }
    }

    private static byte[] ReadToEnd(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Writes next to the target, flushes to disk, then renames over it: the old file survives any crash before the rename.
    /// The temporary file has one predictable name per target, <c>.name.tmp</c> beside it (<see cref="TemporaryPath"/>),
    /// so a save killed before the rename leaves at most that one file, which the next save overwrites and renames. Only
    /// while another save to the same target is writing it (it is held exclusively) does a save write a uniquely named one.
    /// </summary>
    internal static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        string full = Path.GetFullPath(path);
        string temporary = TemporaryPath(full);
        FileStream stream;
        try
        {
            stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (File.Exists(temporary))
        {
            // Another save to this target holds the shared temporary file: write one of this save's own.
            temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
            stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        try
        {
            using (stream)
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

    /// <summary>The temporary file a save to <paramref name="fullPath"/> writes before renaming it: <c>.name.tmp</c> in the same directory.</summary>
    internal static string TemporaryPath(string fullPath)
        => Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", $".{Path.GetFileName(fullPath)}.tmp");

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
