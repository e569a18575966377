using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using StaticNets.Persistence;
using StaticNets.Tests.Data;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Unsupervised;

/// <summary>Unlabelled fit, tied weights, Encode: generated autoencoders against plain double references.</summary>
public class AutoencoderTests
{
    private static readonly Lazy<Dataset<float>> Digits = new(() =>
    {
        var digits = Datasets.Digits<float>(TestData.DigitsPath);
        // 0–16 grey levels scaled into [0, 1], as a sigmoid output reproduces them.
        var pixels = digits.Inputs.ToArray();
        float max = pixels.Max();
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] /= max;
        return Dataset<float>.Unlabelled(pixels, digits.InputSize, digits.Labels.ToArray());
    });

    [Fact]
    public void Unlabelled_data_sets_use_the_inputs_as_targets_without_a_copy()
    {
        var pixels = NetworkCatalog.Random<float>(6 * 4, seed: 1, 0, 1);
        var data = Dataset<float>.Unlabelled(pixels, 4, new[] { 0, 1, 0, 1, 2, 3 });
        Assert.True(data.IsAutoencoding);
        Assert.Equal(4, data.TargetSize);
        Assert.True(Unsafe.AreSame(ref Unsafe.AsRef(in data.Inputs[0]), ref Unsafe.AsRef(in data.Targets[0])));
        Assert.True(Unsafe.AreSame(ref pixels[0], ref Unsafe.AsRef(in data.Inputs[0])));
        // Subsets and splits copy the rows once and keep targets = inputs.
        var subset = data.Subset(new[] { 4, 1 });
        Assert.True(subset.IsAutoencoding);
        Assert.Equal(pixels.AsSpan(16, 4).ToArray(), subset.Target(0).ToArray());
        Assert.Equal(2, subset.Label(0));
        var (train, test) = data.Split(0.5, seed: 3);
        Assert.True(train.IsAutoencoding && test.IsAutoencoding);
        Assert.True(data.Take(2).IsAutoencoding);
        Assert.False(Dataset<float>.FromLabels(pixels, 4, new[] { 0, 1, 0, 1, 2, 3 }, 4).IsAutoencoding);
    }

    [Fact]
    public void Fit_trains_an_autoencoder_on_unlabelled_data_and_leaves_the_data_alone()
    {
        var data = Digits.Value;
        var before = data.Inputs.ToArray();
        var net = new TiedDigits(1);
        var history = net.Fit(data, new FitOptions<float> { Epochs = 4, BatchSize = 32, LearningRate = 0.003, Seed = 2 });
        Assert.True(history.Epochs[^1].TrainLoss < 0.85 * history.Epochs[0].TrainLoss,
            $"loss {history.Epochs[0].TrainLoss} → {history.Epochs[^1].TrainLoss}");
        Assert.Equal(before, data.Inputs.ToArray());
    }

    [Fact]
    public void Fit_names_the_sizes_when_an_unlabelled_data_set_meets_a_network_whose_output_differs()
    {
        var data = Dataset<float>.Unlabelled(new float[3 * 64], 64);
        var ex = Assert.Throws<ArgumentException>(() => new DigitsNet(1).Fit(data, new FitOptions<float> { Epochs = 1 }));
        Assert.Equal("train", ex.ParamName);
        Assert.Contains("expected OutputSize == InputSize (64)", ex.Message);
        Assert.Contains("actual OutputSize 10", ex.Message);
    }

    [Theory]
    [InlineData(nameof(TiedDeepD))]
    [InlineData(nameof(TiedRaggedD))]
    public void Tied_weight_gradients_match_central_differences(string name)
    {
        INetwork<double> net = name == nameof(TiedDeepD) ? new TiedDeepD(7) : new TiedRaggedD(7);
        const int batch = 3;
        const double h = 1e-6;
        var inputs = NetworkCatalog.Random<double>(batch * net.InputSize, seed: 21, 0, 1);
        var workspace = net.CreateWorkspace(batch);
        var gradient = new double[net.ParameterCount];
        // Autoencoding: the targets are the inputs.
        net.Backward(inputs, inputs, gradient, workspace);
        var scratch = new double[net.ParameterCount];
        for (int i = 0; i < net.ParameterCount; i++)
        {
            double original = net.Parameters[i];
            NetworkCatalog.SetParameter(net, i, original + h);
            double plus = net.Backward(inputs, inputs, scratch, workspace);
            NetworkCatalog.SetParameter(net, i, original - h);
            double minus = net.Backward(inputs, inputs, scratch, workspace);
            NetworkCatalog.SetParameter(net, i, original);
            double numeric = (plus - minus) / (2 * h);
            double error = Math.Abs(numeric - gradient[i]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(gradient[i]));
            Assert.True(error < 1e-5, $"{name}: parameter {i}: analytic {gradient[i]:R}, numeric {numeric:R}, relative error {error:E2}.");
        }
    }

    [Fact]
    public void A_tied_layer_owns_only_its_bias_and_names_the_layer_whose_weights_it_uses()
    {
        var info = TiedDeepD.Architecture;
        Assert.Equal(20 * 9 + 9 + 9 * 4 + 4 + 9 + 20, info.ParameterCount);
        var decoder = Assert.IsType<TiedDenseLayerInfo>(info.Layers[3]);
        Assert.Equal(LayerKind.TiedDense, decoder.Kind);
        Assert.Equal(0, decoder.TiedTo);
        Assert.Null(decoder.Weights);
        Assert.Equal("bias", Assert.Single(decoder.Blocks).Name);
        Assert.Equal(1, Assert.IsType<TiedDenseLayerInfo>(info.Layers[2]).TiedTo);
        Assert.Empty(TiedRaggedD.Architecture.Layers[1].Blocks);
        Assert.Contains("20(Sigmoid, tied to layer 0)", info.ToString());
        // The architecture checks ties itself.
        var ex = Assert.Throws<ArgumentException>(() => new NetworkInfo("bad", Precision.Single, Loss.Quadratic, Shape.Vector(6),
            new LayerInfo[] { new DenseLayerInfo(6, 3, Activation.Sigmoid, 0), new TiedDenseLayerInfo(3, 5, Activation.Sigmoid, 0, 21) }));
        Assert.Contains("expected 3 inputs and 6 outputs", ex.Message);
    }

    [Fact]
    public void Tied_forward_and_encode_match_a_plain_double_reference()
    {
        var net = new TiedDeepD(3);
        var p = net.Parameters.ToArray();
        var x = NetworkCatalog.Random<double>(20, seed: 5, 0, 1);
        // Encoder: W0 [9, 20] at 0, b0 at 180; W1 [4, 9] at 189, b1 at 225. Decoder: b2 at 229, b3 at 238.
        double[] h1 = Dense(p, 0, 180, x, 9, Math.Tanh);
        double[] code = Dense(p, 189, 225, h1, 4, Sigmoid);
        double[] h2 = Transposed(p, 189, 229, code, 9, Math.Tanh);
        double[] output = Transposed(p, 0, 238, h2, 20, Sigmoid);

        var actual = new double[20];
        net.Forward(x, actual);
        AssertClose(output, actual, 1e-12);
        var encoded = new double[TiedDeepD.CodeSize];
        net.Encode(x, encoded);
        AssertClose(code, encoded, 1e-12);
        Assert.Equal(1, ((IEncoder<double>)net).CodeLayer);
    }

    [Fact]
    public void Encode_after_a_standalone_activation_matches_the_truncated_reference_single_and_batched()
    {
        var net = new ActivationCodeD(4);
        var p = net.Parameters.ToArray();
        const int batch = 5;
        var inputs = NetworkCatalog.Random<double>(batch * 30, seed: 6);
        var codes = new double[batch * ActivationCodeD.CodeSize];
        var workspace = net.CreateWorkspace(batch);
        net.Encode(inputs, codes, workspace);
        for (int s = 0; s < batch; s++)
        {
            var x = inputs.AsSpan(s * 30, 30).ToArray();
            double[] h = Dense(p, 0, 360, x, 12, z => z > 0 ? z : Math.Exp(z) - 1);
            double[] code = Dense(p, 372, 444, h, 6, z => z).Select(Sigmoid).ToArray();
            AssertClose(code, codes.AsSpan(s * 6, 6).ToArray(), 1e-12);
            var single = new double[6];
            net.Encode(x, single);
            AssertClose(code, single, 1e-12);
        }
    }

    [Fact]
    public void Encode_runs_inference_through_dropout_and_packed_layers()
    {
        var net = new PackedEncoder(2);
        net.Training = true;
        var p = net.Parameters.ToArray();
        const int batch = 70;
        var inputs = NetworkCatalog.Random<float>(batch * 100, seed: 8, 0, 1);
        var codes = new float[batch * PackedEncoder.CodeSize];
        net.Encode(inputs, codes, net.CreateWorkspace(batch));
        for (int s = 0; s < batch; s += 13)
        {
            var x = inputs.AsSpan(s * 100, 100).ToArray().Select(v => (double)v).ToArray();
            var pd = p.Select(v => (double)v).ToArray();
            double[] h = Dense(pd, 0, 8000, x, 80, z => Math.Max(0, z));
            double[] code = Dense(pd, 8080, 9360, h, 16, Sigmoid);
            AssertClose(code, codes.AsSpan(s * 16, 16).ToArray().Select(v => (double)v).ToArray(), 1e-5);
        }
        Assert.Throws<ArgumentException>("codes", () => net.Encode(inputs, new float[3], net.CreateWorkspace(batch)));
        var ex = Assert.Throws<ArgumentException>("code", () => net.Encode(inputs.AsSpan(0, 100), new float[15]));
        Assert.Contains("16", ex.Message);
    }

    [Fact]
    public void Encoders_EncodeBits_packs_the_codes_of_every_sample()
    {
        var net = new UntiedDigits(3);
        var data = Digits.Value.Take(300);
        var codes = net.EncodeAll(data.Inputs, batchSize: 64);
        var bits = net.EncodeBits(data.Inputs, batchSize: 64);
        Assert.Equal(300 * 24, codes.Length);
        Assert.Equal(300, bits.Length);
        for (int s = 0; s < 300; s += 37)
        {
            for (int i = 0; i < 24; i++)
                Assert.Equal(codes[s * 24 + i] >= 0.5f, BinaryCodes.Bit(bits.AsSpan(s, 1), i));
        }
    }

    [Fact]
    public void Encode_and_tied_training_steps_allocate_nothing()
    {
        var net = new TiedDigits(1);
        var inputs = Digits.Value.Inputs.Slice(0, 16 * 64).ToArray();
        var code = new float[TiedDigits.CodeSize];
        var codes = new float[16 * TiedDigits.CodeSize];
        var workspace = net.CreateWorkspace(16);
        var gradient = new float[TiedDigits.ParameterCount];
        for (int round = 0; round < 3; round++)
        {
            net.Encode(inputs.AsSpan(0, 64), code);
            net.Encode(inputs, codes, workspace);
            net.Backward(inputs, inputs, gradient, workspace);
        }
        Allocations.AssertOneCleanRound(() =>
        {
            for (int round = 0; round < 20; round++)
            {
                net.Encode(inputs.AsSpan(0, 64), code);
                net.Encode(inputs, codes, workspace);
                net.Backward(inputs, inputs, gradient, workspace);
            }
        }, "the tied autoencoder's Encode and Backward");
    }

    [Fact]
    public void Tied_networks_round_trip_through_snet_and_safetensors()
    {
        var net = new TiedDeepD(9);
        var copy = new TiedDeepD(10);
        NetworkFile.Load(copy, NetworkFile.ToBytes(net));
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        var other = new TiedDeepD(11);
        StaticNets.Interop.Safetensors.Import(other, new MemoryStream(StaticNets.Interop.Safetensors.ToBytes(net)));
        Assert.Equal(net.Parameters.ToArray(), other.Parameters.ToArray());
        // A file of the untied shape is another architecture.
        Assert.ThrowsAny<Exception>(() => NetworkFile.Load(new TiedDigits(1), NetworkFile.ToBytes(new UntiedDigits(1))));
    }

    [Fact]
    public void Tied_training_is_bit_identical_for_any_thread_count()
    {
        var data = Digits.Value.Take(256);
        float[] Run(int threads)
        {
            var net = new TiedDigits(4);
            net.Fit(data, new FitOptions<float> { Epochs = 2, BatchSize = 128, Threads = threads, Seed = 5, InputNoise = InputNoise.Masking(0.3) });
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(1), Run(2));
    }

    internal static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>σ(W·x + b) with W row-major [n, x.Length] at <paramref name="w"/>.</summary>
    internal static double[] Dense(double[] p, int w, int b, double[] x, int n, Func<double, double> sigma)
    {
        var a = new double[n];
        for (int j = 0; j < n; j++)
        {
            double z = p[b + j];
            for (int k = 0; k < x.Length; k++)
                z += p[w + j * x.Length + k] * x[k];
            a[j] = sigma(z);
        }
        return a;
    }

    /// <summary>σ(Wᵀ·x + b) with W row-major [x.Length, n] at <paramref name="w"/>.</summary>
    internal static double[] Transposed(double[] p, int w, int b, double[] x, int n, Func<double, double> sigma)
    {
        var a = new double[n];
        for (int j = 0; j < n; j++)
        {
            double z = p[b + j];
            for (int k = 0; k < x.Length; k++)
                z += p[w + k * n + j] * x[k];
            a[j] = sigma(z);
        }
        return a;
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"value {i}: expected {expected[i]:R}, actual {actual[i]:R}");
    }
}
