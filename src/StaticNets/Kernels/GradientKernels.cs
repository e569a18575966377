using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// The trainer's reduction of per-partition gradients, fused so that each buffer is read once: the sum,
/// the 1/m scaling and the zeroing for the next step happen in one pass.
/// </summary>
internal static class GradientKernels
{
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
