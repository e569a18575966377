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
    private float[] _x = null!, _y = null!, _start = null!;
    private INetwork<float> _net1 = null!, _net2 = null!;
    private Trainer<float> _trainer1 = null!, _trainer2 = null!;
    private int _scalarSteps, _primitiveSteps, _steps1, _steps2;

    // Every cell trains one batch over and over. Left alone, tens of thousands of steps in a run drive the softmax
    // towards 0 and 1 until outputs and gradients turn subnormal, and a step becomes several times slower (the
    // train-drift mode shows the minimum output falling by 10³ in three seconds); how far a run got then decided
    // the timing. Each peer starts again from the first weights every this many steps, so all measure steps on
    // weights a few hundred updates from their start; the copy costs under 0.5 % of the steps it serves.
    private const int StepsPerRestart = 256;
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

        _start = start;
        _mlp = new Mlp(Sizes, start, Batch);
        _net1 = CreateNetwork();
        _net2 = CreateNetwork();
        _trainer1 = new Trainer<float>(_net1);
        _trainer2 = new Trainer<float>(_net2);
    }

    private void Restart(ref int steps, INetwork<float>? net)
    {
        if (++steps < StepsPerRestart)
            return;
        steps = 0;
        if (net is null)
        {
            _mlp.LoadParameters(_start);
            return;
        }
        using var edit = net.EditParameters();
        _start.CopyTo(edit.Span);
    }

    /// <summary>Peer: plain scalar loops.</summary>
    [Benchmark(Description = "plain C#")]
    public float Scalar()
    {
        Restart(ref _scalarSteps, null);
        _mlp.TrainStepScalar(_x, _y, Batch, LearningRate);
        return _mlp.Output(Batch)[0];
    }

    /// <summary>Peer: TensorPrimitives, one dot or axpy per row.</summary>
    [Benchmark(Description = "TensorPrimitives")]
    public float TensorPrimitives()
    {
        Restart(ref _primitiveSteps, null);
        _mlp.TrainStepTensorPrimitives(_x, _y, Batch, LearningRate);
        return _mlp.Output(Batch)[0];
    }

    /// <summary>StaticNets through <see cref="Trainer{T}.TrainBatch"/>, one thread.</summary>
    [Benchmark(Baseline = true, Description = "StaticNets")]
    public float StaticNets()
    {
        Restart(ref _steps1, _net1);
        return _trainer1.TrainBatch(_x, _y, _one);
    }

    /// <summary>StaticNets, the batch split over two threads (bit-identical result).</summary>
    [Benchmark(Description = "StaticNets 2 threads")]
    public float StaticNets2()
    {
        Restart(ref _steps2, _net2);
        return _trainer2.TrainBatch(_x, _y, _two);
    }
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
