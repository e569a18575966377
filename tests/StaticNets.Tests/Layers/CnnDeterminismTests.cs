using System;
using System.Linq;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Layers;

/// <summary>Generated CNNs: a seed fixes the initial parameters, and Fit gives bit-identical weights on one and two threads.</summary>
public class CnnDeterminismTests
{
    [Fact]
    public void Same_seed_gives_identical_parameters_and_another_seed_does_not()
    {
        Assert.Equal(new LeNet5(5).Parameters.ToArray(), new LeNet5(5).Parameters.ToArray());
        Assert.NotEqual(new LeNet5(5).Parameters.ToArray(), new LeNet5(6).Parameters.ToArray());
        Assert.Equal(new SamePaddingCnnD(5).Parameters.ToArray(), new SamePaddingCnnD(5).Parameters.ToArray());
        Assert.NotEqual(new SamePaddingCnnD(5).Parameters.ToArray(), new SamePaddingCnnD(6).Parameters.ToArray());
        var reinitialised = new LeNet5(1);
        reinitialised.Initialize(5);
        Assert.Equal(new LeNet5(5).Parameters.ToArray(), reinitialised.Parameters.ToArray());
    }

    [Fact]
    public void LeNet5_fit_gives_bit_identical_weights_on_one_and_two_threads()
    {
        var data = new Dataset<float>(NetworkCatalog.Random<float>(256 * LeNet5.InputSize, 4, 0, 1), LeNet5.InputSize,
            NetworkCatalog.Targets<float>(LeNet5.Architecture, 256, 5), LeNet5.OutputSize);
        float[] Train(int threads)
        {
            var net = new LeNet5(3);
            net.Fit(data, new FitOptions<float> { Epochs = 2, BatchSize = 32, LearningRate = 0.001, Seed = 9, Threads = threads });
            return net.Parameters.ToArray();
        }
        float[] one = Train(1);
        Assert.NotEqual(new LeNet5(3).Parameters.ToArray(), one);
        Assert.Equal(one, Train(2));
        Assert.Equal(one, Train(1));
    }
}
