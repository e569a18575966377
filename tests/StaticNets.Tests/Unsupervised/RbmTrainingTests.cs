using System;
using System.Linq;
using StaticNets.Tests.Networks;
using StaticNets.Unsupervised;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Unsupervised;

/// <summary>Training on the real digits: what CD-k, PCD, sparsity and the monitors do, determinism, and no allocation per step.</summary>
public class RbmTrainingTests(ITestOutputHelper output)
{
    private static readonly Lazy<float[]> DigitPixels = new(() => LearningTests.Digits().Inputs.ToArray());

    private static RbmTrainingOptions Options => new() { Epochs = 8, BatchSize = 50, LearningRate = 0.1, Seed = 5, MonitorSamples = 500 };

    private RbmHistory Train(Rbm<float> rbm, RbmTrainingOptions options)
    {
        var history = new RbmTrainer<float>(rbm, options).Train(DigitPixels.Value);
        foreach (var e in history.Epochs)
            output.WriteLine($"epoch {e.Epoch}: reconstruction {e.ReconstructionError:F3}, free energy {e.FreeEnergy:F2}, PLL {e.PseudoLogLikelihood:F2}, momentum {e.Momentum}");
        return history;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cd_and_pcd_learn_the_digits(bool persistent)
    {
        var rbm = new Rbm<float>(64, 32, seed: 1);
        var history = Train(rbm, persistent ? Options with { Persistent = true, Epochs = 12, BatchSize = 20, LearningRate = 0.02 } : Options);
        var first = history.Epochs[0];
        var last = history.Epochs[^1];
        Assert.Equal(persistent ? 12 : 8, history.Epochs.Count);
        Assert.True(last.ReconstructionError < 0.8 * first.ReconstructionError, $"reconstruction {first.ReconstructionError} → {last.ReconstructionError}");
        Assert.True(last.PseudoLogLikelihood > first.PseudoLogLikelihood, $"pseudo-log-likelihood {first.PseudoLogLikelihood} → {last.PseudoLogLikelihood}");
        Assert.Equal(0.5, history.Epochs[4].Momentum);
        Assert.Equal(0.9, history.Epochs[5].Momentum);
    }

    [Fact]
    public void Visible_biases_start_at_the_log_odds_of_the_data()
    {
        var rbm = new Rbm<float>(64, 8);
        rbm.InitializeVisibleBias(DigitPixels.Value);
        int count = DigitPixels.Value.Length / 64;
        for (int i = 0; i < 64; i++)
        {
            double mean = Enumerable.Range(0, count).Average(s => DigitPixels.Value[s * 64 + i]);
            Assert.Equal(Math.Clamp(mean, 0.001, 0.999), ExactRbm.Sigmoid(rbm.VisibleBias[i]), 1e-4);
        }
    }

    [Fact]
    public void Sparsity_pulls_the_mean_hidden_activation_towards_the_target()
    {
        double MeanActivation(Rbm<float> rbm)
        {
            var hidden = new float[DigitPixels.Value.Length / 64 * 32];
            rbm.HiddenProbabilities(DigitPixels.Value, hidden);
            return hidden.Average();
        }
        var plain = new Rbm<float>(64, 32, seed: 1);
        var sparse = new Rbm<float>(64, 32, seed: 1);
        Train(plain, Options with { MonitorSamples = 0 });
        Train(sparse, Options with { MonitorSamples = 0, SparsityTarget = 0.05, SparsityCost = 0.5 });
        double without = MeanActivation(plain), with = MeanActivation(sparse);
        output.WriteLine($"mean hidden activation: {without:F3} without, {with:F3} with a target of 0.05");
        Assert.True(with < 0.12 && with < 0.5 * without, $"mean activation {with} with sparsity, {without} without");
    }

    [Fact]
    public void Gaussian_visible_units_learn_the_data_mean()
    {
        // Real-valued data N(μ, 0.3²) per component: the visible biases, started at zero, move to μ.
        var rng = new SplitMix64(3);
        float[] mean = { 1.5f, -0.5f, 0.8f, -1.2f, 0.1f };
        var data = new float[2000 * 5];
        for (int s = 0; s < 2000; s++)
            for (int i = 0; i < 5; i++)
                data[s * 5 + i] = mean[i] + 0.3f * (float)ExactRbm.Normal(rng);
        var rbm = new Rbm<float>(5, 4, VisibleUnits.Gaussian, seed: 2);
        var history = new RbmTrainer<float>(rbm, new RbmTrainingOptions { Epochs = 10, BatchSize = 50, LearningRate = 0.01, Seed = 1 }).Train(data);
        Assert.Null(history.Epochs[0].PseudoLogLikelihood);
        Assert.True(history.Epochs[^1].ReconstructionError < history.Epochs[0].ReconstructionError);
        var reconstruction = new float[5];
        var hidden = new float[4];
        rbm.HiddenProbabilities(mean, hidden);
        rbm.VisibleProbabilities(hidden, reconstruction);
        for (int i = 0; i < 5; i++)
            Assert.Equal(mean[i], reconstruction[i], 0.2f);
    }

    [Fact]
    public void Training_is_bit_identical_for_a_seed_and_differs_for_another()
    {
        float[] Run(int seed)
        {
            var rbm = new Rbm<float>(64, 32, seed: 1);
            new RbmTrainer<float>(rbm, Options with { Epochs = 2, Seed = seed, Persistent = true, SparsityCost = 0.1 }).Train(DigitPixels.Value);
            return rbm.Parameters.ToArray();
        }
        var a = Run(4);
        Assert.Equal(a, Run(4));
        Assert.NotEqual(a, Run(5));
    }

    [Fact]
    public void Monitoring_does_not_change_the_training()
    {
        var a = new Rbm<float>(64, 16, seed: 1);
        var b = new Rbm<float>(64, 16, seed: 1);
        new RbmTrainer<float>(a, Options with { Epochs = 2, MonitorSamples = 0 }).Train(DigitPixels.Value);
        new RbmTrainer<float>(b, Options with { Epochs = 2 }).Train(DigitPixels.Value, DigitPixels.Value.AsSpan(0, 640));
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
    }

    [Fact]
    public void Validation_free_energy_is_reported()
    {
        var rbm = new Rbm<float>(64, 16, seed: 1);
        var pixels = DigitPixels.Value;
        var history = new RbmTrainer<float>(rbm, Options with { Epochs = 1 }).Train(pixels.AsSpan(0, 64 * 1500), pixels.AsSpan(64 * 1500));
        var e = history.Epochs.Single();
        Assert.NotNull(e.ValidationFreeEnergy);
        Assert.True(Math.Abs(e.ValidationFreeEnergy!.Value - e.FreeEnergy!.Value) < 5, $"train {e.FreeEnergy}, validation {e.ValidationFreeEnergy}");
    }

    [Theory]
    [InlineData(VisibleUnits.Bernoulli, false)]
    [InlineData(VisibleUnits.Gaussian, true)]
    public void A_step_allocates_nothing(VisibleUnits units, bool persistent)
    {
        // Batches of 100 × 100 visible × 80 hidden take the packed GEMM path; CD-2 with sparsity exercises every branch.
        var rbm = new Rbm<float>(100, 80, units, seed: 1);
        var trainer = new RbmTrainer<float>(rbm, new RbmTrainingOptions { BatchSize = 100, GibbsSteps = 2, Persistent = persistent, SparsityCost = 0.1, LearningRate = 0.01 });
        var rng = new SplitMix64(2);
        var batch = Enumerable.Range(0, 100 * 100).Select(_ => (float)rng.Next(2)).ToArray();
        for (int i = 0; i < 30; i++)
            trainer.Step(batch);
        // Tiered re-compilation can allocate a few bytes once on this thread, so a clean round out of three passes.
        Allocations.AssertOneCleanRound(() =>
        {
            for (int i = 0; i < 20; i++)
                trainer.Step(batch);
        }, "20 contrastive-divergence steps");
    }

    [Fact]
    public void Double_precision_step_allocates_nothing()
    {
        var rbm = new Rbm<double>(70, 40, seed: 1);
        var trainer = new RbmTrainer<double>(rbm, new RbmTrainingOptions { BatchSize = 64, GibbsSteps = 1, Persistent = true });
        var batch = new double[64 * 70];
        for (int i = 0; i < batch.Length; i += 3)
            batch[i] = 1;
        for (int i = 0; i < 30; i++)
            trainer.Step(batch);
        Allocations.AssertOneCleanRound(() =>
        {
            for (int i = 0; i < 20; i++)
                trainer.Step(batch);
        }, "20 contrastive-divergence steps");
    }

    [Fact]
    public void Sampling_generates_digit_like_vectors_reproducibly()
    {
        var rbm = new Rbm<float>(64, 32, seed: 1);
        Train(rbm, Options with { MonitorSamples = 0 });
        var a = new float[10 * 64];
        var b = new float[10 * 64];
        var means = new float[10 * 64];
        rbm.Sample(a, 100, new SplitMix64(1), means);
        rbm.Sample(b, 100, new SplitMix64(1));
        Assert.Equal(a, b);
        Assert.All(a, x => Assert.True(x is 0f or 1f));
        Assert.All(means, x => Assert.InRange(x, 0f, 1f));
        // Digits have dark borders: the model's samples do too, more than coin flips would.
        Assert.True(means.Where((_, k) => k % 8 == 0).Average() < 0.25, "column 0 of the samples is not mostly dark");
    }
}

/// <summary>
/// An RBM's CD steps split their products over the worker pool: 1, 2, 3 and 8 threads give the same weights. The
/// split threshold is lowered so the digits' small products are cut too, hence the non-parallel collection.
/// </summary>
[Collection(nameof(StaticNets.Tests.Kernels.VectorWidthCollection))]
public class RbmThreadTests
{
    [Fact]
    public void Any_thread_count_gives_bit_identical_training()
    {
        float[] pixels = LearningTests.Digits().Inputs.ToArray();
        float[] Run(int threads)
        {
            var rbm = new Rbm<float>(64, 32, seed: 1);
            var options = new RbmTrainingOptions { Epochs = 2, BatchSize = 50, Seed = 5, MonitorSamples = 200, Persistent = true, Threads = threads };
            new RbmTrainer<float>(rbm, options).Train(pixels);
            return rbm.Parameters.ToArray();
        }
        long saved = StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk;
        StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = 1;
        try
        {
            float[] one = Run(1);
            Assert.Equal(one, Run(2));
            Assert.Equal(one, Run(3));
            Assert.Equal(one, Run(8));
        }
        finally
        {
            StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = saved;
        }
    }

    [Fact]
    public void A_thread_count_below_one_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RbmTrainer<float>(new Rbm<float>(4, 3, seed: 1), new RbmTrainingOptions { Threads = 0 }));
        Assert.Contains("RbmTrainingOptions.Threads ≥ 1 but got 0", e.Message, StringComparison.Ordinal);
    }
}
