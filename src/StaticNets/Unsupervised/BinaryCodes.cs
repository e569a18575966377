using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets;

/// <summary>
/// Packs real-valued codes (a sigmoid code layer's activations) into bits for <see cref="HammingIndex"/>: value
/// <c>i</c> of a code becomes bit <c>i % 64</c> (least significant first) of word <c>i / 64</c>, set when the value
/// is at least the threshold. Bits past the code's width are 0. Allocates nothing.
/// </summary>
public static class BinaryCodes
{
    /// <summary>The most bits a code may have (four 64-bit words).</summary>
    public const int MaxBits = 256;

    /// <summary>64-bit words per code of <paramref name="bits"/> bits: ⌈bits / 64⌉.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is not in [1, <see cref="MaxBits"/>].</exception>
    public static int WordsFor(int bits)
    {
        CheckBits(bits, nameof(bits));
        return (bits + 63) >> 6;
    }

    /// <summary>Packs one code: bit <c>i</c> is set when <c>code[i] ≥ threshold</c>.</summary>
    /// <param name="code">The code, 1 to <see cref="MaxBits"/> values.</param>
    /// <param name="bits">Exactly <see cref="WordsFor"/>(code.Length) words, overwritten.</param>
    /// <param name="threshold">The value from which a bit is 1 (0.5 for sigmoid codes).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/>'s length is not in [1, <see cref="MaxBits"/>].</exception>
    /// <exception cref="ArgumentException"><paramref name="bits"/> has the wrong length.</exception>
    public static void Pack<T>(ReadOnlySpan<T> code, Span<ulong> bits, double threshold = 0.5) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBits(code.Length, nameof(code));
        int words = (code.Length + 63) >> 6;
        if (bits.Length != words)
            throw new ArgumentException($"Expected {words} words for a code of {code.Length} bits, actual {bits.Length}.", nameof(bits));
        PackUnchecked(code, bits, T.CreateTruncating(threshold));
    }

    /// <summary>Packs a batch of codes, row after row: code <c>s</c> (<paramref name="codeSize"/> values) into words <c>s·W … s·W + W − 1</c>, W = <see cref="WordsFor"/>(codeSize).</summary>
    /// <param name="codes">A whole number of codes of <paramref name="codeSize"/> values, row-major.</param>
    /// <param name="codeSize">Values (bits) per code, in [1, <see cref="MaxBits"/>].</param>
    /// <param name="bits">Exactly (codes.Length / codeSize) × W words, overwritten.</param>
    /// <param name="threshold">The value from which a bit is 1 (0.5 for sigmoid codes).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="codeSize"/> is not in [1, <see cref="MaxBits"/>].</exception>
    /// <exception cref="ArgumentException"><paramref name="codes"/> is not whole codes, or <paramref name="bits"/> has the wrong length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack<T>(ReadOnlySpan<T> codes, int codeSize, Span<ulong> bits, double threshold = 0.5) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBits(codeSize, nameof(codeSize));
        if (codes.Length % codeSize != 0)
            throw new ArgumentException($"Expected a whole number of codes of codeSize {codeSize} (a multiple of {codeSize} values), actual {codes.Length} values.", nameof(codes));
        int count = codes.Length / codeSize, words = (codeSize + 63) >> 6;
        if (bits.Length != (long)count * words)
            throw new ArgumentException($"Expected {(long)count * words} words ({count} codes × {words} words), actual {bits.Length}.", nameof(bits));
        T t = T.CreateTruncating(threshold);
        for (int s = 0; s < count; s++)
            PackUnchecked(codes.Slice(s * codeSize, codeSize), bits.Slice(s * words, words), t);
    }

    /// <summary>The value of bit <paramref name="index"/> of a packed code.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the words.</exception>
    public static bool Bit(ReadOnlySpan<ulong> bits, int index)
    {
        if ((uint)index >= (uint)bits.Length * 64)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a bit index in [0, {bits.Length * 64}), actual {index}.");
        return ((bits[index >> 6] >> (index & 63)) & 1) != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackUnchecked<T>(ReadOnlySpan<T> code, Span<ulong> bits, T threshold) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int w = 0; w < bits.Length; w++)
        {
            int start = w << 6, end = Math.Min(code.Length, start + 64);
            ulong word = 0;
            for (int i = start; i < end; i++)
            {
                if (code[i] >= threshold)
                    word |= 1UL << (i - start);
            }
            bits[w] = word;
        }
    }

    internal static void CheckBits(int bits, string name)
    {
        if (bits < 1 || bits > MaxBits)
            throw new ArgumentOutOfRangeException(name, bits, $"Expected a code of 1 to {MaxBits} bits, actual {bits}.");
    }
}
