using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// The trainer's fused gradient passes, so that each buffer is read once: the reduction of per-partition gradients
/// (the sum, the 1/m scaling and the zeroing for the next step in one pass), and SGD's update with the 1/m inside it.
/// </summary>
internal static class GradientKernels
{
    /// <summary>
    /// <c>y[i] = alpha·(x[i]·beta) + y[i]</c>: the same bits as <see cref="VectorMath.Scale{T}"/>(beta, x) followed by
    /// <see cref="VectorMath.Axpy{T}"/>(alpha, x, y) — the product x·beta rounded, then the same fused (vector) or
    /// unfused (shorter than one 128-bit vector) multiply-add — with x left as it was.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaledAxpy<T>(T alpha, T beta, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        KernelGuard.NoPartialOverlap(x, y, nameof(x), nameof(y));
        ref T xRef = ref MemoryMarshal.GetReference(x);
        ref T yRef = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length;
        if (Simd512<T>.IsEnabled && n >= (nuint)Vector512<T>.Count)
            ScaledAxpy<T, Simd512<T>, Vector512<T>>(ref xRef, ref yRef, n, alpha, beta);
        else if (Simd256<T>.IsEnabled && n >= (nuint)Vector256<T>.Count)
            ScaledAxpy<T, Simd256<T>, Vector256<T>>(ref xRef, ref yRef, n, alpha, beta);
        else if (Simd128<T>.IsEnabled && n >= (nuint)Vector128<T>.Count)
            ScaledAxpy<T, Simd128<T>, Vector128<T>>(ref xRef, ref yRef, n, alpha, beta);
        else
        {
            for (nuint i = 0; i < n; i++)
                Unsafe.Add(ref yRef, i) = AxpyOperator<T>.Invoke(ScaleOperator<T>.Invoke(Unsafe.Add(ref xRef, i), beta), Unsafe.Add(ref yRef, i), alpha);
        }
    }

    // The element-wise drivers' shape: the last, overlapping vector computed before anything is stored.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaledAxpy<T, TW, TVec>(ref T x, ref T y, nuint n, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint last = n - c;
        TVec a = TW.Create(alpha), b = TW.Create(beta);
        TVec end = TW.MultiplyAdd(TW.Multiply(TW.Load(ref x, last), b), a, TW.Load(ref y, last));
        nuint i = 0;
        for (; i + 2 * c <= last; i += 2 * c)
        {
            TVec r0 = TW.MultiplyAdd(TW.Multiply(TW.Load(ref x, i), b), a, TW.Load(ref y, i));
            TVec r1 = TW.MultiplyAdd(TW.Multiply(TW.Load(ref x, i + c), b), a, TW.Load(ref y, i + c));
            TW.Store(r0, ref y, i);
            TW.Store(r1, ref y, i + c);
        }
        for (; i < last; i += c)
            TW.Store(TW.MultiplyAdd(TW.Multiply(TW.Load(ref x, i), b), a, TW.Load(ref y, i)), ref y, i);
        TW.Store(end, ref y, last);
    }

    /// <summary><c>target[i] = (target[i] + source[i])·scale; source[i] = 0</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaleAndClear<T>(Span<T> target, Span<T> source, T scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Length(source.Length, target.Length, "parameters", nameof(source));
        ref T t = ref MemoryMarshal.GetReference(target);
        ref T s = ref MemoryMarshal.GetReference(source);
        nuint n = (nuint)target.Length, i = 0;
        if (Simd512<T>.IsEnabled)
            i = Run<T, Simd512<T>, Vector512<T>>(ref t, ref s, n, scale);
        else if (Simd256<T>.IsEnabled)
            i = Run<T, Simd256<T>, Vector256<T>>(ref t, ref s, n, scale);
        else if (Simd128<T>.IsEnabled)
            i = Run<T, Simd128<T>, Vector128<T>>(ref t, ref s, n, scale);
        for (; i < n; i++)
        {
            Unsafe.Add(ref t, i) = (Unsafe.Add(ref t, i) + Unsafe.Add(ref s, i)) * scale;
            Unsafe.Add(ref s, i) = T.Zero;
        }
    }

    // Returns how many elements it handled (whole vectors); the caller finishes the rest, since the
    // overlapping-last-vector trick would add the overlap twice.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint Run<T, TW, TVec>(ref T t, ref T s, nuint n, T scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        TVec k = TW.Create(scale);
        TVec zero = TW.Zero;
        nuint i = 0;
        for (; i + c <= n; i += c)
        {
            TVec sum = TW.Add(TW.Load(ref t, i), TW.Load(ref s, i));
            TW.Store(TW.Unary<ScaleOperator<T>>(sum, k), ref t, i);
            TW.Store(zero, ref s, i);
        }
        return i;
    }
}
