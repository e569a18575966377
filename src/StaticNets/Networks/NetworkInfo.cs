using System;
using System.Collections.Generic;
using System.Text;

namespace StaticNets;

/// <summary>The kind of a layer. Later kinds (convolution, pooling, LSTM) are added here.</summary>
public enum LayerKind
{
    /// <summary>Fully connected: z = W·a + b, then an element-wise (or softmax) activation.</summary>
    Dense = 0,
}

/// <summary>One layer of a network and where its parameters sit in the flat parameter span.</summary>
/// <param name="Kind">The layer kind.</param>
/// <param name="Inputs">Number of inputs.</param>
/// <param name="Outputs">Number of outputs.</param>
/// <param name="Activation">The activation applied to the weighted input.</param>
/// <param name="WeightOffset">Index of <c>w[0, 0]</c> in the parameter span.</param>
/// <param name="BiasOffset">Index of <c>b[0]</c> in the parameter span.</param>
public sealed record LayerInfo(LayerKind Kind, int Inputs, int Outputs, Activation Activation, int WeightOffset, int BiasOffset)
{
    /// <summary>Number of weights, <c>Inputs × Outputs</c>.</summary>
    public int WeightCount => Inputs * Outputs;

    /// <summary>Number of parameters of this layer.</summary>
    public int ParameterCount => WeightCount + Outputs;
}

/// <summary>
/// The architecture of a network: what the generator was asked for. Two networks with equal
/// <see cref="NetworkInfo"/> have interchangeable parameter spans.
/// </summary>
public sealed class NetworkInfo : IEquatable<NetworkInfo>
{
    private readonly LayerInfo[] _layers;

    /// <summary>Builds the description of a dense network from its sizes and activations, computing offsets.</summary>
    /// <param name="name">The network's type name (informational; not part of equality).</param>
    /// <param name="precision">Element type.</param>
    /// <param name="loss">Cost function.</param>
    /// <param name="sizes">Input size, then one size per layer.</param>
    /// <param name="activations">One activation per layer.</param>
    public NetworkInfo(string name, Precision precision, Loss loss, ReadOnlySpan<int> sizes, ReadOnlySpan<Activation> activations)
    {
        if (sizes.Length < 2)
            throw new ArgumentException($"A network needs an input size and at least one layer; got {sizes.Length} size(s).", nameof(sizes));
        if (activations.Length != sizes.Length - 1)
            throw new ArgumentException($"Expected {sizes.Length - 1} activations (one per layer) but got {activations.Length}.", nameof(activations));
        Name = name;
        Precision = precision;
        Loss = loss;
        _layers = new LayerInfo[sizes.Length - 1];
        long offset = 0;
        for (int l = 0; l < _layers.Length; l++)
        {
            int inputs = sizes[l], outputs = sizes[l + 1];
            if (inputs < 1 || outputs < 1)
                throw new ArgumentOutOfRangeException(nameof(sizes), $"Every size must be at least 1; size {(inputs < 1 ? l : l + 1)} is {(inputs < 1 ? inputs : outputs)}.");
            long weights = (long)inputs * outputs;
            if (offset + weights + outputs > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(sizes), "The network has more than int.MaxValue parameters.");
            _layers[l] = new LayerInfo(LayerKind.Dense, inputs, outputs, activations[l], (int)offset, (int)(offset + weights));
            offset += weights + outputs;
        }
        ParameterCount = (int)offset;
    }

    /// <summary>The network's type name.</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public Precision Precision { get; }

    /// <summary>Cost function.</summary>
    public Loss Loss { get; }

    /// <summary>The layers, input side first.</summary>
    public IReadOnlyList<LayerInfo> Layers => _layers;

    /// <summary>Number of inputs.</summary>
    public int InputSize => _layers[0].Inputs;

    /// <summary>Number of outputs.</summary>
    public int OutputSize => _layers[^1].Outputs;

    /// <summary>Total number of parameters.</summary>
    public int ParameterCount { get; }

    /// <summary>A one-line description such as <c>64-32(ReLU)-10(Softmax), CrossEntropy, Single</c>; used in error messages.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(InputSize);
        foreach (var layer in _layers)
            sb.Append('-').Append(layer.Outputs).Append('(').Append(layer.Activation).Append(')');
        return sb.Append(", ").Append(Loss).Append(", ").Append(Precision).ToString();
    }

    /// <inheritdoc />
    public bool Equals(NetworkInfo? other)
    {
        if (other is null || other.Precision != Precision || other.Loss != Loss || other._layers.Length != _layers.Length)
            return false;
        for (int i = 0; i < _layers.Length; i++)
        {
            LayerInfo a = _layers[i], b = other._layers[i];
            if (a.Kind != b.Kind || a.Inputs != b.Inputs || a.Outputs != b.Outputs || a.Activation != b.Activation)
                return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NetworkInfo);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Precision);
        hash.Add(Loss);
        foreach (var layer in _layers)
        {
            hash.Add(layer.Kind);
            hash.Add(layer.Inputs);
            hash.Add(layer.Outputs);
            hash.Add(layer.Activation);
        }
        return hash.ToHashCode();
    }
}
