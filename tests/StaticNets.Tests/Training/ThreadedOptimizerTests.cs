using System;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>
/// The training loop's step of every optimizer: chunks over the worker pool, segment by segment, give exactly the
/// public single-threaded step on any thread count; the gradient is zeroed only when asked; the returned Σθ² is that
/// of the new parameters (not finite once one is not); an optimizer derived outside the library still works.
/// </summary>
public class ThreadedOptimizerTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw" })
        {
            // One element, a ragged vector tail, and several 16 Ki-element chunks with a short last one.
            foreach (int n in new[] { 1, 37, 100_003 })
                data.Add(name, n);
        }
        // Decay bound to the blocks of a 784-128-10 network, whose first weight block chunk boundaries cut through.
        data.Add("adamw-bound", 101_770);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChunkedStep_IsThePublicStep_BitForBit(string name, int n)
    {
        var rng = new Random(n);
        float[] theta = Random(rng, n, 1f);
        var gradients = new float[3][];
        for (int s = 0; s < gradients.Length; s++)
            gradients[s] = Random(rng, n, 0.5f);
        // Uneven pieces, as a network's blocks are: a long one, a short one, the rest.
        (int, int)[] segments = n < 10 ? new[] { (0, n) } : new[] { (0, n / 2 + 3), (n / 2 + 3, 5), (n / 2 + 8, n - n / 2 - 8) };

        float[] expected = (float[])theta.Clone();
        var reference = Create(name, n);
        foreach (var g in gradients)
            reference.Step(expected, g, 0.01f);

        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            foreach (bool split in new[] { false, true })
            {
                float[] actual = (float[])theta.Clone();
                var threaded = (IThreadedOptimizer<float>)Create(name, n);
                double squares = 0;
                foreach (var g in gradients)
                {
                    float[] copy = (float[])g.Clone();
                    squares = threaded.Step(actual, copy, 0.01f, threads, clearGradient: true, split ? segments : new[] { (0, n) });
                    Assert.All(copy, v => Assert.Equal(0f, v));
                }
                Assert.Equal(expected, actual);
                double reference2 = 0;
                foreach (float v in actual)
                    reference2 += (double)v * v;
                Assert.Equal(reference2, squares, 1e-5 * reference2);
                Assert.Equal(3, ((IOptimizerState<float>)threaded).StepCount);
            }
        }
    }

    public static TheoryData<string, int> ScaledCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adamw-bound", "custom" })
        {
            foreach (int n in new[] { 1, 3, 37, 101_770 })
                data.Add(name, n);
        }
        return data;
    }

    // The training loop leaves the mean's 1/m to the step: each gradient times the scale, rounded, then the optimizer's
    // own formula — bit for bit the step on a gradient scaled in a pass of its own first, on any thread count.
    [Theory]
    [MemberData(nameof(ScaledCases))]
    public void AScaledStep_IsTheStepOnTheScaledGradient_BitForBit(string name, int n)
    {
        var rng = new Random(n + 5);
        float[] theta = Random(rng, n, 1f);
        var gradients = new float[3][];
        for (int s = 0; s < gradients.Length; s++)
            gradients[s] = Random(rng, n, 40f);
        (int, int)[] segments = n < 10 ? new[] { (0, n) } : new[] { (0, n / 2 + 3), (n / 2 + 3, 5), (n / 2 + 8, n - n / 2 - 8) };
        foreach (float scale in new[] { 1f / 32, 1f / 3 })
        {
            float[] expected = (float[])theta.Clone();
            var reference = (IThreadedOptimizer<float>)Create(name, n);
            foreach (var g in gradients)
            {
                float[] scaled = (float[])g.Clone();
                StaticNets.Kernels.VectorMath.Scale(scale, scaled);
                reference.Step(expected, scaled, 0.01f, 1, clearGradient: true, segments);
            }
            foreach (int threads in new[] { 1, 2, 3 })
            {
                float[] actual = (float[])theta.Clone();
                var threaded = (IThreadedOptimizer<float>)Create(name, n);
                foreach (var g in gradients)
                {
                    float[] copy = (float[])g.Clone();
                    threaded.Step(actual, copy, 0.01f, threads, clearGradient: true, segments, scale);
                    Assert.All(copy, v => Assert.Equal(0f, v));
                }
                Assert.Equal(expected, actual);
            }
        }
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("custom")]
    public void WithoutClearing_TheGradientIsLeftAsItWas(string name)
    {
        var rng = new Random(3);
        float[] theta = Random(rng, 70_000, 1f), g = Random(rng, 70_000, 0.5f), kept = (float[])g.Clone();
        ((IThreadedOptimizer<float>)Create(name, theta.Length)).Step(theta, g, 0.1f, 2, clearGradient: false, new[] { (0, theta.Length) });
        Assert.Equal(kept, g);
    }

    [Fact]
    public void ASegmentOutsideTheParameters_IsRefused()
    {
        var adam = (IThreadedOptimizer<float>)new Adam<float>();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => adam.Step(new float[100], new float[100], 0.1f, 2, true, new[] { (0, 60), (60, 41) }));
        Assert.Contains("Expected a segment within the 100 parameters but got 41 from 60", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ((IThreadedOptimizer<float>)new Sgd<float>()).Step(new float[100], new float[100], 0.1f, 2, true, new[] { (90, 20) }));
    }

    [Fact]
    public void AParameterThatStopsBeingFinite_MakesTheSumNotFinite()
    {
        float[] theta = new float[50_000], g = new float[50_000];
        g[41_000] = float.NaN;
        Assert.False(double.IsFinite(((IThreadedOptimizer<float>)new Adam<float>()).Step(theta, g, 0.1f, 2, true, new[] { (0, theta.Length) })));
    }

    [Fact]
    public void AnOptimizerDerivedElsewhere_UpdatesTheWholeSpanThenClearsAndSums()
    {
        var rng = new Random(8);
        float[] theta = Random(rng, 40_000, 1f), g = Random(rng, 40_000, 0.5f);
        float[] expected = (float[])theta.Clone();
        new SignDescent().Step(expected, g, 0.1f);
        var custom = new SignDescent();
        double squares = ((IThreadedOptimizer<float>)custom).Step(theta, g, 0.1f, 3, true, new[] { (0, 100), (100, 39_900) });
        Assert.Equal(expected, theta);
        Assert.All(g, v => Assert.Equal(0f, v));
        Assert.Equal(1, custom.Calls);
        double sum = 0;
        foreach (float v in theta)
            sum += (double)v * v;
        Assert.Equal(sum, squares, 1e-5 * sum);
    }

    // Training on a network whose products split over the threads: the same weights on any thread count, and exactly
    // Backward, the 1/m of the mean and the public step — for AdamW (bound to the blocks, as the loop binds it) and for
    // plain SGD, whose training step applies the 1/m inside one fused axpy.
    [Theory]
    [InlineData("adamw", 1)]
    [InlineData("adamw", 2)]
    [InlineData("adamw", 3)]
    [InlineData("sgd", 1)]
    [InlineData("sgd", 2)]
    [InlineData("sgd", 3)]
    public void TrainBatch_IsBackwardThenTheMeanThenThePublicStep_BitForBit(string name, int threads)
    {
        const int batch = 32;
        float rate = name == "sgd" ? 0.05f : 0.001f;
        var reference = new StaticNets.Tests.Networks.MnistNet(4);
        var trained = new StaticNets.Tests.Networks.MnistNet(4);
        var inputs = StaticNets.Tests.Networks.NetworkCatalog.Random<float>(batch * StaticNets.Tests.Networks.MnistNet.InputSize, 16, 0, 1);
        var targets = StaticNets.Tests.Networks.NetworkCatalog.Targets<float>(reference.Info, batch, 17);
        var gradient = new float[StaticNets.Tests.Networks.MnistNet.ParameterCount];
        var workspace = reference.CreateWorkspace(batch);
        IOptimizer<float> optimizer = name == "sgd" ? new Sgd<float>() : new AdamW<float>();
        (optimizer as IBlockAwareOptimizer)?.BindBlocks(reference.Info);
        var trainer = new Trainer<float>(trained, name == "sgd" ? new Sgd<float>() : new AdamW<float>());
        for (int step = 0; step < 3; step++)
        {
            Array.Clear(gradient);
            reference.Backward(inputs, targets, gradient, workspace);
            StaticNets.Kernels.VectorMath.Scale(1f / batch, gradient);
            using (var edit = reference.EditParameters())
                optimizer.Step(edit.Span, gradient, rate);
            trainer.TrainBatch(inputs, targets, new TrainerOptions { LearningRate = rate, Threads = threads });
            Assert.Equal(reference.Parameters.ToArray(), trained.Parameters.ToArray());
        }
    }

    private static IOptimizer<float> Create(string name, int n)
    {
        if (name == "sgd")
            return new Sgd<float>();
        if (name == "custom")
            return new SignDescent();
        if (name != "adamw-bound")
            return OptimizerTests.Create<float>(name);
        var adam = new AdamW<float>(0.05);
        adam.BindBlocks(new StaticNets.Tests.Networks.MnistNet(1).Info);
        return adam;
    }

    private static float[] Random(Random rng, int n, float scale)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++)
            values[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return values;
    }

    // θ ← θ − η·sign(g): an optimizer a user might derive, with no element-wise range form.
    private sealed class SignDescent : OptimizerBase<float>
    {
        public int Calls { get; private set; }

        public override int StateSlots => 0;

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate, Span<float> state, long step)
        {
            Calls++;
            for (int i = 0; i < parameters.Length; i++)
                parameters[i] -= learningRate * MathF.Sign(gradient[i]);
        }
    }
}
