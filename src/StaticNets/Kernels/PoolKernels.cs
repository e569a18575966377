using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticNets.Kernels;

/// <summary>
/// Kernels of 2-D max and average pooling over NCHW samples, forward and backward. Allocation-free; shapes
/// are checked once on entry. No padding: every window lies inside the input, and rows and columns that no
/// window covers are ignored (and get zero gradient).
/// </summary>
/// <remarks>
/// Max pooling picks, per window, the first maximum in row-major window order; a NaN in the window wins
/// (the first NaN), so NaN propagates as in PyTorch. The chosen element's index within its sample is
/// recorded for the backward pass.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class PoolKernels
{
    private const string Inputs = "inputs";
    private const string Outputs = "outputs";

    /// <summary>
    /// Max pooling: each output is the largest input of its window, and
    /// <c>argmax[n·OutputSize + i]</c> receives the index within the sample (0 … InputSize − 1) of the chosen input.
    /// Ties go to the first maximum in row-major window order; a NaN in the window wins (the first one).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="input">The inputs, a whole number of samples of <see cref="Pool2DShape.InputSize"/>.</param>
    /// <param name="output">Receives as many samples of <see cref="Pool2DShape.OutputSize"/>.</param>
    /// <param name="argmax">Receives, per output, the index of the chosen input within its sample; as long as <paramref name="output"/>.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or <paramref name="output"/> overlaps <paramref name="input"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxForward<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output, Span<int> argmax)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = CheckForward(s, input, output);
        KernelGuard.Length(argmax.Length, output.Length, "one per output", nameof(argmax));

        ref T x = ref MemoryMarshal.GetReference(input);
        ref T y = ref MemoryMarshal.GetReference(output);
        ref int am = ref MemoryMarshal.GetReference(argmax);
        int inPlane = s.InHeight * s.InWidth, iw = s.InWidth, ow = s.OutWidth;
        int planes = batch * s.Channels;
        bool twoByTwo = s.WindowHeight == 2 && s.WindowWidth == 2 && s.StrideY == 2 && s.StrideX == 2;
        for (int pl = 0; pl < planes; pl++)
        {
            ref T xp = ref Unsafe.Add(ref x, (nuint)pl * (nuint)inPlane);
            int planeBase = pl % s.Channels * inPlane; // index of the plane's first element within its sample
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                int rowStart = oy * s.StrideY * iw;
                if (twoByTwo)
                {
                    // The common LeNet case: four compares per output, no inner loops.
                    ref T r0 = ref Unsafe.Add(ref xp, (nuint)rowStart);
                    ref T r1 = ref Unsafe.Add(ref r0, (nuint)iw);
                    int i0 = planeBase + rowStart;
                    for (int ox = 0; ox < ow; ox++)
                    {
                        nuint i = (nuint)(2 * ox);
                        // Pairwise, branch-free (on random data a branch mispredicts half the time): the winner of
                        // each row pair as an offset 0/1, the values reloaded by offset rather than selected.
                        int tTop = Takes(Unsafe.Add(ref r0, i + 1), Unsafe.Add(ref r0, i)) ? 1 : 0;
                        int tBottom = Takes(Unsafe.Add(ref r1, i + 1), Unsafe.Add(ref r1, i)) ? 1 : 0;
                        int down = Takes(Unsafe.Add(ref r1, i + (nuint)tBottom), Unsafe.Add(ref r0, i + (nuint)tTop)) ? 1 : 0;
                        int offset = down * (iw + tBottom) + (1 - down) * tTop;
                        y = Unsafe.Add(ref r0, i + (nuint)offset);
                        am = i0 + (int)i + offset;
                        y = ref Unsafe.Add(ref y, 1);
                        am = ref Unsafe.Add(ref am, 1);
                    }
                }
                else
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int start = rowStart + ox * s.StrideX;
                        int best = start;
                        T v = Unsafe.Add(ref xp, (nuint)start);
                        for (int wy = 0; wy < s.WindowHeight; wy++)
                        {
                            int r = start + wy * iw;
                            for (int wx = wy == 0 ? 1 : 0; wx < s.WindowWidth; wx++)
                                Take(ref xp, r + wx, ref v, ref best);
                        }
                        y = v;
                        am = planeBase + best;
                        y = ref Unsafe.Add(ref y, 1);
                        am = ref Unsafe.Add(ref am, 1);
                    }
                }
            }
        }
    }

    // Whether a later candidate replaces the running maximum: it is larger, or it is the first NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Takes<T>(T candidate, T best)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (candidate > best) | (T.IsNaN(candidate) & !T.IsNaN(best));

    // Replaces the running maximum when the candidate is larger, or is the first NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take<T>(ref T plane, int index, ref T best, ref int bestIndex)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Branch-free: on random data a branch here mispredicts about half the time.
        T v = Unsafe.Add(ref plane, (nuint)index);
        bool take = Takes(v, best);
        bestIndex = take ? index : bestIndex;
        best = take ? v : best;
    }

    /// <summary>
    /// The backward pass of <see cref="MaxForward{T}"/>: OVERWRITES <paramref name="inputDelta"/>, zero except where
    /// <paramref name="argmax"/> points; each output delta is added at its sample's argmax index, so overlapping
    /// windows that chose the same input add up.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="outputDelta">∂C/∂output, a whole number of samples of <see cref="Pool2DShape.OutputSize"/>.</param>
    /// <param name="argmax">The indices <see cref="MaxForward{T}"/> recorded, as long as <paramref name="outputDelta"/>; each in 0 … InputSize − 1.</param>
    /// <param name="inputDelta">Receives ∂C/∂input, as many samples of <see cref="Pool2DShape.InputSize"/>.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or <paramref name="inputDelta"/> overlaps <paramref name="outputDelta"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index in <paramref name="argmax"/> lies outside its sample.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxBackward<T>(in Pool2DShape s, ReadOnlySpan<T> outputDelta, ReadOnlySpan<int> argmax, Span<T> inputDelta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = CheckBackward(s, outputDelta, inputDelta);
        KernelGuard.Length(argmax.Length, outputDelta.Length, "one per output", nameof(argmax));

        inputDelta.Clear();
        ref T d = ref MemoryMarshal.GetReference(outputDelta);
        ref int am = ref MemoryMarshal.GetReference(argmax);
        ref T dx = ref MemoryMarshal.GetReference(inputDelta);
        int inSize = s.InputSize, outSize = s.OutputSize;
        for (int n = 0; n < batch; n++)
        {
            ref T dxn = ref Unsafe.Add(ref dx, (nuint)n * (nuint)inSize);
            for (int i = 0; i < outSize; i++)
            {
                int at = am;
                if ((uint)at >= (uint)inSize)
                    ThrowIndex(at, inSize);
                Unsafe.Add(ref dxn, (nuint)at) += d;
                d = ref Unsafe.Add(ref d, 1);
                am = ref Unsafe.Add(ref am, 1);
            }
        }
    }

    /// <summary>Average pooling: each output is the mean of its window.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="input">The inputs, a whole number of samples of <see cref="Pool2DShape.InputSize"/>.</param>
    /// <param name="output">Receives as many samples of <see cref="Pool2DShape.OutputSize"/>.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or <paramref name="output"/> overlaps <paramref name="input"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvgForward<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = CheckForward(s, input, output);
        ref T x = ref MemoryMarshal.GetReference(input);
        ref T y = ref MemoryMarshal.GetReference(output);
        int inPlane = s.InHeight * s.InWidth, iw = s.InWidth, ow = s.OutWidth;
        int planes = batch * s.Channels;
        T scale = T.One / T.CreateTruncating(s.WindowHeight * s.WindowWidth);
        bool twoByTwo = s.WindowHeight == 2 && s.WindowWidth == 2 && s.StrideY == 2 && s.StrideX == 2;
        for (int pl = 0; pl < planes; pl++)
        {
            ref T xp = ref Unsafe.Add(ref x, (nuint)pl * (nuint)inPlane);
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                int rowStart = oy * s.StrideY * iw;
                if (twoByTwo)
                {
                    ref T r0 = ref Unsafe.Add(ref xp, (nuint)rowStart);
                    ref T r1 = ref Unsafe.Add(ref r0, (nuint)iw);
                    for (int ox = 0; ox < ow; ox++)
                    {
                        nuint i = (nuint)(2 * ox);
                        y = (Unsafe.Add(ref r0, i) + Unsafe.Add(ref r0, i + 1) + (Unsafe.Add(ref r1, i) + Unsafe.Add(ref r1, i + 1))) * scale;
                        y = ref Unsafe.Add(ref y, 1);
                    }
                }
                else
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        ref T start = ref Unsafe.Add(ref xp, (nuint)(rowStart + ox * s.StrideX));
                        T sum = T.Zero;
                        for (int wy = 0; wy < s.WindowHeight; wy++)
                        {
                            ref T r = ref Unsafe.Add(ref start, (nuint)(wy * iw));
                            for (int wx = 0; wx < s.WindowWidth; wx++)
                                sum += Unsafe.Add(ref r, (nuint)wx);
                        }
                        y = sum * scale;
                        y = ref Unsafe.Add(ref y, 1);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The backward pass of <see cref="AvgForward{T}"/>: OVERWRITES <paramref name="inputDelta"/>; each output delta,
    /// divided by the window size, is added to every input of its window (overlapping windows add up;
    /// inputs no window covers get zero).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="outputDelta">∂C/∂output, a whole number of samples of <see cref="Pool2DShape.OutputSize"/>.</param>
    /// <param name="inputDelta">Receives ∂C/∂input, as many samples of <see cref="Pool2DShape.InputSize"/>.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or <paramref name="inputDelta"/> overlaps <paramref name="outputDelta"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvgBackward<T>(in Pool2DShape s, ReadOnlySpan<T> outputDelta, Span<T> inputDelta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = CheckBackward(s, outputDelta, inputDelta);
        inputDelta.Clear();
        ref T d = ref MemoryMarshal.GetReference(outputDelta);
        ref T dx = ref MemoryMarshal.GetReference(inputDelta);
        int inPlane = s.InHeight * s.InWidth, iw = s.InWidth, ow = s.OutWidth;
        int planes = batch * s.Channels;
        T scale = T.One / T.CreateTruncating(s.WindowHeight * s.WindowWidth);
        for (int pl = 0; pl < planes; pl++)
        {
            ref T dp = ref Unsafe.Add(ref dx, (nuint)pl * (nuint)inPlane);
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                int rowStart = oy * s.StrideY * iw;
                for (int ox = 0; ox < ow; ox++)
                {
                    T g = d * scale;
                    d = ref Unsafe.Add(ref d, 1);
                    ref T start = ref Unsafe.Add(ref dp, (nuint)(rowStart + ox * s.StrideX));
                    for (int wy = 0; wy < s.WindowHeight; wy++)
                    {
                        ref T r = ref Unsafe.Add(ref start, (nuint)(wy * iw));
                        for (int wx = 0; wx < s.WindowWidth; wx++)
                            Unsafe.Add(ref r, (nuint)wx) += g;
                    }
                }
            }
        }
    }

    private static int CheckForward<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output)
    {
        s.Validate();
        KernelGuard.WholeSamples(input.Length, s.InputSize, Inputs, nameof(input));
        int batch = input.Length / s.InputSize;
        KernelGuard.Samples(output.Length, batch, s.OutputSize, Outputs, nameof(output));
        KernelGuard.NoOverlap(input, output, nameof(input), nameof(output));
        return batch;
    }

    private static int CheckBackward<T>(in Pool2DShape s, ReadOnlySpan<T> outputDelta, Span<T> inputDelta)
    {
        s.Validate();
        KernelGuard.WholeSamples(outputDelta.Length, s.OutputSize, Outputs, nameof(outputDelta));
        int batch = outputDelta.Length / s.OutputSize;
        KernelGuard.Samples(inputDelta.Length, batch, s.InputSize, Inputs, nameof(inputDelta));
        KernelGuard.NoOverlap(outputDelta, inputDelta, nameof(outputDelta), nameof(inputDelta));
        return batch;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowIndex(int index, int inputSize)
        => throw new ArgumentOutOfRangeException("argmax", index, $"Expected indices within a sample of {inputSize} inputs.");
}
