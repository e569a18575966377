using System;
using System.Numerics;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>
/// The optimizers' decaying state never turns subnormal (a microcode assist per operation on x64): it is flushed to 0
/// below the smallest normal number times 2^p, in the vector body and the scalar tail alike, while NaN and ±∞ are kept.
/// </summary>
public class FlushToZeroTests
{
    [Fact]
    public void The_thresholds_are_the_smallest_normal_numbers_times_two_to_the_mantissa_bits()
    {
        Assert.Equal(BitConverter.Int32BitsToSingle(0x0080_0000), FlushToZero<float>.MinNormal);
        Assert.Equal(BitConverter.Int64BitsToDouble(0x0010_0000_0000_0000), FlushToZero<double>.MinNormal);
        Assert.Equal(MathF.ScaleB(1, -126 + 23), FlushToZero<float>.Threshold);
        Assert.Equal(Math.ScaleB(1, -1022 + 52), FlushToZero<double>.Threshold);
    }

    [Fact]
    public void Subnormals_become_zero_and_everything_else_is_kept()
    {
        float t = FlushToZero<float>.Threshold, min = FlushToZero<float>.MinNormal, sub = BitConverter.Int32BitsToSingle(0x0000_0F00);
        float[] inputs = { 0f, -0f, sub, -sub, float.Epsilon, min, -min, MathF.BitDecrement(t), -MathF.BitDecrement(t), t, -t, 1.5f, -3f, float.NaN, float.PositiveInfinity, float.NegativeInfinity };
        float[] expected = { 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, t, -t, 1.5f, -3f, float.NaN, float.PositiveInfinity, float.NegativeInfinity };
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(expected[i], FlushToZero<float>.Apply(inputs[i], t));
            Assert.Equal(expected[i], FlushToZero<float>.Apply(new Vector<float>(inputs[i]), new Vector<float>(t))[0]);
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerTests.StatefulOptimizers), MemberType = typeof(OptimizerTests))]
    public void State_decaying_under_zero_gradients_goes_to_zero_without_a_subnormal_step(string name)
    {
        // Float needs about 900 steps of a 0.9 decay to pass the normal range, double about 7,000; 37 elements
        // cover several vectors of any width and a scalar tail.
        Decays<float>(name, steps: 1_200);
        Decays<double>(name, steps: 8_000);
    }

    [Fact]
    public void A_nan_gradient_still_shows_in_the_state()
    {
        var adam = new Adam<float>();
        float[] theta = new float[37], gradient = new float[37];
        gradient[3] = float.NaN;
        gradient[36] = float.NaN;
        adam.Step(theta, gradient, 0.01f);
        var state = ((IOptimizerState<float>)adam).State;
        Assert.True(float.IsNaN(state[3]) && float.IsNaN(state[36]), "m of the NaN gradients");
        Assert.True(float.IsNaN(state[37 + 3]) && float.IsNaN(state[37 + 36]), "v of the NaN gradients");
        Assert.True(float.IsNaN(theta[3]) && float.IsNaN(theta[36]));
    }

    private static void Decays<T>(string name, int steps) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int n = 37;
        IOptimizer<T> optimizer = name switch
        {
            "momentum" => new Momentum<T>(0.9),
            "nesterov" => new Nesterov<T>(0.9),
            "rmsprop" => new RmsProp<T>(0.9),
            // β₂ = 0.9 so that v decays as fast as m (the default 0.999 would take a hundred times the steps).
            "adam" => new Adam<T>(0.9, 0.9),
            "adamw" => new AdamW<T>(0.01, 0.9, 0.9),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var rng = new Random(3);
        T[] theta = new T[n], gradient = new T[n], zero = new T[n];
        for (int i = 0; i < n; i++)
        {
            theta[i] = T.CreateTruncating(rng.NextDouble() - 0.5);
            gradient[i] = T.CreateTruncating((rng.NextDouble() + 0.01) * (i % 2 == 0 ? 1 : -1));
        }
        optimizer.Step(theta, gradient, T.CreateTruncating(0.01));
        var state = (IOptimizerState<T>)optimizer;
        Assert.Contains(state.State.ToArray(), x => x != T.Zero);
        for (int s = 0; s < steps; s++)
        {
            optimizer.Step(theta, zero, T.CreateTruncating(0.01));
            foreach (T x in state.State)
                Assert.False(x != T.Zero && T.Abs(x) < FlushToZero<T>.Threshold, $"{name} ({typeof(T).Name}) holds {x}, below the flush threshold, after {s + 2} steps");
        }
        Assert.All(state.State.ToArray(), x => Assert.Equal(T.Zero, x));
        Assert.All(theta, x => Assert.True(T.IsFinite(x)));
    }
}
