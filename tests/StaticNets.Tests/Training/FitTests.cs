using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Threading;
using StaticNets.Kernels;
using StaticNets.Tests.Data;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>The fit API: agreement with the plain trainer, each regulariser against a hand-made step, early stopping, divergence, dropout mode, diagnostics, allocation.</summary>
public class FitTests
{
    private static readonly Lazy<(Dataset<float> Train, Dataset<float> Test)> Digits =
        new(() => Datasets.Digits<float>(TestData.DigitsPath).Split(0.8, seed: 1));

    [Fact]
    public void Plain_SGD_gives_bit_identical_weights_to_the_Trainer()
    {
        var train = Digits.Value.Train;
        var a = new DigitsNet(3);
        var b = new DigitsNet(3);
        new Trainer<float>(a).Fit(train, new TrainerOptions { Epochs = 2, BatchSize = 32, LearningRate = 0.1, Seed = 9 });
        b.Fit(train, new FitOptions<float> { Epochs = 2, BatchSize = 32, LearningRate = 0.1, Seed = 9, Optimizer = new Sgd<float>() });
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
    }

    [Fact]
    public void L2_adds_lambda_times_the_weights_but_not_the_biases()
    {
        var data = Digits.Value.Train.Take(16);
        var net = new DigitsNet(4);
        float[] before = net.Parameters.ToArray();
        var gradient = new float[DigitsNet.ParameterCount];
        net.Backward(data.Inputs, data.Targets, gradient, net.CreateWorkspace(16));
        net.Fit(data, new FitOptions<float> { Epochs = 1, BatchSize = 16, LearningRate = 0.5, L2 = 0.1, Shuffle = false, Optimizer = new Sgd<float>() });
        var info = DigitsNet.Architecture;
        var isWeight = new bool[before.Length];
        foreach (var layer in info.Layers)
            isWeight.AsSpan(layer.WeightOffset, layer.WeightCount).Fill(true);
        for (int i = 0; i < before.Length; i++)
        {
            double g = gradient[i] / 16.0 + (isWeight[i] ? 0.1 * before[i] : 0);
            Assert.Equal(before[i] - 0.5 * g, net.Parameters[i], 1e-5);
        }
    }

    [Fact]
    public void Clipping_limits_the_global_norm_of_the_step()
    {
        var data = Digits.Value.Train.Take(32);
        var net = new DigitsNet(4);
        float[] before = net.Parameters.ToArray();
        var gradient = new float[DigitsNet.ParameterCount];
        net.Backward(data.Inputs, data.Targets, gradient, net.CreateWorkspace(32));
        double norm = Math.Sqrt(gradient.Sum(g => (g / 32.0) * (g / 32.0)));
        double clip = norm / 4;
        var history = net.Fit(data, new FitOptions<float> { Epochs = 1, BatchSize = 32, LearningRate = 1, ClipGradientNorm = clip, Shuffle = false, Optimizer = new Sgd<float>() });
        // SGD with η = 1: the step is the clipped gradient, parallel to the original and of norm exactly `clip`.
        double stepNorm = Math.Sqrt(before.Select((p, i) => (double)(p - net.Parameters[i]) * (p - net.Parameters[i])).Sum());
        Assert.Equal(clip, stepNorm, 1e-4 * clip);
        Assert.Equal(before[5] - gradient[5] / 32.0 / 4, net.Parameters[5], 1e-6);
        Assert.Equal(1, history.Last.ClippedBatches);
    }

