using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// LaneKernels and the fused helpers: the shared exponential against Math.Exp (every width the same bits as the scalar
/// form), the transposes, the lane softmax against a double reference at every vector width, and ReLU's NaN/−0 cases.
/// </summary>
[Collection(nameof(VectorWidthCollection))]
public class LaneKernelsTests
{
    public static TheoryData<int> Widths => new() { 512, 256, 128, 0 };

    private static float[] FloatArguments()
    {
        var list = new System.Collections.Generic.List<float>
        {
            0f, -0f, 1f, -1f, 0.5f, -0.34657359f, 0.34657359f, 88.72f, 88.7228f, 88.723f, 89f, -87.3f, -87.34f, -100f, -103.9f, -104f, -150f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.MaxValue, float.MinValue, 1e-30f, -1e-30f,
        };
        var rng = new Random(5);
        for (int i = 0; i < 4000; i++)
            list.Add((float)(rng.NextDouble() * 200 - 105));
        for (int i = 0; i < 1000; i++)
            list.Add((float)(rng.NextDouble() * 2 - 1));
        // Densely over the subnormal results, where AVX-512's one vscalef must round as the scalar's two multiplies do.
        for (float x = -104f; x < -87f; x += 0.0013f)
            list.Add(x);
        return list.ToArray();
    }

    private static double[] DoubleArguments()
    {
        var list = new System.Collections.Generic.List<double>
        {
            0, -0.0, 1, -1, 0.5, 709.78, 709.7827, 709.79, 710, -708.3, -708.4, -740, -745.1, -745.2, -800,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.MaxValue, double.MinValue, 1e-300, -1e-300,
        };
        var rng = new Random(6);
        for (int i = 0; i < 4000; i++)
            list.Add(rng.NextDouble() * 1460 - 748);
        for (int i = 0; i < 1000; i++)
            list.Add(rng.NextDouble() * 2 - 1);
        for (double x = -745.2; x < -708; x += 0.0029)
            list.Add(x);
        return list.ToArray();
    }

    [Fact]
    public void Float_exp_is_within_2_ulp_and_every_width_gives_the_scalar_bits()
    {
        foreach (float x in FloatArguments())
        {
            float e = LaneKernels.ExpScalar(x);
            double exact = Math.Exp(x);
            if (float.IsNaN(x))
                Assert.True(float.IsNaN(e));
            else if (exact > float.MaxValue)
                Assert.Equal(float.PositiveInfinity, e);
            else if (exact < 1.2e-38) // subnormal: an absolute error of a few of the smallest steps
                Assert.True(Math.Abs(e - exact) <= 2 * float.Epsilon, $"exp({x:R}) = {e:R}, expected {exact:R}");
            else
                Assert.True(Math.Abs(e - exact) <= 2.5 * Math.Pow(2, -23) * exact, $"exp({x:R}) = {e:R}, expected {exact:R}");
            AssertSameBits(e, LaneKernels.Exp(Vector128.Create(x)).ToScalar(), x);
            AssertSameBits(e, LaneKernels.Exp(Vector256.Create(x)).GetElement(7), x);
            AssertSameBits(e, LaneKernels.Exp(Vector512.Create(x)).GetElement(11), x);
        }
    }

    [Fact]
    public void Double_exp_is_within_1_ulp_and_every_width_gives_the_scalar_bits()
    {
        foreach (double x in DoubleArguments())
        {
            double e = LaneKernels.ExpScalar(x);
            double exact = Math.Exp(x);
            if (double.IsNaN(x))
                Assert.True(double.IsNaN(e));
            else if (double.IsPositiveInfinity(exact))
                Assert.Equal(double.PositiveInfinity, e);
            else if (exact < 2.3e-308)
                Assert.True(Math.Abs(e - exact) <= 2 * double.Epsilon, $"exp({x:R}) = {e:R}, expected {exact:R}");
            else
                Assert.True(Math.Abs(e - exact) <= 1.5 * Math.Pow(2, -52) * exact, $"exp({x:R}) = {e:R}, expected {exact:R}");
            AssertSameBits(e, LaneKernels.Exp(Vector128.Create(x)).GetElement(1), x);
            AssertSameBits(e, LaneKernels.Exp(Vector256.Create(x)).GetElement(3), x);
            AssertSameBits(e, LaneKernels.Exp(Vector512.Create(x)).GetElement(5), x);
        }
    }

