using System;
using System.Linq;
using StaticNets.Unsupervised;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Unsupervised;

/// <summary>
/// The RBM against exact answers on RBMs small enough to enumerate every state: free energies, the log-likelihood
/// gradient that CD-k estimates, and the distribution the Gibbs sampler draws from.
/// </summary>
public class RbmExactTests(ITestOutputHelper output)
{
    private static readonly double[][] BinaryData =
    {
        new double[] { 1, 1, 0, 0 }, new double[] { 0, 0, 1, 1 }, new double[] { 1, 1, 1, 0 },
        new double[] { 0, 0, 0, 1 }, new double[] { 1, 0, 1, 0 }, new double[] { 0, 1, 0, 1 },
    };

    [Theory]
    [InlineData(VisibleUnits.Bernoulli)]
    [InlineData(VisibleUnits.Gaussian)]
    public void Free_energy_matches_the_sum_over_every_hidden_state(VisibleUnits units)
    {
        var rbm = ExactRbm.Random(5, 4, 1.5, seed: 3, units);
        var rng = new SplitMix64(9);
        for (int trial = 0; trial < 20; trial++)
        {
            var v = Enumerable.Range(0, 5).Select(_ => units == VisibleUnits.Bernoulli ? rng.Next(2) : 2 * ExactRbm.Normal(rng)).ToArray();
            double expected = ExactRbm.FreeEnergyBySum(rbm, v);
            Assert.Equal(expected, rbm.FreeEnergy(v), 1e-10);
        }
    }

    [Fact]
    public void Batched_free_energies_match_single_samples_in_float_and_double()
    {
        var rbm = ExactRbm.Random(7, 300, 0.3, seed: 4);
        var single = new Rbm<float>(7, 300);
        for (int k = 0; k < rbm.Parameters.Length; k++)
            Set(single, k, (float)rbm.Parameters[k]);
        var rng = new SplitMix64(5);
        var data = Enumerable.Range(0, 7 * 70).Select(_ => (double)rng.Next(2)).ToArray();
        var energies = new double[70];
        var singleEnergies = new float[70];
        rbm.FreeEnergies(data, energies);
        single.FreeEnergies(data.Select(x => (float)x).ToArray(), singleEnergies);
        for (int s = 0; s < 70; s++)
        {
            Assert.Equal(ExactRbm.FreeEnergyBySumSeparable(rbm, data.AsSpan(s * 7, 7)), energies[s], 1e-9);
            Assert.Equal(energies[s], singleEnergies[s], 2e-3);
        }
    }

