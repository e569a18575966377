using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    // ReLU and LeakyReLU for the generated code. VectorNNN.Max is IEEE 754 maximum since .NET 9 (NaN and the sign of
    // zero handled by a vfixupimm after every vmaxps); the x86 MAX instruction alone returns its second operand when
    // either is NaN or both are zero, so max(0, x) with x second is exactly the kernels' ReLU, x < 0 ? 0 : x: NaN
    // passes through and −0 stays −0. Elsewhere the same function as a compare and a mask (ReLUOperator).

    /// <summary>ReLU, <c>x &lt; 0 ? 0 : x</c> per lane: NaN passes through, −0 stays −0. One <c>vmaxps</c> on x86.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The weighted inputs.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ReLU<T>(Vector512<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx512F.Max(Vector512<float>.Zero, x.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.Max(Vector512<double>.Zero, x.AsDouble()).As<double, T>();
        }
        return ReLUOperator<T>.Invoke(x, x);
    }

    /// <summary>ReLU, <c>x &lt; 0 ? 0 : x</c> per lane: NaN passes through, −0 stays −0. One <c>vmaxps</c> on x86.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The weighted inputs.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ReLU<T>(Vector256<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx.Max(Vector256<float>.Zero, x.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx.Max(Vector256<double>.Zero, x.AsDouble()).As<double, T>();
        }
        return ReLUOperator<T>.Invoke(x, x);
    }

    /// <summary>ReLU, <c>x &lt; 0 ? 0 : x</c> per lane: NaN passes through, −0 stays −0. One <c>maxps</c> on x86.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The weighted inputs.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ReLU<T>(Vector128<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Sse.Max(Vector128<float>.Zero, x.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Sse2.Max(Vector128<double>.Zero, x.AsDouble()).As<double, T>();
        }
        return ReLUOperator<T>.Invoke(x, x);
    }

    /// <summary>LeakyReLU, <c>x &gt; 0 ? x : 0.01·x</c> per lane (NaN passes through): on x86 one multiply and one <c>vmaxps</c> with x second.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The weighted inputs.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LeakyReLU<T>(Vector512<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx512F.Max(x.AsSingle() * (float)ActivationKernels.LeakyReLUSlope, x.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.Max(x.AsDouble() * ActivationKernels.LeakyReLUSlope, x.AsDouble()).As<double, T>();
        }
        return LeakyReLUOperator<T>.Invoke(x, x);
    }

    /// <summary>LeakyReLU, <c>x &gt; 0 ? x : 0.01·x</c> per lane (NaN passes through): on x86 one multiply and one <c>vmaxps</c> with x second.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The weighted inputs.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LeakyReLU<T>(Vector256<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx.Max(x.AsSingle() * (float)ActivationKernels.LeakyReLUSlope, x.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx.Max(x.AsDouble() * ActivationKernels.LeakyReLUSlope, x.AsDouble()).As<double, T>();
        }
        return LeakyReLUOperator<T>.Invoke(x, x);
    }

    /// <summary>LeakyReLU, <c>x &gt; 0 ? x : 0.01·x</c> per lane (NaN passes through): on x86 one multiply and one <c>maxps</c> with x second.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The weighted inputs.</param>
    /// <returns>The activations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LeakyReLU<T>(Vector128<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Sse.Max(x.AsSingle() * (float)ActivationKernels.LeakyReLUSlope, x.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Sse2.Max(x.AsDouble() * ActivationKernels.LeakyReLUSlope, x.AsDouble()).As<double, T>();
        }
        return LeakyReLUOperator<T>.Invoke(x, x);
    }
    /// <summary>
    /// The larger of each pair of lanes with x86 MAX semantics where there is one (one <c>vmaxps</c>: NaN or two zeros
    /// give <paramref name="y"/>), else <c>Vector128.Max</c>. For a softmax's shift: a NaN still makes every output NaN
    /// through the sum, and z − (−0) equals z − (+0) up to the sign of a zero whose exponential is 1 either way.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first operand.</param>
    /// <param name="y">The second operand, returned for NaN and for two zeros.</param>
    /// <returns>The lane-wise maximum.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MaxNative<T>(Vector128<T> x, Vector128<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Sse.Max(x.AsSingle(), y.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Sse2.Max(x.AsDouble(), y.AsDouble()).As<double, T>();
        }
        return Vector128.Max(x, y);
    }

    /// <summary>As <see cref="MaxNative{T}(Vector128{T}, Vector128{T})"/>, 256 bits.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first operand.</param>
    /// <param name="y">The second operand, returned for NaN and for two zeros.</param>
    /// <returns>The lane-wise maximum.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MaxNative<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx.Max(x.AsSingle(), y.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx.Max(x.AsDouble(), y.AsDouble()).As<double, T>();
        }
        return Vector256.Max(x, y);
    }

    /// <summary>As <see cref="MaxNative{T}(Vector128{T}, Vector128{T})"/>, 512 bits.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The first operand.</param>
    /// <param name="y">The second operand, returned for NaN and for two zeros.</param>
    /// <returns>The lane-wise maximum.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MaxNative<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx512F.Max(x.AsSingle(), y.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.Max(x.AsDouble(), y.AsDouble()).As<double, T>();
        }
        return Vector512.Max(x, y);
    }
}
