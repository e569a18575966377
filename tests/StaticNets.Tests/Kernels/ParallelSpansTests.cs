using System;
using StaticNets.Kernels;
using StaticNets.Threading;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// The fused passes of the training loop (<see cref="ParallelSpans.AxpyThenSumOfSquares{T}(T, System.ReadOnlySpan{T}, System.Span{T}, int)"/>: the SGD update and the
/// check of the new parameters; <see cref="ParallelSpans.ScaleThenSumOfSquares{T}"/>: the mean's 1/m and the gradient
/// norms): the same values as the separate passes, and the same sums, on any thread count.
/// </summary>
public class ParallelSpansTests
{
    public static TheoryData<int> ScaledLengths()
    {
        var data = new TheoryData<int>();
        // Every length through 256 (the scalar loop, each vector width's tail), then spans of several chunks.
        for (int n = 0; n <= 256; n++)
            data.Add(n);
        foreach (int n in new[] { 16_383, 32_769, 100_003 })
            data.Add(n);
        return data;
    }

    // The norms of the training loop when the update applies the 1/m: bit for bit the sum the scaling pass returns, and
    // the gradient not written. Values span the float range, subnormal products included.
    [Theory]
    [MemberData(nameof(ScaledLengths))]
    public void ScaledSumOfSquares_is_the_scaling_pass_sum_without_writing(int length)
    {
        var rng = new Random(length + 11);
        float[] x = new float[length];
        for (int i = 0; i < length; i++)
            x[i] = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-140, 60)));
        float[] kept = (float[])x.Clone();
        foreach (float scale in new[] { 1f / 32, 1f / 3, 1f / 60_000 })
        {
            float[] scaled = (float[])x.Clone();
            double expected = ParallelSpans.ScaleThenSumOfSquares(scale, scaled.AsSpan(), 1);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Assert.Equal(expected, ParallelSpans.ScaledSumOfSquares<float>(scale, x, threads));
                Assert.Equal(kept, x);
            }
        }
    }

    // SGD's update with the 1/m inside: the bits of scaling the gradient in a pass of its own and then the axpy (fused
    // in vectors, unfused below one 128-bit vector), for float and double; the gradient left as it was.
    [Theory]
    [MemberData(nameof(ScaledLengths))]
    public void ScaledAxpy_is_the_scaling_pass_then_the_axpy(int length)
    {
        var rng = new Random(length + 13);
        float[] x = new float[length], start = new float[length];
        double[] xd = new double[length], startd = new double[length];
        for (int i = 0; i < length; i++)
        {
            xd[i] = (rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-30, 10));
            startd[i] = rng.NextDouble() * 2 - 1;
            x[i] = (float)xd[i];
            start[i] = (float)startd[i];
        }
        float[] scaled = (float[])x.Clone(), expected = (float[])start.Clone(), kept = (float[])x.Clone();
        VectorMath.Scale(1f / 3, scaled);
        VectorMath.Axpy(-0.07f, scaled, expected);
        float[] actual = (float[])start.Clone();
        GradientKernels.ScaledAxpy(-0.07f, 1f / 3, x, actual);
        Assert.Equal(expected, actual);
        Assert.Equal(kept, x);

        double[] scaledd = (double[])xd.Clone(), expectedd = (double[])startd.Clone(), actuald = (double[])startd.Clone();
        VectorMath.Scale(1.0 / 3, scaledd);
        VectorMath.Axpy(-0.07, scaledd, expectedd);
        GradientKernels.ScaledAxpy(-0.07, 1.0 / 3, xd, actuald);
        Assert.Equal(expectedd, actuald);

        foreach (int threads in new[] { 1, 2, 3 })
        {
            float[] y = (float[])start.Clone(), g = (float[])x.Clone();
            float[] expectedY = (float[])start.Clone();
            double expectedSum = ParallelSpans.AxpyThenSumOfSquares(-0.07f, scaled, expectedY, 1);
            double sum = ParallelSpans.AxpyClearThenSumOfSquares(-0.07f, g.AsSpan(), y.AsSpan(), threads, 1f / 3);
            Assert.Equal(expectedY, y);
            Assert.Equal(expectedSum, sum);
            Assert.All(g, v => Assert.Equal(0f, v));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(32_768)]
    [InlineData(32_769)]
    [InlineData(100_003)]
    [InlineData(401_920)]
    public void AxpyThenSumOfSquares_is_the_update_then_the_separate_sum(int length)
    {
        var rng = new Random(length + 1);
        float[] x = new float[length], start = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)(rng.NextDouble() * 2 - 1);
            start[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        float[] expected = (float[])start.Clone();
        VectorMath.Axpy(-0.03f, x, expected);
        double expectedSum = ParallelSpans.SumOfSquares<float>(expected, 1);
        double reference = 0;
        foreach (float v in expected)
            reference += (double)v * v;

        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            float[] y = (float[])start.Clone();
            double sum = ParallelSpans.AxpyThenSumOfSquares(-0.03f, x, y, threads);
            Assert.Equal(expected, y);
            Assert.Equal(expectedSum, sum); // the same chunks, summed in the same order: bit for bit
            Assert.Equal(reference, sum, Math.Max(1e-9, reference * 1e-5));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(32_769)]
    [InlineData(401_920)]
    public void AxpyClearThenSumOfSquares_also_zeroes_what_it_read(int length)
    {
        var rng = new Random(length + 3);
        float[] x = new float[length], start = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)(rng.NextDouble() * 2 - 1);
            start[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        float[] expected = (float[])start.Clone();
        double expectedSum = ParallelSpans.AxpyThenSumOfSquares(0.7f, x, expected, 1);
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            float[] y = (float[])start.Clone(), g = (float[])x.Clone();
            double sum = ParallelSpans.AxpyClearThenSumOfSquares(0.7f, g.AsSpan(), y.AsSpan(), threads);
            Assert.Equal(expected, y);
            Assert.Equal(expectedSum, sum);
            Assert.All(g, v => Assert.Equal(0f, v));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(32_768)]
    [InlineData(70_001)]
    [InlineData(401_920)]
    public void ScaleThenSumOfSquares_is_Scale_then_SumOfSquares_bit_for_bit(int length)
    {
        var rng = new Random(length + 7);
        float[] start = new float[length];
        for (int i = 0; i < length; i++)
            start[i] = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-6, 6)));
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            float[] expected = (float[])start.Clone();
            ParallelSpans.Scale(1f / 27, expected.AsSpan(), threads);
            double expectedSum = ParallelSpans.SumOfSquares<float>(expected, threads);
            float[] actual = (float[])start.Clone();
            double sum = ParallelSpans.ScaleThenSumOfSquares(1f / 27, actual.AsSpan(), threads);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedSum, sum);
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(40_000, 39_999)]
    [InlineData(100_003, 70_000)]
    public void AxpyThenSumOfSquares_is_not_finite_when_one_result_is_not(int length, int at)
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                float[] x = new float[length], y = new float[length];
                x[at] = bad;
                Assert.False(double.IsFinite(ParallelSpans.AxpyThenSumOfSquares(1f, x, y, threads)));
            }
        }
    }

    [Fact]
    public void AxpyThenSumOfSquares_names_a_length_mismatch()
    {
        var e = Assert.Throws<ArgumentException>(() => ParallelSpans.AxpyThenSumOfSquares(1f, new float[3], new float[4], 1));
        Assert.Contains("3", e.Message, StringComparison.Ordinal);
        Assert.Contains("4", e.Message, StringComparison.Ordinal);
    }
}