    [Fact]
    public void Free_energy_of_gaussian_hidden_units_matches_numerical_integration()
    {
        // Two linear hidden units: −log ∫∫ e^(−E(v, h)) dh over a grid wide enough that the Gaussian tails vanish.
        var rbm = new Rbm<double>(3, 2, VisibleUnits.Bernoulli, HiddenUnits.Gaussian);
        var rng = new SplitMix64(6);
        for (int k = 0; k < rbm.Weights.Length; k++)
            rbm.Weights[k] = 0.7 * ExactRbm.Normal(rng);
        rbm.HiddenBias[0] = 0.3;
        rbm.HiddenBias[1] = -0.4;
        rbm.VisibleBias[2] = 0.5;
        var v = new double[] { 1, 0, 1 };
        const double Step = 0.02, Range = 12;
        double max = double.NegativeInfinity;
        int n = (int)(2 * Range / Step) + 1;
        var exponents = new double[n * n];
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                exponents[a * n + b] = -ExactRbm.Energy(rbm, v, new[] { -Range + a * Step, -Range + b * Step });
                max = Math.Max(max, exponents[a * n + b]);
            }
        }
        double sum = exponents.Sum(e => Math.Exp(e - max)) * Step * Step;
        Assert.Equal(-(max + Math.Log(sum)), rbm.FreeEnergy(v), 1e-6);
    }

    /// <summary>The parameter change of one step at learning rate 1 without momentum or decay is the mean CD gradient; averaged over rounds, parameters restored after each.</summary>
    private static double[] CdGradient(Rbm<double> rbm, double[][] data, int k, int rounds, int rows, int seed)
    {
        var options = new RbmTrainingOptions
        {
            BatchSize = rows, LearningRate = 1, InitialMomentum = 0, Momentum = 0, WeightDecay = 0,
            GibbsSteps = k, SampleVisibleStates = true, Seed = seed, MonitorSamples = 0,
        };
        var trainer = new RbmTrainer<double>(rbm, options);
        int nv = rbm.VisibleCount;
        var batch = new double[rows * nv];
        for (int r = 0; r < rows; r++)
            data[r % data.Length].CopyTo(batch, r * nv);
        var saved = rbm.Parameters.ToArray();
        var sum = new double[saved.Length];
        for (int round = 0; round < rounds; round++)
        {
            trainer.Step(batch);
            for (int p = 0; p < sum.Length; p++)
            {
                sum[p] += rbm.Parameters[p] - saved[p];
                Set(rbm, p, saved[p]);
            }
        }
        return sum.Select(s => s / rounds).ToArray();
    }

    private static void Set<T>(Rbm<T> rbm, int index, T value) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        int w = rbm.Weights.Length, h = rbm.HiddenCount;
        if (index < w)
            rbm.Weights[index] = value;
        else if (index < w + h)
            rbm.HiddenBias[index - w] = value;
        else
            rbm.VisibleBias[index - w - h] = value;
    }

    [Fact]
    public void Cd_with_many_gibbs_steps_approaches_the_exact_log_likelihood_gradient()
    {
        // 4 visible × 3 hidden with weights N(0, 1): 16 visible states to enumerate. 6 data vectors, replicated to
        // batches of 6000 rows so the positive phase is exact and only the negative phase is estimated; 8 rounds.
        var rbm = ExactRbm.Random(4, 3, 1.0, seed: 1);
        var exact = ExactRbm.LogLikelihoodGradient(rbm, BinaryData);
        var cd100 = CdGradient(rbm, BinaryData, k: 100, rounds: 8, rows: 6000, seed: 2);
        var cd1 = CdGradient(rbm, BinaryData, k: 1, rounds: 8, rows: 6000, seed: 2);
        double cosine = ExactRbm.Cosine(cd100, exact), ratio = ExactRbm.Norm(cd100) / ExactRbm.Norm(exact);
        double error100 = ExactRbm.Norm(cd100.Zip(exact, (a, b) => a - b).ToArray()), error1 = ExactRbm.Norm(cd1.Zip(exact, (a, b) => a - b).ToArray());
        output.WriteLine($"‖exact‖ {ExactRbm.Norm(exact):F4}; CD-100: cosine {cosine:F5}, norm ratio {ratio:F4}, error {error100:F4}; CD-1: cosine {ExactRbm.Cosine(cd1, exact):F5}, error {error1:F4}");
        Assert.True(cosine > 0.995, $"cosine {cosine}");
        Assert.InRange(ratio, 0.95, 1.05);
        Assert.True(error100 < 0.5 * error1, $"CD-100 error {error100} is not well below CD-1's {error1}");
    }

    [Fact]
    public void Cd_with_gaussian_visible_units_approaches_the_exact_gradient()
    {
        // Gaussian visible units: the model expectation by enumerating the 2³ hidden states, each with v | h ~ N(a + Wᵀh, I).
        var rbm = ExactRbm.Random(3, 3, 0.6, seed: 7, VisibleUnits.Gaussian);
        var rng = new SplitMix64(8);
        var data = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 3).Select(_ => 1.5 * ExactRbm.Normal(rng)).ToArray()).ToArray();
        var exact = ExactRbm.LogLikelihoodGradient(rbm, data);
        var cd = CdGradient(rbm, data, k: 100, rounds: 8, rows: 8000, seed: 3);
        double cosine = ExactRbm.Cosine(cd, exact), ratio = ExactRbm.Norm(cd) / ExactRbm.Norm(exact);
        // The visible-bias part (data mean minus model mean) dominates the norm; the weights alone must be right too.
        double weightCosine = ExactRbm.Cosine(cd.AsSpan(0, 9), exact.AsSpan(0, 9));
        double weightRatio = ExactRbm.Norm(cd.AsSpan(0, 9)) / ExactRbm.Norm(exact.AsSpan(0, 9));
        output.WriteLine($"‖exact‖ {ExactRbm.Norm(exact):F4}; CD-100: cosine {cosine:F5}, norm ratio {ratio:F4}; weights only: cosine {weightCosine:F5}, ratio {weightRatio:F4}");
        Assert.True(cosine > 0.995, $"cosine {cosine}");
        Assert.InRange(ratio, 0.95, 1.05);
        Assert.True(weightCosine > 0.99, $"weight cosine {weightCosine}");
        Assert.InRange(weightRatio, 0.9, 1.1);
    }

    [Fact]
    public void Gibbs_samples_follow_the_exact_distribution()
    {
        // 40 000 independent chains of 50 steps from noise; the histogram of the 16 visible states against p(v) = e^(−F(v)) / Z.
        var rbm = ExactRbm.Random(4, 3, 1.5, seed: 11);
        var exact = ExactRbm.VisibleDistribution(rbm);
        const int Chains = 40_000;
        var samples = new double[Chains * 4];
        rbm.Sample(samples, 50, new SplitMix64(12));
        var counts = new double[16];
        for (int c = 0; c < Chains; c++)
        {
            int state = 0;
            for (int i = 0; i < 4; i++)
                state |= (int)samples[c * 4 + i] << i;
            counts[state]++;
        }
        double tv = 0.5 * counts.Select((n, s) => Math.Abs(n / Chains - exact[s])).Sum();
        output.WriteLine($"total variation {tv:F4}; exact p(v) max {exact.Max():F3}, min {exact.Min():F4}");
        Assert.True(tv < 0.02, $"total variation {tv}");
    }

    [Fact]
    public void Probabilities_match_the_conditionals()
    {
        var rbm = ExactRbm.Random(4, 3, 1.0, seed: 5);
        var v = new double[] { 1, 0, 1, 1 };
        var h = new double[3];
        rbm.HiddenProbabilities(v, h);
        Assert.Equal(ExactRbm.HiddenProbabilities(rbm, v), h, new Tolerance(1e-12));
        var back = new double[4];
        rbm.VisibleProbabilities(h, back);
        for (int i = 0; i < 4; i++)
        {
            double x = rbm.VisibleBias[i];
            for (int j = 0; j < 3; j++)
                x += rbm.Weights[j * 4 + i] * h[j];
            Assert.Equal(ExactRbm.Sigmoid(x), back[i], 1e-12);
        }
    }

    private sealed class Tolerance(double epsilon) : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;
        public int GetHashCode(double obj) => 0;
    }
}
