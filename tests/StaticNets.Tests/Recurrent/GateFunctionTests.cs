using System;
using System.Numerics.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Recurrent;

/// <summary>
/// The gate nonlinearities the recurrent kernels use — their own vectorised exp, sigmoid and tanh of floats
/// (<c>GateMath</c>), and TensorPrimitives' for other element types — against the double-precision functions over
/// the whole float range: every 4096th bit pattern of both signs, and the edges. The errors stated in
/// docs/recurrent.md are the bounds asserted here.
/// </summary>
public class GateFunctionTests(ITestOutputHelper output)
{
    private static float[] Sweep()
    {
        var values = new System.Collections.Generic.List<float>();
        for (uint bits = 0; bits < 0x7F800000u; bits += 4096)
        {
            float v = BitConverter.UInt32BitsToSingle(bits);
            values.Add(v);
            values.Add(-v);
        }
        values.AddRange(new[] { float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 88.7f, -88.7f, 9f, -9f, 0.5f, -0.5f });
        return values.ToArray();
    }

    [Fact]
    public void GateMath_exp_is_within_2_ulp_and_sigmoid_and_tanh_within_1e_7_and_2e_7_absolute()
    {
        if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            return; // the vector functions only run where Vector256 is accelerated; elsewhere the cells use MathF
        float[] x = Sweep();
        double worstExp = 0, worstSigmoid = 0, worstTanh = 0;
        var lanes = new float[8];
        for (int i = 0; i + 8 <= x.Length; i += 8)
        {
            var v = System.Runtime.Intrinsics.Vector256.Create(x.AsSpan(i, 8));
            var e = StaticNets.Kernels.GateMath.Exp(v);
            var sg = StaticNets.Kernels.GateMath.Sigmoid(v);
            var th = StaticNets.Kernels.GateMath.Tanh(v);
            for (int j = 0; j < 8; j++)
            {
                double xv = x[i + j], expected = Math.Exp(xv);
                float got = e[j];
                if (expected < float.MaxValue && expected > 1.2e-38)
                    worstExp = Math.Max(worstExp, Math.Abs(got - expected) / (MathF.BitIncrement((float)expected) - (float)expected));
                else if (expected >= float.MaxValue)
                    Assert.True(got > 1e38f, $"exp({xv:R}) = {got:R}");
                worstSigmoid = Math.Max(worstSigmoid, Math.Abs(sg[j] - 1 / (1 + Math.Exp(-xv))));
                worstTanh = Math.Max(worstTanh, Math.Abs(th[j] - Math.Tanh(xv)));
                Assert.True(sg[j] >= 0 && sg[j] <= 1 && th[j] >= -1 && th[j] <= 1, $"x = {xv:R}: sigmoid {sg[j]:R}, tanh {th[j]:R}");
            }
        }
        output.WriteLine($"GateMath over {x.Length} values: exp max {worstExp:G3} ulp, sigmoid max |error| {worstSigmoid:G3}, tanh max |error| {worstTanh:G3}");
        Assert.True(worstExp <= 2, $"exp max error {worstExp:G3} ulp");
        Assert.True(worstSigmoid <= 1e-7, $"sigmoid max error {worstSigmoid:G3}");
        Assert.True(worstTanh <= 2e-7, $"tanh max error {worstTanh:G3}");
        var nan = StaticNets.Kernels.GateMath.Sigmoid(System.Runtime.Intrinsics.Vector256.Create(float.NaN));
        Assert.True(float.IsNaN(nan[0]));
        Assert.True(float.IsNaN(StaticNets.Kernels.GateMath.Tanh(System.Runtime.Intrinsics.Vector256.Create(float.NaN))[3]));
        Assert.Equal(1f, StaticNets.Kernels.GateMath.Sigmoid(System.Runtime.Intrinsics.Vector256.Create(float.PositiveInfinity))[0]);
        Assert.Equal(-1f, StaticNets.Kernels.GateMath.Tanh(System.Runtime.Intrinsics.Vector256.Create(float.NegativeInfinity))[0]);
    }

    [Fact]
    public void Sigmoid_is_within_1e_7_and_tanh_within_2e_7_absolute_over_the_float_range()
    {
        float[] x = Sweep();
        var sigmoid = new float[x.Length];
        var tanh = new float[x.Length];
        TensorPrimitives.Sigmoid<float>(x, sigmoid);
        TensorPrimitives.Tanh<float>(x, tanh);
        double worstSigmoid = 0, worstTanh = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double s = 1 / (1 + Math.Exp(-(double)x[i])), t = Math.Tanh(x[i]);
            worstSigmoid = Math.Max(worstSigmoid, Math.Abs(sigmoid[i] - s));
            worstTanh = Math.Max(worstTanh, Math.Abs(tanh[i] - t));
            Assert.True(sigmoid[i] >= 0 && sigmoid[i] <= 1, $"sigmoid({x[i]:R}) = {sigmoid[i]:R}");
            Assert.True(tanh[i] >= -1 && tanh[i] <= 1, $"tanh({x[i]:R}) = {tanh[i]:R}");
        }
        // Absolute, not relative: tanh's error near 0 is about an ulp of 1, not of the (tiny) result, which gates
        // that multiply values of order 1 never see.
        output.WriteLine($"{x.Length} values: sigmoid max |error| {worstSigmoid:G3}, tanh max |error| {worstTanh:G3}");
        Assert.True(worstSigmoid <= 1e-7, $"sigmoid max error {worstSigmoid:G3}");
        Assert.True(worstTanh <= 2e-7, $"tanh max error {worstTanh:G3}");
        // NaN stays NaN (a diverged state is visible, not hidden as 0 or 1).
        var nan = new[] { float.NaN };
        TensorPrimitives.Sigmoid<float>(nan, nan);
        Assert.True(float.IsNaN(nan[0]));
    }
}
