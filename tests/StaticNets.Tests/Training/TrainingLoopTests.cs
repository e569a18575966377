using System;
using System.Collections.Generic;
using System.Linq;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>
/// The one training loop behind <see cref="NetworkFit.Fit{T}"/> and <see cref="Trainer{T}"/>: thread-count
/// independence, pluggable objectives, divergence in every entry point, what applies to which parameter block,
/// and allocation-free steps.
/// </summary>
public class TrainingLoopTests
{
    private static Dataset<float> RandomData(INetwork<float> net, int count, int seed)
        => new(NetworkCatalog.Random<float>(count * net.InputSize, seed, 0, 1), net.InputSize,
            NetworkCatalog.Targets<float>(net.Info, count, seed + 1), net.OutputSize);

    [Fact]
    public void Fit_gives_bit_identical_weights_for_one_two_and_three_threads()
    {
        var data = RandomData(new MnistNet(0), 300, 5);
        float[] Train(int threads)
        {
            var net = new MnistNet(3);
            net.Fit(data, new FitOptions<float>
            {
                Epochs = 2, BatchSize = 64, LearningRate = 0.002, Seed = 9, Threads = threads,
                Optimizer = new AdamW<float>(0.01), L2 = 1e-3, ClipGradientNorm = 0.5,
            });
            return net.Parameters.ToArray();
        }

        float[] one = Train(1);
        Assert.Equal(one, Train(2));
        Assert.Equal(one, Train(3));
        Assert.NotEqual(new MnistNet(3).Parameters.ToArray(), one);
    }

    [Fact]
    public void Threads_below_one_are_rejected_by_Fit()
        => Assert.Equal("Threads", Assert.Throws<ArgumentOutOfRangeException>(() => new DigitsNet(1).Fit(RandomData(new DigitsNet(1), 8, 1),
            new FitOptions<float> { Threads = 0 })).ParamName);

