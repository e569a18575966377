using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets.Training;

/// <summary>
/// Corruption of a mini-batch's inputs for a denoising autoencoder, set through <see cref="FitOptions{T}.InputNoise"/>:
/// <see cref="Masking"/> zeroes a fraction of the values, <see cref="Gaussian"/> adds N(0, σ²) to each.
/// </summary>
/// <remarks>
/// The noise of a batch is a pure function of the seed, the step number and the position of each value in the
/// batch (a SplitMix64 stream started from the seed and the step), so a run is reproducible for a seed whatever the
/// thread count; <see cref="Apply{T}"/> allocates nothing. Vincent et al. (2008) use masking noise; Gaussian noise
/// suits real-valued inputs.
/// </remarks>
public abstract record InputNoise
{
    private protected InputNoise()
    {
    }

    /// <summary>Masking noise: each input value is set to 0 independently with probability <paramref name="fraction"/>.</summary>
    /// <param name="fraction">Probability of zeroing a value, in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in [0, 1).</exception>
    public static InputNoise Masking(double fraction)
    {
        if (!(fraction >= 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"Expected a masking fraction in [0, 1), actual {fraction}.");
        return new MaskingNoise(fraction);
    }

    /// <summary>Additive Gaussian noise: each input value gets an independent draw of N(0, <paramref name="sigma"/>²) added.</summary>
    /// <param name="sigma">Standard deviation, finite and at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sigma"/> is negative, NaN or infinite.</exception>
    public static InputNoise Gaussian(double sigma)
    {
        if (!(sigma >= 0) || !double.IsFinite(sigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"Expected a finite standard deviation of at least 0, actual {sigma}.");
        return new GaussianNoise(sigma);
    }

    /// <summary>Corrupts <paramref name="values"/> in place with the noise of step <paramref name="step"/> of a run seeded with <paramref name="seed"/>.</summary>
    /// <param name="values">A batch of inputs, row-major (the batch buffer's copy, never the data set).</param>
    /// <param name="seed">The run's seed (<see cref="FitOptions{T}.Seed"/>).</param>
    /// <param name="step">The 0-based step number over the whole run.</param>
    public void Apply<T>(Span<T> values, int seed, long step) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var stream = new Stream(unchecked(((ulong)(long)seed * 0xD1B54A32D192ED03UL) ^ ((ulong)step * 0x9E3779B97F4A7C15UL) ^ 0x6A09E667F3BCC909UL));
        Corrupt(values, ref stream);
    }

    private protected abstract void Corrupt<T>(Span<T> values, ref Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>SplitMix64 as a value, so a step allocates nothing.</summary>
    private protected struct Stream
    {
        private ulong _state;

        public Stream(ulong seed)
        {
            _state = seed;
        }

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>A double in (0, 1]: 53 random bits, never 0 (Box–Muller takes its logarithm).</summary>
        public double NextOpen() => ((Next() >> 11) + 1) * (1.0 / (1UL << 53));
    }

    private sealed record MaskingNoise(double Fraction) : InputNoise
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private protected override void Corrupt<T>(Span<T> values, ref Stream stream)
        {
            // 32 random bits per value, two values per draw: zeroed when below fraction · 2³².
            ulong threshold = (ulong)(Fraction * 4294967296.0);
            int i = 0;
            for (; i + 1 < values.Length; i += 2)
            {
                ulong r = stream.Next();
                if ((r & 0xFFFFFFFFUL) < threshold)
                    values[i] = T.Zero;
                if ((r >> 32) < threshold)
                    values[i + 1] = T.Zero;
            }
            if (i < values.Length && (stream.Next() & 0xFFFFFFFFUL) < threshold)
                values[i] = T.Zero;
        }

        public override string ToString() => $"masking noise ({Fraction:P0} zeroed)";
    }

    private sealed record GaussianNoise(double Sigma) : InputNoise
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private protected override void Corrupt<T>(Span<T> values, ref Stream stream)
        {
            // Box–Muller: two independent N(0, 1) draws from two uniforms.
            int i = 0;
            for (; i < values.Length; i += 2)
            {
                double radius = Sigma * Math.Sqrt(-2 * Math.Log(stream.NextOpen()));
                (double sin, double cos) = Math.SinCos(2 * Math.PI * stream.NextOpen());
                values[i] += T.CreateTruncating(radius * cos);
                if (i + 1 < values.Length)
                    values[i + 1] += T.CreateTruncating(radius * sin);
            }
        }

        public override string ToString() => $"Gaussian noise (σ = {Sigma})";
    }
}
