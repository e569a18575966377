using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticNets.Kernels;

/// <summary>
/// Vectorised cost functions of one sample and their gradients with respect to the output activation.
/// Allocation-free; lengths are checked once on entry.
/// </summary>
/// <remarks>
/// Logarithms are taken of activations clamped away from 0 (and from 1 for the binary form) by
/// <see cref="SingleEpsilon"/> for <see cref="float"/> or <see cref="DoubleEpsilon"/> for
/// <see cref="double"/>, so a saturated output gives a large finite cost instead of ∞ or NaN.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class LossKernels
{
    /// <summary>
    /// Clamp for <see cref="float"/> activations before a logarithm: ln(1e−7) ≈ −16.1. Large enough that
    /// 1 − ε is still below 1 in single precision (its spacing near 1 is about 6e−8).
    /// </summary>
    public const float SingleEpsilon = 1e-7f;

    /// <summary>Clamp for <see cref="double"/> (and other non-<see cref="float"/>) activations before a logarithm: ln(1e−12) ≈ −27.6.</summary>
    public const double DoubleEpsilon = 1e-12;

    // Logarithms go through TensorPrimitives (net8.0 has no vector log) and need somewhere to put their
    // results; a stack buffer of this many elements per chunk keeps the kernels allocation-free.
    private const int ChunkLength = 256;

    /// <summary>The quadratic cost <c>½ Σ (a[i] − y[i])²</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">The output activations.</param>
    /// <param name="y">The targets, as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static T Quadratic<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(a.Length, y.Length, nameof(a), nameof(y));
        return Reductions.Aggregate<T, SquaredDifferenceOperator<T>>(a, y) / (T.One + T.One);
    }

    /// <summary>The categorical cross-entropy <c>−Σ y[i]·ln max(a[i], ε)</c>, for softmax outputs.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">The output activations (probabilities).</param>
    /// <param name="y">The targets (usually one-hot), as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T CrossEntropy<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(a.Length, y.Length, nameof(a), nameof(y));
        T epsilon = Epsilon<T>();
        Span<T> logs = stackalloc T[ChunkLength];
        T sum = T.Zero;
        for (int start = 0; start < a.Length; start += ChunkLength)
        {
            int length = Math.Min(ChunkLength, a.Length - start);
            Span<T> chunk = logs.Slice(0, length);
            ElementwiseDrivers.Unary<T, ClampBelowOperator<T>>(a.Slice(start, length), chunk, epsilon);
            TensorPrimitives.Log(chunk, chunk);
            sum += Reductions.Aggregate<T, DotOperator<T>>(y.Slice(start, length), chunk);
        }
        return -sum;
    }

    /// <summary>
    /// The binary cross-entropy <c>−Σ [y[i]·ln â[i] + (1 − y[i])·ln(1 − â[i])]</c> with â = a clamped into
    /// <c>[ε, 1 − ε]</c>, for independent sigmoid outputs.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">The output activations, each a probability.</param>
    /// <param name="y">The targets in [0, 1], as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T BinaryCrossEntropy<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(a.Length, y.Length, nameof(a), nameof(y));
        T epsilon = Epsilon<T>();
        Span<T> logA = stackalloc T[ChunkLength];
        Span<T> logB = stackalloc T[ChunkLength];
        T sum = T.Zero;
        for (int start = 0; start < a.Length; start += ChunkLength)
        {
            int length = Math.Min(ChunkLength, a.Length - start);
            ReadOnlySpan<T> yChunk = y.Slice(start, length);
            Span<T> la = logA.Slice(0, length), lb = logB.Slice(0, length);
            ElementwiseDrivers.Unary<T, ClampUnitOperator<T>>(a.Slice(start, length), la, epsilon);
            ElementwiseDrivers.Unary<T, SubtractFromScalarOperator<T>>(la, lb, T.One);
            TensorPrimitives.Log(la, la);
            TensorPrimitives.Log(lb, lb);
            // (1 − y)·ln(1 − â) as its own product rather than ln(1 − â) − y·ln(1 − â), which would leave a
            // rounding residue where y = 1 and â is saturated.
            ElementwiseDrivers.Binary<T, ComplementTimesOperator<T>>(lb, yChunk, lb, T.Zero);
            sum += Reductions.Aggregate<T, DotOperator<T>>(yChunk, la) + Reductions.Aggregate<T, SumOperator<T>>(lb);
        }
        return -sum;
    }

    /// <summary>The output error <c>delta[i] = a[i] − y[i]</c>: ∂C/∂z for quadratic cost with identity output and for cross-entropy with softmax or sigmoid output.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">The output activations.</param>
    /// <param name="y">The targets, as long as <paramref name="a"/>.</param>
    /// <param name="delta">Receives the error; as long as <paramref name="a"/>, may be <paramref name="a"/> or <paramref name="y"/> itself.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void OutputError<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(a.Length, y.Length, nameof(a), nameof(y));
        KernelGuard.SameLength(a.Length, delta.Length, nameof(a), nameof(delta));
        KernelGuard.NoPartialOverlap(a, delta, nameof(a), nameof(delta));
        KernelGuard.NoPartialOverlap(y, delta, nameof(y), nameof(delta));
        ElementwiseDrivers.Binary<T, SubtractOperator<T>>(a, y, delta, T.Zero);
    }

    /// <summary>
    /// The gradient of <see cref="BinaryCrossEntropy{T}"/> with respect to the activations, for chaining
    /// through an output activation other than sigmoid: <c>g[i] = (a[i] − y[i]) / (a[i]·(1 − a[i]))</c> where
    /// <c>ε ≤ a[i] ≤ 1 − ε</c>, and 0 where a[i] lies outside, because the clamped cost is flat there (this is
    /// what central differences of <see cref="BinaryCrossEntropy{T}"/> give).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">The output activations.</param>
    /// <param name="y">The targets, as long as <paramref name="a"/>.</param>
    /// <param name="g">Receives the gradient; as long as <paramref name="a"/>, may be <paramref name="a"/> or <paramref name="y"/> itself.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void BinaryCrossEntropyGradient<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> g) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(a.Length, y.Length, nameof(a), nameof(y));
        KernelGuard.SameLength(a.Length, g.Length, nameof(a), nameof(g));
        KernelGuard.NoPartialOverlap(a, g, nameof(a), nameof(g));
        KernelGuard.NoPartialOverlap(y, g, nameof(y), nameof(g));
        ElementwiseDrivers.Binary<T, BinaryCrossEntropyGradientOperator<T>>(a, y, g, Epsilon<T>());
    }

    /// <summary>
    /// The cost of one sample for a network's loss and output activation: <see cref="Loss.Quadratic"/> gives
    /// <see cref="Quadratic{T}"/>; <see cref="Loss.CrossEntropy"/> gives <see cref="CrossEntropy{T}"/> after a
    /// softmax output and <see cref="BinaryCrossEntropy{T}"/> after any other.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="loss">The cost function.</param>
    /// <param name="outputActivation">The output layer's activation.</param>
    /// <param name="a">The output activations.</param>
    /// <param name="y">The targets, as long as <paramref name="a"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="loss"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static T Compute<T>(Loss loss, Activation outputActivation, ReadOnlySpan<T> a, ReadOnlySpan<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => loss switch
        {
            Loss.Quadratic => Quadratic(a, y),
            Loss.CrossEntropy when outputActivation == Activation.Softmax => CrossEntropy(a, y),
            Loss.CrossEntropy => BinaryCrossEntropy(a, y),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, $"Unknown loss {(int)loss}."),
        };

    /// <summary>The log clamp for <typeparamref name="T"/>: <see cref="SingleEpsilon"/> for float, <see cref="DoubleEpsilon"/> otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Epsilon<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? T.CreateTruncating(SingleEpsilon) : T.CreateTruncating(DoubleEpsilon);
}
