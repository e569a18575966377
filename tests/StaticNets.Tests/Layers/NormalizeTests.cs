using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using StaticNets.Interop;
using StaticNets.Persistence;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Layers;

/// <summary>
/// The [Normalize] layer: (x − mean) · scale with non-trainable statistics. Forward against the plain double
/// reference, backward against central differences (input gradient δ · scale, no gradient for the statistics),
/// fitting from a data set (constant features included), training leaving the statistics alone, and the
/// statistics travelling through .snet, safetensors and ONNX.
/// </summary>
public class NormalizeTests
{
    private const int Batch = 4;

    /// <summary>Random statistics: means in [−2, 2), scales in [0.3, 3).</summary>
    private static void SetStatistics<T>(INetwork<T> net, int seed) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var layer = (NormalizeLayerInfo)net.Info.Layers[0];
        var rng = new Random(seed);
        using var edit = net.EditParameters();
        for (int j = 0; j < layer.Inputs; j++)
        {
            edit.Span[layer.Mean.Offset + j] = T.CreateTruncating(-2 + 4 * rng.NextDouble());
            edit.Span[layer.Scale.Offset + j] = T.CreateTruncating(0.3 + 2.7 * rng.NextDouble());
        }
    }

    [Fact]
    public void The_layer_describes_two_non_trainable_blocks_shaped_as_one_sample_and_starts_as_the_identity()
    {
        var net = new NormalizedCnnD(3);
        var info = NormalizedCnnD.Architecture;
        var layer = Assert.IsType<NormalizeLayerInfo>(info.Layers[0]);
        Assert.Equal(LayerKind.Normalize, layer.Kind);
        Assert.Equal(7, (int)LayerKind.Normalize);
        Assert.Equal(new[] { ("mean", ParameterRole.Shift, 0, "2×4×4", false), ("scale", ParameterRole.Scale, 32, "2×4×4", false) },
            layer.Blocks.Select(b => (b.Name, b.Role, b.Offset, b.Shape.ToString(), b.Trainable)));
        Assert.Null(layer.Weights);
        Assert.Equal(64, info.Layers[1].ParameterOffset);
        Assert.All(net.Layer0Mean.ToArray(), v => Assert.Equal(0.0, v));
        Assert.All(net.Layer0Scale.ToArray(), v => Assert.Equal(1.0, v));
        Assert.StartsWith("2×4×4 → Normalize → ", info.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_matches_the_plain_double_reference()
    {
        INetwork<double>[] doubles = { new NormalizedMlpD(1), new NormalizedCnnD(2) };
        foreach (var net in doubles)
        {
            SetStatistics(net, 5);
            var x = NetworkCatalog.Random<double>(Batch * net.InputSize, 6, -3, 3);
            var batch = new double[Batch * net.OutputSize];
            net.Forward(x, batch, net.CreateWorkspace(Batch));
            var single = new double[net.OutputSize];
            for (int s = 0; s < Batch; s++)
            {
                var expected = CnnCatalog.Reference(net, x, s);
                net.Forward(x.AsSpan(s * net.InputSize, net.InputSize), single);
                for (int j = 0; j < net.OutputSize; j++)
                {
                    Assert.Equal(expected[j], batch[s * net.OutputSize + j], 12);
                    Assert.Equal(expected[j], single[j], 12);
                }
            }
        }
        var f = new NormalizedMlp(3);
        SetStatistics(f, 7);
        var xf = NetworkCatalog.Random<float>(Batch * NormalizedMlp.InputSize, 8, -3, 3);
        var outputs = new float[Batch * NormalizedMlp.OutputSize];
        f.Forward(xf, outputs, f.CreateWorkspace(Batch));
        for (int s = 0; s < Batch; s++)
        {
            var expected = CnnCatalog.Reference(f, xf, s);
            for (int j = 0; j < NormalizedMlp.OutputSize; j++)
                Assert.True(Math.Abs(expected[j] - outputs[s * NormalizedMlp.OutputSize + j]) < 1e-5, $"sample {s}, output {j}");
        }
    }

    [Fact]
    public void Backward_gives_the_input_gradient_delta_times_scale_and_no_gradient_for_the_statistics()
    {
        INetwork<double>[] nets = { new NormalizedMlpD(11), new NormalizedCnnD(12) };
        foreach (var net in nets)
        {
            SetStatistics(net, 13);
            var x = NetworkCatalog.Random<double>(Batch * net.InputSize, 14, -2, 2);
            var y = NetworkCatalog.Targets<double>(net.Info, Batch, 15);
            var ws = net.CreateWorkspace(Batch);
            var gradient = new double[net.ParameterCount];
            var dx = new double[x.Length];
            double cost = net.Backward(x, y, gradient, dx, ws);
            double Cost()
            {
                var outputs = new double[Batch * net.OutputSize];
                net.Forward(x, outputs, ws);
                double sum = 0;
                for (int s = 0; s < Batch; s++)
                    sum += CnnCatalog.Cost(net.Info, outputs.AsSpan(s * net.OutputSize, net.OutputSize).ToArray(), y.AsSpan(s * net.OutputSize, net.OutputSize));
                return sum;
            }
            Assert.Equal(Cost(), cost, 12);
            // Without dx the layer above skips ∂C/∂input (nothing below it trains): the same gradient, bit for bit.
            var withoutDx = new double[net.ParameterCount];
            Assert.Equal(cost, net.Backward(x, y, withoutDx, ws));
            Assert.Equal(gradient, withoutDx);
            var layer = (NormalizeLayerInfo)net.Info.Layers[0];
            // The statistics are not trained: Backward adds exactly nothing for them.
            Assert.All(gradient.AsSpan(0, 2 * layer.Inputs).ToArray(), g => Assert.Equal(0.0, g));
            for (int i = 2 * layer.Inputs; i < net.ParameterCount; i++)
                CnnCatalog.AssertClose(CnnCatalog.ParameterDifference(net, i, Cost), gradient[i], $"{net.Info.Name} parameter {i}");
            for (int i = 0; i < x.Length; i++)
                CnnCatalog.AssertClose(CnnCatalog.ValueDifference(x, i, Cost), dx[i], $"{net.Info.Name} input {i}");

            // ∂C/∂x = δ·scale: a twin whose Normalize is the identity, fed y = (x − mean)·scale, gives δ = ∂C/∂y.
            var twin = net is NormalizedMlpD ? (INetwork<double>)new NormalizedMlpD(0) : new NormalizedCnnD(0);
            using (var edit = twin.EditParameters())
                net.Parameters.CopyTo(edit.Span);
            using (var edit = twin.EditParameters())
            {
                edit.Span.Slice(0, layer.Inputs).Clear();
                edit.Span.Slice(layer.Inputs, layer.Inputs).Fill(1);
            }
            var normalized = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
                normalized[i] = (x[i] - net.Parameters[i % layer.Inputs]) * net.Parameters[layer.Inputs + i % layer.Inputs];
            var delta = new double[x.Length];
            twin.Backward(normalized, y, new double[twin.ParameterCount], delta, twin.CreateWorkspace(Batch));
            for (int i = 0; i < x.Length; i++)
                Assert.Equal(delta[i] * net.Parameters[layer.Inputs + i % layer.Inputs], dx[i], 12);
        }
    }

    [Fact]
    public void Fit_writes_mean_and_inverse_population_deviation_and_leaves_constant_features_unscaled()
    {
        // Feature 0: 1, 2, 3, 6 (μ 3, σ √3.5); feature 1 constant 7; feature 2: −1, 1, −1, 1 (μ 0, σ 1); 3 and 4 arbitrary.
        double[] inputs =
        {
            1, 7, -1, 0.5, 10,
            2, 7, 1, 0.25, 20,
            3, 7, -1, 0.75, 30,
            6, 7, 1, 0.5, 40,
        };
        var data = new Dataset<double>(inputs, 5, new double[4 * 3], 3);
        var net = new NormalizedMlpD(1);
        var stats = net.FitNormalization(data);
        Assert.Equal(new[] { 3, 7, 0, 0.5, 25 }, stats.Mean);
        Assert.Equal(Math.Sqrt(3.5), stats.StandardDeviation[0], 14);
        Assert.Equal(0, stats.StandardDeviation[1]);
        Assert.Equal(1, stats.StandardDeviation[2], 14);
        Assert.Equal(new[] { 1 }, stats.ConstantFeatures);
        Assert.Equal(new[] { 3, 7, 0, 0.5, 25 }, net.Layer0Mean.ToArray());
        Assert.Equal(1 / Math.Sqrt(3.5), net.Layer0Scale[0], 14);
        Assert.Equal(1, net.Layer0Scale[1]);
        Assert.Equal(1, net.Layer0Scale[2], 14);
        Assert.Equal(stats.Scale, net.Layer0Scale.ToArray());

        // After fitting, the layer's output over the data has mean 0 and σ 1 per feature (0 for the constant one).
        var layer0 = new double[inputs.Length];
        for (int s = 0; s < 4; s++)
            for (int j = 0; j < 5; j++)
                layer0[s * 5 + j] = (inputs[s * 5 + j] - net.Layer0Mean[j]) * net.Layer0Scale[j];
        for (int j = 0; j < 5; j++)
        {
            var column = Enumerable.Range(0, 4).Select(s => layer0[s * 5 + j]).ToArray();
            Assert.Equal(0, column.Average(), 12);
            Assert.Equal(j == 1 ? 0 : 1, Math.Sqrt(column.Select(v => v * v).Average()), 12);
        }

        // Float networks fit in double and store the rounded statistics.
        var f = new NormalizedMlp(1);
        f.FitNormalization(new Dataset<float>(inputs.Select(v => (float)v).ToArray(), 5, new float[12], 3));
        Assert.Equal((float)(1 / Math.Sqrt(3.5)), f.Layer0Scale[0]);
    }

    [Fact]
    public void Fit_and_Set_reject_misuse_with_the_argument_and_what_was_expected()
    {
        var data = new Dataset<double>(new double[10], 5, new double[6], 3);
        var wrongNet = NetworkCatalog.Double.First().Value(1);
        var ex = Assert.Throws<ArgumentException>(() => Normalization.Fit(wrongNet, new Dataset<double>(new double[2 * wrongNet.InputSize], wrongNet.InputSize, new double[2 * wrongNet.OutputSize], wrongNet.OutputSize)));
        Assert.Equal("network", ex.ParamName);
        Assert.StartsWith($"Expected a network whose layer 0 is [Normalize] but {wrongNet.Info.Name}'s layer 0 is Dense", ex.Message, StringComparison.Ordinal);

        var net = new NormalizedMlpD(1);
        var wrongSize = Assert.Throws<ArgumentException>(() => net.FitNormalization(new Dataset<double>(new double[8], 4, new double[6], 3)));
        Assert.Equal("data", wrongSize.ParamName);
        Assert.StartsWith("Expected samples of 5 inputs (the network's input size) but the data set has 4.", wrongSize.Message, StringComparison.Ordinal);
        var tolerance = Assert.Throws<ArgumentOutOfRangeException>(() => net.FitNormalization(data, -1));
        Assert.Equal("constantTolerance", tolerance.ParamName);

        Normalization.Set(net, new double[] { 1, 2, 3, 4, 5 }, new double[] { 2, 0, 4, 1, 0.5 });
        Assert.Equal(new[] { 0.5, 1, 0.25, 1, 2 }, net.Layer0Scale.ToArray());
        var negative = Assert.Throws<ArgumentException>(() => Normalization.Set(net, new double[5], new double[] { 1, 1, -1, 1, 1 }));
        Assert.Equal("standardDeviation", negative.ParamName);
        Assert.StartsWith("Expected a finite mean and a finite standard deviation of at least 0 for input value 2 but got mean 0 and σ -1.", negative.Message, StringComparison.Ordinal);
        Assert.Equal("mean", Assert.Throws<ArgumentException>(() => Normalization.Set(net, new double[4], new double[5])).ParamName);
    }

    [Fact]
    public void Training_with_weight_decay_l2_and_clipping_leaves_the_statistics_untouched_and_learns()
    {
        // Three classes separated on features of very different scales: standardisation is what makes Adam's step fit.
        var rng = new Random(3);
        int n = 120;
        var inputs = new double[n * 5];
        var labels = new int[n];
        for (int s = 0; s < n; s++)
        {
            int c = labels[s] = s % 3;
            inputs[s * 5 + 0] = 1000 + 300 * c + 50 * rng.NextDouble();
            inputs[s * 5 + 1] = 0.001 * c + 0.0002 * rng.NextDouble();
            inputs[s * 5 + 2] = rng.NextDouble();
            inputs[s * 5 + 3] = 5;
            inputs[s * 5 + 4] = -20 * c + rng.NextDouble();
        }
        var data = Dataset<double>.FromLabels(inputs, 5, labels, 3);
        var net = new NormalizedMlpD(4);
        var stats = net.FitNormalization(data);
        var before = net.Parameters.ToArray();
        var history = net.Fit(data, new FitOptions<double>
        {
            Epochs = 30, BatchSize = 16, LearningRate = 0.02, Optimizer = new AdamW<double>(0.1), L2 = 0.01, ClipGradientNorm = 0.5, Seed = 1,
        });
        var after = net.Parameters.ToArray();
        Assert.Equal(before.AsSpan(0, 10).ToArray(), after.AsSpan(0, 10).ToArray());
        Assert.NotEqual(before.AsSpan(10).ToArray(), after.AsSpan(10).ToArray());
        Assert.Equal(new[] { 3 }, stats.ConstantFeatures);
        Assert.True(history.Epochs[^1].TrainLoss < 0.5 * history.Epochs[0].TrainLoss, $"loss {history.Epochs[0].TrainLoss} → {history.Epochs[^1].TrainLoss}");
        // The per-layer norms leave the Normalize layer out (it has nothing to train), so no vanishing warning names it.
        Assert.Equal(new[] { 1, 2 }, history.Epochs[^1].Layers.Select(l => l.Layer));
        Assert.DoesNotContain(history.Warnings, w => w.Layer == 0);
        Assert.Equal(new[] { 1, 2 }, GradientDiagnostics.Measure(net, data).Select(l => l.Layer));

        // Initialize resets the statistics to the identity without consuming draws: the dense layers match a fresh net.
        net.Initialize(4);
        Assert.Equal(new NormalizedMlpD(4).Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void Every_optimizer_leaves_the_statistics_bit_for_bit_and_moves_the_weights()
    {
        IOptimizer<double>[] optimizers = { new Sgd<double>(), new Momentum<double>(), new Nesterov<double>(), new RmsProp<double>(), new Adam<double>(), new AdamW<double>(0.5) };
        var x = NetworkCatalog.Random<double>(8 * NormalizedMlpD.InputSize, 51, -5, 5);
        var y = NetworkCatalog.Targets<double>(NormalizedMlpD.Architecture, 8, 52);
        foreach (var optimizer in optimizers)
        {
            var net = new NormalizedMlpD(53);
            SetStatistics(net, 54);
            var before = net.Parameters.ToArray();
            var trainer = new Trainer<double>(net, optimizer);
            for (int step = 0; step < 5; step++)
                trainer.TrainBatch(x, y, new TrainerOptions { LearningRate = 0.05 });
            Assert.Equal(before.AsSpan(0, 10).ToArray(), net.Parameters.Slice(0, 10).ToArray());
            Assert.NotEqual(before.AsSpan(10).ToArray(), net.Parameters.Slice(10).ToArray());
        }
    }

    [Fact]
    public void Statistics_round_trip_through_snet_and_safetensors_with_clear_names()
    {
        var net = new NormalizedCnnD(21);
        SetStatistics(net, 22);
        byte[] file = NetworkFile.ToBytes(net);
        var contents = NetworkFile.Read(new MemoryStream(file));
        Assert.Equal(NormalizedCnnD.Architecture, contents.Architecture);
        var loaded = new NormalizedCnnD(0);
        NetworkFile.Load(loaded, file);
        Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());

        byte[] tensors = Safetensors.ToBytes(net);
        var parsed = SafetensorsFile.Parse(tensors, null);
        Assert.Equal(new[] { "layers.0.mean [2, 4, 4]", "layers.0.scale [2, 4, 4]", "layers.1.weight [2, 2, 3, 3]", "layers.1.bias [2]", "layers.3.weight [2, 8]", "layers.3.bias [2]" },
            parsed.Tensors.Select(t => $"{t.Name} {t.ShapeText}"));
        var imported = new NormalizedCnnD(0);
        Safetensors.Import(imported, tensors);
        Assert.Equal(net.Parameters.ToArray(), imported.Parameters.ToArray());
        var named = new NormalizedCnnD(0);
        Safetensors.Import(named, Safetensors.ToBytes(net, new SafetensorsOptions { LayerNames = new[] { "norm", "conv", "fc" } }), new SafetensorsOptions { LayerNames = new[] { "norm", "conv", "fc" } });
        Assert.Equal(net.Parameters.ToArray(), named.Parameters.ToArray());
    }

    [Fact]
    public void Onnx_export_subtracts_and_multiplies_and_matches_onnx_runtime()
    {
        var net = new NormalizedMlp(31);
        SetStatistics(net, 32);
        var x = NetworkCatalog.Random<float>(Batch * NormalizedMlp.InputSize, 33, -3, 3);
        using var session = new InferenceSession(OnnxExport.ToBytes(net));
        using var input = OrtValue.CreateTensorValueFromMemory(x, new long[] { Batch, NormalizedMlp.InputSize });
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();
        var expected = new float[Batch * NormalizedMlp.OutputSize];
        net.Forward(x, expected, net.CreateWorkspace(Batch));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"output {i}: StaticNets {expected[i]}, ONNX Runtime {actual[i]}");

        var cnn = new NormalizedCnnD(34);
        SetStatistics(cnn, 35);
        var xc = NetworkCatalog.Random<double>(2 * NormalizedCnnD.InputSize, 36, -3, 3);
        using var cnnSession = new InferenceSession(OnnxExport.ToBytes(cnn));
        using var cnnInput = OrtValue.CreateTensorValueFromMemory(xc, new long[] { 2, 2, 4, 4 });
        using var cnnResults = cnnSession.Run(runOptions, new[] { OnnxExport.InputName }, new[] { cnnInput }, new[] { OnnxExport.OutputName });
        var cnnActual = cnnResults[0].GetTensorDataAsSpan<double>().ToArray();
        for (int s = 0; s < 2; s++)
        {
            var reference = CnnCatalog.Reference(cnn, xc, s);
            for (int j = 0; j < 2; j++)
                Assert.Equal(reference[j], cnnActual[s * 2 + j], 10);
        }
    }

    [Fact]
    public void Forward_and_backward_allocate_nothing_and_repeat_bit_for_bit()
    {
        var net = new NormalizedMlp(41);
        SetStatistics(net, 42);
        var x = NetworkCatalog.Random<float>(Batch * NormalizedMlp.InputSize, 43);
        var y = NetworkCatalog.Targets<float>(NormalizedMlp.Architecture, Batch, 44);
        var ws = net.CreateWorkspace(Batch);
        var outputs = new float[Batch * NormalizedMlp.OutputSize];
        var single = new float[NormalizedMlp.OutputSize];
        var gradient = new float[NormalizedMlp.ParameterCount];
        var dx = new float[x.Length];
        void Run()
        {
            net.Forward(x, outputs, ws);
            net.Forward(x.AsSpan(0, NormalizedMlp.InputSize), single);
            net.Backward(x, y, gradient, dx, ws);
        }
        Run();
        var firstGradient = gradient.ToArray();
        var firstDx = dx.ToArray();
        Array.Clear(gradient);
        Run();
        Assert.Equal(firstGradient, gradient);
        Assert.Equal(firstDx, dx);
        Allocations.AssertOneCleanRound(() =>
        {
            for (int i = 0; i < 20; i++)
                Run();
        }, "Normalize forward and backward");
    }
}
