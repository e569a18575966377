using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets.Kernels;

// The smooth activations (ELU, GELU, softplus, SiLU). Each needs an exponential or tanh per element, which
// net8.0's Vector128/256/512 do not offer, so these are element loops over T's own Exp/Tanh/LogP1; the
// cost is a few ns per element and only matters for layers of thousands of neurons.
public static partial class ActivationKernels
{
    /// <summary>√(2/π), the slope inside GELU's tanh.</summary>
    private const double GeluScale = 0.7978845608028654;

    /// <summary>The cubic coefficient of GELU's tanh form.</summary>
    private const double GeluCubic = 0.044715;

    /// <summary>σ(z) = z for z &gt; 0, e^z − 1 otherwise (ELU with α = 1; e^z − 1 by <c>ExpM1</c>, so small negative z keep their precision).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ELU<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        for (int i = 0; i < z.Length; i++)
        {
            T x = z[i];
            a[i] = x > T.Zero ? x : T.ExpM1(x);
        }
    }

    /// <summary>Multiplies <paramref name="delta"/> by ELU's derivative: 1 where z &gt; 0, e^z = a + 1 elsewhere.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">The activations ELU(z).</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ELUDerivative<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, delta);
        for (int i = 0; i < z.Length; i++)
        {
            if (!(z[i] > T.Zero))
                delta[i] *= a[i] + T.One;
        }
    }

    /// <summary>σ(z) = ½z(1 + tanh(√(2/π)(z + 0.044715·z³))), GELU in its tanh form.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GELU<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        T half = T.CreateTruncating(0.5), scale = T.CreateTruncating(GeluScale), cubic = T.CreateTruncating(GeluCubic);
        for (int i = 0; i < z.Length; i++)
        {
            T x = z[i];
            a[i] = half * x * (T.One + T.Tanh(scale * (x + cubic * x * x * x)));
        }
    }

    /// <summary>
    /// Multiplies <paramref name="delta"/> by GELU's derivative,
    /// <c>½(1 + t) + ½z(1 − t²)·√(2/π)(1 + 3·0.044715·z²)</c> with <c>t = tanh(√(2/π)(z + 0.044715·z³))</c>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">The activations (only their length is used).</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GELUDerivative<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, delta);
        T half = T.CreateTruncating(0.5), scale = T.CreateTruncating(GeluScale), cubic = T.CreateTruncating(GeluCubic);
        T three = T.CreateTruncating(3);
        for (int i = 0; i < z.Length; i++)
        {
            T x = z[i];
            T t = T.Tanh(scale * (x + cubic * x * x * x));
            T derivative = half * (T.One + t) + half * x * (T.One - t * t) * scale * (T.One + three * cubic * x * x);
            delta[i] *= derivative;
        }
    }

    /// <summary>σ(z) = ln(1 + e^z), computed as max(z, 0) + ln(1 + e^−|z|) so that no exponential overflows.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softplus<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        for (int i = 0; i < z.Length; i++)
        {
            T x = z[i];
            a[i] = T.Max(x, T.Zero) + T.LogP1(T.Exp(-T.Abs(x)));
        }
    }

    /// <summary>Multiplies <paramref name="delta"/> by softplus's derivative, the sigmoid 1 / (1 + e^−z).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">The activations (only their length is used).</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftplusDerivative<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, delta);
        for (int i = 0; i < z.Length; i++)
            delta[i] *= Logistic(z[i]);
    }

    /// <summary>σ(z) = z / (1 + e^−z), SiLU (swish).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SiLU<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        for (int i = 0; i < z.Length; i++)
        {
            T x = z[i];
            a[i] = x * Logistic(x);
        }
    }

    /// <summary>Multiplies <paramref name="delta"/> by SiLU's derivative, <c>s(1 + z(1 − s))</c> with <c>s = 1 / (1 + e^−z)</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">The activations (only their length is used).</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SiLUDerivative<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, delta);
        for (int i = 0; i < z.Length; i++)
        {
            T x = z[i];
            T s = Logistic(x);
            delta[i] *= s * (T.One + x * (T.One - s));
        }
    }

    // 1 / (1 + e^−x); e^−x overflows to ∞ for very negative x, which gives the correct limit 0.
    private static T Logistic<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));
}
