using System.IO;

namespace StaticNets.Persistence;

/// <summary>What was wrong with a rejected network or tensor file.</summary>
public enum NetworkFileProblem
{
    /// <summary>The file does not start with the expected magic bytes: it is not a file of this format.</summary>
    BadMagic,
    /// <summary>The file was written by a format version this library does not read.</summary>
    UnsupportedVersion,
    /// <summary>The file ends before the content its header announces.</summary>
    Truncated,
    /// <summary>Bytes follow the end of the content the header announces.</summary>
    TrailingData,
    /// <summary>The stored checksum does not match the content: the file was corrupted.</summary>
    ChecksumMismatch,
    /// <summary>The header or a section is structurally invalid (bad size, count, name, code or offset).</summary>
    Malformed,
    /// <summary>The parameters are stored as another element type than the network uses.</summary>
    ElementTypeMismatch,
    /// <summary>The stored architecture (sizes, activations, loss) differs from the network's.</summary>
    ArchitectureMismatch,
    /// <summary>A tensor has another shape than the layer it maps to.</summary>
    ShapeMismatch,
    /// <summary>A tensor the network needs is not in the file, or an optional section asked for is absent.</summary>
    MissingTensor,
    /// <summary>A section or tensor holds a different number of values than asked for.</summary>
    LengthMismatch,
}

/// <summary>
/// A network, safetensors or optimizer-state file was rejected. Nothing was written into the network: files are
/// verified completely before any parameter is copied. <see cref="Expected"/> and <see cref="Actual"/> say what
/// the reader wanted and what it found. (It derives from <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed.)
/// </summary>
public sealed class InvalidNetworkFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">The kind of problem.</param>
    /// <param name="expected">What the reader expected, in words (for example an architecture).</param>
    /// <param name="actual">What it found.</param>
    /// <param name="message">The full message.</param>
    public InvalidNetworkFileException(NetworkFileProblem problem, string expected, string actual, string message)
        : base(message)
    {
        Problem = problem;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The kind of problem.</summary>
    public NetworkFileProblem Problem { get; }

    /// <summary>What the reader expected.</summary>
    public string Expected { get; }

    /// <summary>What it found.</summary>
    public string Actual { get; }

    internal static InvalidNetworkFileException Create(NetworkFileProblem problem, string what, string expected, string actual, string? source)
        => new(problem, expected, actual, $"{(source is null ? "" : $"'{source}': ")}{what}: expected {expected} but found {actual}.");
}
