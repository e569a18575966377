using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// The element-wise drivers: one per number of span operands. Callers validate lengths and aliasing first;
/// the destination may be the same span as an input (same first element), never a shifted view of one.
/// </summary>
internal static class ElementwiseDrivers
{
    /// <summary><c>destination[i] = TOp(x[i], s)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Unary<T, TOp>(ReadOnlySpan<T> x, Span<T> destination, T s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
    {
        Debug.Assert(x.Length == destination.Length);
        ref T xRef = ref MemoryMarshal.GetReference(x);
        ref T dRef = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;

        // Widest enabled width that fits at least one full vector; the IsHardwareAccelerated tests inside
        // IsEnabled are JIT-time constants, so the branches for missing widths disappear.
        if (Simd512<T>.IsEnabled && n >= (nuint)Vector512<T>.Count)
            Unary<T, TOp, Simd512<T>, Vector512<T>>(ref xRef, ref dRef, n, s);
        else if (Simd256<T>.IsEnabled && n >= (nuint)Vector256<T>.Count)
            Unary<T, TOp, Simd256<T>, Vector256<T>>(ref xRef, ref dRef, n, s);
        else if (Simd128<T>.IsEnabled && n >= (nuint)Vector128<T>.Count)
            Unary<T, TOp, Simd128<T>, Vector128<T>>(ref xRef, ref dRef, n, s);
        else
        {
            for (nuint i = 0; i < n; i++)
                Unsafe.Add(ref dRef, i) = TOp.Invoke(Unsafe.Add(ref xRef, i), s);
        }
    }

    /// <summary><c>destination[i] = TOp(x[i], y[i], s)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Binary<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, T s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        Debug.Assert(x.Length == y.Length && x.Length == destination.Length);
        ref T xRef = ref MemoryMarshal.GetReference(x);
        ref T yRef = ref MemoryMarshal.GetReference(y);
        ref T dRef = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;

        if (Simd512<T>.IsEnabled && n >= (nuint)Vector512<T>.Count)
            Binary<T, TOp, Simd512<T>, Vector512<T>>(ref xRef, ref yRef, ref dRef, n, s);
        else if (Simd256<T>.IsEnabled && n >= (nuint)Vector256<T>.Count)
            Binary<T, TOp, Simd256<T>, Vector256<T>>(ref xRef, ref yRef, ref dRef, n, s);
        else if (Simd128<T>.IsEnabled && n >= (nuint)Vector128<T>.Count)
            Binary<T, TOp, Simd128<T>, Vector128<T>>(ref xRef, ref yRef, ref dRef, n, s);
        else
        {
            for (nuint i = 0; i < n; i++)
                Unsafe.Add(ref dRef, i) = TOp.Invoke(Unsafe.Add(ref xRef, i), Unsafe.Add(ref yRef, i), s);
        }
    }

    // n ≥ TW.Count. The tail is the last full vector, overlapping the one before it, instead of a scalar
    // loop. It is computed before the loop stores anything: when the destination is also an input, the
    // overlapped elements would otherwise be read back already transformed (d += x would add twice).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unary<T, TOp, TW, TVec>(ref T x, ref T d, nuint n, T s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint last = n - c;
        TVec sv = TW.Create(s);
        TVec end = TW.Unary<TOp>(TW.Load(ref x, last), sv);
        nuint i = 0;
        // Four independent vectors per iteration keep the loop overhead and the dependency on i out of the way.
        for (; i + 4 * c <= last; i += 4 * c)
        {
            TVec r0 = TW.Unary<TOp>(TW.Load(ref x, i), sv);
            TVec r1 = TW.Unary<TOp>(TW.Load(ref x, i + c), sv);
            TVec r2 = TW.Unary<TOp>(TW.Load(ref x, i + 2 * c), sv);
            TVec r3 = TW.Unary<TOp>(TW.Load(ref x, i + 3 * c), sv);
            TW.Store(r0, ref d, i);
            TW.Store(r1, ref d, i + c);
            TW.Store(r2, ref d, i + 2 * c);
            TW.Store(r3, ref d, i + 3 * c);
        }
        for (; i < last; i += c)
            TW.Store(TW.Unary<TOp>(TW.Load(ref x, i), sv), ref d, i);
        TW.Store(end, ref d, last);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary<T, TOp, TW, TVec>(ref T x, ref T y, ref T d, nuint n, T s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint last = n - c;
        TVec sv = TW.Create(s);
        TVec end = TW.Binary<TOp>(TW.Load(ref x, last), TW.Load(ref y, last), sv);
        nuint i = 0;
        for (; i + 4 * c <= last; i += 4 * c)
        {
            TVec r0 = TW.Binary<TOp>(TW.Load(ref x, i), TW.Load(ref y, i), sv);
            TVec r1 = TW.Binary<TOp>(TW.Load(ref x, i + c), TW.Load(ref y, i + c), sv);
            TVec r2 = TW.Binary<TOp>(TW.Load(ref x, i + 2 * c), TW.Load(ref y, i + 2 * c), sv);
            TVec r3 = TW.Binary<TOp>(TW.Load(ref x, i + 3 * c), TW.Load(ref y, i + 3 * c), sv);
            TW.Store(r0, ref d, i);
            TW.Store(r1, ref d, i + c);
            TW.Store(r2, ref d, i + 2 * c);
            TW.Store(r3, ref d, i + 3 * c);
        }
        for (; i < last; i += c)
            TW.Store(TW.Binary<TOp>(TW.Load(ref x, i), TW.Load(ref y, i), sv), ref d, i);
        TW.Store(end, ref d, last);
    }
}
