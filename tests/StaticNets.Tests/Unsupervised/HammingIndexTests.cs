using System;
using System.Linq;
using Xunit;

namespace StaticNets.Tests.Unsupervised;

/// <summary><see cref="HammingIndex"/> against brute force over many widths; <see cref="BinaryCodes"/> bit order.</summary>
public class HammingIndexTests
{
    public static TheoryData<int> Widths => new() { 1, 2, 7, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 191, 192, 200, 255, 256 };

    /// <summary>Random codes of <paramref name="bits"/> bits; few distinct values for narrow codes, so ties abound.</summary>
    private static ulong[] RandomCodes(int count, int bits, int seed)
    {
        var rng = new SplitMix64(seed);
        int words = BinaryCodes.WordsFor(bits);
        var codes = new ulong[count * words];
        for (int i = 0; i < codes.Length; i++)
        {
            int w = i % words;
            int width = Math.Min(64, bits - 64 * w);
            codes[i] = width == 64 ? rng.NextUInt64() : rng.NextUInt64() & ((1UL << width) - 1);
        }
        return codes;
    }

    private static int[] BruteDistances(ulong[] codes, ReadOnlySpan<ulong> query, int words)
    {
        var d = new int[codes.Length / words];
        for (int i = 0; i < d.Length; i++)
            d[i] = HammingIndex.Distance(codes.AsSpan(i * words, words), query);
        return d;
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Nearest_matches_brute_force_with_lower_index_first_on_ties(int bits)
    {
        const int count = 700;
        var codes = RandomCodes(count, bits, seed: bits);
        var index = new HammingIndex(codes, bits);
        int words = index.Words;
        var queries = RandomCodes(12, bits, seed: 1000 + bits);
        foreach (int k in new[] { 1, 5, 100, 700, 900 })
        {
            var indices = new int[k];
            var distances = new int[k];
            for (int q = 0; q < 12; q++)
            {
                var query = queries.AsSpan(q * words, words);
                var brute = BruteDistances(codes, query, words);
                var expected = Enumerable.Range(0, count).OrderBy(i => brute[i]).ThenBy(i => i).Take(k).ToArray();
                int found = index.Nearest(query, indices, distances);
                Assert.Equal(Math.Min(k, count), found);
                Assert.Equal(expected, indices.Take(found).ToArray());
                Assert.Equal(expected.Select(i => brute[i]).ToArray(), distances.Take(found).ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void WithinRadius_matches_brute_force_in_index_order(int bits)
    {
        const int count = 500;
        var codes = RandomCodes(count, bits, seed: 7 * bits);
        var index = new HammingIndex(codes, bits);
        int words = index.Words;
        // Queries among the codes, so small radii find something.
        for (int q = 0; q < count; q += 61)
        {
            var query = codes.AsSpan(q * words, words).ToArray();
            var brute = BruteDistances(codes, query, words);
            foreach (int radius in new[] { 0, 1, bits / 4, bits / 2, bits })
            {
                var expected = Enumerable.Range(0, count).Where(i => brute[i] <= radius).ToArray();
                var indices = new int[count];
                var distances = new int[count];
                int found = index.WithinRadius(query, radius, indices, distances);
                Assert.Equal(expected.Length, found);
                Assert.Equal(expected, indices.Take(found).ToArray());
                Assert.Equal(expected.Select(i => brute[i]).ToArray(), distances.Take(found).ToArray());
                // A short buffer gets the first matches and the full count.
                var few = new int[Math.Min(3, count)];
                Assert.Equal(expected.Length, index.WithinRadius(query, radius, few));
                Assert.Equal(expected.Take(few.Length).ToArray(), few.Take(Math.Min(few.Length, expected.Length)).ToArray());
                Assert.Equal(expected.Length, index.WithinRadius(query, radius, Span<int>.Empty));
            }
        }
    }

    [Fact]
    public void Pack_sets_bit_i_of_word_i_over_64_least_significant_first()
    {
        var code = new float[65];
        code[0] = 0.9f;
        code[3] = 0.5f;   // at the threshold: 1
        code[4] = 0.49f;  // below: 0
        code[63] = 1;
        code[64] = 0.7f;
        var bits = new ulong[2];
        BinaryCodes.Pack<float>(code, bits);
        Assert.Equal((1UL << 0) | (1UL << 3) | (1UL << 63), bits[0]);
        Assert.Equal(1UL, bits[1]);
        Assert.True(BinaryCodes.Bit(bits, 64));
        Assert.False(BinaryCodes.Bit(bits, 4));

        var batch = new double[] { 1, 0, 1, 0.2, 0.6, 0.6 };
        var packed = new ulong[2];
        BinaryCodes.Pack<double>(batch, 3, packed);
        Assert.Equal(new ulong[] { 0b101, 0b110 }, packed);
        BinaryCodes.Pack<double>(batch, 3, packed, threshold: 0.65);
        Assert.Equal(new ulong[] { 0b101, 0b000 }, packed);
    }

    [Fact]
    public void Arguments_are_named_with_expected_and_actual()
    {
        var ex = Assert.Throws<ArgumentException>("bits", () => BinaryCodes.Pack<float>(new float[65], new ulong[1]));
        Assert.Contains("Expected 2 words", ex.Message);
        Assert.Contains("actual 1", ex.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>("code", () => BinaryCodes.Pack<float>(new float[257], new ulong[5]));
        Assert.Contains("1 to 256 bits, actual 257", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>("bits", () => new HammingIndex(new ulong[4], 0));
        ex = Assert.Throws<ArgumentException>("codes", () => new HammingIndex(new ulong[3], 65));
        Assert.Contains("actual 3 words", ex.Message);
        ex = Assert.Throws<ArgumentException>("codes", () => new HammingIndex(new ulong[] { 1, 1UL << 40 }, 40));
        Assert.Contains("Code 1 has bits set past bit 39", ex.Message);
        var index = new HammingIndex(new ulong[6], 128);
        ex = Assert.Throws<ArgumentException>("query", () => index.Nearest(new ulong[1], new int[2]));
        Assert.Contains("Expected a query of 2 word(s) (128 bits), actual 1", ex.Message);
        Assert.Throws<ArgumentException>("indices", () => index.Nearest(new ulong[2], Span<int>.Empty));
        Assert.Throws<ArgumentException>("distances", () => index.Nearest(new ulong[2], new int[2], new int[1]));
        var radius = Assert.Throws<ArgumentOutOfRangeException>("radius", () => index.WithinRadius(new ulong[2], -1, new int[1]));
        Assert.Contains("actual -1", radius.Message);
        Assert.Throws<ArgumentOutOfRangeException>("index", () => index.Code(3));
    }

    [Fact]
    public void Queries_allocate_nothing()
    {
        foreach (int bits in new[] { 32, 64, 150, 256 })
        {
            var codes = RandomCodes(5000, bits, seed: 3);
            var index = new HammingIndex(codes, bits);
            var query = codes.AsSpan(0, index.Words).ToArray();
            var indices = new int[100];
            var distances = new int[100];
            index.Nearest(query, indices, distances);
            index.WithinRadius(query, bits / 3, indices, distances);
            Allocations.AssertOneCleanRound(() =>
            {
                for (int i = 0; i < 10; i++)
                {
                    index.Nearest(query, indices, distances);
                    index.WithinRadius(query, bits / 3, indices, distances);
                }
            }, $"HammingIndex queries ({bits} bits)");
        }
    }
}
