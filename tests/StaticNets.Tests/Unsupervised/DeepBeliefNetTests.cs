using System;
using System.Linq;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using StaticNets.Unsupervised;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Unsupervised;

/// <summary>Greedy pretraining of RBM stacks on the digits, unrolling into generated networks, fine-tuning and generation.</summary>
public class DeepBeliefNetTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dataset<float>> Digits = new(LearningTests.Digits);

    private static readonly RbmTrainingOptions Quick = new() { Epochs = 3, BatchSize = 50, Seed = 3, MonitorSamples = 0 };

    private static DeepBeliefNet<float> Pretrained(HiddenUnits top = HiddenUnits.Bernoulli, int seed = 1)
    {
        var dbn = new DeepBeliefNet<float>(new[] { 64, 32, 16 }, seed, topHiddenUnits: top);
        dbn.Pretrain(Digits.Value.Inputs, l => Quick with { Seed = 3 + l, LearningRate = l == 1 && top == HiddenUnits.Gaussian ? 0.01 : 0.1 });
        return dbn;
    }

    [Fact]
    public void Pretraining_is_bit_identical_for_a_seed()
    {
        var a = Pretrained();
        var b = Pretrained();
        var c = Pretrained(seed: 2);
        for (int l = 0; l < 2; l++)
        {
            Assert.True(a.Rbms[l].Parameters.SequenceEqual(b.Rbms[l].Parameters), $"RBM {l} differs between two runs with one seed");
            Assert.False(a.Rbms[l].Parameters.SequenceEqual(c.Rbms[l].Parameters), $"RBM {l} is the same for another seed");
        }
    }

    [Fact]
    public void Each_rbm_trains_on_the_hidden_probabilities_of_the_one_below()
    {
        // The stack against the same steps by hand: RBM 0 on the pixels, RBM 1 on p(h | v) of the trained RBM 0.
        var bottom = new Rbm<float>(64, 32, seed: 7);
        var top = new Rbm<float>(32, 16, seed: 8);
        var byHand0 = Rbm<float>.FromBytes(bottom.ToBytes());
        var byHand1 = Rbm<float>.FromBytes(top.ToBytes());
        var histories = new DeepBeliefNet<float>(new[] { bottom, top }).Pretrain(Digits.Value.Inputs, Quick);

        new RbmTrainer<float>(byHand0, Quick).Train(Digits.Value.Inputs);
        var features = new float[Digits.Value.Count * 32];
        byHand0.HiddenProbabilities(Digits.Value.Inputs, features);
        new RbmTrainer<float>(byHand1, Quick with { Seed = Quick.Seed + 1 }).Train(features);

        Assert.Equal(2, histories.Count);
        Assert.True(bottom.Parameters.SequenceEqual(byHand0.Parameters));
        Assert.True(top.Parameters.SequenceEqual(byHand1.Parameters));
    }

    [Fact]
    public void Unrolled_layers_compute_the_rbm_hidden_probabilities()
    {
        var dbn = Pretrained();
        var first = new RbmFeatureNet(seed: 1);
        new DeepBeliefNet<float>(new[] { dbn.Rbms[0] }).Unroll(first);
        var stack = new DbnFeatureNet(seed: 1);
        dbn.Unroll(stack);

        var inputs = Digits.Value.Inputs.Slice(0, 20 * 64);
        var probabilities = new float[20 * 32];
        dbn.Rbms[0].HiddenProbabilities(inputs, probabilities);
        var top = dbn.Transform(inputs);
        var output1 = new float[32];
        var output2 = new float[16];
        for (int s = 0; s < 20; s++)
        {
            first.Forward(inputs.Slice(s * 64, 64), output1);
            stack.Forward(inputs.Slice(s * 64, 64), output2);
            for (int j = 0; j < 32; j++)
                Assert.Equal(probabilities[s * 32 + j], output1[j], 1e-5f);
            for (int j = 0; j < 16; j++)
                Assert.Equal(top[s * 16 + j], output2[j], 1e-5f);
        }
    }

    [Fact]
    public void Unroll_copies_the_rbms_and_keeps_the_top_layer()
    {
        var dbn = Pretrained();
        var net = new DbnClassifierNet(seed: 4);
        var fresh = new DbnClassifierNet(seed: 4);
        dbn.Unroll(net);
        var layers = net.Info.Layers;
        for (int l = 0; l < 2; l++)
        {
            Assert.True(net.Parameters.Slice(layers[l].Weights!.Offset, layers[l].WeightCount).SequenceEqual(dbn.Rbms[l].Weights));
            Assert.True(net.Parameters.Slice(layers[l].Biases!.Offset, layers[l].BiasCount).SequenceEqual(dbn.Rbms[l].HiddenBias));
        }
        Assert.True(net.Parameters.Slice(layers[2].ParameterOffset).SequenceEqual(fresh.Parameters.Slice(layers[2].ParameterOffset)));
    }

    [Fact]
    public void Unroll_into_the_wrong_network_names_the_layer_and_writes_nothing()
    {
        var dbn = Pretrained();
        var net = new MismatchedNet(seed: 1);
        var before = net.Parameters.ToArray();
        var shape = Assert.Throws<ArgumentException>(() => dbn.Unroll(net));
        Assert.Equal("network", shape.ParamName);
        Assert.Contains("layer 0", shape.Message);
        Assert.Contains("weight 32×64", shape.Message);
        Assert.Contains("30×64", shape.Message);
        Assert.Equal(before, net.Parameters.ToArray());

        var relu = Assert.Throws<ArgumentException>(() => dbn.Unroll(new ReluClassifierNet(seed: 1)));
        Assert.Contains("Sigmoid", relu.Message);
        Assert.Contains("ReLU", relu.Message);
        var count = Assert.Throws<ArgumentException>(() => dbn.UnrollAutoencoder(new DbnClassifierNet(seed: 1)));
        Assert.Contains("exactly 4 dense layers", count.Message);
        Assert.Contains("has 3", count.Message);
        // Bernoulli top units unroll into sigmoid, not the autoencoder's identity code layer.
        Assert.Contains("Identity", Assert.Throws<ArgumentException>(() => dbn.UnrollAutoencoder(new DbnAutoencoderNet(seed: 1))).Message);
        Assert.Equal("network", Assert.Throws<ArgumentException>(() => new DeepBeliefNet<double>(new[] { 64, 32, 16 }).Unroll(new MismatchedNetDouble(seed: 1))).ParamName);
        new DeepBeliefNet<double>(new[] { 64, 32, 16 }).Unroll(new DbnClassifierNetDouble(seed: 1));
    }

    [Fact]
    public void Autoencoder_unrolls_into_encoder_and_transposed_decoder()
    {
        var dbn = Pretrained(HiddenUnits.Gaussian);
        var net = new DbnAutoencoderNet(seed: 1);
        dbn.UnrollAutoencoder(net);
        var layers = net.Info.Layers;
        var transposed = new float[32 * 16];
        StaticNets.Kernels.DenseKernels.Transpose<float>(dbn.Rbms[1].Weights, transposed, 32, 16);
        Assert.True(net.Parameters.Slice(layers[2].Weights!.Offset, layers[2].WeightCount).SequenceEqual(transposed));
        Assert.True(net.Parameters.Slice(layers[3].Biases!.Offset, 64).SequenceEqual(dbn.Rbms[0].VisibleBias));

        // Forward = up with p(h | v) (linear code), down with p(v | h).
        var inputs = Digits.Value.Inputs.Slice(0, 10 * 64);
        var code = dbn.Transform(inputs);
        var middle = new float[10 * 32];
        var expected = new float[10 * 64];
        dbn.Rbms[1].VisibleProbabilities(code, middle);
        dbn.Rbms[0].VisibleProbabilities(middle, expected);
        var actual = new float[64];
        double error = 0;
        for (int s = 0; s < 10; s++)
        {
            net.Forward(inputs.Slice(s * 64, 64), actual);
            for (int i = 0; i < 64; i++)
            {
                Assert.Equal(expected[s * 64 + i], actual[i], 1e-5f);
                error += Math.Pow(actual[i] - inputs[s * 64 + i], 2);
            }
        }
        output.WriteLine($"mean squared reconstruction error per image before fine-tuning: {error / 10:F2}");
    }

    [Fact]
    public void Pretrained_classifier_fine_tunes_with_fit()
    {
        var (train, test) = Digits.Value.Split(0.8, seed: 1);
        var dbn = new DeepBeliefNet<float>(new[] { 64, 32, 16 }, seed: 1);
        dbn.Pretrain(train.Inputs, Quick with { Epochs = 5 });
        var net = new DbnClassifierNet(seed: 2);
        dbn.Unroll(net);
        net.Fit(train, new FitOptions<float> { Epochs = 15, BatchSize = 32, Optimizer = new Adam<float>(), LearningRate = 0.01, Seed = 1 });
        double accuracy = Evaluator.Evaluate(net, test).Accuracy;
        output.WriteLine($"test accuracy after pretraining and 15 epochs of fine-tuning: {accuracy:P2}");
        Assert.True(accuracy > 0.9, $"accuracy {accuracy}");
    }

    [Fact]
    public void Generation_runs_down_the_stack()
    {
        var dbn = Pretrained();
        var a = new float[6 * 64];
        var b = new float[6 * 64];
        dbn.Sample(a, 20, new SplitMix64(1));
        dbn.Sample(b, 20, new SplitMix64(1), Digits.Value.Inputs.Slice(0, 6 * 64));
        Assert.All(a, x => Assert.InRange(x, 0f, 1f));
        Assert.All(b, x => Assert.InRange(x, 0f, 1f));
        var again = new float[6 * 64];
        dbn.Sample(again, 20, new SplitMix64(1));
        Assert.Equal(a, again);
    }
}
