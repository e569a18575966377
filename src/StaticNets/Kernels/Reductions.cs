using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// The reduction drivers: one per number of span operands. Callers validate lengths first.
/// </summary>
internal static class Reductions
{
    /// <summary><c>Σ f(x[i])</c> for the fold <typeparamref name="TOp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static T Aggregate<T, TOp>(ReadOnlySpan<T> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IAggregateOperator<T>
    {
        ref T xRef = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        if (Simd512<T>.IsEnabled && n >= (nuint)Vector512<T>.Count)
            return Aggregate<T, TOp, Simd512<T>, Vector512<T>>(ref xRef, n);
        if (Simd256<T>.IsEnabled && n >= (nuint)Vector256<T>.Count)
            return Aggregate<T, TOp, Simd256<T>, Vector256<T>>(ref xRef, n);
        if (Simd128<T>.IsEnabled && n >= (nuint)Vector128<T>.Count)
            return Aggregate<T, TOp, Simd128<T>, Vector128<T>>(ref xRef, n);
        T sum = T.Zero;
        for (nuint i = 0; i < n; i++)
            sum = TOp.Invoke(sum, Unsafe.Add(ref xRef, i));
        return sum;
    }

    /// <summary><c>Σ f(x[i], y[i])</c> for the fold <typeparamref name="TOp"/>; the spans have equal lengths.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Aggregate<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IBinaryAggregateOperator<T>
    {
        Debug.Assert(x.Length == y.Length);
        return Aggregate<T, TOp>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), (nuint)x.Length);
    }

    /// <summary>Reference-based form of the two-span reduction, for kernels that reduce rows of a larger span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static T Aggregate<T, TOp>(ref T x, ref T y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IBinaryAggregateOperator<T>
    {
        if (Simd512<T>.IsEnabled && n >= (nuint)Vector512<T>.Count)
            return Aggregate<T, TOp, Simd512<T>, Vector512<T>>(ref x, ref y, n);
        if (Simd256<T>.IsEnabled && n >= (nuint)Vector256<T>.Count)
            return Aggregate<T, TOp, Simd256<T>, Vector256<T>>(ref x, ref y, n);
        if (Simd128<T>.IsEnabled && n >= (nuint)Vector128<T>.Count)
            return Aggregate<T, TOp, Simd128<T>, Vector128<T>>(ref x, ref y, n);
        T sum = T.Zero;
        for (nuint i = 0; i < n; i++)
            sum = TOp.Invoke(sum, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
        return sum;
    }

    /// <summary>
    /// <c>Σ (x[i]·s)²</c> with each product rounded as <see cref="VectorMath.Scale{T}"/> would store it: the same bits as
    /// scaling the span in place and then taking <see cref="VectorMath.SumOfSquares{T}"/>, without writing it (the
    /// training loop's norms when the update applies the mean's 1/m itself). <paramref name="s"/> is finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static T ScaledSumOfSquares<T>(ReadOnlySpan<T> x, T s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T xRef = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        if (Simd512<T>.IsEnabled && n >= (nuint)Vector512<T>.Count)
            return ScaledSumOfSquares<T, Simd512<T>, Vector512<T>>(ref xRef, n, s);
        if (Simd256<T>.IsEnabled && n >= (nuint)Vector256<T>.Count)
            return ScaledSumOfSquares<T, Simd256<T>, Vector256<T>>(ref xRef, n, s);
        if (Simd128<T>.IsEnabled && n >= (nuint)Vector128<T>.Count)
            return ScaledSumOfSquares<T, Simd128<T>, Vector128<T>>(ref xRef, n, s);
        T sum = T.Zero;
        for (nuint i = 0; i < n; i++)
            sum = SumOfSquaresOperator<T>.Invoke(sum, ScaleOperator<T>.Invoke(Unsafe.Add(ref xRef, i), s));
        return sum;
    }

    // Aggregate's loop with SumOfSquaresOperator on x·s: the same accumulators, the same tail (masked before the
    // multiplication, and 0·s = 0 as the stored product's masked lane would be), the same final tree.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T ScaledSumOfSquares<T, TW, TVec>(ref T x, nuint n, T s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        TVec sv = TW.Create(s);
        TVec a0 = TW.Zero, a1 = TW.Zero, a2 = TW.Zero, a3 = TW.Zero;
        nuint i = 0;
        for (; i + 4 * c <= n; i += 4 * c)
        {
            a0 = TW.Aggregate<SumOfSquaresOperator<T>>(a0, TW.Multiply(TW.Load(ref x, i), sv));
            a1 = TW.Aggregate<SumOfSquaresOperator<T>>(a1, TW.Multiply(TW.Load(ref x, i + c), sv));
            a2 = TW.Aggregate<SumOfSquaresOperator<T>>(a2, TW.Multiply(TW.Load(ref x, i + 2 * c), sv));
            a3 = TW.Aggregate<SumOfSquaresOperator<T>>(a3, TW.Multiply(TW.Load(ref x, i + 3 * c), sv));
        }
        for (; i + c <= n; i += c)
            a0 = TW.Aggregate<SumOfSquaresOperator<T>>(a0, TW.Multiply(TW.Load(ref x, i), sv));
        if (i < n)
            a1 = TW.Aggregate<SumOfSquaresOperator<T>>(a1, TW.Multiply(TW.And(TW.Load(ref x, n - c), TW.LastLanes(n - i)), sv));
        return TW.Sum(TW.Add(TW.Add(a0, a1), TW.Add(a2, a3)));
    }

    // n ≥ TW.Count. Four accumulators hide the add/FMA latency (about four cycles against two issues per
    // cycle); the tail is the last full vector with its already-counted leading lanes zeroed, which the
    // operators turn into a zero contribution.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static T Aggregate<T, TOp, TW, TVec>(ref T x, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IAggregateOperator<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        TVec a0 = TW.Zero, a1 = TW.Zero, a2 = TW.Zero, a3 = TW.Zero;
        nuint i = 0;
        for (; i + 4 * c <= n; i += 4 * c)
        {
            a0 = TW.Aggregate<TOp>(a0, TW.Load(ref x, i));
            a1 = TW.Aggregate<TOp>(a1, TW.Load(ref x, i + c));
            a2 = TW.Aggregate<TOp>(a2, TW.Load(ref x, i + 2 * c));
            a3 = TW.Aggregate<TOp>(a3, TW.Load(ref x, i + 3 * c));
        }
        for (; i + c <= n; i += c)
            a0 = TW.Aggregate<TOp>(a0, TW.Load(ref x, i));
        if (i < n)
            a1 = TW.Aggregate<TOp>(a1, TW.And(TW.Load(ref x, n - c), TW.LastLanes(n - i)));
        return TW.Sum(TW.Add(TW.Add(a0, a1), TW.Add(a2, a3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static T Aggregate<T, TOp, TW, TVec>(ref T x, ref T y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IBinaryAggregateOperator<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        TVec a0 = TW.Zero, a1 = TW.Zero, a2 = TW.Zero, a3 = TW.Zero;
        nuint i = 0;
        for (; i + 4 * c <= n; i += 4 * c)
        {
            a0 = TW.Aggregate<TOp>(a0, TW.Load(ref x, i), TW.Load(ref y, i));
            a1 = TW.Aggregate<TOp>(a1, TW.Load(ref x, i + c), TW.Load(ref y, i + c));
            a2 = TW.Aggregate<TOp>(a2, TW.Load(ref x, i + 2 * c), TW.Load(ref y, i + 2 * c));
            a3 = TW.Aggregate<TOp>(a3, TW.Load(ref x, i + 3 * c), TW.Load(ref y, i + 3 * c));
        }
        for (; i + c <= n; i += c)
            a0 = TW.Aggregate<TOp>(a0, TW.Load(ref x, i), TW.Load(ref y, i));
        if (i < n)
        {
            // Both operands are masked, so an infinity or NaN in a lane that was already counted cannot
            // turn into 0·∞ = NaN here.
            TVec mask = TW.LastLanes(n - i);
            a1 = TW.Aggregate<TOp>(a1, TW.And(TW.Load(ref x, n - c), mask), TW.And(TW.Load(ref y, n - c), mask));
        }
        return TW.Sum(TW.Add(TW.Add(a0, a1), TW.Add(a2, a3)));
    }
}
