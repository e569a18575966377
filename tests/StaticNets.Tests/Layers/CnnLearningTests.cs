using System.Diagnostics;
using System.Linq;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Layers;

/// <summary>A small generated CNN learns the real sklearn digits, the 64 pixels read as one 1×8×8 image.</summary>
public class CnnLearningTests(ITestOutputHelper output)
{
    [Fact]
    public void Digits_cnn_reaches_95_percent_on_held_out_real_digits()
    {
        var (train, test) = LearningTests.Digits().Split(0.8, seed: 1);
        var net = new DigitsCnn(seed: 42);
        var clock = Stopwatch.StartNew();
        var history = net.Fit(train, new FitOptions<float> { Epochs = 12, BatchSize = 32, LearningRate = 0.005, Seed = 7 });
        var result = Evaluator.Evaluate(net, test);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s, {test.Count} test samples: accuracy {result.Accuracy:P2}, loss {result.Loss:F4}");
        Assert.True(result.Accuracy >= 0.95, $"test accuracy {result.Accuracy:P2} is below 95 %");
        Assert.True(history.Last.TrainLoss < history.Epochs[0].TrainLoss);
        Assert.Equal(test.Count, Enumerable.Range(0, 10).Sum(result.Confusion.RowTotal));
    }
}
