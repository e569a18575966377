using System;

namespace StaticNets;

/// <summary>
/// The deterministic random number generator of StaticNets: SplitMix64 (Steele, Lea and Flood, 2014), exposed as a
/// <see cref="Random"/> so it plugs into every API that takes one.
/// </summary>
/// <remarks>
/// <para>For a given seed the sequence is fixed by this class's own code, so it is the same on every runtime
/// version, operating system and processor; the sequence of <c>new Random(seed)</c> is not a documented contract.
/// <see cref="Dataset{T}.Split"/> uses it, and so should anything that must reproduce a run from a seed
/// (shuffled mini-batches via <see cref="Shuffle.FisherYates(Span{int}, Random)"/>, for one).</para>
/// <para>Bounded integers are unbiased (Lemire's multiply-and-reject method). Doubles carry 53 random bits,
/// singles 24. Every member allocates nothing. Not thread-safe; not for cryptography.</para>
/// </remarks>
public sealed class SplitMix64 : Random
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    /// <summary>Creates a generator whose sequence is fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value; equal seeds give equal sequences.</param>
    public SplitMix64(ulong seed) : base(unchecked((int)seed)) => _state = seed;

    /// <summary>Creates a generator whose sequence is fixed by <paramref name="seed"/> (sign-extended to 64 bits).</summary>
    /// <param name="seed">Any value; equal seeds give equal sequences.</param>
    public SplitMix64(int seed) : this(unchecked((ulong)(long)seed))
    {
    }

    /// <summary>Returns the next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += Golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Returns a uniformly distributed integer in [0, <paramref name="bound"/>); 0 when <paramref name="bound"/> is 0.</summary>
    /// <param name="bound">Exclusive upper bound.</param>
    public ulong NextUInt64(ulong bound)
    {
        if (bound == 0)
            return 0;
        ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0UL - bound) % bound;
            while (low < threshold)
                high = Math.BigMul(NextUInt64(), bound, out low);
        }
        return high;
    }

    /// <summary>Returns a non-negative integer less than <see cref="int.MaxValue"/>.</summary>
    public override int Next() => (int)NextUInt64(int.MaxValue);

    /// <summary>Returns an integer in [0, <paramref name="maxValue"/>); 0 when <paramref name="maxValue"/> is 0.</summary>
    /// <param name="maxValue">Exclusive upper bound; not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is negative.</exception>
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)NextUInt64((ulong)maxValue);
    }

    /// <summary>Returns an integer in [<paramref name="minValue"/>, <paramref name="maxValue"/>); <paramref name="minValue"/> when they are equal.</summary>
    /// <param name="minValue">Inclusive lower bound.</param>
    /// <param name="maxValue">Exclusive upper bound; at least <paramref name="minValue"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minValue"/> is greater than <paramref name="maxValue"/>.</exception>
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return (int)(minValue + (long)NextUInt64((ulong)((long)maxValue - minValue)));
    }

    /// <summary>Returns a non-negative integer less than <see cref="long.MaxValue"/>.</summary>
    public override long NextInt64() => (long)NextUInt64(long.MaxValue);

    /// <summary>Returns an integer in [0, <paramref name="maxValue"/>); 0 when <paramref name="maxValue"/> is 0.</summary>
    /// <param name="maxValue">Exclusive upper bound; not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is negative.</exception>
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (long)NextUInt64((ulong)maxValue);
    }

    /// <summary>Returns an integer in [<paramref name="minValue"/>, <paramref name="maxValue"/>); <paramref name="minValue"/> when they are equal.</summary>
    /// <param name="minValue">Inclusive lower bound.</param>
    /// <param name="maxValue">Exclusive upper bound; at least <paramref name="minValue"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minValue"/> is greater than <paramref name="maxValue"/>.</exception>
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return unchecked(minValue + (long)NextUInt64((ulong)maxValue - (ulong)minValue));
    }

    /// <summary>Returns a double in [0, 1) with 53 random bits.</summary>
    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Returns a single in [0, 1) with 24 random bits.</summary>
    public override float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Fills <paramref name="buffer"/> with random bytes.</summary>
    /// <param name="buffer">The array to fill.</param>
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <summary>Fills <paramref name="buffer"/> with random bytes (eight per draw, little-endian).</summary>
    /// <param name="buffer">The span to fill.</param>
    public override void NextBytes(Span<byte> buffer)
    {
        while (buffer.Length >= 8)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer, NextUInt64());
            buffer = buffer[8..];
        }
        if (!buffer.IsEmpty)
        {
            ulong bits = NextUInt64();
            for (int i = 0; i < buffer.Length; i++, bits >>= 8)
                buffer[i] = (byte)bits;
        }
    }

    /// <summary>Returns a double in [0, 1); what the inherited members of <see cref="Random"/> build on.</summary>
    protected override double Sample() => NextDouble();
}
