using System;
using System.Linq;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>Inverted dropout: mask values, keep rate, reproducibility, the backward product.</summary>
public class DropoutKernelsTests
{
    [Fact]
    public void Mask_is_zero_or_one_over_p_and_keeps_about_p()
    {
        const int n = 100_000;
        var a = Enumerable.Repeat(2.0f, n).ToArray();
        var mask = new float[n];
        ulong state = 42;
        DropoutKernels.Apply<float>(a, mask, 0.8f, ref state);
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            Assert.True(mask[i] == 0f || mask[i] == 1.25f, $"mask[{i}] = {mask[i]}");
            Assert.Equal(2.0f * mask[i], a[i]);
            if (mask[i] != 0)
                kept++;
        }
        // Binomial(100 000, 0.8): σ ≈ 126, so ±800 is more than 6σ.
        Assert.InRange(kept, 80_000 - 800, 80_000 + 800);
        // The mean activation is preserved in expectation (inverted dropout).
        Assert.InRange(a.Average(x => (double)x), 1.98, 2.02);
    }

    [Fact]
    public void Same_state_gives_the_same_mask_and_the_state_advances()
    {
        var m1 = new double[64];
        var m2 = new double[64];
        var m3 = new double[64];
        ulong s1 = 7, s2 = 7;
        DropoutKernels.Apply<double>(new double[64], m1, 0.5, ref s1);
        DropoutKernels.Apply<double>(new double[64], m2, 0.5, ref s2);
        Assert.Equal(m1, m2);
        Assert.Equal(s1, s2);
        Assert.NotEqual(7UL, s1);
        DropoutKernels.Apply<double>(new double[64], m3, 0.5, ref s1);
        Assert.NotEqual(m1, m3);
    }

    [Fact]
    public void The_stream_is_SplitMix64()
    {
        // Element i is kept iff the i-th SplitMix64 draw's top 53 bits, as a fraction, is below p.
        var rng = new SplitMix64(123UL);
        var mask = new double[16];
        ulong state = 123;
        DropoutKernels.Apply<double>(new double[16], mask, 0.3, ref state);
        for (int i = 0; i < 16; i++)
        {
            bool keep = (rng.NextUInt64() >> 11) * (1.0 / (1UL << 53)) < 0.3;
            Assert.Equal(keep ? 1 / 0.3 : 0, mask[i]);
        }
    }

    [Fact]
    public void Keep_probability_one_is_the_identity()
    {
        var a = new float[] { 1, -2, 3 };
        var mask = new float[3];
        ulong state = 1;
        DropoutKernels.Apply<float>(a, mask, 1f, ref state);
        Assert.Equal(new float[] { 1, -2, 3 }, a);
        Assert.Equal(new float[] { 1, 1, 1 }, mask);
    }

    [Fact]
    public void Backward_multiplies_by_the_mask()
    {
        var delta = Enumerable.Range(1, 37).Select(i => (float)i).ToArray();
        var mask = Enumerable.Range(0, 37).Select(i => i % 3 == 0 ? 0f : 2f).ToArray();
        DropoutKernels.Backward<float>(delta, mask);
        for (int i = 0; i < 37; i++)
            Assert.Equal((i + 1) * mask[i], delta[i]);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        ulong state = 0;
        Assert.Equal("keepProbability", Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.Apply<float>(new float[2], new float[2], 0f, ref state)).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => DropoutKernels.Apply<float>(new float[2], new float[3], 0.5f, ref state)).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => DropoutKernels.Backward<float>(new float[2], new float[3])).ParamName);
    }
}