    [Fact]
    public void Early_stopping_stops_after_patience_and_restores_the_best_weights()
    {
        // 60 training samples and a large step: the validation loss bottoms out early and then rises.
        var (train, test) = Digits.Value;
        var small = train.Take(60);
        var net = new DigitsNet(2);
        var history = net.Fit(small, new FitOptions<float>
        {
            Epochs = 200, BatchSize = 10, Optimizer = new Sgd<float>(), LearningRate = 0.5, Seed = 1,
            Validation = test, EarlyStopping = new EarlyStopping(Patience: 3),
        });
        Assert.True(history.StoppedEarly);
        int best = history.BestEpoch!.Value;
        Assert.Equal(best + 3, history.Epochs.Count);
        Assert.True(history.RestoredBestWeights);
        double bestLoss = history.Epochs[best - 1].ValidationLoss!.Value;
        Assert.Equal(history.Epochs.Min(e => e.ValidationLoss!.Value), bestLoss);
        Assert.Equal(bestLoss, Evaluator.Evaluate(net, test).Loss, 1e-9);
    }

    [Fact]
    public void Early_stopping_without_validation_is_rejected()
        => Assert.Equal("options", Assert.Throws<ArgumentException>(() => new DigitsNet(1).Fit(Digits.Value.Train,
            new FitOptions<float> { EarlyStopping = new EarlyStopping() })).ParamName);

