using System;
using BenchmarkDotNet.Attributes;
using StaticNets.Benchmarks.Peers;

namespace StaticNets.Benchmarks;

/// <summary>
/// The peers of one forward cell: plain C#, TensorPrimitives and ONNX Runtime, all holding the weights of
/// the StaticNets network built by the derived class, checked to agree with it before anything is timed.
/// </summary>
public abstract class ForwardCell
{
    private Mlp _mlp = null!;
    private OnnxPeer _onnx = null!;
    private float[] _x = null!;

    /// <summary>Samples per operation.</summary>
    protected abstract int Batch { get; }

    /// <summary>Layer sizes, input first.</summary>
    protected abstract int[] Sizes { get; }

    /// <summary>The StaticNets network's parameters, after the derived class built it.</summary>
    protected abstract ReadOnlySpan<float> Parameters { get; }

    /// <summary>Runs StaticNets once on <see cref="Inputs"/>; returns its outputs.</summary>
    protected abstract ReadOnlySpan<float> RunStaticNets();

    /// <summary>The batch of inputs every peer reads.</summary>
    protected float[] Inputs => _x;

    /// <summary>Builds the network (derived class), then the peers, and checks that all agree.</summary>
    protected void SetupPeers()
    {
        _x = BenchData.Inputs(Batch * Sizes[0], seed: 7);
        _mlp = new Mlp(Sizes, Parameters, Batch);
        _onnx = new OnnxPeer(Sizes, Parameters, Batch);
        _x.CopyTo(_onnx.Input);

        float[] expected = RunStaticNets().ToArray();
        _mlp.ForwardScalar(_x, Batch);
        BenchData.Agree("plain C#", expected, _mlp.Output(Batch));
        _mlp.ForwardTensorPrimitives(_x, Batch);
        BenchData.Agree("TensorPrimitives", expected, _mlp.Output(Batch));
        _onnx.Run();
        BenchData.Agree("ONNX Runtime", expected, _onnx.Output);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    [GlobalCleanup]
    public void Cleanup() => _onnx?.Dispose();

    /// <summary>Peer: plain scalar loops.</summary>
    [Benchmark(Description = "plain C#")]
    public float Scalar()
    {
        _mlp.ForwardScalar(_x, Batch);
        return _mlp.Output(Batch)[0];
    }

    /// <summary>Peer: TensorPrimitives, one Dot per weight row.</summary>
    [Benchmark(Description = "TensorPrimitives")]
    public float TensorPrimitives()
    {
        _mlp.ForwardTensorPrimitives(_x, Batch);
        return _mlp.Output(Batch)[0];
    }

    /// <summary>Peer: ONNX Runtime, CPU provider, one thread.</summary>
    [Benchmark(Description = "ONNX Runtime")]
    public float OnnxRuntime()
    {
        _onnx.Run();
        return _onnx.Output[0];
    }
}

/// <summary>N1 8-32-32-4 forward, one sample.</summary>
[Config(typeof(SuiteConfig)), Work(8 * 32 + 32 * 32 + 32 * 4, 1, 1)]
public class N1Forward1 : ForwardCell
{
    private readonly N1 _net = new(seed: 1);
    private readonly float[] _y = new float[N1.OutputSize];

    /// <inheritdoc />
    protected override int Batch => 1;
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 8, 32, 32, 4 };
    /// <inheritdoc />
    protected override ReadOnlySpan<float> Parameters => _net.Parameters;

    /// <summary>Builds everything and checks agreement.</summary>
    [GlobalSetup]
    public void Setup() => SetupPeers();

    /// <inheritdoc />
    protected override ReadOnlySpan<float> RunStaticNets()
    {
        _net.Forward(Inputs, _y);
        return _y;
    }

    /// <summary>The generated network.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        _net.Forward(Inputs, _y);
        return _y[0];
    }
}

/// <summary>N1 8-32-32-4 forward, a batch of 256 (many small agents at once).</summary>
[Config(typeof(SuiteConfig)), Work(8 * 32 + 32 * 32 + 32 * 4, 256, 1)]
public class N1Forward256 : ForwardCell
{
    private readonly N1 _net = new(seed: 1);
    private readonly float[] _y = new float[256 * N1.OutputSize];
    private global::StaticNets.INetworkWorkspace<float> _workspace = null!;

