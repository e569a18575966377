using System.Runtime.CompilerServices;
using System;

namespace StaticNets;

/// <summary>
/// In-place shuffling for mini-batch order. Pass a <see cref="SplitMix64"/> for results that are the same on every
/// runtime; any <see cref="Random"/> works.
/// </summary>
public static class Shuffle
{
    /// <summary>Fills <paramref name="indices"/> with 0, 1, …, <c>indices.Length − 1</c>.</summary>
    /// <param name="indices">The span to fill.</param>
    public static void Identity(Span<int> indices)
    {
        for (int i = 0; i < indices.Length; i++)
            indices[i] = i;
    }

    /// <summary>
    /// Shuffles <paramref name="indices"/> in place with the Fisher–Yates (Durstenfeld) algorithm: every permutation
    /// is equally likely. Draws <c>Length − 1</c> numbers from <paramref name="rng"/>; allocates nothing.
    /// </summary>
    /// <param name="indices">The values to permute, e.g. sample indices from <see cref="Identity"/>.</param>
    /// <param name="rng">The random source; a <see cref="SplitMix64"/> for reproducible runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is <see langword="null"/>.</exception>
    public static void FisherYates(Span<int> indices, Random rng) => FisherYates<int>(indices, rng);

    /// <summary>Shuffles <paramref name="items"/> in place with the Fisher–Yates algorithm; allocates nothing.</summary>
    /// <typeparam name="TItem">Element type.</typeparam>
    /// <param name="items">The values to permute.</param>
    /// <param name="rng">The random source; a <see cref="SplitMix64"/> for reproducible runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is <see langword="null"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FisherYates<TItem>(Span<TItem> items, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Returns a new random permutation of 0 … <paramref name="count"/> − 1.</summary>
    /// <param name="count">Number of elements; not negative.</param>
    /// <param name="rng">The random source; a <see cref="SplitMix64"/> for reproducible runs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is <see langword="null"/>.</exception>
    public static int[] Permutation(int count, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(rng);
        var result = new int[count];
        Identity(result);
        FisherYates(result, rng);
        return result;
    }
}
