using System;
using System.Linq;
using Xunit;

namespace StaticNets.Tests.Data;

public class ShuffleTests
{
    [Fact]
    public void SplitMix64_MatchesTheReferenceSequence()
    {
        // Reference implementation (Vigna, splitmix64.c) seeded with 0.
        var rng = new SplitMix64(0UL);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, rng.NextUInt64());
    }

    [Fact]
    public void SplitMix64_IsDeterministicPerSeed()
    {
        var a = new SplitMix64(42);
        var b = new SplitMix64(42);
        var c = new SplitMix64(43);
        var sa = Enumerable.Range(0, 20).Select(_ => a.Next(1000)).ToArray();
        Assert.Equal(sa, Enumerable.Range(0, 20).Select(_ => b.Next(1000)).ToArray());
        Assert.NotEqual(sa, Enumerable.Range(0, 20).Select(_ => c.Next(1000)).ToArray());
    }

    [Fact]
    public void SplitMix64_StaysInRange()
    {
        var rng = new SplitMix64(1);
        var hits = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            double d = rng.NextDouble();
            Assert.InRange(d, 0.0, 0.9999999999999999);
            float f = rng.NextSingle();
            Assert.InRange(f, 0f, 0.99999994f);
            Assert.InRange(rng.Next(-3, 4), -3, 3);
            Assert.InRange(rng.NextInt64(long.MinValue, long.MaxValue), long.MinValue, long.MaxValue - 1);
            hits[rng.Next(7)]++;
        }
        Assert.All(hits, h => Assert.InRange(h, 9_400, 10_600));
        Assert.Equal(0, rng.Next(0));
        Assert.Equal(5, rng.Next(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.Next(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.Next(2, 1));
        var bytes = new byte[13];
        rng.NextBytes(bytes);
        Assert.Contains(bytes, b => b != 0);
    }

    [Fact]
    public void FisherYates_ProducesAPermutation_Deterministically()
    {
        var a = new int[50];
        var b = new int[50];
        Shuffle.Identity(a);
        Shuffle.Identity(b);
        Assert.Equal(Enumerable.Range(0, 50), a);
        Shuffle.FisherYates(a, new SplitMix64(9));
        Shuffle.FisherYates(b, new SplitMix64(9));
        Assert.Equal(a, b);
        Assert.NotEqual(Enumerable.Range(0, 50), a);
        Assert.Equal(Enumerable.Range(0, 50), a.OrderBy(i => i));
        Assert.Equal(a, Shuffle.Permutation(50, new SplitMix64(9)));
    }

    [Fact]
    public void FisherYates_IsUnbiasedOnSmallInputs()
    {
        // All 6 permutations of 3 elements should appear about equally often.
        var rng = new SplitMix64(3);
        var counts = new int[6];
        Span<int> p = stackalloc int[3];
        for (int i = 0; i < 60_000; i++)
        {
            Shuffle.Identity(p);
            Shuffle.FisherYates(p, rng);
            counts[p[0] * 2 + (p[1] < p[2] ? 0 : 1)]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void FisherYates_WorksWithAnyRandomAndAllocatesNothing()
    {
        var indices = new int[256];
        Shuffle.Identity(indices);
        var rng = new SplitMix64(11);
        Shuffle.FisherYates(indices, rng); // warm-up
        Allocations.AssertOneCleanRound(() =>
        {
            for (int i = 0; i < 100; i++)
                Shuffle.FisherYates(indices, rng);
        }, "Shuffle.FisherYates");

        Shuffle.FisherYates(indices.AsSpan(), new Random(1));
        Assert.Equal(Enumerable.Range(0, 256), indices.OrderBy(i => i));
        Assert.Throws<ArgumentNullException>("rng", () => Shuffle.FisherYates(indices, null!));
        Shuffle.FisherYates(Span<int>.Empty, rng);
    }
}
