using System;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Gpu.Tests;

/// <summary>
/// Training on the accelerator (ILGPU's CPU accelerator, budget 0 so every layer goes there) against the CPU path of
/// the same generated network: <c>net.Backward</c>, the gradient divided by the batch, then the runtime's optimizer.
/// Tolerances: after three steps every parameter within 2e-5 + 1e-4·|θ| (SGD, momentum) or within 3e-5 + 1e-4·|θ|
/// (Adam, AdamW, whose m/√v amplifies the gradients' last-bit differences where they are tiny); batch costs within 1e-5
/// relative.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public class TrainingStepTests
{
    private readonly GpuDevice _tiled, _device;

    /// <summary>The longer tests run on the fast CPU device (barrier-free GEMM); one step test runs the tiled GEMM.</summary>
    public TrainingStepTests(CpuDeviceFixture fixture)
    {
        _tiled = fixture.Device;
        _device = fixture.Fast;
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string net in new[] { "softmax", "quadratic", "smooth" })
            foreach (string opt in new[] { "sgd", "momentum", "adam", "adamw" })
                data.Add(net, opt);
        return data;
    }

    internal static INetwork<float> Make(string name, int seed) => name switch
    {
        "softmax" => new SoftmaxNet(seed),
        "quadratic" => new QuadraticNet(seed),
        "smooth" => new SmoothNet(seed),
        "conv" => new ConvNet(seed),
        "cnn-max" => new CnnMaxNet(seed),
        "cnn-avg" => new CnnAvgNet(seed),
        "cnn-two" => new CnnTwoNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"Expected a test network's name but got '{name}'."),
    };

    private static GpuOptimizer Optimizer(string name) => name switch
    {
        "sgd" => GpuOptimizer.Sgd(),
        "momentum" => GpuOptimizer.Momentum(0.9),
        "adam" => GpuOptimizer.Adam(),
        _ => GpuOptimizer.AdamW(0.05),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Three_steps_match_the_generated_cpu_path(string network, string optimizer) => ThreeSteps(_device, network, optimizer);

    [Theory]
    [InlineData("softmax", "adamw")]
    [InlineData("smooth", "momentum")]
    public void Three_steps_with_the_tiled_gemm_match_the_generated_cpu_path(string network, string optimizer) => ThreeSteps(_tiled, network, optimizer);

    internal static void ThreeSteps(GpuDevice device, string network, string optimizer)
    {
        const int Batch = 11;
        var gpuNet = Make(network, 3);
        var cpuNet = Make(network, 3);
        double lr = optimizer is "sgd" or "momentum" ? 0.1 : 0.01;
        var options = new GpuTrainerOptions { BatchSize = 16, Optimizer = Optimizer(optimizer), LearningRate = lr, SizeBudget = 0 };
        using var trainer = new GpuTrainer(gpuNet, device, options);
        Assert.True(trainer.OnAccelerator, trainer.Plan.ToString());

        var cpuOptimizer = options.Optimizer.CreateCpu(cpuNet.Info);
        var workspace = cpuNet.CreateWorkspace(Batch);
        var gradient = new float[cpuNet.ParameterCount];
        for (int step = 0; step < 3; step++)
        {
            float[] x = TestData.Random(Batch * cpuNet.InputSize, 100 + step, 2f);
            float[] y = Targets(Batch, cpuNet.OutputSize, step, oneHot: cpuNet.Info.Layers[^1].Activation == Activation.Softmax);
            Array.Clear(gradient);
            float cpuCost = cpuNet.Backward(x, y, gradient, workspace) / Batch;
            for (int i = 0; i < gradient.Length; i++)
                gradient[i] /= Batch;
            using (var edit = cpuNet.EditParameters())
                cpuOptimizer.Step(edit.Span, gradient, (float)lr);

            float gpuCost = trainer.Step(x, y);
            Assert.True(Math.Abs(gpuCost - cpuCost) <= 1e-5 * Math.Abs(cpuCost) + 1e-6, $"step {step}: cost {gpuCost} on the accelerator, {cpuCost} on the CPU");
        }
        Assert.Equal(3, trainer.StepCount);
        trainer.CopyToNetwork();
        bool adam = optimizer.StartsWith("adam", StringComparison.Ordinal);
        TestData.Close(cpuNet.Parameters, gpuNet.Parameters, adam ? 3e-5 : 2e-5, 1e-4, $"{network}/{optimizer} θ");
        // And the parameters moved: the comparison is not of two untouched copies.
        var untouched = Make(network, 3);
        double moved = 0;
        for (int i = 0; i < untouched.ParameterCount; i++)
            moved = Math.Max(moved, Math.Abs(untouched.Parameters[i] - gpuNet.Parameters[i]));
        Assert.True(moved > 1e-3, $"the parameters moved by at most {moved}");
    }

    private static float[] Targets(int batch, int outputs, int seed, bool oneHot)
    {
        var y = new float[batch * outputs];
        var rng = new SplitMix64(seed + 7);
        for (int r = 0; r < batch; r++)
        {
            if (oneHot)
                y[r * outputs + rng.Next(outputs)] = 1f;
            else
                for (int j = 0; j < outputs; j++)
                    y[r * outputs + j] = (float)rng.NextDouble();
        }
        return y;
    }

    [Fact]
    public void An_epoch_on_the_accelerator_matches_the_host_path_with_the_same_seed()
    {
        var (data, _) = Blobs(200, 13, 5, seed: 4);
        var gpuNet = new SoftmaxNet(5);
        var hostNet = new SoftmaxNet(5);
        var options = new GpuTrainerOptions { BatchSize = 32, Optimizer = GpuOptimizer.Momentum(), LearningRate = 0.05, Seed = 9 };
        using var gpu = new GpuTrainer(gpuNet, _device, options with { SizeBudget = 0 });
        using var host = new GpuTrainer(hostNet, _device, options with { SizeBudget = long.MaxValue });
        Assert.True(gpu.OnAccelerator);
        Assert.False(host.OnAccelerator);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var g = gpu.TrainEpoch(data);
            var h = host.TrainEpoch(data);
            Assert.Equal(7, g.Batches);
            Assert.Equal(h.Batches, g.Batches);
            Assert.True(Math.Abs(g.MeanLoss - h.MeanLoss) <= 1e-4 * h.MeanLoss, $"epoch {epoch + 1}: mean loss {g.MeanLoss} on the accelerator, {h.MeanLoss} on the host");
        }
        gpu.CopyToNetwork();
        TestData.Close(hostNet.Parameters, gpuNet.Parameters, 1e-4, 1e-3, "θ after two epochs");
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed_and_learns()
    {
        var (train, test) = Blobs(240, 13, 5, seed: 6);
        float[] Run()
        {
            var net = new SoftmaxNet(2);
            using var trainer = new GpuTrainer(net, _device, new GpuTrainerOptions { BatchSize = 24, Optimizer = GpuOptimizer.Adam(), LearningRate = 0.01, SizeBudget = 0, Seed = 3 });
            double before = trainer.Evaluate(test);
            GpuEpochResult first = trainer.TrainEpoch(train), last = first;
            for (int e = 0; e < 2; e++)
                last = trainer.TrainEpoch(train);
            double after = trainer.Evaluate(test);
            Assert.True(last.MeanLoss < first.MeanLoss, $"loss went from {first.MeanLoss} to {last.MeanLoss}");
            Assert.True(after >= 0.9 && after > before, $"test accuracy {before:P1} before and {after:P1} after training");
            trainer.CopyToNetwork();
            // The device's accuracy is the host's on the copied parameters.
            Assert.Equal(Evaluator.Evaluate(net, test).Accuracy, after, 12);
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Predict_matches_the_generated_forward()
    {
        INetwork<float> net = new SmoothNet(8);
        using var trainer = new GpuTrainer(net, _device, new GpuTrainerOptions { BatchSize = 4, SizeBudget = 0 });
        const int Rows = 10; // three launches: 4 + 4 + 2
        float[] x = TestData.Random(Rows * net.InputSize, 12);
        var expected = new float[Rows * net.OutputSize];
        for (int r = 0; r < Rows; r++)
            net.Forward(x.AsSpan(r * net.InputSize, net.InputSize), expected.AsSpan(r * net.OutputSize, net.OutputSize));
        var actual = new float[expected.Length];
        trainer.Predict(x, actual);
        TestData.Close(expected, actual, 1e-6, 1e-5, "outputs");
    }

    [Fact]
    public void Bad_arguments_name_the_argument_and_the_sizes()
    {
        var net = new SoftmaxNet(1);
        using var trainer = new GpuTrainer(net, _device, new GpuTrainerOptions { BatchSize = 4, SizeBudget = 0 });
        var e = Assert.Throws<ArgumentException>(() => trainer.Step(new float[5 * 13], new float[5 * 5]));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("at most 4 rows", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => trainer.Step(new float[2 * 13], new float[3 * 5]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("Expected 10 elements but got 15", e.Message, StringComparison.Ordinal);
        var (wrong, _) = Blobs(20, 7, 5, seed: 1);
        e = Assert.Throws<ArgumentException>(() => trainer.TrainEpoch(wrong));
        Assert.Equal("data", e.ParamName);
        Assert.Contains("13 inputs", e.Message, StringComparison.Ordinal);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new GpuTrainer(net, _device, new GpuTrainerOptions { BatchSize = 0 }));
        Assert.Equal("options", range.ParamName);
        Assert.Contains("BatchSize of at least 1 but got 0", range.Message, StringComparison.Ordinal);
        trainer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => trainer.Step(new float[13], new float[5]));
    }

    /// <summary>Gaussian blobs around one centre per class: learnable in a few epochs.</summary>
    internal static (Dataset<float> Train, Dataset<float> Test) Blobs(int count, int inputs, int classes, int seed)
    {
        var rng = new SplitMix64(seed);
        var centres = new float[classes * inputs];
        for (int i = 0; i < centres.Length; i++)
            centres[i] = (float)(rng.NextDouble() * 4 - 2);
        Dataset<float> Make(int n)
        {
            var x = new float[n * inputs];
            var labels = new int[n];
            for (int s = 0; s < n; s++)
            {
                labels[s] = rng.Next(classes);
                for (int j = 0; j < inputs; j++)
                    x[s * inputs + j] = centres[labels[s] * inputs + j] + (float)(rng.NextDouble() - 0.5);
            }
            return Dataset<float>.FromLabels(x, inputs, labels, classes);
        }
        return (Make(count), Make(count / 2));
    }
}

[Collection(CpuAcceleratorCollection.Name)]
public class AllocationTests
{
    private readonly GpuDevice _device;

    public AllocationTests(CpuDeviceFixture fixture) => _device = fixture.Fast;

    /// <summary>
    /// The trainer's own code allocates nothing per step or batch. ILGPU does, inside: on the CPU accelerator each kernel
    /// launch allocates 128–192 bytes and each copy between host and device 80 (measured with ILGPU 1.5.3), so the bound
    /// is what ILGPU takes for the launches of one step — a step of this 3-layer network launches 20 kernels (AdamW: 2
    /// more, one per bias block beyond the first) and copies 3 times — and not a size that grows with the network or the data.
    /// </summary>
    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    public void Steps_and_epochs_allocate_only_what_ilgpu_takes_per_launch(string optimizer)
    {
        var net = new SoftmaxNet(1);
        var options = new GpuTrainerOptions { BatchSize = 8, SizeBudget = 0, Optimizer = optimizer == "sgd" ? GpuOptimizer.Sgd() : GpuOptimizer.AdamW() };
        using var trainer = new GpuTrainer(net, _device, options);
        var (data, _) = TrainingStepTests.Blobs(40, 13, 5, seed: 2);
        float[] x = TestData.Random(8 * 13, 1), y = new float[8 * 5];
        trainer.Step(x, y);
        trainer.TrainEpoch(data);
        const long PerStep = 24 * 192 + 3 * 80;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
            trainer.Step(x, y);
        long steps = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var result = trainer.TrainEpoch(data);
        long epoch = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(steps <= 3 * PerStep, $"three steps allocated {steps} bytes, more than ILGPU's {3 * PerStep} for their launches");
        // An epoch: per batch two gathers more than a step and no input copies, plus the index upload and the result record.
        Assert.True(epoch <= result.Batches * (PerStep + 2 * 192) + 2 * 80 + 128, $"an epoch of {result.Batches} batches allocated {epoch} bytes");
    }
}
