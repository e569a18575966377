using System;
using BenchmarkDotNet.Attributes;
using StaticNets.Benchmarks.Peers;

namespace StaticNets.Benchmarks;

/// <summary>
/// A batched forward on two threads: StaticNets (one workspace, <c>Threads = 2</c>) against ONNX Runtime with two
/// intra-op threads, on the same weights (checked to agree), beside both on one thread.
/// </summary>
public abstract class TwoThreadForwardCell
{
    private INetwork<float> _net = null!;
    private INetworkWorkspace<float> _one = null!, _two = null!;
    private OnnxPeer _onnx1 = null!, _onnx2 = null!;
    private float[] _x = null!, _y = null!;

    /// <summary>Layer sizes, input first.</summary>
    protected abstract int[] Sizes { get; }

    /// <summary>The network.</summary>
    protected abstract INetwork<float> CreateNetwork();

    private const int Batch = 256;

    /// <summary>Builds everything and checks that the peers agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _net = CreateNetwork();
        _one = _net.CreateWorkspace(Batch);
        _one.Threads = 1;
        _two = _net.CreateWorkspace(Batch);
        _two.Threads = 2;
        _x = BenchData.Inputs(Batch * Sizes[0], seed: 7);
        _y = new float[Batch * Sizes[^1]];
        _onnx1 = new OnnxPeer(Sizes, _net.Parameters, Batch, threads: 1);
        _onnx2 = new OnnxPeer(Sizes, _net.Parameters, Batch, threads: 2);
        _x.CopyTo(_onnx1.Input);
        _x.CopyTo(_onnx2.Input);
        _net.Forward(_x, _y, _one);
        float[] expected = (float[])_y.Clone();
        _net.Forward(_x, _y, _two);
        BenchData.Agree("StaticNets, 2 threads", expected, _y);
        _onnx1.Run();
        BenchData.Agree("ONNX Runtime, 1 thread", expected, _onnx1.Output);
        _onnx2.Run();
        BenchData.Agree("ONNX Runtime, 2 threads", expected, _onnx2.Output);
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _onnx1?.Dispose();
        _onnx2?.Dispose();
    }

    /// <summary>StaticNets, one thread.</summary>
    [Benchmark(Baseline = true, Description = "StaticNets")]
    public float StaticNets1()
    {
        _net.Forward(_x, _y, _one);
        return _y[0];
    }

    /// <summary>StaticNets, two threads.</summary>
    [Benchmark(Description = "StaticNets 2 threads")]
    public float StaticNets2()
    {
        _net.Forward(_x, _y, _two);
        return _y[0];
    }

    /// <summary>ONNX Runtime, one intra-op thread.</summary>
    [Benchmark(Description = "ONNX Runtime")]
    public float Onnx1()
    {
        _onnx1.Run();
        return _onnx1.Output[0];
    }

    /// <summary>ONNX Runtime, two intra-op threads.</summary>
    [Benchmark(Description = "ONNX Runtime 2 threads")]
    public float Onnx2()
    {
        _onnx2.Run();
        return _onnx2.Output[0];
    }
}

/// <summary>N2 784-128-10 forward, a batch of 256, on one and two threads.</summary>
[Config(typeof(SuiteConfig)), Work(784 * 128 + 128 * 10, 256, 1)]
public class N2Forward256Threads : TwoThreadForwardCell
{
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 784, 128, 10 };

    /// <inheritdoc />
    protected override INetwork<float> CreateNetwork() => new N2(seed: 2);
}

/// <summary>N3 784-512-512-10 forward, a batch of 256, on one and two threads.</summary>
[Config(typeof(SuiteConfig)), Work(784 * 512 + 512 * 512 + 512 * 10, 256, 1)]
public class N3Forward256Threads : TwoThreadForwardCell
{
    /// <inheritdoc />
    protected override int[] Sizes => new[] { 784, 512, 512, 10 };

    /// <inheritdoc />
    protected override INetwork<float> CreateNetwork() => new N3(seed: 3);
}
