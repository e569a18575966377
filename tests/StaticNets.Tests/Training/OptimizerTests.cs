using System;
using System.Numerics;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>Every optimizer against steps worked out by hand, against a plain loop on long spans (the vector path), state save/restore and allocation.</summary>
public class OptimizerTests
{
    private static readonly double[] Theta0 = { 1.0, -2.0, 0.5 };
    private static readonly double[][] Gradients = { new[] { 0.1, -0.2, 0.3 }, new[] { -0.05, 0.4, 0.3 } };
    private const double Eta = 0.1;

    // Two steps from θ = (1, −2, 0.5) with g₁ = (0.1, −0.2, 0.3), g₂ = (−0.05, 0.4, 0.3), η = 0.1.
    // Momentum by hand: v₁ = −ηg₁ = (−0.01, 0.02, −0.03), θ₁ = (0.99, −1.98, 0.47);
    //   v₂ = 0.9v₁ − ηg₂ = (−0.004, −0.022, −0.057), θ₂ = (0.986, −2.002, 0.413).
    // Nesterov: θ₁ = θ₀ + 0.9v₁ − ηg₁ = (0.981, −1.962, 0.443); θ₂ = θ₁ + 0.9v₂ − ηg₂ = (0.9824, −2.0218, 0.3617).
    // RMSProp: s₁ = 0.1g₁², step ηg/√s = η·√10·sign(g) on step 1, and so on (worked to 12 digits).
    // Adam: step 1 is η·sign(g) (m̂ = g, v̂ = g²); AdamW also shrinks θ by 1 − ηλ = 0.999 first.
    [Theory]
    [InlineData("momentum", 0.986, -2.002, 0.413)]
    [InlineData("nesterov", 0.9824, -2.0218, 0.3617)]
    [InlineData("rmsprop", 0.83121424666, -1.96948654929, -0.0456434490102)]
    [InlineData("adam", 0.873366309403, -1.93661035655, 0.300000006667)]
    [InlineData("adamw", 0.871467309393, -1.93271235654, 0.299100506663)]
    public void Two_steps_match_hand_computed_values(string name, double e0, double e1, double e2)
    {
        var expected = new[] { e0, e1, e2 };
        var d = Run<double>(Create<double>(name));
        for (int i = 0; i < 3; i++)
            Assert.Equal(expected[i], d[i], 1e-10);
        var f = Run<float>(Create<float>(name));
        for (int i = 0; i < 3; i++)
            Assert.Equal(expected[i], f[i], 2e-6);
    }

    [Fact]
    public void Adam_first_step_is_the_learning_rate_times_the_sign()
    {
        var adam = new Adam<double>();
        double[] theta = { 3, 3, 3 };
        adam.Step(theta, new[] { 1e-3, -50.0, 2.0 }, 0.01);
        // ε = 1e-8 against |g| = 1e-3 shortens that step by a relative 1e-5, hence the tolerance.
        Assert.Equal(new[] { 2.99, 3.01, 2.99 }, theta, (a, b) => Math.Abs(a - b) < 2e-7);
    }

    [Theory]
    [MemberData(nameof(StatefulOptimizers))]
    public void Long_spans_take_the_vector_path_and_agree_with_the_scalar_formula(string name)
    {
        // 37 = several vectors of any width plus a ragged tail; compared against the same optimizer run
        // one element at a time (length 1 spans never take the vector path).
        const int n = 37;
        var rng = new Random(5);
        float[] theta = new float[n];
        for (int i = 0; i < n; i++)
            theta[i] = (float)(rng.NextDouble() * 2 - 1);
        var gradients = new float[3][];
        for (int s = 0; s < 3; s++)
        {
            gradients[s] = new float[n];
            for (int i = 0; i < n; i++)
                gradients[s][i] = (float)(rng.NextDouble() - 0.5);
        }
        float[] whole = (float[])theta.Clone();
        var optimizer = Create<float>(name);
        foreach (var g in gradients)
            optimizer.Step(whole, g, 0.05f);
        for (int i = 0; i < n; i++)
        {
            var single = Create<float>(name);
            float[] one = { theta[i] };
            foreach (var g in gradients)
                single.Step(one, new[] { g[i] }, 0.05f);
            Assert.Equal(one[0], whole[i]);
        }
    }

