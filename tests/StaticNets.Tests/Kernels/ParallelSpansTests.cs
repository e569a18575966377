using System;
using StaticNets.Kernels;
using StaticNets.Threading;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// The fused passes of the training loop (<see cref="ParallelSpans.AxpyThenSumOfSquares{T}"/>: the SGD update and the
/// check of the new parameters; <see cref="ParallelSpans.ScaleThenSumOfSquares{T}"/>: the mean's 1/m and the gradient
/// norms): the same values as the separate passes, and the same sums, on any thread count.
/// </summary>
public class ParallelSpansTests
{
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
