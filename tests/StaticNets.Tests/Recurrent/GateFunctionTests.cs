using System;
using System.Numerics.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Recurrent;

/// <summary>
/// The gate nonlinearities the recurrent kernels use (TensorPrimitives' vectorised sigmoid and tanh) against the
/// double-precision functions over the whole float range: every 4096th bit pattern of both signs, and the edges.
/// The errors stated in docs/recurrent.md are the bounds asserted here.
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
