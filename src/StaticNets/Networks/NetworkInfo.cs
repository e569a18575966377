using System;
using System.Collections.Generic;
using System.Text;

namespace StaticNets;

/// <summary>
/// The architecture of a network: what the generator was asked for — the input shape, each layer with its
/// shapes and parameter blocks, the loss and the precision. Two networks with equal <see cref="NetworkInfo"/>
/// have interchangeable parameter spans.
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
        : this(name, precision, loss, DenseInput(sizes), DenseLayers(sizes, activations))
    {
    }

    /// <summary>Describes a network of any layer kinds; checks that shapes chain and blocks tile the parameter span from 0.</summary>
    /// <param name="name">The network's type name (informational; not part of equality).</param>
    /// <param name="precision">Element type.</param>
    /// <param name="loss">Cost function.</param>
    /// <param name="inputShape">Shape of one input sample.</param>
    /// <param name="layers">The layers, input side first.</param>
    /// <exception cref="ArgumentException">No layers, a layer's input shape differs from the previous output, or parameter blocks leave gaps or overlap.</exception>
    public NetworkInfo(string name, Precision precision, Loss loss, Shape inputShape, IReadOnlyList<LayerInfo> layers)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0)
            throw new ArgumentException("A network needs at least one layer.", nameof(layers));
        Name = name;
        Precision = precision;
        Loss = loss;
        InputShape = inputShape;
        _layers = new LayerInfo[layers.Count];
        Shape current = inputShape;
        long offset = 0;
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = layers[l] ?? throw new ArgumentNullException(nameof(layers), $"Layer {l} is null.");
            if (!layer.InputShape.Equals(current))
                throw new ArgumentException($"Layer {l} ({layer.Kind}) expects input {layer.InputShape} but the layer before it gives {current}.", nameof(layers));
            if (layer.ParameterOffset != offset)
                throw new ArgumentException($"Layer {l} ({layer.Kind}) has its parameters at {layer.ParameterOffset} but the layers before it end at {offset}.", nameof(layers));
            if (layer is TiedDenseLayerInfo tied)
                CheckTie(l, tied);
            offset += layer.ParameterCount;
            if (offset > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(layers), "The network has more than int.MaxValue parameters.");
            _layers[l] = layer;
            current = layer.OutputShape;
        }
        ParameterCount = (int)offset;
    }

    /// <summary>A tied layer names an earlier, untied dense layer over vectors whose [out, in] weights it can read transposed.</summary>
    private void CheckTie(int l, TiedDenseLayerInfo tied)
    {
        if (tied.TiedTo >= l)
            throw new ArgumentException($"Layer {l} (TiedDense) is tied to layer {tied.TiedTo}; expected an earlier layer (index below {l}).", "layers");
        if (_layers[tied.TiedTo] is not DenseLayerInfo { Steps: 1 } dense)
            throw new ArgumentException($"Layer {l} (TiedDense) is tied to layer {tied.TiedTo}, a {_layers[tied.TiedTo].Kind} layer; expected a dense layer over vectors.", "layers");
        if (dense.Units != tied.Inputs || dense.Features != tied.Outputs)
            throw new ArgumentException(
                $"Layer {l} (TiedDense, {tied.Inputs} → {tied.Outputs}) is tied to layer {tied.TiedTo} (dense {dense.Features} → {dense.Units}); expected {dense.Units} inputs and {dense.Features} outputs, the transpose of its weights.", "layers");
    }

    /// <summary>The network's type name.</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public Precision Precision { get; }

    /// <summary>Cost function.</summary>
    public Loss Loss { get; }

    /// <summary>The layers, input side first.</summary>
    public IReadOnlyList<LayerInfo> Layers => _layers;

    /// <summary>Shape of one input sample.</summary>
    public Shape InputShape { get; }

    /// <summary>Shape of one output sample.</summary>
    public Shape OutputShape => _layers[^1].OutputShape;

    /// <summary>Number of inputs of one sample.</summary>
    public int InputSize => InputShape.Size;

    /// <summary>Number of outputs of one sample.</summary>
    public int OutputSize => OutputShape.Size;

    /// <summary>Total number of parameters.</summary>
    public int ParameterCount { get; }

    /// <summary>Multiply-adds of one sample's forward pass over every layer (what decides whether threads pay off).</summary>
    public long MultiplyAddsPerSample
    {
        get
        {
            long total = 0;
            foreach (var layer in _layers)
                total += layer.MultiplyAddsPerSample;
            return total;
        }
    }

    /// <summary>Whether every layer is dense (the architecture version 1 of the <c>.snet</c> format can hold).</summary>
    public bool IsDenseOnly
    {
        get
        {
            foreach (var layer in _layers)
            {
                if (layer is not DenseLayerInfo { HasBias: true })
                    return false;
            }
            return InputShape.Rank == 1;
        }
    }

    /// <summary>
    /// A one-line description used in error messages: <c>64-32(ReLU)-10(Softmax), CrossEntropy, Single</c> for
    /// dense networks, the input shape and each layer for the others.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(InputShape);
        foreach (var layer in _layers)
            sb.Append(layer is DenseLayerInfo ? "-" : " → ").Append(layer);
        return sb.Append(", ").Append(Loss).Append(", ").Append(Precision).ToString();
    }

    /// <inheritdoc />
    public bool Equals(NetworkInfo? other)
    {
        if (other is null || other.Precision != Precision || other.Loss != Loss || other._layers.Length != _layers.Length || !other.InputShape.Equals(InputShape))
            return false;
        for (int i = 0; i < _layers.Length; i++)
        {
            if (!_layers[i].Equals(other._layers[i]))
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
        hash.Add(InputShape);
        foreach (var layer in _layers)
            hash.Add(layer);
        return hash.ToHashCode();
    }

    private static Shape DenseInput(ReadOnlySpan<int> sizes)
    {
        if (sizes.Length < 2)
            throw new ArgumentException($"A network needs an input size and at least one layer; got {sizes.Length} size(s).", nameof(sizes));
        if (sizes[0] < 1)
            throw new ArgumentOutOfRangeException(nameof(sizes), $"Every size must be at least 1; size 0 is {sizes[0]}.");
        return Shape.Vector(sizes[0]);
    }

    private static LayerInfo[] DenseLayers(ReadOnlySpan<int> sizes, ReadOnlySpan<Activation> activations)
    {
        if (activations.Length != sizes.Length - 1)
            throw new ArgumentException($"Expected {sizes.Length - 1} activations (one per layer) but got {activations.Length}.", nameof(activations));
        var layers = new LayerInfo[sizes.Length - 1];
        long offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            int inputs = sizes[l], outputs = sizes[l + 1];
            if (inputs < 1 || outputs < 1)
                throw new ArgumentOutOfRangeException(nameof(sizes), $"Every size must be at least 1; size {(inputs < 1 ? l : l + 1)} is {(inputs < 1 ? inputs : outputs)}.");
            long count = (long)inputs * outputs + outputs;
            if (offset + count > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(sizes), "The network has more than int.MaxValue parameters.");
            layers[l] = new DenseLayerInfo(inputs, outputs, activations[l], (int)offset);
            offset += count;
        }
        return layers;
    }
}
