using System;
using BenchmarkDotNet.Attributes;
using StaticNets.Benchmarks.Peers;
using StaticNets.Interop;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>Multiply-adds per sample of LeNet-5 (conv 6@5×5 pad 2, pool, conv 16@5×5, pool, 400-120-84-10).</summary>
public static class LeNetMacs
{
    /// <summary>conv1 28·28·6·25, conv2 10·10·16·150.</summary>
    public const long Conv1 = 28 * 28 * 6 * 25, Conv2 = 10 * 10 * 16 * 150;

    /// <summary>400·120 + 120·84 + 84·10.</summary>
    public const long Dense = 400 * 120 + 120 * 84 + 84 * 10;

    /// <summary>One forward pass (pooling and activations not counted).</summary>
    public const long Forward = Conv1 + Conv2 + Dense;

    /// <summary>A training step: forward, the weight gradients of every layer, the input deltas of every layer but conv1.</summary>
    public const long Training = 2 * Forward + Conv2 + Dense;
}

/// <summary>
/// LeNet-5 forward against ONNX Runtime (CPU provider, one intra-op thread) running the model that
/// <see cref="OnnxExport.ToBytes{T}"/> writes from the same network, so both hold identical weights; the
/// outputs are checked to agree within 1e-4 before anything is timed.
/// </summary>
public abstract class LeNetForwardCell
{
    private OnnxPeer _onnx = null!;

    /// <summary>The network every peer mirrors.</summary>
    protected LeNet5 Net { get; } = new(seed: 5);

    /// <summary>Samples per operation.</summary>
    protected abstract int Batch { get; }

    /// <summary>The batch of inputs every peer reads (uniform in [0, 1), like scaled pixels).</summary>
    protected float[] Inputs { get; private set; } = null!;

    /// <summary>Runs StaticNets once on <see cref="Inputs"/>; returns its outputs.</summary>
    protected abstract ReadOnlySpan<float> RunStaticNets();

    /// <summary>Builds the inputs and the ONNX Runtime session, and checks that it agrees with StaticNets.</summary>
    protected void SetupPeers()
    {
        Inputs = BenchData.Inputs(Batch * LeNet5.InputSize, seed: 7);
        _onnx = new OnnxPeer(OnnxExport.ToBytes(Net), OnnxExport.InputName, new long[] { Batch, 1, 28, 28 },
            OnnxExport.OutputName, new long[] { Batch, LeNet5.OutputSize });
        Inputs.CopyTo(_onnx.Input);
        float[] expected = RunStaticNets().ToArray();
        _onnx.Run();
        BenchData.Agree("ONNX Runtime (LeNet-5)", expected, _onnx.Output);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    [GlobalCleanup]
    public void Cleanup() => _onnx?.Dispose();

    /// <summary>Peer: ONNX Runtime, CPU provider, one thread.</summary>
    [Benchmark(Description = "ONNX Runtime")]
    public float OnnxRuntime()
    {
        _onnx.Run();
        return _onnx.Output[0];
    }
}

/// <summary>LeNet-5 forward, one sample.</summary>
[Config(typeof(SuiteConfig)), Work(LeNetMacs.Forward, 1, 1)]
public class LeNetForward1 : LeNetForwardCell
{
    private readonly float[] _y = new float[LeNet5.OutputSize];

    /// <inheritdoc />
    protected override int Batch => 1;

    /// <summary>Builds everything and checks agreement.</summary>
    [GlobalSetup]
    public void Setup() => SetupPeers();

    /// <inheritdoc />
    protected override ReadOnlySpan<float> RunStaticNets()
    {
        Net.Forward(Inputs, _y);
        return _y;
    }

    /// <summary>The generated network.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        Net.Forward(Inputs, _y);
        return _y[0];
    }
}

