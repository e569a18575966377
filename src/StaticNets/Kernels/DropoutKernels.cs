using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// Inverted dropout for generated networks: during training each activation is kept with probability
/// <c>p</c> and scaled by <c>1/p</c> (so inference needs no rescaling), or zeroed. The mask is drawn from a
/// SplitMix64 stream whose state the caller owns, so a seed reproduces the same masks.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class DropoutKernels
{
    /// <summary>Draws a mask (each element 0 or 1/<paramref name="keepProbability"/>) and multiplies <paramref name="a"/> by it.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">Activations, scaled in place.</param>
    /// <param name="mask">Receives the mask; as long as <paramref name="a"/>. Keep it for <see cref="Backward{T}"/>.</param>
    /// <param name="keepProbability">p in (0, 1]; 1 keeps everything (the mask is all ones).</param>
    /// <param name="rngState">SplitMix64 state, advanced by one draw per element.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is outside (0, 1].</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<T>(Span<T> a, Span<T> mask, T keepProbability, ref ulong rngState) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(a.Length, mask.Length, nameof(a), nameof(mask));
        if (!(keepProbability > T.Zero && keepProbability <= T.One))
            throw new ArgumentOutOfRangeException(nameof(keepProbability), keepProbability, $"Expected a keep probability in (0, 1] but got {keepProbability}.");
        T scale = T.One / keepProbability;
        // Compare 53-bit uniform integers against p·2⁵³ rather than doubles, one draw per element.
        ulong threshold = (ulong)(double.CreateTruncating(keepProbability) * (1UL << 53));
        for (int i = 0; i < a.Length; i++)
        {
            ulong draw = Next(ref rngState) >> 11;
            T m = draw < threshold ? scale : T.Zero;
            mask[i] = m;
            a[i] *= m;
        }
    }

    /// <summary>Multiplies <paramref name="delta"/> by the mask the forward pass used (∂(m·a)/∂a = m).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="delta">The delta to scale in place.</param>
    /// <param name="mask">The mask from <see cref="Apply{T}"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Backward<T>(Span<T> delta, ReadOnlySpan<T> mask) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(delta.Length, mask.Length, nameof(delta), nameof(mask));
        ElementwiseDrivers.Binary<T, MultiplyOperator<T>>(delta, mask, delta, T.Zero);
    }

    /// <summary>
    /// The state a dropout mask stream starts from, for a network seed, a workspace key (the partition a trainer
    /// gives it) and the workspace's call count: three SplitMix64 finalisations chained, so nearby inputs give
    /// unrelated streams. Generated networks call it once per training <c>Backward</c>.
    /// </summary>
    public static ulong StreamStart(ulong seed, ulong key, ulong call)
    {
        ulong state = seed;
        ulong mixed = Next(ref state);
        state = mixed ^ key;
        mixed = Next(ref state);
        state = mixed ^ call;
        return Next(ref state);
    }

    // SplitMix64's step (the same stream as StaticNets.SplitMix64), on caller-held state.
    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary><c>x·y</c>, element-wise.</summary>
internal readonly struct MultiplyOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => x * y;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => x * y;
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => x * y;
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => x * y;
}
