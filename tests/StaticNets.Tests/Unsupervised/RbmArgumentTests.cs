using System;
using StaticNets.Unsupervised;
using Xunit;

namespace StaticNets.Tests.Unsupervised;

/// <summary>Wrong arguments are rejected up front, naming the argument with the expected and the actual values.</summary>
public class RbmArgumentTests
{
    [Fact]
    public void Sizes_and_unit_kinds_are_checked()
    {
        Assert.Equal("visible", Assert.Throws<ArgumentOutOfRangeException>(() => new Rbm<float>(0, 3)).ParamName);
        Assert.Equal("hidden", Assert.Throws<ArgumentOutOfRangeException>(() => new Rbm<float>(3, -1)).ParamName);
        var both = Assert.Throws<ArgumentException>(() => new Rbm<float>(3, 2, VisibleUnits.Gaussian, HiddenUnits.Gaussian));
        Assert.Equal("hiddenUnits", both.ParamName);
        Assert.Equal("visibleUnits", Assert.Throws<ArgumentOutOfRangeException>(() => new Rbm<float>(3, 2, (VisibleUnits)7)).ParamName);
    }

    [Fact]
    public void Span_lengths_are_checked()
    {
        var rbm = new Rbm<float>(4, 3);
        var partial = Assert.Throws<ArgumentException>(() => rbm.HiddenProbabilities(new float[10], new float[6]));
        Assert.Equal("visible", partial.ParamName);
        Assert.Contains("10 values", partial.Message);
        var wrong = Assert.Throws<ArgumentException>(() => rbm.HiddenProbabilities(new float[8], new float[5]));
        Assert.Equal("hidden", wrong.ParamName);
        Assert.Contains("Expected 2 × 3 = 6 values but got 5", wrong.Message);
        Assert.Equal("visible", Assert.Throws<ArgumentException>(() => rbm.VisibleProbabilities(new float[3], new float[3])).ParamName);
        Assert.Equal("visible", Assert.Throws<ArgumentException>(() => rbm.FreeEnergy(new float[5])).ParamName);
        Assert.Equal("energies", Assert.Throws<ArgumentException>(() => rbm.FreeEnergies(new float[8], new float[3])).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => rbm.Gibbs(new float[4], -1, new SplitMix64(1))).ParamName);
        Assert.Equal("means", Assert.Throws<ArgumentException>(() => rbm.Sample(new float[4], 1, new SplitMix64(1), new float[3])).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => rbm.InitializeVisibleBias(Array.Empty<float>())).ParamName);
    }

    [Fact]
    public void Trainer_options_and_batches_are_checked()
    {
        var rbm = new Rbm<float>(4, 3);
        var badBatch = Assert.Throws<ArgumentOutOfRangeException>(() => new RbmTrainer<float>(rbm, new RbmTrainingOptions { BatchSize = 0 }));
        Assert.Equal("options", badBatch.ParamName);
        Assert.Contains("RbmTrainingOptions.BatchSize ≥ 1 but got 0", badBatch.Message);
        Assert.Contains("GibbsSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new RbmTrainer<float>(rbm, new RbmTrainingOptions { GibbsSteps = 0 })).Message);
        Assert.Contains("Momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new RbmTrainer<float>(rbm, new RbmTrainingOptions { Momentum = 1 })).Message);
        Assert.Contains("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new RbmTrainer<float>(rbm, new RbmTrainingOptions { LearningRate = double.NaN })).Message);
        Assert.Contains("SparsityTarget", Assert.Throws<ArgumentOutOfRangeException>(() => new RbmTrainer<float>(rbm, new RbmTrainingOptions { SparsityTarget = 1 })).Message);

        var trainer = new RbmTrainer<float>(rbm, new RbmTrainingOptions { BatchSize = 2 });
        var tooMany = Assert.Throws<ArgumentException>(() => trainer.Step(new float[12]));
        Assert.Equal("batch", tooMany.ParamName);
        Assert.Contains("1 to 2 samples", tooMany.Message);
        Assert.Equal("batch", Assert.Throws<ArgumentException>(() => trainer.Step(Array.Empty<float>())).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => trainer.Train(Array.Empty<float>())).ParamName);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => trainer.Train(new float[8], new float[3])).ParamName);
    }

    [Fact]
    public void Stacks_are_checked()
    {
        Assert.Equal("sizes", Assert.Throws<ArgumentException>(() => new DeepBeliefNet<float>(new[] { 64 })).ParamName);
        var gap = Assert.Throws<ArgumentException>(() => new DeepBeliefNet<float>(new[] { new Rbm<float>(8, 4), new Rbm<float>(5, 2) }));
        Assert.Equal("rbms", gap.ParamName);
        Assert.Contains("Expected RBM 1 to have 4 visible units", gap.Message);
        Assert.Equal("rbms", Assert.Throws<ArgumentException>(() => new DeepBeliefNet<float>(Array.Empty<Rbm<float>>())).ParamName);
        var dbn = new DeepBeliefNet<float>(new[] { 8, 4 });
        Assert.Equal("start", Assert.Throws<ArgumentException>(() => dbn.Sample(new float[16], 1, new SplitMix64(1), new float[8])).ParamName);
    }
}
