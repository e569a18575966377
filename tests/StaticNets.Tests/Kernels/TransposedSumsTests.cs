using System;
using System.Runtime.Intrinsics;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// The batched dot-product kernel sums a block's accumulators together (<see cref="TransposedSums"/>); each lane must
/// be the bits <c>Vector512.Sum</c> / <c>Vector256.Sum</c> give for that accumulator alone, so the kernel's results do
/// not depend on which of the two summed them. Values span twenty binary orders of magnitude, where a different order
/// of the additions shows in most sums; signed zeros, infinities and NaN are included.
/// </summary>
[Collection(nameof(VectorWidthCollection))]
public class TransposedSumsTests
{
    // The batched dot-product kernel (fewer than 64 samples): every output of a whole block of four samples is its bias
    // plus VectorNNN.Sum of one chain of multiply-adds over the row, the ragged end as the row's last full vector with the
    // lanes already counted zeroed. Holds the kernel to those bits whichever way it sums its accumulators.
    [Theory]
    [InlineData(512, 16, 10)]
    [InlineData(512, 17, 5)]
    [InlineData(512, 128, 10)]
    [InlineData(512, 200, 13)]
    [InlineData(256, 8, 10)]
    [InlineData(256, 13, 7)]
    [InlineData(256, 128, 10)]
    [InlineData(256, 100, 3)]
    public void Batched_dot_products_are_bias_plus_the_lane_sum_of_one_chain(int bits, int inputs, int outputs)
    {
        if (bits == 512 ? !Vector512.IsHardwareAccelerated : !Vector256.IsHardwareAccelerated)
            return; // that width's kernel cannot run here; VectorWidthTests covers the widths this machine has
        const int samples = 13; // three whole blocks of four, and one sample the single-sample kernel takes
        var rng = new Random(inputs * 31 + outputs);
        float[] w = new float[outputs * inputs], b = new float[outputs], x = new float[samples * inputs], z = new float[samples * outputs];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * (float)Math.Pow(2, rng.Next(-8, 8));
        int saved = VectorWidth.MaxBits;
        VectorWidth.MaxBits = bits;
        try
        {
            DenseKernels.ForwardBatch<float>(w, b, x, z, inputs, outputs);
        }
        finally
        {
            VectorWidth.MaxBits = saved;
        }
        int c = bits / 32, full = inputs - inputs % c;
        for (int s = 0; s < samples / 4 * 4; s++)
        {
            for (int j = 0; j < outputs; j++)
            {
                float expected = bits == 512 ? b[j] + Vector512.Sum(Chain512(w.AsSpan(j * inputs, inputs), x.AsSpan(s * inputs, inputs), full))
                    : b[j] + Vector256.Sum(Chain256(w.AsSpan(j * inputs, inputs), x.AsSpan(s * inputs, inputs), full));
                SameBits(expected, z[s * outputs + j], s * outputs + j);
            }
        }
    }

    private static Vector512<float> Chain512(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int full)
    {
        var acc = Vector512<float>.Zero;
        for (int k = 0; k < full; k += 16)
            acc = Vector512.FusedMultiplyAdd(Vector512.Create(w.Slice(k, 16)), Vector512.Create(x.Slice(k, 16)), acc);
        if (full != w.Length)
        {
            var keep = new float[16];
            for (int i = full - (w.Length - 16); i < 16; i++)
                keep[i] = 1;
            var mask = Vector512.GreaterThan(Vector512.Create(keep), Vector512<float>.Zero);
            acc = Vector512.FusedMultiplyAdd(Vector512.Create(w.Slice(w.Length - 16, 16)) & mask, Vector512.Create(x.Slice(w.Length - 16, 16)) & mask, acc);
        }
        return acc;
    }

    private static Vector256<float> Chain256(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int full)
    {
        var acc = Vector256<float>.Zero;
        for (int k = 0; k < full; k += 8)
            acc = Vector256.FusedMultiplyAdd(Vector256.Create(w.Slice(k, 8)), Vector256.Create(x.Slice(k, 8)), acc);
        if (full != w.Length)
        {
            var keep = new float[8];
            for (int i = full - (w.Length - 8); i < 8; i++)
                keep[i] = 1;
            var mask = Vector256.GreaterThan(Vector256.Create(keep), Vector256<float>.Zero);
            acc = Vector256.FusedMultiplyAdd(Vector256.Create(w.Slice(w.Length - 8, 8)) & mask, Vector256.Create(x.Slice(w.Length - 8, 8)) & mask, acc);
        }
        return acc;
    }

    private static float Value(Random rng)
    {
        int kind = rng.Next(40);
        return kind switch
        {
            0 => -0f,
            1 => float.PositiveInfinity,
            2 => float.NegativeInfinity,
            3 => float.NaN,
            _ => (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-10, 10))),
        };
    }

    private static Vector512<float> V512(Random rng, bool specials)
    {
        var lanes = new float[16];
        for (int i = 0; i < 16; i++)
            lanes[i] = specials ? Value(rng) : (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-10, 10)));
        return Vector512.Create(lanes);
    }

    private static Vector256<float> V256(Random rng, bool specials)
    {
        var lanes = new float[8];
        for (int i = 0; i < 8; i++)
            lanes[i] = specials ? Value(rng) : (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-10, 10)));
        return Vector256.Create(lanes);
    }

    private static void SameBits(float expected, float actual, int lane)
    {
        if (float.IsNaN(expected))
            Assert.True(float.IsNaN(actual), $"lane {lane}: expected NaN, got {actual}");
        else
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"lane {lane}: expected {expected:R}, got {actual:R}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sum16_lane_i_is_Vector512_Sum_of_accumulator_i(bool specials)
    {
        var rng = new Random(specials ? 2 : 1);
        var a = new Vector512<float>[16];
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < 16; i++)
                a[i] = V512(rng, specials);
            Vector512<float> sums = TransposedSums.Sum16(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
            for (int i = 0; i < 16; i++)
                SameBits(Vector512.Sum(a[i]), sums.GetElement(i), i);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sum8_of_512_bit_accumulators_is_Vector512_Sum_of_each(bool specials)
    {
        var rng = new Random(specials ? 4 : 3);
        var a = new Vector512<float>[8];
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < 8; i++)
                a[i] = V512(rng, specials);
            Vector256<float> sums = TransposedSums.Sum8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
            for (int i = 0; i < 8; i++)
                SameBits(Vector512.Sum(a[i]), sums.GetElement(i), i);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sum8_of_256_bit_accumulators_is_Vector256_Sum_of_each(bool specials)
    {
        var rng = new Random(specials ? 6 : 5);
        var a = new Vector256<float>[8];
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < 8; i++)
                a[i] = V256(rng, specials);
            Vector256<float> sums = TransposedSums.Sum8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
            for (int i = 0; i < 8; i++)
                SameBits(Vector256.Sum(a[i]), sums.GetElement(i), i);
        }
    }
}
