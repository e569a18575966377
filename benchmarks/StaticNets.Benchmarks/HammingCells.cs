using System;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace StaticNets.Benchmarks;

/// <summary>
/// <see cref="HammingIndex"/> queries over 60,000 random codes (MNIST's training set size): the 100 nearest by
/// Hamming distance, and a Hamming-ball lookup of radius bits/8. The samples/s column is queries per second.
/// </summary>
[Config(typeof(SuiteConfig)), Work(0, 1, 1)]
public class HammingQueries
{
    private const int Count = 60_000;
    private HammingIndex _index = null!;
    private ulong[] _queries = null!;
    private readonly int[] _indices = new int[100];
    private readonly int[] _distances = new int[100];
    private readonly int[] _ball = new int[Count];
    private int _next;

    /// <summary>Bits per code.</summary>
    [Params(32, 64, 128, 256)]
    public int Bits { get; set; }

    /// <summary>Random codes and 256 random queries.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _index = new HammingIndex(HammingData.Codes(Count, Bits, seed: 1), Bits);
        _queries = HammingData.Codes(256, Bits, seed: 2);
    }

    private ReadOnlySpan<ulong> NextQuery()
    {
        int words = _index.Words;
        _next = (_next + 1) & 255;
        return _queries.AsSpan(_next * words, words);
    }

    /// <summary>The 100 nearest codes, with distances.</summary>
    [Benchmark(Baseline = true)]
    public int Nearest100() => _index.Nearest(NextQuery(), _indices, _distances);

    /// <summary>Every code within bits/8.</summary>
    [Benchmark]
    public int WithinRadius() => _index.WithinRadius(NextQuery(), Bits / 8, _ball);
}

/// <summary>Random packed codes, and the <c>hamming</c> mode: queries per second by stopwatch, without BenchmarkDotNet.</summary>
public static class HammingData
{
    /// <summary><paramref name="count"/> random codes of <paramref name="bits"/> bits.</summary>
    public static ulong[] Codes(int count, int bits, int seed)
    {
        var rng = new SplitMix64(seed);
        int words = BinaryCodes.WordsFor(bits);
        var codes = new ulong[count * words];
        for (int i = 0; i < codes.Length; i++)
        {
            int width = Math.Min(64, bits - 64 * (i % words));
            codes[i] = width == 64 ? rng.NextUInt64() : rng.NextUInt64() & ((1UL << width) - 1);
        }
        return codes;
    }

    /// <summary>Median queries per second of 100-nearest search over 60,000 codes, per width, best of 9 rounds of 2,000 queries.</summary>
    public static int Run()
    {
        foreach (int bits in new[] { 32, 64, 128, 256 })
        {
            var index = new HammingIndex(Codes(60_000, bits, 1), bits);
            var queries = Codes(2_000, bits, 2);
            var indices = new int[100];
            var rounds = new double[9];
            for (int r = 0; r < rounds.Length; r++)
            {
                var clock = Stopwatch.StartNew();
                for (int q = 0; q < 2_000; q++)
                    index.Nearest(queries.AsSpan(q * index.Words, index.Words), indices);
                rounds[r] = 2_000 / clock.Elapsed.TotalSeconds;
            }
            Array.Sort(rounds);
            Console.WriteLine($"{bits,3} bits: {rounds[4],10:N0} queries/s (median of 9), best {rounds[^1]:N0}");
        }
        return 0;
    }
}
