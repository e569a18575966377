using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace StaticNets.Tests.Networks;

/// <summary>Builds a <see cref="NetworkInfo"/> layer by layer, chaining shapes and parameter offsets.</summary>
internal sealed class LayerStack
{
    private readonly List<LayerInfo> _layers = new();
    private readonly Shape _input;
    private Shape _current;
    private int _offset;

    public LayerStack(Shape input) => _input = _current = input;

    public LayerStack(int channels, int height, int width) : this(Shape.Image(channels, height, width)) { }

    private LayerStack Add(LayerInfo layer)
    {
        _layers.Add(layer);
        _current = layer.OutputShape;
        _offset += layer.ParameterCount;
        return this;
    }

    public LayerStack Conv(int filters, int kh, int kw, Activation activation, int strideY = 1, int strideX = 1,
        int top = 0, int left = 0, int bottom = 0, int right = 0, bool bias = true)
        => Add(new Conv2DLayerInfo(_current, filters, kh, kw, strideY, strideX, top, left, bottom, right, activation, _offset, bias));

    public LayerStack MaxPool(int wh, int ww, int sy, int sx) => Add(new MaxPool2DLayerInfo(_current, wh, ww, sy, sx, _offset));

    public LayerStack AvgPool(int wh, int ww, int sy, int sx) => Add(new AvgPool2DLayerInfo(_current, wh, ww, sy, sx, _offset));

    public LayerStack Flatten() => Add(new FlattenLayerInfo(_current, _offset));

    public LayerStack Dense(int outputs, Activation activation, bool bias = true) => Add(new DenseLayerInfo(_current.Size, outputs, activation, _offset, bias));

    public LayerStack Activate(Activation activation) => Add(new ActivationLayerInfo(_current, activation, _offset));

    public LayerStack Dropout(double rate) => Add(new DropoutLayerInfo(_current, rate, _offset));

    public NetworkInfo Build(string name, Precision precision, Loss loss = Loss.Quadratic) => new(name, precision, loss, _input, _layers);
}

/// <summary>
/// A test-side <see cref="INetwork{T}"/> over any <see cref="NetworkInfo"/> whose forward pass is
/// <see cref="ReferenceCnn"/>: exporters and importers can be checked on CNNs without generated code.
/// </summary>
internal sealed class ReferenceCnnNetwork<T> : INetwork<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _parameters;

    public ReferenceCnnNetwork(NetworkInfo info, int seed = 0)
    {
        Info = info;
        _parameters = new T[info.ParameterCount];
        Initialize(seed);
    }

    public NetworkInfo Info { get; }
    public int InputSize => Info.InputSize;
    public int OutputSize => Info.OutputSize;
    public int ParameterCount => Info.ParameterCount;
    public ReadOnlySpan<T> Parameters => _parameters;
    public ParameterEdit<T> EditParameters() => new(_parameters, this);
    public void OnParametersWritten() { }

    /// <summary>Uniform values in ±1/√fan-in, so activations stay in the range where every activation bends.</summary>
    public void Initialize(int seed)
    {
        var rng = new Random(seed);
        foreach (var layer in Info.Layers)
        {
            foreach (var block in layer.Blocks)
            {
                double scale = 1.5 / Math.Sqrt(block.FanIn);
                for (int i = 0; i < block.Count; i++)
                    _parameters[block.Offset + i] = T.CreateTruncating(scale * (2 * rng.NextDouble() - 1));
            }
        }
    }

    public double[] ParametersAsDouble() => _parameters.Select(double.CreateChecked).ToArray();

    public void Forward(ReadOnlySpan<T> input, Span<T> output)
    {
        var x = new double[input.Length];
        for (int i = 0; i < x.Length; i++)
            x[i] = double.CreateChecked(input[i]);
        var y = ReferenceCnn.Forward(Info, ParametersAsDouble(), x);
        for (int i = 0; i < y.Length; i++)
            output[i] = T.CreateChecked(y[i]);
    }

    public void Forward(ReadOnlySpan<T> inputs, Span<T> outputs, INetworkWorkspace<T> workspace)
    {
        for (int s = 0; s < inputs.Length / InputSize; s++)
            Forward(inputs.Slice(s * InputSize, InputSize), outputs.Slice(s * OutputSize, OutputSize));
    }

    public T Backward(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> gradient, INetworkWorkspace<T> workspace)
        => throw new NotSupportedException("The reference CNN network only runs forward.");

    public T Backward(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> gradient, Span<T> inputGradient, INetworkWorkspace<T> workspace) => throw new NotSupportedException("not used by this test");

    public void BackwardFromOutputGradient(ReadOnlySpan<T> inputs, ReadOnlySpan<T> outputGradient, Span<T> gradient, Span<T> inputGradient, INetworkWorkspace<T> workspace) => throw new NotSupportedException("not used by this test");

    public INetworkWorkspace<T> CreateWorkspace(int batchCapacity) => new Workspace(batchCapacity);

    private sealed record Workspace(int BatchCapacity) : INetworkWorkspace<T>
    {
        public int Threads { get; set; } = 1;
    }
}