/// <summary>LeNet-5 forward, a batch of 256.</summary>
[Config(typeof(SuiteConfig)), Work(LeNetMacs.Forward, 256, 1)]
public class LeNetForward256 : LeNetForwardCell
{
    private readonly float[] _y = new float[256 * LeNet5.OutputSize];
    private global::StaticNets.INetworkWorkspace<float> _workspace = null!;

    /// <inheritdoc />
    protected override int Batch => 256;

    /// <summary>Builds everything and checks agreement.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workspace = Net.CreateWorkspace(256);
        _workspace.Threads = 1;
        SetupPeers();
    }

    /// <inheritdoc />
    protected override ReadOnlySpan<float> RunStaticNets()
    {
        Net.Forward(Inputs, _y, _workspace);
        return _y;
    }

    /// <summary>The generated network.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        Net.Forward(Inputs, _y, _workspace);
        return _y[0];
    }
}

/// <summary>
/// One SGD step of LeNet-5 (forward, back-propagation, update) on a batch of 32 through
/// <see cref="Trainer{T}.TrainBatch"/>, one and two threads; the two-thread step is checked to give the same
/// weights as the one-thread step before timing. No peer: the ONNX Runtime package does not train.
/// </summary>
[Config(typeof(SuiteConfig)), Work(LeNetMacs.Training, 32, 1)]
public class LeNetTrain32 : TrainBatchCell
{
    /// <inheritdoc />
    protected override int Batch => 32;

    /// <inheritdoc />
    protected override INetwork<float> Create() => new LeNet5(seed: 6);

    /// <inheritdoc />
    protected override TrainerOptions Options => new() { BatchSize = Batch, LearningRate = 0.05, Threads = 1 };
}

/// <summary>
/// One training step through <see cref="Trainer{T}.TrainBatch"/> on one and two threads; the two-thread step is
/// checked to give the same weights as the one-thread step before anything is timed.
/// </summary>
public abstract class TrainBatchCell
{
    private float[] _x = null!, _y = null!;
    private Trainer<float> _trainer1 = null!, _trainer2 = null!;
    private TrainerOptions _one = null!, _two = null!;

    /// <summary>Samples per step.</summary>
    protected abstract int Batch { get; }

    /// <summary>A fresh network, the same one every call (a fixed seed).</summary>
    protected abstract INetwork<float> Create();

    /// <summary>The one-thread options of the step.</summary>
    protected abstract TrainerOptions Options { get; }

    /// <summary>The optimizer of each trainer (null: the trainer's SGD).</summary>
    protected virtual IOptimizer<float>? CreateOptimizer() => null;

    /// <summary>Builds the inputs and trainers and checks one step on two threads against one.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var probe = Create();
        _x = BenchData.Inputs(Batch * probe.InputSize, seed: 11);
        _y = BenchData.Targets(Batch, probe.OutputSize, seed: 12);
        _one = Options;
        _two = _one with { Threads = 2 };
        var reference = Create();
        new Trainer<float>(reference, CreateOptimizer()).TrainBatch(_x, _y, _one);
        var twoThreads = Create();
        new Trainer<float>(twoThreads, CreateOptimizer()).TrainBatch(_x, _y, _two);
        BenchData.Agree($"StaticNets {reference.Info.Name}, 2 threads", reference.Parameters, twoThreads.Parameters, 0);
        _trainer1 = new Trainer<float>(Create(), CreateOptimizer());
        _trainer2 = new Trainer<float>(Create(), CreateOptimizer());
    }

    /// <summary>StaticNets through <see cref="Trainer{T}.TrainBatch"/>, one thread.</summary>
    [Benchmark(Baseline = true, Description = "StaticNets")]
    public float StaticNets() => _trainer1.TrainBatch(_x, _y, _one);

    /// <summary>StaticNets, the batch split over two threads (bit-identical result).</summary>
    [Benchmark(Description = "StaticNets 2 threads")]
    public float StaticNets2() => _trainer2.TrainBatch(_x, _y, _two);
}