    [Fact]
    public void A_huge_learning_rate_raises_TrainingDivergedException_in_every_entry_point()
    {
        var net = new DigitsNet(1);
        var data = RandomData(net, 64, 3);
        var fit = Assert.Throws<TrainingDivergedException>(() => new DigitsNet(1).Fit(data, new FitOptions<float> { Epochs = 2, LearningRate = 1e30, Optimizer = new Sgd<float>() }));
        var trainer = Assert.Throws<TrainingDivergedException>(() => new Trainer<float>(new DigitsNet(1)).Fit(data, new TrainerOptions { Epochs = 2, LearningRate = 1e30 }));
        var batch = Assert.Throws<TrainingDivergedException>(() =>
        {
            var t = new Trainer<float>(new DigitsNet(1));
            for (int i = 0; i < 3; i++)
                t.TrainBatch(data.Inputs, data.Targets, new TrainerOptions { LearningRate = 1e30 });
        });
        foreach (var e in new[] { fit, trainer, batch })
        {
            Assert.InRange(e.Layer, 0, 1);
            Assert.Equal(LayerKind.Dense, e.Kind);
            Assert.Contains($"layer {e.Layer} (Dense)", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal((1, 1), (fit.Epoch, fit.Batch));
        Assert.Equal((fit.Layer, fit.Quantity), (trainer.Layer, trainer.Quantity)); // the same loop, the same first failure
        Assert.Equal(0, batch.Epoch);
    }

    [Fact]
    public void A_custom_objective_is_called_per_batch_and_its_gradient_reaches_the_optimizer()
    {
        var net = new BlockNet();
        float[] before = net.Parameters.ToArray();
        var objective = new ConstantObjective(0.25f);
        var history = net.Fit(BlockNet.Data(10), new FitOptions<float>
        {
            Epochs = 2, BatchSize = 4, LearningRate = 0.5, Optimizer = new Sgd<float>(), Objective = objective, Threads = 2, Shuffle = false,
            VanishingGradientRatio = null,
        });
        Assert.Equal((4, 2), (objective.PreparedCapacity, objective.PreparedThreads));
        Assert.Equal(new[] { 4, 4, 2, 4, 4, 2 }, objective.Counts.ToArray()); // 3 batches per epoch, the last one short
        Assert.Equal(0, net.BackwardCalls); // the objective, not Backward, produced every gradient
        // Six SGD steps of η·g = 0.5·0.25 on every parameter.
        for (int i = 0; i < before.Length; i++)
            Assert.Equal(before[i] - 6 * 0.125f, net.Parameters[i], 1e-5f);
        Assert.Equal(1.0, history.Epochs[0].TrainLoss, 12); // the objective's summed loss of one per sample, averaged
    }

    [Fact]
    public void L2_touches_the_weight_blocks_and_not_the_biases_or_parameter_free_layers()
    {
        // Conv2D (10 parameters) → Flatten → Dropout → Dense (18): one SGD step on one batch of 8, by hand.
        const double eta = 0.5, lambda = 0.1;
        var net = new BlockNet();
        float[] before = net.Parameters.ToArray();
        var history = net.Fit(BlockNet.Data(8), new FitOptions<float> { Epochs = 1, BatchSize = 8, LearningRate = eta, L2 = lambda, Optimizer = new Sgd<float>(), Shuffle = false });
        Assert.Equal(1, net.BackwardCalls);
        bool[] isWeight = BlockNet.WeightMask();
        Assert.Equal(8 + 16, isWeight.Count(w => w));
        for (int i = 0; i < before.Length; i++)
        {
            double g = BlockNet.Known(i) + (isWeight[i] ? lambda * before[i] : 0);
            Assert.Equal(before[i] - eta * g, net.Parameters[i], 1e-6);
        }
        // Diagnostics name only the layers with parameters, by their index in the network and their kind.
        var layers = history.Last.Layers;
        Assert.Equal(new[] { (0, LayerKind.Conv2D), (3, LayerKind.Dense) }, layers.Select(l => (l.Layer, l.Kind)).ToArray());
        double convGradient = Math.Sqrt(Enumerable.Range(0, 8).Sum(i => BlockNet.Known(i) * BlockNet.Known(i)));
        Assert.Equal(convGradient, layers[0].GradientNorm, 1e-6); // the weight block only: biases excluded
    }

    [Fact]
    public void AdamW_bound_by_the_loop_decays_the_weight_blocks_only()
    {
        const double eta = 0.1, decay = 0.5;
        var net = new BlockNet { KnownScale = 0 }; // a zero gradient: Adam's own step is zero, only the decay moves parameters
        float[] before = net.Parameters.ToArray();
        net.Fit(BlockNet.Data(8), new FitOptions<float> { Epochs = 1, BatchSize = 8, LearningRate = eta, Optimizer = new AdamW<float>(decay), VanishingGradientRatio = null });
        bool[] isWeight = BlockNet.WeightMask();
        for (int i = 0; i < before.Length; i++)
            Assert.Equal(isWeight[i] ? before[i] * (float)(1 - eta * decay) : before[i], net.Parameters[i]);
    }

    [Fact]
    public void Clipping_is_by_the_global_norm_over_all_blocks()
    {
        var net = new BlockNet();
        float[] before = net.Parameters.ToArray();
        double norm = Math.Sqrt(Enumerable.Range(0, BlockNet.Count).Sum(i => BlockNet.Known(i) * BlockNet.Known(i)));
        var history = net.Fit(BlockNet.Data(8), new FitOptions<float> { Epochs = 1, BatchSize = 8, LearningRate = 1, ClipGradientNorm = norm / 2, Optimizer = new Sgd<float>() });
        Assert.Equal(1, history.Last.ClippedBatches);
        for (int i = 0; i < before.Length; i++)
            Assert.Equal(before[i] - BlockNet.Known(i) / 2, net.Parameters[i], 1e-6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Fit_steps_allocate_nothing_with_regularisation_clipping_and_threads(int threads)
    {
        var net = new MnistNet(1);
        var data = RandomData(net, 64 * 12, 4);
        var deltas = new List<long>(32);
        long last = 0;
        net.Fit(data, new FitOptions<float>
        {
            Epochs = 2, BatchSize = 64, Threads = threads, Optimizer = new AdamW<float>(), L2 = 1e-4, ClipGradientNorm = 1,
            Schedule = LearningRateSchedule.Cosine(0.001, 2).WithWarmup(3),
            OnBatch = b =>
            {
                long now = GC.GetAllocatedBytesForCurrentThread();
                if (b.Batch > 2)
                    deltas.Add(now - last);
                last = GC.GetAllocatedBytesForCurrentThread();
            },
        });
        Assert.Equal(2 * 10, deltas.Count);
        // Tiered JIT may allocate once on a recompilation; nearly every warmed step must allocate nothing.
        Assert.True(deltas.Count(d => d != 0) <= 2, $"allocating steps: {string.Join(", ", deltas.Where(d => d != 0))}");
    }

    [Fact]
    public void Conv2D_weight_blocks_get_He_from_their_fan_in_and_biases_zero()
    {
        // 16 input channels, 5×5 kernels: fan-in 400, 64 × 400 = 25 600 weights.
        var input = Shape.Image(16, 12, 12);
        var conv = new Conv2DLayerInfo(input, 64, 5, 5, 1, 1, 0, 0, 0, 0, Activation.ReLU, 0);
        var info = new NetworkInfo("Conv", Precision.Double, Loss.Quadratic, input, new LayerInfo[] { conv, new FlattenLayerInfo(conv.OutputShape, conv.ParameterCount) });
        var parameters = new double[info.ParameterCount];
        ParameterInitializer.Initialize<double>(info, parameters, seed: 5);
        double[] w = parameters.AsSpan(conv.WeightOffset, conv.WeightCount).ToArray();
        double mean = w.Average(), std = Math.Sqrt(w.Sum(x => (x - mean) * (x - mean)) / w.Length);
        Assert.Equal(Math.Sqrt(2.0 / 400), std, 0.02 * Math.Sqrt(2.0 / 400));
        Assert.Equal(0.0, mean, 0.02 * std);
        Assert.All(parameters.AsSpan(conv.BiasOffset, conv.BiasCount).ToArray(), b => Assert.Equal(0.0, b));
    }

    [Fact]
    public void Default_scheme_reads_the_layers_own_activation_not_a_standalone_activation_after_it()
    {
        // An identity convolution followed by a ReLU layer: Xavier uniform from fan-in 400 and fan-out 64·25 = 1600.
        var input = Shape.Image(16, 12, 12);
        var conv = new Conv2DLayerInfo(input, 64, 5, 5, 1, 1, 0, 0, 0, 0, Activation.Identity, 0);
        var info = new NetworkInfo("Conv", Precision.Double, Loss.Quadratic, input, new LayerInfo[] { conv, new ActivationLayerInfo(conv.OutputShape, Activation.ReLU, conv.ParameterCount) });
        var parameters = new double[info.ParameterCount];
        ParameterInitializer.Initialize<double>(info, parameters, seed: 5);
        double limit = Math.Sqrt(6.0 / (400 + 1600));
        double[] w = parameters.AsSpan(conv.WeightOffset, conv.WeightCount).ToArray();
        Assert.True(w.All(x => Math.Abs(x) <= limit));
        Assert.True(w.Max() > 0.99 * limit);
    }

    [Fact]
    public void Parameter_free_layers_consume_no_draws()
    {
        // Dense → Dropout → Dense draws exactly what Dense → Dense draws.
        var plain = new NetworkInfo("Plain", Precision.Single, Loss.Quadratic, new[] { 6, 5, 3 }, new[] { Activation.ReLU, Activation.Sigmoid });
        var dense0 = new DenseLayerInfo(6, 5, Activation.ReLU, 0);
        var withDropout = new NetworkInfo("Dropout", Precision.Single, Loss.Quadratic, Shape.Vector(6), new LayerInfo[]
        {
            dense0, new DropoutLayerInfo(Shape.Vector(5), 0.5, dense0.ParameterCount), new DenseLayerInfo(5, 3, Activation.Sigmoid, dense0.ParameterCount),
        });
        var a = new float[plain.ParameterCount];
        var b = new float[withDropout.ParameterCount];
        ParameterInitializer.Initialize<float>(plain, a, 7);
        ParameterInitializer.Initialize<float>(withDropout, b, 7);
        Assert.Equal(a, b);
    }

    /// <summary>An objective that ignores the network: a gradient of <c>value</c> everywhere and a loss of one per sample.</summary>
    private sealed class ConstantObjective(float value) : ITrainingObjective<float>
    {
        public int PreparedCapacity { get; private set; }
        public int PreparedThreads { get; private set; }
        public List<int> Counts { get; } = new();

        public void Prepare(INetwork<float> network, int batchCapacity, int threads) => (PreparedCapacity, PreparedThreads) = (batchCapacity, threads);

        public float MeanGradient(INetwork<float> network, TrainingBatch<float> batch, Span<float> gradient)
        {
            Counts.Add(batch.Count);
            gradient.Fill(value);
            return batch.Count;
        }
    }

    /// <summary>
    /// A hand-built network whose <see cref="NetworkInfo"/> has a convolution with parameters and parameter-free
    /// layers: Conv2D 1×3×3 → 2@2×2 (weights 0–7, biases 8–9), Flatten, Dropout, Dense 8 → 2 (weights 10–25,
    /// biases 26–27). Its Backward adds a known per-sample gradient, so every step can be computed by hand.
    /// </summary>
    private sealed class BlockNet : INetwork<float>
    {
        public const int Count = 28;
        private static readonly NetworkInfo Architecture = Build();
        private readonly float[] _parameters = new float[Count];

        public BlockNet() => Initialize(3);

        public float KnownScale { get; init; } = 1;
        public int BackwardCalls { get; private set; }
        public NetworkInfo Info => Architecture;
        public int InputSize => 9;
        public int OutputSize => 2;
        public int ParameterCount => Count;
        public ReadOnlySpan<float> Parameters => _parameters;
        public ParameterEdit<float> EditParameters() => new(_parameters, this);
        public void OnParametersWritten() { }
        public void Initialize(int seed) => ParameterInitializer.Initialize<float>(Info, _parameters, seed);
        public void Forward(ReadOnlySpan<float> input, Span<float> output) => output.Clear();
        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, INetworkWorkspace<float> workspace) => outputs.Clear();
        public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> gradient, Span<float> inputGradient, INetworkWorkspace<float> workspace) => throw new NotSupportedException("not used by this test");
        public void BackwardFromOutputGradient(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradient, Span<float> gradient, Span<float> inputGradient, INetworkWorkspace<float> workspace) => throw new NotSupportedException("not used by this test");
        public INetworkWorkspace<float> CreateWorkspace(int batchCapacity) => new Workspace(batchCapacity);

        public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> gradient, INetworkWorkspace<float> workspace)
        {
            BackwardCalls++;
            int n = inputs.Length / InputSize;
            for (int i = 0; i < Count; i++)
                gradient[i] += n * KnownScale * (float)Known(i);
            return n;
        }

        /// <summary>The per-sample (and so the mean) gradient of parameter <paramref name="i"/>: exact in float.</summary>
        public static double Known(int i) => (i % 7 - 3) / 8.0;

        public static Dataset<float> Data(int count) => new(new float[count * 9], 9, new float[count * 2], 2);

        public static bool[] WeightMask()
        {
            var mask = new bool[Count];
            foreach (var layer in Architecture.Layers)
            {
                foreach (var block in layer.Blocks)
                {
                    if (block.Role == ParameterRole.Weight)
                        mask.AsSpan(block.Offset, block.Count).Fill(true);
                }
            }
            return mask;
        }

        private static NetworkInfo Build()
        {
            var input = Shape.Image(1, 3, 3);
            var conv = new Conv2DLayerInfo(input, 2, 2, 2, 1, 1, 0, 0, 0, 0, Activation.ReLU, 0);
            var flatten = new FlattenLayerInfo(conv.OutputShape, 10);
            var dropout = new DropoutLayerInfo(Shape.Vector(8), 0.5, 10);
            var dense = new DenseLayerInfo(8, 2, Activation.Identity, 10);
            return new NetworkInfo("BlockNet", Precision.Single, Loss.Quadratic, input, new LayerInfo[] { conv, flatten, dropout, dense });
        }

        private sealed class Workspace(int capacity) : INetworkWorkspace<float>
        {
            public int BatchCapacity => capacity;

            public int Threads { get; set; } = 1;
        }
    }
}
