using System;
using System.Linq;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Unsupervised;

/// <summary>Denoising input noise: statistics, seeding, and that only the batch's inputs see it.</summary>
public class AutoencoderNoiseTests
{
    [Fact]
    public void Masking_zeroes_the_given_fraction()
    {
        var values = Enumerable.Repeat(1f, 200_001).ToArray();
        InputNoise.Masking(0.25).Apply<float>(values, seed: 3, step: 7);
        double zeroed = values.Count(v => v == 0) / (double)values.Length;
        Assert.InRange(zeroed, 0.245, 0.255);
        Assert.All(values, v => Assert.True(v is 0 or 1));
    }

    [Fact]
    public void Gaussian_noise_has_mean_zero_and_the_given_sigma()
    {
        var values = new double[200_001];
        InputNoise.Gaussian(0.3).Apply<double>(values, seed: 3, step: 0);
        double mean = values.Average();
        double sigma = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(sigma, 0.297, 0.303);
        // Roughly normal: about 68 % within one σ.
        Assert.InRange(values.Count(v => Math.Abs(v) < 0.3) / (double)values.Length, 0.675, 0.69);
    }

    [Fact]
    public void Noise_is_a_function_of_seed_and_step()
    {
        float[] Draw(InputNoise noise, int seed, long step)
        {
            var v = Enumerable.Repeat(0.5f, 1000).ToArray();
            noise.Apply<float>(v, seed, step);
            return v;
        }
        foreach (var noise in new[] { InputNoise.Masking(0.4), InputNoise.Gaussian(1) })
        {
            Assert.Equal(Draw(noise, 1, 5), Draw(noise, 1, 5));
            Assert.NotEqual(Draw(noise, 1, 5), Draw(noise, 1, 6));
            Assert.NotEqual(Draw(noise, 1, 5), Draw(noise, 2, 5));
        }
    }

    [Fact]
    public void Noise_arguments_name_themselves_with_the_expected_range()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>("fraction", () => InputNoise.Masking(1));
        Assert.Contains("[0, 1)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>("fraction", () => InputNoise.Masking(double.NaN));
        ex = Assert.Throws<ArgumentOutOfRangeException>("sigma", () => InputNoise.Gaussian(-0.1));
        Assert.Contains("at least 0", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>("sigma", () => InputNoise.Gaussian(double.PositiveInfinity));
    }

    /// <summary>Wraps the default objective and keeps the first batch it is given.</summary>
    private sealed class Recording : ITrainingObjective<float>
    {
        private readonly SupervisedObjective<float> _inner = new();
        public float[]? Inputs, Targets;
        public long Allocated = -1;
        private long _start;
        private int _calls;

        public void Prepare(INetwork<float> network, int batchCapacity, int threads) => _inner.Prepare(network, batchCapacity, threads);

        public float MeanGradient(INetwork<float> network, TrainingBatch<float> batch, Span<float> gradient)
        {
            Inputs ??= batch.Inputs.ToArray();
            Targets ??= batch.Targets.ToArray();
            _calls++;
            if (_calls == 3)
                _start = GC.GetAllocatedBytesForCurrentThread();
            if (_calls == 8)
                Allocated = GC.GetAllocatedBytesForCurrentThread() - _start;
            return _inner.MeanGradient(network, batch, gradient);
        }
    }

    [Fact]
    public void Fit_corrupts_the_batch_inputs_only_and_allocates_nothing_per_step()
    {
        var pixels = Enumerable.Range(0, 64 * 200).Select(i => 0.2f + (i % 7) * 0.1f).ToArray();
        var data = Dataset<float>.Unlabelled(pixels, 64);
        var recording = new Recording();
        new TiedDigits(1).Fit(data, new FitOptions<float> { Epochs = 1, BatchSize = 20, Shuffle = false, Objective = recording, InputNoise = InputNoise.Masking(0.5) });
        // The targets are the clean rows; the inputs are those rows with about half the values zeroed.
        Assert.Equal(pixels.AsSpan(0, 20 * 64).ToArray(), recording.Targets);
        int zeroed = 0;
        for (int i = 0; i < recording.Inputs!.Length; i++)
        {
            Assert.True(recording.Inputs[i] == 0 || recording.Inputs[i] == pixels[i]);
            zeroed += recording.Inputs[i] == 0 ? 1 : 0;
        }
        Assert.InRange(zeroed / (double)recording.Inputs.Length, 0.45, 0.55);
        Assert.True(pixels.All(v => v != 0), "the data set itself is never corrupted");
        Assert.Equal(0, recording.Allocated);
    }

    [Fact]
    public void Denoising_runs_repeat_for_a_seed()
    {
        var data = Dataset<float>.Unlabelled(NetworkCatalog.Random<float>(64 * 96, seed: 2, 0, 1), 64);
        float[] Run(int seed)
        {
            var net = new TiedDigits(1);
            net.Fit(data, new FitOptions<float> { Epochs = 2, BatchSize = 32, Seed = seed, InputNoise = InputNoise.Gaussian(0.2) });
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(1), Run(1));
        Assert.NotEqual(Run(1), Run(2));
    }
}
