using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// What a generated fused forward pass (one method for a whole small network, written with
/// <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/> or <see cref="Vector128{T}"/> directly) needs from
/// the runtime: which vector width the kernels use, and a fused multiply-add that compiles on every target
/// framework. Not meant to be called by hand.
/// </summary>
public static class FusedSimd
{
    /// <summary>Whether the kernels use 512-bit vectors of <typeparamref name="T"/> on this machine.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <returns>True when 512-bit vectors are accelerated and not capped by the kernels' width setting.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Use512<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> => Simd512<T>.IsEnabled;

    /// <summary>Whether the kernels may use 256-bit vectors of <typeparamref name="T"/> on this machine.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <returns>True when 256-bit vectors are accelerated and not capped by the kernels' width setting.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Use256<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> => Simd256<T>.IsEnabled;

    /// <summary>Whether the kernels may use 128-bit vectors of <typeparamref name="T"/> on this machine.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <returns>True when 128-bit vectors are accelerated and not capped by the kernels' width setting.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Use128<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> => Simd128<T>.IsEnabled;

    /// <summary><c>x·y + addend</c> in one rounding where the hardware has FMA.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first factor.</param>
    /// <param name="y">The second factor.</param>
    /// <param name="addend">Added to the product.</param>
    /// <returns>The fused multiply-add, lane by lane.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd<T>(Vector512<T> x, Vector512<T> y, Vector512<T> addend) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Simd.MultiplyAdd(x, y, addend);

    /// <summary><c>x·y + addend</c> in one rounding where the hardware has FMA.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first factor.</param>
    /// <param name="y">The second factor.</param>
    /// <param name="addend">Added to the product.</param>
    /// <returns>The fused multiply-add, lane by lane.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd<T>(Vector256<T> x, Vector256<T> y, Vector256<T> addend) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Simd.MultiplyAdd(x, y, addend);

    /// <summary><c>x·y + addend</c> in one rounding where the hardware has FMA.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first factor.</param>
    /// <param name="y">The second factor.</param>
    /// <param name="addend">Added to the product.</param>
    /// <returns>The fused multiply-add, lane by lane.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd<T>(Vector128<T> x, Vector128<T> y, Vector128<T> addend) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Simd.MultiplyAdd(x, y, addend);
}
