using System;
using BenchmarkDotNet.Attributes;
using StaticNets.Benchmarks.Peers;
using StaticNets.Interop;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>LSTM 16 → 16 as a streaming cell: one step per call (RTNeural's benchmark shape).</summary>
[Network(Input = new[] { 1, 16 })]
[Lstm(16)]
public partial class Lstm16;

/// <summary>GRU 16 → 16, one step per call.</summary>
[Network(Input = new[] { 1, 16 })]
[Gru(16)]
public partial class Gru16;

/// <summary>LSTM 128 over 28 steps of 28 features (sequential MNIST), softmax over 10 classes.</summary>
[Network(Input = new[] { 28, 28 }, Loss = Loss.CrossEntropy)]
[Lstm(128)]
[Dense(10, Activation.Softmax)]
public partial class Lstm128Mnist;

/// <summary>Multiply-adds of the recurrent cells.</summary>
public static class RecurrentMacs
{
    /// <summary>One LSTM 16 → 16 step: 4·16·(16 + 16).</summary>
    public const long Lstm16Step = 4 * 16 * 32;

    /// <summary>One GRU 16 → 16 step: 3·16·(16 + 16).</summary>
    public const long Gru16Step = 3 * 16 * 32;

    /// <summary>LSTM 128 over 28 steps of 28 features, and the softmax head: 28·4·128·(28 + 128) + 128·10.</summary>
    public const long Lstm128Forward = 28L * 4 * 128 * (28 + 128) + 128 * 10;

    /// <summary>A training step: forward, the weight gradients and the input deltas of every step (≈ 3× forward).</summary>
    public const long Lstm128Training = 3 * Lstm128Forward;
}

/// <summary>
/// One time step of one stream: StaticNets' <c>Step</c> on a caller-owned state against ONNX Runtime running the
/// model <see cref="OnnxExport.ToBytes{T}"/> writes for a one-step sequence (the state enters as zero; passing it in
/// and out as extra tensors would only add to ONNX Runtime's time).
/// </summary>
public abstract class RecurrentStepCell<TNet> where TNet : IRecurrentNetwork<float>
{
    private OnnxPeer _onnx = null!;
    private RecurrentState<float> _state = null!;
    private readonly float[] _x = BenchData.Inputs(16, seed: 3);
    private readonly float[] _y = new float[16];

    /// <summary>The network every peer mirrors.</summary>
    protected abstract TNet Net { get; }

    /// <summary>Builds the state and the ONNX Runtime session, and checks one step against ONNX Runtime.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _state = Net.CreateState();
        _onnx = new OnnxPeer(OnnxExport.ToBytes(Net), OnnxExport.InputName, new long[] { 1, 1, 16 }, OnnxExport.OutputName, new long[] { 1, 16 });
        _x.CopyTo(_onnx.Input);
        Net.Step(_x, _y, _state);
        _onnx.Run();
        BenchData.Agree($"ONNX Runtime ({typeof(TNet).Name} step)", _y, _onnx.Output);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    [GlobalCleanup]
    public void Cleanup() => _onnx?.Dispose();

    /// <summary>The generated network, one step; the state carries on from call to call.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        Net.Step(_x, _y, _state);
        return _y[0];
    }

    /// <summary>Peer: ONNX Runtime, CPU provider, one thread, a one-step sequence.</summary>
    [Benchmark(Description = "ONNX Runtime")]
    public float OnnxRuntime()
    {
        _onnx.Run();
        return _onnx.Output[0];
    }
}

/// <summary>LSTM 16 → 16, one step.</summary>
[Config(typeof(SuiteConfig)), Work(RecurrentMacs.Lstm16Step, 1, 1)]
public class LstmStep16 : RecurrentStepCell<Lstm16>
{
    /// <inheritdoc />
    protected override Lstm16 Net { get; } = new(seed: 4);
}

/// <summary>GRU 16 → 16, one step.</summary>
[Config(typeof(SuiteConfig)), Work(RecurrentMacs.Gru16Step, 1, 1)]
public class GruStep16 : RecurrentStepCell<Gru16>
{
    /// <inheritdoc />
    protected override Gru16 Net { get; } = new(seed: 4);
}

/// <summary>LSTM 128 over 28 steps, batch 64, forward, against ONNX Runtime on the exported model (its LSTM operator).</summary>
[Config(typeof(SuiteConfig)), Work(RecurrentMacs.Lstm128Forward, 64, 1)]
public class Lstm128Forward64
{
    private const int Batch = 64;
    private readonly Lstm128Mnist _net = new(seed: 5);
    private readonly float[] _x = BenchData.Inputs(Batch * Lstm128Mnist.InputSize, seed: 8);
    private readonly float[] _y = new float[Batch * Lstm128Mnist.OutputSize];
    private INetworkWorkspace<float> _workspace = null!;
    private OnnxPeer _onnx = null!;

    /// <summary>Builds the workspace and the session and checks agreement.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workspace = _net.CreateWorkspace(Batch);
        _workspace.Threads = 1;
        _onnx = new OnnxPeer(OnnxExport.ToBytes(_net), OnnxExport.InputName, new long[] { Batch, 28, 28 }, OnnxExport.OutputName, new long[] { Batch, 10 });
        _x.CopyTo(_onnx.Input);
        _net.Forward(_x, _y, _workspace);
        _onnx.Run();
        BenchData.Agree("ONNX Runtime (LSTM 128 × 28 steps)", _y, _onnx.Output);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    [GlobalCleanup]
    public void Cleanup() => _onnx?.Dispose();

    /// <summary>The generated network, whole sequences.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        _net.Forward(_x, _y, _workspace);
        return _y[0];
    }

    /// <summary>Peer: ONNX Runtime, CPU provider, one thread.</summary>
    [Benchmark(Description = "ONNX Runtime")]
    public float OnnxRuntime()
    {
        _onnx.Run();
        return _onnx.Output[0];
    }
}

/// <summary>LSTM 128 over 28 steps, batch 64, one training step (BPTT + Adam) on one and two threads.</summary>
[Config(typeof(SuiteConfig)), Work(RecurrentMacs.Lstm128Training, 64, 1)]
public class Lstm128Train64 : TrainBatchCell
{
    /// <inheritdoc />
    protected override int Batch => 64;

    /// <inheritdoc />
    protected override INetwork<float> Create() => new Lstm128Mnist(seed: 6);

    /// <inheritdoc />
    protected override TrainerOptions Options => new() { BatchSize = Batch, LearningRate = 0.001, Threads = 1 };

    /// <inheritdoc />
    protected override IOptimizer<float>? CreateOptimizer() => new Adam<float>();
}