    /// <inheritdoc />
    protected override int Batch => 256;
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 8, 32, 32, 4 };
    /// <inheritdoc />
    protected override ReadOnlySpan<float> Parameters => _net.Parameters;

    /// <summary>Builds everything and checks agreement.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workspace = _net.CreateWorkspace(256);
        SetupPeers();
    }

    /// <inheritdoc />
    protected override ReadOnlySpan<float> RunStaticNets()
    {
        _net.Forward(Inputs, _y, _workspace);
        return _y;
    }

    /// <summary>The generated network.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        _net.Forward(Inputs, _y, _workspace);
        return _y[0];
    }
}

/// <summary>N2 784-128-10 forward, one sample.</summary>
[Config(typeof(SuiteConfig)), Work(784 * 128 + 128 * 10, 1, 1)]
public class N2Forward1 : ForwardCell
{
    private readonly N2 _net = new(seed: 2);
    private readonly float[] _y = new float[N2.OutputSize];

    /// <inheritdoc />
    protected override int Batch => 1;
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 784, 128, 10 };
    /// <inheritdoc />
    protected override ReadOnlySpan<float> Parameters => _net.Parameters;

    /// <summary>Builds everything and checks agreement.</summary>
    [GlobalSetup]
    public void Setup() => SetupPeers();

    /// <inheritdoc />
    protected override ReadOnlySpan<float> RunStaticNets()
    {
        _net.Forward(Inputs, _y);
        return _y;
    }

    /// <summary>The generated network.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        _net.Forward(Inputs, _y);
        return _y[0];
    }
}

/// <summary>N2 784-128-10 forward, a batch of 256.</summary>
[Config(typeof(SuiteConfig)), Work(784 * 128 + 128 * 10, 256, 1)]
public class N2Forward256 : ForwardCell
{
    private readonly N2 _net = new(seed: 2);
    private readonly float[] _y = new float[256 * N2.OutputSize];
    private global::StaticNets.INetworkWorkspace<float> _workspace = null!;

    /// <inheritdoc />
    protected override int Batch => 256;
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 784, 128, 10 };
    /// <inheritdoc />
    protected override ReadOnlySpan<float> Parameters => _net.Parameters;

    /// <summary>Builds everything and checks agreement.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workspace = _net.CreateWorkspace(256);
        _workspace.Threads = 1; // the one-thread cell: two threads are ForwardCells.Threads.cs
        SetupPeers();
    }

    /// <inheritdoc />
    protected override ReadOnlySpan<float> RunStaticNets()
    {
        _net.Forward(Inputs, _y, _workspace);
        return _y;
    }

    /// <summary>The generated network.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        _net.Forward(Inputs, _y, _workspace);
        return _y[0];
    }
}

/// <summary>N3 784-512-512-10 forward, a batch of 256.</summary>
[Config(typeof(SuiteConfig)), Work(784 * 512 + 512 * 512 + 512 * 10, 256, 1)]
public class N3Forward256 : ForwardCell
{
    private readonly N3 _net = new(seed: 3);
    private readonly float[] _y = new float[256 * N3.OutputSize];
    private global::StaticNets.INetworkWorkspace<float> _workspace = null!;

    /// <inheritdoc />
    protected override int Batch => 256;
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 784, 512, 512, 10 };
    /// <inheritdoc />
    protected override ReadOnlySpan<float> Parameters => _net.Parameters;

    /// <summary>Builds everything and checks agreement.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workspace = _net.CreateWorkspace(256);
        _workspace.Threads = 1; // the one-thread cell: two threads are ForwardCells.Threads.cs
        SetupPeers();
    }

    /// <inheritdoc />
    protected override ReadOnlySpan<float> RunStaticNets()
    {
        _net.Forward(Inputs, _y, _workspace);
        return _y;
    }

    /// <summary>The generated network.</summary>
    [Benchmark(Baseline = true)]
    public float StaticNets()
    {
        _net.Forward(Inputs, _y, _workspace);
        return _y[0];
    }
}