    [Theory]
    [InlineData("momentum")]
    [InlineData("rmsprop")]
    [InlineData("adam")]
    public void Saved_state_resumes_exactly(string name)
    {
        double[] a = (double[])Theta0.Clone();
        var first = Create<double>(name);
        first.Step(a, Gradients[0], Eta);
        var state = (IOptimizerState<double>)first;
        var resumed = Create<double>(name);
        ((IOptimizerState<double>)resumed).LoadState(state.State, state.StepCount);
        double[] b = (double[])a.Clone();
        first.Step(a, Gradients[1], Eta);
        resumed.Step(b, Gradients[1], Eta);
        Assert.Equal(a, b);
        Assert.Equal(2, ((IOptimizerState<double>)resumed).StepCount);
    }

    [Fact]
    public void Sgd_steps_by_the_gradient_and_counts_steps()
    {
        var sgd = new Sgd<double>();
        double[] theta = (double[])Theta0.Clone();
        sgd.Step(theta, Gradients[0], Eta);
        Assert.Equal(new[] { 0.99, -1.98, 0.47 }, theta, (a, b) => Math.Abs(a - b) < 1e-15);
        Assert.Equal(1, sgd.StepCount);
        Assert.Equal(0, sgd.State.Length);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => sgd.LoadState(new double[1], 3)).ParamName);
        sgd.LoadState(ReadOnlySpan<double>.Empty, 3);
        Assert.Equal(3, sgd.StepCount);
    }

    [Fact]
    public void Reset_forgets_velocity()
    {
        var momentum = new Momentum<double>();
        double[] theta = { 0 };
        momentum.Step(theta, new[] { 1.0 }, 1);
        momentum.Reset();
        theta[0] = 0;
        momentum.Step(theta, new[] { 1.0 }, 1);
        Assert.Equal(-1.0, theta[0]);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_their_names()
    {
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum<float>(1.0)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<float>(beta2: -0.1)).ParamName);
        var adam = new Adam<float>();
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[2], 0.1f)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => adam.Step(new float[3], new float[3], float.NaN)).ParamName);
        adam.Step(new float[3], new float[3], 0.1f);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => adam.Step(new float[4], new float[4], 0.1f)).ParamName);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => adam.LoadState(new float[3], 1)).ParamName);
    }

    [Theory]
    [MemberData(nameof(StatefulOptimizers))]
    public void A_step_allocates_nothing(string name)
    {
        var optimizer = Create<float>(name);
        float[] theta = new float[1000], gradient = new float[1000];
        gradient.AsSpan().Fill(0.01f);
        optimizer.Step(theta, gradient, 0.1f);
        long allocated = 0;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
                optimizer.Step(theta, gradient, 0.1f);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
                break;
        }
        Assert.Equal(0, allocated);
    }

    /// <summary>The names <see cref="Create{T}"/> knows: every built-in optimizer with state.</summary>
    public static TheoryData<string> StatefulOptimizers => new() { "momentum", "nesterov", "rmsprop", "adam", "adamw" };

    internal static IOptimizer<T> Create<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T> => name switch
    {
        "momentum" => new Momentum<T>(0.9),
        "nesterov" => new Nesterov<T>(0.9),
        "rmsprop" => new RmsProp<T>(0.9, 1e-8),
        "adam" => new Adam<T>(),
        "adamw" => new AdamW<T>(0.01),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static double[] Run<T>(IOptimizer<T> optimizer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var theta = Array.ConvertAll(Theta0, T.CreateTruncating);
        foreach (var g in Gradients)
            optimizer.Step(theta, Array.ConvertAll(g, T.CreateTruncating), T.CreateTruncating(Eta));
        return Array.ConvertAll(theta, double.CreateTruncating);
    }
}
