using System;
using System.Linq;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>Each initialisation scheme draws from the distribution it names, reproducibly; the default picks by activation.</summary>
public class InitializationTests
{
    // A 784-128(ReLU)-10(Softmax) net: layer 0 has 100 352 weights, enough for tight moment estimates.
    [Theory]
    [InlineData(InitializationScheme.XavierUniform, 0.0811107, true)]   // limit √(6/912)
    [InlineData(InitializationScheme.XavierNormal, 0.0468293, false)]   // √(2/912)
    [InlineData(InitializationScheme.HeNormal, 0.0505076, false)]       // √(2/784)
    [InlineData(InitializationScheme.HeUniform, 0.0874818, true)]       // limit √(6/784)
    [InlineData(InitializationScheme.LeCunNormal, 0.0357143, false)]    // √(1/784)
    [InlineData(InitializationScheme.LeCunUniform, 0.0618590, true)]    // limit √(3/784)
    [InlineData(InitializationScheme.StandardNormal, 1.0, false)]
    public void First_layer_has_the_named_spread(InitializationScheme scheme, double parameter, bool uniform)
    {
        var net = new MnistNet(0);
        ParameterInitializer.Initialize(net, 3, scheme);
        var layer = MnistNet.Architecture.Layers[0];
        double[] w = NetworkCatalog.ToDouble<float>(net.Parameters.Slice(layer.WeightOffset, layer.WeightCount));
        double mean = w.Average(), std = Math.Sqrt(w.Sum(x => (x - mean) * (x - mean)) / w.Length);
        if (uniform)
        {
            // parameter is the limit L of U(−L, L), whose standard deviation is L/√3.
            double limit = parameter;
            Assert.True(w.All(x => Math.Abs(x) <= limit), "a draw fell outside the limit");
            Assert.True(w.Max() > 0.99 * limit && w.Min() < -0.99 * limit, "the draws do not reach the limit");
            Assert.Equal(limit / Math.Sqrt(3), std, 0.02 * limit);
        }
        else
        {
            Assert.Equal(parameter, std, 0.01 * parameter);
            double kurtosis = w.Sum(x => Math.Pow(x - mean, 4)) / w.Length / Math.Pow(std, 4);
            Assert.Equal(3.0, kurtosis, 0.1); // a normal's, not a uniform's 1.8
        }
        Assert.Equal(0.0, mean, 0.02 * std);
        Assert.True(net.Parameters.Slice(layer.BiasOffset, layer.Outputs).ToArray().All(b => b == 0));
    }

    [Fact]
    public void Default_picks_He_for_ReLU_family_and_Xavier_otherwise_and_matches_Initialize()
    {
        Assert.Equal(InitializationScheme.HeNormal, ParameterInitializer.DefaultFor(Activation.ReLU));
        Assert.Equal(InitializationScheme.HeNormal, ParameterInitializer.DefaultFor(Activation.GELU));
        Assert.Equal(InitializationScheme.XavierUniform, ParameterInitializer.DefaultFor(Activation.Sigmoid));
        Assert.Equal(InitializationScheme.XavierUniform, ParameterInitializer.DefaultFor(Activation.Softmax));

        var a = new DigitsNet(11);
        var b = new DigitsNet(0);
        ParameterInitializer.Initialize(b, 11, InitializationScheme.Default);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
    }

    [Fact]
    public void Same_seed_same_parameters_and_other_seed_others()
    {
        var a = new DigitsNet(0);
        var b = new DigitsNet(0);
        ParameterInitializer.Initialize(a, 5, InitializationScheme.LeCunNormal);
        ParameterInitializer.Initialize(b, 5, InitializationScheme.LeCunNormal);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        ParameterInitializer.Initialize(b, 6, InitializationScheme.LeCunNormal);
        Assert.False(a.Parameters.SequenceEqual(b.Parameters));
    }

    [Fact]
    public void Undefined_scheme_is_rejected()
        => Assert.Equal("scheme", Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.Initialize(new DigitsNet(0), 1, (InitializationScheme)99)).ParamName);
}
