using System;
using BenchmarkDotNet.Attributes;
using StaticNets.Benchmarks.Peers;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>
/// One SGD step (forward, back-propagation, update) on a batch of 32 with cross-entropy over softmax.
/// Every peer starts from the StaticNets weights; one step of each is checked against StaticNets' step
/// before timing (weights within 1e-4).
/// </summary>
public abstract class TrainingCell
{
    /// <summary>Samples per step.</summary>
    protected const int Batch = 32;

    /// <summary>η.</summary>
    protected const float LearningRate = 0.05f;

    private Mlp _mlp = null!;
    private float[] _x = null!, _y = null!;
    private Trainer<float> _trainer1 = null!, _trainer2 = null!;
    private TrainerOptions _one = null!, _two = null!;

    /// <summary>Layer sizes, input first.</summary>
    protected abstract int[] Sizes { get; }

    /// <summary>A fresh StaticNets network with the cell's seed.</summary>
    protected abstract INetwork<float> CreateNetwork();

    /// <summary>Builds the peers, checks one step of each against StaticNets.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _x = BenchData.Inputs(Batch * Sizes[0], seed: 11);
        _y = BenchData.Targets(Batch, Sizes[^1], seed: 12);
        _one = new TrainerOptions { BatchSize = Batch, LearningRate = LearningRate, Threads = 1 };
        _two = _one with { Threads = 2 };

        INetwork<float> reference = CreateNetwork();
        var start = reference.Parameters.ToArray();
        new Trainer<float>(reference).TrainBatch(_x, _y, _one);
        float[] expected = reference.Parameters.ToArray();
        float[] actual = new float[expected.Length];

        var twoThreads = CreateNetwork();
        new Trainer<float>(twoThreads).TrainBatch(_x, _y, _two);
        BenchData.Agree("StaticNets, 2 threads", expected, twoThreads.Parameters);

        var scalar = new Mlp(Sizes, start, Batch);
        scalar.TrainStepScalar(_x, _y, Batch, LearningRate);
        scalar.CopyParameters(actual);
        BenchData.Agree("plain C# training step", expected, actual);

        var primitives = new Mlp(Sizes, start, Batch);
        primitives.TrainStepTensorPrimitives(_x, _y, Batch, LearningRate);
        primitives.CopyParameters(actual);
        BenchData.Agree("TensorPrimitives training step", expected, actual);

        _mlp = new Mlp(Sizes, start, Batch);
        _trainer1 = new Trainer<float>(CreateNetwork());
        _trainer2 = new Trainer<float>(CreateNetwork());
    }

    /// <summary>Peer: plain scalar loops.</summary>
    [Benchmark(Description = "plain C#")]
    public float Scalar()
    {
        _mlp.TrainStepScalar(_x, _y, Batch, LearningRate);
        return _mlp.Output(Batch)[0];
    }

    /// <summary>Peer: TensorPrimitives, one dot or axpy per row.</summary>
    [Benchmark(Description = "TensorPrimitives")]
    public float TensorPrimitives()
    {
        _mlp.TrainStepTensorPrimitives(_x, _y, Batch, LearningRate);
        return _mlp.Output(Batch)[0];
    }

    /// <summary>StaticNets through <see cref="Trainer{T}.TrainBatch"/>, one thread.</summary>
    [Benchmark(Baseline = true, Description = "StaticNets")]
    public float StaticNets() => _trainer1.TrainBatch(_x, _y, _one);

    /// <summary>StaticNets, the batch split over two threads (bit-identical result).</summary>
    [Benchmark(Description = "StaticNets 2 threads")]
    public float StaticNets2() => _trainer2.TrainBatch(_x, _y, _two);
}

/// <summary>N2 784-128-10, one training step on 32 samples.</summary>
[Config(typeof(SuiteConfig)), Work(TrainingMacs.N2, 32, 1)]
public class N2Train32 : TrainingCell
{
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 784, 128, 10 };

    /// <inheritdoc />
    protected override INetwork<float> CreateNetwork() => new N2(seed: 2);
}

/// <summary>N3 784-512-512-10, one training step on 32 samples.</summary>
[Config(typeof(SuiteConfig)), Work(TrainingMacs.N3, 32, 1)]
public class N3Train32 : TrainingCell
{
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 784, 512, 512, 10 };

    /// <inheritdoc />
    protected override INetwork<float> CreateNetwork() => new N3(seed: 3);
}
