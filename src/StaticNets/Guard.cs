using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace StaticNets;

/// <summary>
/// Argument checks shared by generated networks and the runtime. Every failure names the argument and
/// says what was expected and what was found. Public only because generated code in user assemblies calls it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Throws when a span does not hold exactly <paramref name="expected"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length(int actual, int expected, string paramName)
    {
        if (actual != expected)
            ThrowLength(actual, expected, paramName);
    }

    /// <summary>
    /// Throws unless <paramref name="inputLength"/> is <paramref name="inputSize"/> and <paramref name="outputLength"/> is
    /// <paramref name="outputSize"/>: the single-sample forward's two checks in one branch. The exception names
    /// <c>input</c> or <c>output</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Lengths(int inputLength, int inputSize, int outputLength, int outputSize)
    {
        if (((inputLength ^ inputSize) | (outputLength ^ outputSize)) != 0)
            ThrowLengths(inputLength, inputSize, outputLength, outputSize);
    }

    [DoesNotReturn]
    private static void ThrowLengths(int inputLength, int inputSize, int outputLength, int outputSize)
    {
        if (inputLength != inputSize)
            ThrowLength(inputLength, inputSize, "input");
        ThrowLength(outputLength, outputSize, "output");
    }

    /// <summary>Checks that a batch span holds a whole number (1..capacity) of rows and returns the number of rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BatchSize(int length, int rowSize, int capacity, string paramName)
    {
        int batch = length / rowSize;
        if (batch * rowSize != length || batch < 1 || batch > capacity)
            ThrowBatch(length, rowSize, capacity, paramName);
        return batch;
    }

    /// <summary>Throws when <paramref name="value"/> is not at least 1.</summary>
    public static void Positive(int value, string paramName)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(paramName, value, $"Expected a value of at least 1 but got {value}.");
    }

    /// <summary>Checks a thread count (at least 1) and returns it.</summary>
    public static int Threads(int value, string paramName)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(paramName, value, $"Expected at least 1 thread but got {value}.");
        return value;
    }

    /// <summary>
    /// Checks a workspace's batch capacity: at least 1, and at most <paramref name="max"/>, the largest whose buffers
    /// (<paramref name="perSample"/> values per sample in the largest) each fit in one <see cref="Kernels.AlignedArray{T}"/>.
    /// </summary>
    public static void BatchCapacity(int value, int max, long perSample, string paramName)
    {
        if (value < 1 || value > max)
            throw new ArgumentOutOfRangeException(paramName, value,
                $"Expected a batch capacity between 1 and {max} (the most samples for which every workspace buffer fits: the largest holds {perSample} values per sample, a buffer at most {Kernels.AlignedArray<byte>.MaxLength}) but got {value}.");
    }

    /// <summary>The exception for a workspace created by another network type.</summary>
    public static ArgumentException WrongWorkspace(object? workspace, Type expected, string paramName)
        => workspace is null
            ? new ArgumentNullException(paramName, $"Expected a {expected.FullName} but got null.")
            : new ArgumentException($"Expected a {expected.FullName} (from this network's CreateWorkspace) but got a {workspace.GetType().FullName}.", paramName);

    [DoesNotReturn]
    private static void ThrowLength(int actual, int expected, string paramName)
        => throw new ArgumentException($"Expected {Count(expected, "element")} but got {actual}.", paramName);

    [DoesNotReturn]
    private static void ThrowBatch(int length, int rowSize, int capacity, string paramName)
    {
        if (length % rowSize != 0)
            throw new ArgumentException($"Expected a whole number of rows of {Count(rowSize, "element")} but got {Count(length, "element")} ({Count(length / rowSize, "row")} and {length % rowSize} left over).", paramName);
        if (length == 0)
            throw new ArgumentException($"Expected at least one row of {Count(rowSize, "element")} but got an empty span.", paramName);
        throw new ArgumentException($"Expected at most {Count(capacity, "row")} (the workspace's BatchCapacity) but got {length / rowSize}.", paramName);
    }

    /// <summary>"1 element", "2 elements": a count and its noun, singular for exactly one.</summary>
    internal static string Count(long count, string noun)
        => count == 1 ? "1 " + noun : $"{count} {noun}s";
}
