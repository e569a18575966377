using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;

namespace StaticNets.Kernels;

/// <summary>
/// Vectorised BLAS-1 style operations on spans, used by generated networks and the trainer.
/// Allocation-free; lengths are checked once on entry.
/// </summary>
/// <remarks>
/// Each call uses the widest hardware vectors (512, 256 or 128 bits) that fit the data at least once and
/// covers the remainder with one more, overlapping (element-wise) or masked (reductions) vector, so
/// scalar code only runs for spans shorter than one 128-bit vector. Results may differ from a sequential
/// scalar loop in the last bits because sums are split across lanes and accumulators and products are fused.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class VectorMath
{
    /// <summary>Returns the dot product <c>Σ x[i]·y[i]</c>; 0 for empty spans.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector, as long as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        return Reductions.Aggregate<T, DotOperator<T>>(x, y);
    }

    /// <summary>Returns <c>Σ x[i]</c>; 0 for an empty span.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The values to add up.</param>
    public static T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Reductions.Aggregate<T, SumOperator<T>>(x);

    /// <summary>Returns <c>Σ x[i]²</c>, the squared Euclidean norm; 0 for an empty span.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The values.</param>
    public static T SumOfSquares<T>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Reductions.Aggregate<T, SumOfSquaresOperator<T>>(x);

    /// <summary>Computes <c>destination[i] = x[i] + y[i]</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first addend.</param>
    /// <param name="y">The second addend, as long as <paramref name="x"/>.</param>
    /// <param name="destination">Receives the sums; as long as <paramref name="x"/>. May be <paramref name="x"/> or <paramref name="y"/> itself.</param>
    /// <exception cref="ArgumentException">A length differs, or <paramref name="destination"/> partly overlaps an input.</exception>
    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        KernelGuard.SameLength(x.Length, destination.Length, nameof(x), nameof(destination));
        KernelGuard.NoPartialOverlap(x, destination, nameof(x), nameof(destination));
        KernelGuard.NoPartialOverlap(y, destination, nameof(y), nameof(destination));
        ElementwiseDrivers.Binary<T, AddOperator<T>>(x, y, destination, T.Zero);
    }

    /// <summary>Computes <c>destination[i] += x[i]</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="destination">The values to add to.</param>
    /// <param name="x">The values to add, as long as <paramref name="destination"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void AddInPlace<T>(Span<T> destination, ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(destination.Length, x.Length, nameof(destination), nameof(x));
        KernelGuard.NoPartialOverlap(x, destination, nameof(x), nameof(destination));
        ElementwiseDrivers.Binary<T, AddOperator<T>>(destination, x, destination, T.Zero);
    }

    /// <summary>Computes <c>y[i] += alpha·x[i]</c> (BLAS axpy).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="alpha">The scale applied to <paramref name="x"/>.</param>
    /// <param name="x">The values to scale and add.</param>
    /// <param name="y">The values to add to, as long as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        KernelGuard.NoPartialOverlap(x, y, nameof(x), nameof(y));
        ElementwiseDrivers.Binary<T, AxpyOperator<T>>(x, y, y, alpha);
    }

    /// <summary>Computes <c>x[i] *= alpha</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="alpha">The scale.</param>
    /// <param name="x">The values to scale in place.</param>
    public static void Scale<T>(T alpha, Span<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ElementwiseDrivers.Unary<T, ScaleOperator<T>>(x, x, alpha);

    /// <summary>Computes <c>destination[i] = x[i] − y[i]</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The minuend.</param>
    /// <param name="y">The subtrahend, as long as <paramref name="x"/>.</param>
    /// <param name="destination">Receives the differences; as long as <paramref name="x"/>. May be <paramref name="x"/> or <paramref name="y"/> itself.</param>
    /// <exception cref="ArgumentException">A length differs, or <paramref name="destination"/> partly overlaps an input.</exception>
    public static void Subtract<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        KernelGuard.SameLength(x.Length, destination.Length, nameof(x), nameof(destination));
        KernelGuard.NoPartialOverlap(x, destination, nameof(x), nameof(destination));
        KernelGuard.NoPartialOverlap(y, destination, nameof(y), nameof(destination));
        ElementwiseDrivers.Binary<T, SubtractOperator<T>>(x, y, destination, T.Zero);
    }

    /// <summary>Returns the index of the first largest element, or −1 for an empty span.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The values.</param>
    /// <remarks>
    /// A NaN counts as larger than everything (its first index is returned), so a diverged network never
    /// looks like a confident prediction. +0 counts as larger than −0.
    /// </remarks>
    public static int ArgMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => TensorPrimitives.IndexOfMax(x);
}