    private static void AssertSameBits<T>(T expected, T actual, T x) where T : IBinaryFloatingPointIeee754<T>
    {
        // Equal including the sign of zero, or both NaN.
        if (!((expected.Equals(actual) && T.IsNegative(expected) == T.IsNegative(actual)) || (T.IsNaN(expected) && T.IsNaN(actual))))
            Assert.Fail($"f({x}): expected {expected} but got {actual}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Transposes_round_trip_and_zero_the_padding(int bits) => VectorWidthTests.WithWidth(bits, () =>
    {
        foreach (int size in new[] { 1, 3, 17, 33, 64 })
            foreach (int width in new[] { 1, 4, 8, 16 })
                for (int count = 0; count <= width; count++)
                {
                    var rows = new float[count * size];
                    for (int i = 0; i < rows.Length; i++)
                        rows[i] = i + 1;
                    var lanes = new float[size * width + 3];
                    lanes.AsSpan().Fill(-1);
                    LaneKernels.ToLanes<float>(rows, size, count, lanes, width);
                    for (int k = 0; k < size; k++)
                        for (int s = 0; s < width; s++)
                            Assert.Equal(s < count ? rows[s * size + k] : 0f, lanes[k * width + s]);
                    Assert.Equal(-1f, lanes[size * width]); // nothing past size × width
                    var back = new float[count * size];
                    LaneKernels.FromLanes<float>(lanes, size, count, back, width);
                    Assert.Equal(rows, back);
                }
    });

    [Fact]
    public void Transposes_check_their_arguments()
    {
        var rows = new float[6];
        var lanes = new float[12];
        Assert.Throws<ArgumentOutOfRangeException>(() => LaneKernels.ToLanes<float>(rows, 3, 5, lanes, 4));
        Assert.Throws<ArgumentException>(() => LaneKernels.ToLanes<float>(rows, 3, 1, lanes, 4));
        Assert.Throws<ArgumentException>(() => LaneKernels.ToLanes<float>(rows, 3, 2, new float[11], 4));
        Assert.Throws<ArgumentException>(() => LaneKernels.FromLanes<float>(lanes, 3, 2, new float[5], 4));
        Assert.Throws<ArgumentException>(() => LaneKernels.ToLanes<float>(lanes.AsSpan(0, 6), 3, 2, lanes.AsSpan(0, 12), 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => LaneKernels.Softmax<float>(lanes, 0, 4));
        Assert.Throws<ArgumentException>(() => LaneKernels.Softmax<float>(lanes, 4, 4));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Lane_softmax_matches_a_double_reference_and_gives_the_same_bits_at_every_width(int bits)
    {
        foreach (int outputs in new[] { 1, 3, 4, 7, 10, 17 })
            foreach (int width in new[] { 1, 2, 4, 5, 8, 16, 19 })
            {
                var rng = new Random(outputs * 31 + width);
                var z = new float[outputs * width];
                for (int i = 0; i < z.Length; i++)
                    z[i] = (float)(rng.NextDouble() * 20 - 10);
                z[0] = float.NaN; // column 0 is all NaN
                var scalar = (float[])z.Clone();
                VectorWidthTests.WithWidth(0, () => LaneKernels.Softmax<float>(scalar, outputs, width));
                var a = (float[])z.Clone();
                VectorWidthTests.WithWidth(bits, () => LaneKernels.Softmax<float>(a, outputs, width));
                for (int s = 0; s < width; s++)
                {
                    double max = double.NegativeInfinity, sum = 0;
                    for (int j = 0; j < outputs; j++) max = Math.Max(max, z[j * width + s]);
                    for (int j = 0; j < outputs; j++) sum += Math.Exp(z[j * width + s] - max);
                    for (int j = 0; j < outputs; j++)
                    {
                        float y = a[j * width + s];
                        Assert.True(y.Equals(scalar[j * width + s]), $"{bits} bits, {outputs} × {width}: lane {s}, row {j}: {y:R} vs scalar {scalar[j * width + s]:R}");
                        if (s == 0)
                            Assert.True(float.IsNaN(y));
                        else
                            Assert.True(Math.Abs(y - Math.Exp(z[j * width + s] - max) / sum) < 1e-6, $"{outputs} × {width}: lane {s}, row {j}");
                    }
                }
            }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void ReLU_and_LeakyReLU_helpers_keep_NaN_and_negative_zero(int bits) => VectorWidthTests.WithWidth(bits, () =>
    {
        float[] x = { float.NaN, -0f, 0f, -2f, 3f, float.NegativeInfinity, float.PositiveInfinity, -1e-44f };
        foreach (float v in x)
        {
            float relu = v < 0 ? 0 : v;
            float leaky = v > 0 ? v : v * (float)ActivationKernels.LeakyReLUSlope;
            AssertSameBits(relu, FusedSimd.ReLU(Vector128.Create(v)).ToScalar(), v);
            AssertSameBits(relu, FusedSimd.ReLU(Vector256.Create(v)).ToScalar(), v);
            AssertSameBits(relu, FusedSimd.ReLU(Vector512.Create(v)).ToScalar(), v);
            AssertSameBits(leaky, FusedSimd.LeakyReLU(Vector128.Create(v)).ToScalar(), v);
            AssertSameBits(leaky, FusedSimd.LeakyReLU(Vector256.Create(v)).ToScalar(), v);
            AssertSameBits(leaky, FusedSimd.LeakyReLU(Vector512.Create(v)).ToScalar(), v);
            double d = v, dr = d < 0 ? 0 : d, dl = d > 0 ? d : d * ActivationKernels.LeakyReLUSlope;
            AssertSameBits(dr, FusedSimd.ReLU(Vector128.Create(d)).ToScalar(), d);
            AssertSameBits(dr, FusedSimd.ReLU(Vector512.Create(d)).ToScalar(), d);
            AssertSameBits(dl, FusedSimd.LeakyReLU(Vector256.Create(d)).ToScalar(), d);
        }
        // −0 stays −0 (bit for bit), as the kernels' ReLU operator leaves it.
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(FusedSimd.ReLU(Vector256.Create(-0f)).ToScalar()));
    });
}
