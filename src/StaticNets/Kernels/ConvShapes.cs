using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace StaticNets.Kernels;

/// <summary>
/// Everything a 2-D convolution's code needs, fixed at compile time by the generator. Samples are NCHW
/// (channels × height × width, row-major); weights are <c>[outChannels, inChannels, kernelHeight, kernelWidth]</c> row-major.
/// </summary>
/// <param name="InChannels">Input channels, at least 1.</param>
/// <param name="InHeight">Input rows, at least 1.</param>
/// <param name="InWidth">Input columns, at least 1.</param>
/// <param name="OutChannels">Output channels (filters), at least 1.</param>
/// <param name="KernelHeight">Kernel rows, at least 1.</param>
/// <param name="KernelWidth">Kernel columns, at least 1.</param>
/// <param name="StrideY">Vertical stride, at least 1.</param>
/// <param name="StrideX">Horizontal stride, at least 1.</param>
/// <param name="PadTop">Zero rows above the input, at least 0.</param>
/// <param name="PadLeft">Zero columns left of the input, at least 0.</param>
/// <param name="OutHeight">
/// Output rows, at least 1; the caller computes it, usually as <c>(InHeight + PadTop + PadBottom − KernelHeight) / StrideY + 1</c>.
/// The bottom padding is implied: rows of windows that reach below the input read zeros.
/// </param>
/// <param name="OutWidth">Output columns, at least 1; the right padding is implied the same way.</param>
/// <remarks>
/// <see cref="Validate"/> checks the sizes; the kernels call it on entry. Window <c>(oy, ox)</c> covers input rows
/// <c>oy·StrideY − PadTop …</c> and columns <c>ox·StrideX − PadLeft …</c>; every window must overlap the input.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public readonly record struct Conv2DShape(
    int InChannels, int InHeight, int InWidth,
    int OutChannels, int KernelHeight, int KernelWidth,
    int StrideY, int StrideX, int PadTop, int PadLeft,
    int OutHeight, int OutWidth)
{
    /// <summary>Input values per sample: <c>InChannels × InHeight × InWidth</c>.</summary>
    public int InputSize => InChannels * InHeight * InWidth;

    /// <summary>Output values per sample: <c>OutChannels × OutHeight × OutWidth</c>.</summary>
    public int OutputSize => OutChannels * OutHeight * OutWidth;

    /// <summary>Weights: <c>OutChannels × InChannels × KernelHeight × KernelWidth</c>.</summary>
    public int WeightCount => OutChannels * InChannels * KernelHeight * KernelWidth;

    /// <summary>Values in one receptive field: <c>InChannels × KernelHeight × KernelWidth</c>.</summary>
    public int PatchSize => InChannels * KernelHeight * KernelWidth;

    /// <summary>Output positions per channel: <c>OutHeight × OutWidth</c>.</summary>
    public int OutPlane => OutHeight * OutWidth;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless every size and stride is positive, the padding is not
    /// negative, the first and last windows of each axis overlap the input, and the sizes fit in an <see cref="int"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is not valid.</exception>
    public void Validate()
    {
        if (InChannels < 1 || InHeight < 1 || InWidth < 1 || OutChannels < 1 || KernelHeight < 1 || KernelWidth < 1
            || StrideY < 1 || StrideX < 1 || OutHeight < 1 || OutWidth < 1)
            Throw(this, "every channel count, size, kernel size and stride must be at least 1");
        if (PadTop < 0 || PadLeft < 0)
            Throw(this, "padding must not be negative");
        if (PadTop >= KernelHeight || PadLeft >= KernelWidth)
            Throw(this, "the first window of each axis must overlap the input (padding less than the kernel size)");
        if ((long)(OutHeight - 1) * StrideY - PadTop >= InHeight || (long)(OutWidth - 1) * StrideX - PadLeft >= InWidth)
            Throw(this, "the last window of each axis must overlap the input (too many output rows or columns)");
        if ((long)InChannels * InHeight * InWidth > int.MaxValue || (long)OutChannels * OutHeight * OutWidth > int.MaxValue
            || (long)OutChannels * InChannels * KernelHeight * KernelWidth > int.MaxValue
            || (long)InChannels * KernelHeight * KernelWidth * OutHeight * OutWidth > int.MaxValue)
            Throw(this, "the sizes overflow");
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(Conv2DShape shape, string why)
        => throw new ArgumentException($"Invalid convolution shape {shape}: {why}.", "s");
}

/// <summary>
/// The shape of a 2-D pooling layer over NCHW samples. No padding: every window lies inside the input, and
/// trailing rows and columns that no window covers are ignored (they get zero gradient).
/// </summary>
/// <param name="Channels">Channels, at least 1 (pooled independently).</param>
/// <param name="InHeight">Input rows, at least 1.</param>
/// <param name="InWidth">Input columns, at least 1.</param>
/// <param name="WindowHeight">Window rows, at least 1.</param>
/// <param name="WindowWidth">Window columns, at least 1.</param>
/// <param name="StrideY">Vertical stride, at least 1.</param>
/// <param name="StrideX">Horizontal stride, at least 1.</param>
/// <param name="OutHeight">Output rows, at least 1, usually <c>(InHeight − WindowHeight) / StrideY + 1</c>.</param>
/// <param name="OutWidth">Output columns, at least 1, usually <c>(InWidth − WindowWidth) / StrideX + 1</c>.</param>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public readonly record struct Pool2DShape(
    int Channels, int InHeight, int InWidth,
    int WindowHeight, int WindowWidth, int StrideY, int StrideX,
    int OutHeight, int OutWidth)
{
    /// <summary>Input values per sample: <c>Channels × InHeight × InWidth</c>.</summary>
    public int InputSize => Channels * InHeight * InWidth;

    /// <summary>Output values per sample: <c>Channels × OutHeight × OutWidth</c>.</summary>
    public int OutputSize => Channels * OutHeight * OutWidth;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless every size and stride is positive and every window lies
    /// inside the input: <c>(OutHeight − 1)·StrideY + WindowHeight ≤ InHeight</c>, and the same across.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is not valid.</exception>
    public void Validate()
    {
        if (Channels < 1 || InHeight < 1 || InWidth < 1 || WindowHeight < 1 || WindowWidth < 1
            || StrideY < 1 || StrideX < 1 || OutHeight < 1 || OutWidth < 1)
            Throw(this, "every channel count, size, window size and stride must be at least 1");
        if ((long)(OutHeight - 1) * StrideY + WindowHeight > InHeight || (long)(OutWidth - 1) * StrideX + WindowWidth > InWidth)
            Throw(this, "every window must lie inside the input");
        if ((long)Channels * InHeight * InWidth > int.MaxValue)
            Throw(this, "the sizes overflow");
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(Pool2DShape shape, string why)
        => throw new ArgumentException($"Invalid pooling shape {shape}: {why}.", "s");
}
