using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace StaticNets.Kernels;

/// <summary>
/// Entry checks of the kernels. The checks inline to a compare and a branch; the messages are built in
/// separate, never-inlined methods so they cost nothing on the hot path.
/// </summary>
internal static class KernelGuard
{
    /// <summary>Throws unless <paramref name="actual"/> has as many elements as <paramref name="reference"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SameLength(int reference, int actual, string referenceName, string paramName)
    {
        if (actual != reference)
            ThrowSameLength(reference, actual, referenceName, paramName);
    }

    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>, described by <paramref name="what"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Length(int actual, long expected, string what, string paramName)
    {
        if (actual != expected)
            ThrowLength(actual, expected, what, paramName);
    }

    /// <summary>Throws unless <paramref name="actual"/> is <c>rows × columns</c>; the message names both factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Product(int actual, int rows, int columns, string rowsName, string columnsName, string paramName)
    {
        if (actual != (long)rows * columns)
            ThrowProduct(actual, rows, columns, rowsName, columnsName, paramName);
    }

    /// <summary>Throws unless <paramref name="length"/> is a whole number of rows of <paramref name="rowSize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WholeRows(int length, int rowSize, string paramName)
    {
        if (length % rowSize != 0)
            ThrowWholeRows(length, rowSize, paramName);
    }

    /// <summary>
    /// Throws when <paramref name="output"/> partly overlaps <paramref name="input"/>. Element-wise kernels work
    /// in place (both spans start at the same element) but not on shifted views, which would read results
    /// they had already written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void NoPartialOverlap<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output, string inputName, string paramName)
    {
        if (input.Overlaps(output, out int offset) && offset != 0)
            ThrowPartialOverlap(inputName, paramName);
    }

    /// <summary>Throws when <paramref name="output"/> shares any element with <paramref name="input"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void NoOverlap<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output, string inputName, string paramName)
    {
        if (input.Overlaps(output))
            ThrowOverlap(inputName, paramName);
    }

    /// <summary>Throws unless <paramref name="value"/> is at least 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Positive(int value, string paramName)
    {
        if (value < 1)
            ThrowNotPositive(value, paramName);
    }

    /// <summary>Throws unless <paramref name="length"/> is a whole number of samples of <paramref name="sampleSize"/> <paramref name="what"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WholeSamples(int length, int sampleSize, string what, string paramName)
    {
        if (length % sampleSize != 0)
            ThrowWholeSamples(length, sampleSize, what, paramName);
    }

    /// <summary>Throws unless <paramref name="actual"/> is <paramref name="samples"/> samples of <paramref name="sampleSize"/> <paramref name="what"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Samples(int actual, int samples, int sampleSize, string what, string paramName)
    {
        if (actual != (long)samples * sampleSize)
            ThrowSamples(actual, samples, sampleSize, what, paramName);
    }

    /// <summary>Throws unless <paramref name="actual"/> is 0 (absent) or <paramref name="expected"/>, described by <paramref name="what"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void EmptyOr(int actual, int expected, string what, string paramName)
    {
        if (actual != 0 && actual != expected)
            ThrowEmptyOr(actual, expected, what, paramName);
    }

    /// <summary>Throws unless <paramref name="actual"/> is at least <paramref name="expected"/>, described by <paramref name="what"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AtLeast(int actual, long expected, string what, string paramName)
    {
        if (actual < expected)
            ThrowAtLeast(actual, expected, what, paramName);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWholeSamples(int length, int sampleSize, string what, string paramName)
        => throw new ArgumentException($"Expected a whole number of samples of {sampleSize} {what} but got {Guard.Count(length, "value")}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSamples(int actual, int samples, int sampleSize, string what, string paramName)
        => throw new ArgumentException($"Expected {Guard.Count((long)samples * sampleSize, "value")} ({Guard.Count(samples, "sample")} of {sampleSize} {what}) but got {actual}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowEmptyOr(int actual, int expected, string what, string paramName)
        => throw new ArgumentException($"Expected {Guard.Count(expected, "element")} ({what}) or an empty span but got {actual}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowAtLeast(int actual, long expected, string what, string paramName)
        => throw new ArgumentException($"Expected at least {Guard.Count(expected, "element")} ({what}) but got {actual}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSameLength(int reference, int actual, string referenceName, string paramName)
        => throw new ArgumentException($"Expected {Guard.Count(reference, "element")} (the length of {referenceName}) but got {actual}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int actual, long expected, string what, string paramName)
        => throw new ArgumentException($"Expected {Guard.Count(expected, "element")} ({what}) but got {actual}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowProduct(int actual, int rows, int columns, string rowsName, string columnsName, string paramName)
        => throw new ArgumentException($"Expected {Guard.Count((long)rows * columns, "element")} ({rowsName} × {columnsName} = {rows} × {columns}) but got {actual}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWholeRows(int length, int rowSize, string paramName)
        => throw new ArgumentException($"Expected a whole number of rows of {Guard.Count(rowSize, "element")} but got {Guard.Count(length, "element")} ({Guard.Count(length / rowSize, "row")} and {length % rowSize} left over).", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowPartialOverlap(string inputName, string paramName)
        => throw new ArgumentException($"{paramName} overlaps {inputName} without starting at the same element; pass the same span to work in place, or separate memory.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOverlap(string inputName, string paramName)
        => throw new ArgumentException($"{paramName} must not overlap {inputName}: the kernel still reads {inputName} after it starts writing {paramName}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotPositive(int value, string paramName)
        => throw new ArgumentOutOfRangeException(paramName, value, $"Expected a value of at least 1 but got {value}.");
}
