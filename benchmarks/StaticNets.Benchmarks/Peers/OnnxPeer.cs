using System;
using System.Collections.Generic;
using Microsoft.ML.OnnxRuntime;

namespace StaticNets.Benchmarks.Peers;

/// <summary>
/// ONNX Runtime on the CPU execution provider running the same network, one intra-op thread unless told
/// otherwise, with input and output tensors bound once to pinned arrays so a run copies nothing.
/// </summary>
public sealed class OnnxPeer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _input, _output;
    private readonly string[] _inputNames, _outputNames;
    private readonly OrtValue[] _inputs, _outputs;
    private readonly float[] _x, _y;

    /// <summary>Builds the model from StaticNets parameters and binds tensors for batches of <paramref name="batch"/>.</summary>
    public OnnxPeer(int[] sizes, ReadOnlySpan<float> parameters, int batch, int threads = 1)
        : this(OnnxModelBuilder.Build(sizes, parameters), "x", new long[] { batch, sizes[0] }, "y", new long[] { batch, sizes[^1] }, threads)
    {
    }

    /// <summary>
    /// Runs a serialized model (for example <c>StaticNets.Interop.OnnxExport.ToBytes(net)</c>) with one input and one
    /// output, bound to arrays of the given shapes (batch first).
    /// </summary>
    public OnnxPeer(byte[] model, string inputName, long[] inputShape, string outputName, long[] outputShape, int threads = 1)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, options);
        _inputNames = new[] { inputName };
        _outputNames = new[] { outputName };
        _x = new float[Product(inputShape)];
        _y = new float[Product(outputShape)];
        _input = OrtValue.CreateTensorValueFromMemory(_x, inputShape);
        _output = OrtValue.CreateTensorValueFromMemory(_y, outputShape);
        _inputs = new[] { _input };
        _outputs = new[] { _output };
    }

    private static int Product(long[] shape)
    {
        long n = 1;
        foreach (long d in shape)
            n *= d;
        return checked((int)n);
    }

    /// <summary>The bound input buffer; write samples here before <see cref="Run"/>.</summary>
    public Span<float> Input => _x;

    /// <summary>The bound output buffer.</summary>
    public ReadOnlySpan<float> Output => _y;

    /// <summary>Runs the bound batch.</summary>
    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    /// <inheritdoc />
    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
