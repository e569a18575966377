using System;
using System.Linq;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Unsupervised;

/// <summary><see cref="BinaryBottleneck{T}"/>: what each mode computes forward and backward, seeding, arguments.</summary>
public class AutoencoderBinaryCodeTests
{
    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    [Fact]
    public void Inference_is_the_plain_sigmoid_in_every_mode()
    {
        var z = NetworkCatalog.Random<double>(40, seed: 1, -3, 3);
        foreach (var mode in Enum.GetValues<BinaryCodeTraining>())
        {
            var codes = new double[40];
            new BinaryBottleneck<double>(mode, 4, seed: 2).Forward(z, codes, training: false);
            for (int i = 0; i < 40; i++)
                Assert.Equal(Sigmoid(z[i]), codes[i], 12);
        }
    }

    [Fact]
    public void Straight_through_thresholds_forward_and_passes_the_sigmoid_slope_back()
    {
        var z = NetworkCatalog.Random<double>(40, seed: 3, -3, 3);
        var codes = new double[40];
        var bottleneck = new BinaryBottleneck<double>(BinaryCodeTraining.StraightThrough);
        bottleneck.Forward(z, codes, training: true, step: 5);
        Assert.All(codes.Zip(z), p => Assert.Equal(p.Second >= 0 ? 1.0 : 0.0, p.First));
        var g = NetworkCatalog.Random<double>(40, seed: 4);
        var dz = new double[40];
        bottleneck.Backward(z, codes, g, dz);
        for (int i = 0; i < 40; i++)
            Assert.Equal(g[i] * Sigmoid(z[i]) * (1 - Sigmoid(z[i])), dz[i], 12);
    }

    [Fact]
    public void Noise_is_seeded_per_step_and_backward_is_the_slope_at_the_noisy_code()
    {
        var z = new double[2000];
        var a = new double[2000];
        var b = new double[2000];
        var bottleneck = new BinaryBottleneck<double>(BinaryCodeTraining.Noise, noiseSigma: 4, seed: 9);
        bottleneck.Forward(z, a, training: true, step: 3);
        bottleneck.Forward(z, b, training: true, step: 3);
        Assert.Equal(a, b);
        bottleneck.Forward(z, b, training: true, step: 4);
        Assert.NotEqual(a, b);
        // σ(0 + N(0, 16)): most codes are pushed near 0 or 1.
        Assert.InRange(a.Count(c => c < 0.1 || c > 0.9) / 2000.0, 0.55, 0.75);
        // d/dz σ(z + n) = σ(z + n)(1 − σ(z + n)).
        var g = Enumerable.Repeat(1.0, 2000).ToArray();
        var dz = new double[2000];
        bottleneck.Backward(z, a, g, dz);
        for (int i = 0; i < 2000; i += 97)
            Assert.Equal(a[i] * (1 - a[i]), dz[i], 14);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>("noiseSigma", () => new BinaryBottleneck<float>(BinaryCodeTraining.Noise, -1));
        Assert.Throws<ArgumentOutOfRangeException>("mode", () => new BinaryBottleneck<float>((BinaryCodeTraining)7));
        var ex = Assert.Throws<ArgumentException>("codes", () => new BinaryBottleneck<float>(BinaryCodeTraining.None).Forward(new float[4], new float[3], true));
        Assert.Contains("4", ex.Message);
    }
}