    [Fact]
    public void Divergence_names_epoch_batch_and_layer()
    {
        var net = new DigitsNet(1);
        NetworkCatalog.SetParameter(net, DigitsNet.Layer1WeightOffset + 3, float.PositiveInfinity);
        var ex = Assert.Throws<TrainingDivergedException>(() => net.Fit(Digits.Value.Train, new FitOptions<float> { Epochs = 3 }));
        Assert.Equal(1, ex.Epoch);
        Assert.Equal(1, ex.Batch);
        Assert.InRange(ex.Layer, 0, 1);
        Assert.Contains("epoch 1, batch 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"layer {ex.Layer} (Dense)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(LayerKind.Dense, ex.Kind);
    }

    [Fact]
    public void Schedule_sets_each_batch_rate_and_validation_split_holds_data_out()
    {
        var rates = new List<(int Epoch, double Rate)>();
        var history = new DigitsNet(1).Fit(Digits.Value.Train, new FitOptions<float>
        {
            Epochs = 3, BatchSize = 200, Schedule = LearningRateSchedule.StepDecay(0.01, 0.5, 1), ValidationSplit = 0.25,
            EvaluateTraining = true, OnBatch = b => rates.Add((b.Epoch, b.LearningRate)),
        });
        // 1437 samples × 0.75 = 1078 for training: 6 batches of 200 per epoch.
        Assert.Equal(18, rates.Count);
        Assert.All(rates, r => Assert.Equal(0.01 * Math.Pow(0.5, r.Epoch - 1), r.Rate, 15));
        Assert.All(history.Epochs, e => Assert.NotNull(e.ValidationAccuracy));
        Assert.All(history.Epochs, e => Assert.NotNull(e.TrainAccuracy));
        Assert.Equal(0.0025, history.Last.LearningRate, 15);
    }

    [Fact]
    public void Adam_learns_digits_and_reports_per_layer_norms()
    {
        var (train, test) = Digits.Value;
        var net = new DigitsNet(5);
        var history = net.Fit(train, new FitOptions<float> { Epochs = 15, BatchSize = 32, Optimizer = new Adam<float>(), LearningRate = 0.003, Validation = test, Seed = 2 });
        Assert.True(history.Last.ValidationAccuracy > 0.95, $"accuracy {history.Last.ValidationAccuracy}");
        Assert.True(history.Last.TrainLoss < history.Epochs[0].TrainLoss);
        Assert.All(history.Epochs, e => Assert.Equal(2, e.Layers.Count));
        Assert.All(history.Epochs, e => Assert.All(e.Layers, l => Assert.True(l.GradientNorm > 0 && l.WeightNorm > 0)));
        Assert.Empty(history.Warnings);
    }

    [Fact]
    public void Deep_sigmoid_net_raises_vanishing_warnings_for_its_first_layers_and_ReLU_does_not()
    {
        var train = Digits.Value.Train;
        var sigmoidWarnings = new List<GradientWarning>();
        var options = new FitOptions<float> { Epochs = 1, BatchSize = 32, Optimizer = new Sgd<float>(), LearningRate = 0.1, VanishingGradientRatio = 0.01 };
        var sigmoid = new DeepSigmoidNet(1).Fit(train, options with { OnWarning = sigmoidWarnings.Add });
        var relu = new DeepReluNet(1).Fit(train, options);
        Assert.Contains(sigmoid.Warnings, w => w.Layer == 0 && w.Problem == GradientProblem.Vanishing);
        Assert.Equal(sigmoid.Warnings, sigmoidWarnings);
        Assert.DoesNotContain(relu.Warnings, w => w.Problem == GradientProblem.Vanishing);
        var layers = sigmoid.Last.Layers;
        Assert.True(layers[0].GradientNorm < 0.01 * layers[^1].GradientNorm);
    }

    [Fact]
    public void Measure_shows_gradients_decaying_towards_the_input_for_sigmoid_only()
    {
        var data = Digits.Value.Train;
        var sigmoid = GradientDiagnostics.Measure(new DeepSigmoidNet(1), data);
        var relu = GradientDiagnostics.Measure(new DeepReluNet(1), data);
        Assert.Equal(9, sigmoid.Length);
        // Sigmoid: each layer closer to the input gets a smaller gradient (σ' ≤ ¼), by orders of magnitude overall.
        for (int l = 0; l < 7; l++)
            Assert.True(sigmoid[l].GradientNorm < sigmoid[l + 1].GradientNorm, $"layer {l}: {sigmoid[l].GradientNorm} vs {sigmoid[l + 1].GradientNorm}");
        Assert.True(sigmoid[0].GradientNorm < 1e-3 * sigmoid[7].GradientNorm);
        Assert.True(relu[0].GradientNorm > 0.1 * relu[7].GradientNorm);
    }

    [Fact]
    public void Exploding_threshold_warns()
    {
        var history = new DigitsNet(1).Fit(Digits.Value.Train.Take(64), new FitOptions<float> { Epochs = 1, ExplodingGradientNorm = 1e-6 });
        Assert.All(history.Warnings, w => Assert.Equal(GradientProblem.Exploding, w.Problem));
        Assert.Equal(new[] { 0, 1 }, history.Warnings.Select(w => w.Layer).ToArray());
        Assert.Contains("exploding gradient in layer 0 (Dense)", history.Warnings[0].Message, StringComparison.Ordinal);
        Assert.All(history.Warnings, w => Assert.Equal(LayerKind.Dense, w.Kind));
    }

    [Fact]
    public void Dropout_networks_train_in_training_mode_and_evaluate_in_inference_mode()
    {
        var net = new ModeRecordingNet();
        net.Fit(Digits.Value.Train.Take(100), new FitOptions<float> { Epochs = 2, BatchSize = 50, Validation = Digits.Value.Test.Take(50), Seed = 3 });
        Assert.Equal(2 * 2 * Trainer<float>.PartitionCount(net.Info, 50), net.BackwardModes.Count); // 2 epochs × 2 batches, each cut into partitions
        Assert.All(net.BackwardModes, Assert.True);
        Assert.NotEmpty(net.ForwardModes);
        Assert.All(net.ForwardModes, Assert.False);
        Assert.False(net.Training);
        Assert.NotEqual(0UL, net.DropoutSeed);
    }

    [Fact]
    public void Cancellation_throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new DigitsNet(1).Fit(Digits.Value.Train, new FitOptions<float> { CancellationToken = cts.Token }));
    }

    [Fact]
    public void Bad_options_and_data_are_rejected_with_names()
    {
        var net = new DigitsNet(1);
        var train = Digits.Value.Train;
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(train, new FitOptions<float> { BatchSize = 0 })).ParamName);
        Assert.Equal("ClipGradientNorm", Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(train, new FitOptions<float> { ClipGradientNorm = -1 })).ParamName);
        Assert.Equal("ValidationSplit", Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(train, new FitOptions<float> { ValidationSplit = 1 })).ParamName);
        var wrong = new Dataset<float>(new float[10], 5, new float[20], 10);
        var ex = Assert.Throws<ArgumentException>(() => net.Fit(wrong));
        Assert.Equal("train", ex.ParamName);
        Assert.Contains("Expected samples of 64 inputs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_allocate_nothing()
    {
        // Bytes allocated between consecutive OnBatch calls are those of one training step.
        var deltas = new List<long>();
        long last = 0;
        new DigitsNet(1).Fit(Digits.Value.Train, new FitOptions<float>
        {
            Epochs = 2, BatchSize = 32,
            OnBatch = b =>
            {
                long now = GC.GetAllocatedBytesForCurrentThread();
                if (b.Batch > 3)
                    deltas.Add(now - last);
                last = GC.GetAllocatedBytesForCurrentThread();
            },
        });
        // Tiered JIT may allocate once on a recompilation; nearly every step must allocate nothing.
        Assert.True(deltas.Count(d => d != 0) <= 2, $"allocating steps: {string.Join(", ", deltas.Where(d => d != 0))}");
    }

    [Fact]
    public void Mnist_subset_learns_quickly_when_the_data_is_present()
    {
        string? dir = TestData.FindMnistDirectory();
        if (dir is null)
            return; // the real MNIST files live outside the repository; the digits tests above cover the API
        var train = Datasets.Mnist<float>(dir, train: true).Take(5000);
        var test = Datasets.Mnist<float>(dir, train: false).Take(1000);
        var net = new MnistNet(1);
        var history = net.Fit(train, new FitOptions<float> { Epochs = 5, BatchSize = 64, Optimizer = new Adam<float>(), LearningRate = 0.002, Validation = test, Seed = 1 });
        Assert.True(history.Last.ValidationAccuracy > 0.9, $"accuracy {history.Last.ValidationAccuracy}");
    }

    /// <summary>A digits net that records the dropout mode it was in for each backward and batched forward.</summary>
    private sealed class ModeRecordingNet : INetwork<float>, IDropoutNetwork
    {
        private readonly DigitsNet _inner = new(1);

        public List<bool> BackwardModes { get; } = new();
        public List<bool> ForwardModes { get; } = new();
        public bool Training { get; set; }
        public ulong DropoutSeed { get; set; }
        public NetworkInfo Info => DigitsNet.Architecture;
        public int InputSize => DigitsNet.InputSize;
        public int OutputSize => DigitsNet.OutputSize;
        public int ParameterCount => DigitsNet.ParameterCount;
        public ReadOnlySpan<float> Parameters => _inner.Parameters;
        public ParameterEdit<float> EditParameters() => _inner.EditParameters();
        public void OnParametersWritten() { }
        public void Initialize(int seed) => _inner.Initialize(seed);
        public void Forward(ReadOnlySpan<float> input, Span<float> output) => _inner.Forward(input, output);

        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, INetworkWorkspace<float> workspace)
        {
            ForwardModes.Add(Training);
            ((INetwork<float>)_inner).Forward(inputs, outputs, workspace);
        }

        public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> gradient, INetworkWorkspace<float> workspace)
        {
            BackwardModes.Add(Training);
            return _inner.Backward(inputs, targets, gradient, workspace);
        }

        public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> gradient, Span<float> inputGradient, INetworkWorkspace<float> workspace) => throw new NotSupportedException("not used by this test");

        public void BackwardFromOutputGradient(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradient, Span<float> gradient, Span<float> inputGradient, INetworkWorkspace<float> workspace) => throw new NotSupportedException("not used by this test");

        public INetworkWorkspace<float> CreateWorkspace(int batchCapacity) => _inner.CreateWorkspace(batchCapacity);
    }
}
