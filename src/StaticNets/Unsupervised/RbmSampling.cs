using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticNets.Unsupervised;

/// <summary>The stochastic parts of Gibbs sampling: Bernoulli draws from probabilities and unit-variance Gaussian noise. Allocation-free.</summary>
internal static class RbmSampling
{
    /// <summary><c>states[i] = 1</c> with probability <c>p[i]</c>, else 0. May work in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Bernoulli<T>(ReadOnlySpan<T> p, Span<T> states, Random rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (rng is SplitMix64 fast)
        {
            Bernoulli(p, states, fast);
            return;
        }
        for (int i = 0; i < p.Length; i++)
            states[i] = T.CreateTruncating(rng.NextDouble()) < p[i] ? T.One : T.Zero;
    }

    // The sealed generator: no virtual call per draw, and two 24-bit uniforms from each 64-bit draw for float,
    // which is all a comparison with a float probability can resolve.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Bernoulli<T>(ReadOnlySpan<T> p, Span<T> states, SplitMix64 rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var pf = MemoryMarshal.Cast<T, float>(p);
            var sf = MemoryMarshal.Cast<T, float>(states);
            const float Scale = 1f / (1 << 24);
            int i = 0;
            for (; i + 1 < pf.Length; i += 2)
            {
                ulong bits = rng.NextUInt64();
                sf[i] = (bits >> 40) * Scale < pf[i] ? 1f : 0f;
                sf[i + 1] = (uint)(bits & 0xFFFFFF) * Scale < pf[i + 1] ? 1f : 0f;
            }
            if (i < pf.Length)
                sf[i] = rng.NextSingle() < pf[i] ? 1f : 0f;
            return;
        }
        for (int i = 0; i < p.Length; i++)
            states[i] = T.CreateTruncating(rng.NextDouble()) < p[i] ? T.One : T.Zero;
    }

    /// <summary>Adds independent N(0, 1) noise to every element (Box–Muller, two values per pair of uniforms).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddGaussianNoise<T>(Span<T> values, Random rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int i = 0;
        for (; i + 1 < values.Length; i += 2)
        {
            (double a, double b) = NormalPair(rng);
            values[i] += T.CreateTruncating(a);
            values[i + 1] += T.CreateTruncating(b);
        }
        if (i < values.Length)
            values[i] += T.CreateTruncating(NormalPair(rng).A);
    }

    private static (double A, double B) NormalPair(Random rng)
    {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        double radius = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble()));
        (double sin, double cos) = Math.SinCos(2 * Math.PI * rng.NextDouble());
        return (radius * cos, radius * sin);
    }
}
