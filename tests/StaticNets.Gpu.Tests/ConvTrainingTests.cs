using System;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Gpu.Tests;

/// <summary>
/// Convolutional networks on the accelerator against the generated CPU path, with <see cref="TrainingStepTests"/>'
/// tolerances: three steps of each small CNN (see Networks.cs) with each optimizer against <c>net.Backward</c> plus the
/// runtime's optimizer, two of them on the tiled GEMM; <c>Predict</c> and <c>Evaluate</c> against the host forward; two
/// trainings bit-identical.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public class ConvTrainingTests
{
    private readonly GpuDevice _tiled, _device;

    public ConvTrainingTests(CpuDeviceFixture fixture)
    {
        _tiled = fixture.Device;
        _device = fixture.Fast;
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string net in new[] { "cnn-max", "cnn-avg", "cnn-two" })
            foreach (string opt in new[] { "sgd", "momentum", "adam", "adamw" })
                data.Add(net, opt);
        data.Add("conv", "adam");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Three_steps_match_the_generated_cpu_path(string network, string optimizer)
        => TrainingStepTests.ThreeSteps(_device, network, optimizer);

    [Theory]
    [InlineData("cnn-max", "adamw")]
    [InlineData("cnn-two", "momentum")]
    public void Three_steps_with_the_tiled_gemm_match_the_generated_cpu_path(string network, string optimizer)
        => TrainingStepTests.ThreeSteps(_tiled, network, optimizer);

    [Theory]
    [InlineData("cnn-max")]
    [InlineData("cnn-avg")]
    [InlineData("cnn-two")]
    public void Predict_matches_the_generated_forward(string network)
    {
        var net = TrainingStepTests.Make(network, 8);
        using var trainer = new GpuTrainer(net, _device, new GpuTrainerOptions { BatchSize = 4, SizeBudget = 0 });
        Assert.True(trainer.OnAccelerator, trainer.Plan.ToString());
        const int Rows = 10; // three launches: 4 + 4 + 2
        float[] x = TestData.Random(Rows * net.InputSize, 12, 2f);
        var expected = new float[Rows * net.OutputSize];
        for (int r = 0; r < Rows; r++)
            net.Forward(x.AsSpan(r * net.InputSize, net.InputSize), expected.AsSpan(r * net.OutputSize, net.OutputSize));
        var actual = new float[expected.Length];
        trainer.Predict(x, actual);
        TestData.Close(expected, actual, 1e-6, 1e-5, "outputs");
    }

    [Fact]
    public void An_epoch_on_the_accelerator_matches_the_host_path_with_the_same_seed()
    {
        // 2×11×11 samples for CnnAvgNet (4 sigmoid outputs, one-hot targets under binary cross-entropy).
        var (data, _) = TrainingStepTests.Blobs(60, 242, 4, seed: 4);
        var gpuNet = new CnnAvgNet(5);
        var hostNet = new CnnAvgNet(5);
        var options = new GpuTrainerOptions { BatchSize = 16, Optimizer = GpuOptimizer.Momentum(), LearningRate = 0.05, Seed = 9 };
        using var gpu = new GpuTrainer(gpuNet, _device, options with { SizeBudget = 0 });
        using var host = new GpuTrainer(hostNet, _device, options with { SizeBudget = long.MaxValue });
        Assert.True(gpu.OnAccelerator);
        Assert.False(host.OnAccelerator);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var g = gpu.TrainEpoch(data);
            var h = host.TrainEpoch(data);
            Assert.Equal(4, g.Batches);
            Assert.True(Math.Abs(g.MeanLoss - h.MeanLoss) <= 1e-4 * h.MeanLoss, $"epoch {epoch + 1}: mean loss {g.MeanLoss} on the accelerator, {h.MeanLoss} on the host");
        }
        gpu.CopyToNetwork();
        TestData.Close(hostNet.Parameters, gpuNet.Parameters, 1e-4, 1e-3, "θ after two epochs");
    }

    [Fact]
    public void Training_is_deterministic_learns_and_evaluates_as_the_host()
    {
        // 1×8×8 blobs, 10 classes: what CnnMaxNet takes.
        var (train, test) = TrainingStepTests.Blobs(120, 64, 10, seed: 6);
        float[] Run()
        {
            var net = new CnnMaxNet(2);
            using var trainer = new GpuTrainer(net, _device, new GpuTrainerOptions { BatchSize = 16, Optimizer = GpuOptimizer.Adam(), LearningRate = 0.01, SizeBudget = 0, Seed = 3 });
            Assert.True(trainer.OnAccelerator, trainer.Plan.ToString());
            double before = trainer.Evaluate(test);
            GpuEpochResult first = trainer.TrainEpoch(train), last = first;
            for (int e = 0; e < 2; e++)
                last = trainer.TrainEpoch(train);
            double after = trainer.Evaluate(test);
            Assert.True(last.MeanLoss < first.MeanLoss, $"loss went from {first.MeanLoss} to {last.MeanLoss}");
            Assert.True(after > before, $"test accuracy {before:P1} before and {after:P1} after training");
            trainer.CopyToNetwork();
            // The device's accuracy is the host's on the copied parameters.
            Assert.Equal(Evaluator.Evaluate(net, test).Accuracy, after, 12);
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    /// <summary>
    /// As <see cref="AllocationTests"/>: the trainer's own code allocates nothing per step, ILGPU 128–192 bytes per launch
    /// and 80 per copy. A step of CnnMaxNet with SGD launches 18 kernels — forward: im2col, GEMM, bias + activation,
    /// pooling, GEMM, bias + activation, softmax; the output δ and the loss sum; backward: dense GEMM, ∂b, GEMM; the
    /// pooling gather; σ′, δ to channel-major, GEMM, ∂b for the convolution (no col2im: it is the first layer); SGD —
    /// and copies 3 times.
    /// </summary>
    [Fact]
    public void Steps_allocate_only_what_ilgpu_takes_per_launch()
    {
        var net = new CnnMaxNet(1);
        using var trainer = new GpuTrainer(net, _device, new GpuTrainerOptions { BatchSize = 8, SizeBudget = 0, Optimizer = GpuOptimizer.Sgd() });
        float[] x = TestData.Random(8 * CnnMaxNet.InputSize, 1), y = new float[8 * CnnMaxNet.OutputSize];
        trainer.Step(x, y);
        const long PerStep = 18 * 192 + 3 * 80;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
            trainer.Step(x, y);
        long steps = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(steps <= 3 * PerStep, $"three steps allocated {steps} bytes, more than ILGPU's {3 * PerStep} for their launches");
    }

    [Fact]
    public void A_batch_whose_column_matrix_overflows_the_kernels_indices_is_refused_by_name()
    {
        // CnnMaxNet's convolution: 9 × 36 = 324 column entries per sample, so at most 2,147,483,647 / 324 = 6,628,035 samples.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GpuTrainer(new CnnMaxNet(1), _device, new GpuTrainerOptions { BatchSize = 7_000_000, SizeBudget = 0 }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("Expected options.BatchSize of at most 6628035 on the accelerator (layer 0's column matrix holds 324 values per sample", e.Message, StringComparison.Ordinal);
        Assert.Contains("but got 7000000", e.Message, StringComparison.Ordinal);
    }
}
