using System;
using System.Collections.Generic;

namespace StaticNets;

/// <summary>The kind of a layer. The numeric values are stored in <c>.snet</c> files: never renumber.</summary>
public enum LayerKind
{
    /// <summary>Fully connected: z = W·a + b, then an element-wise (or softmax) activation.</summary>
    Dense = 0,
    /// <summary>A standalone activation (softmax included) over any shape.</summary>
    Activation = 1,
    /// <summary>2-D convolution over channels × height × width, then an activation.</summary>
    Conv2D = 2,
    /// <summary>2-D max pooling, per channel.</summary>
    MaxPool2D = 3,
    /// <summary>2-D average pooling, per channel.</summary>
    AvgPool2D = 4,
    /// <summary>Reshapes channels × height × width into one feature vector (row-major, PyTorch's order).</summary>
    Flatten = 5,
    /// <summary>Inverted dropout while training; the identity at inference.</summary>
    Dropout = 6,
    /// <summary>Per-value standardisation (x − mean) · scale with fitted, non-trainable statistics.</summary>
    Normalize = 7,
    /// <summary>Long short-term memory over a sequence (PyTorch's <c>nn.LSTM</c> gates i, f, g, o).</summary>
    Lstm = 8,
    /// <summary>Gated recurrent unit over a sequence (PyTorch's <c>nn.GRU</c> gates r, z, n).</summary>
    Gru = 9,
    /// <summary>Fully connected with tied weights: z = Wᵀ·a + b, where W is an earlier dense layer's weight block (an autoencoder's decoder); only b is its own.</summary>
    TiedDense = 10,
}

/// <summary>
/// One layer of a network: its kind, the shape of one sample before and after it, and the blocks of the flat
/// parameter span it owns. Each kind is its own sealed class with its hyperparameters.
/// </summary>
public abstract class LayerInfo : IEquatable<LayerInfo>
{
    private readonly ParameterBlock[] _blocks;

    /// <summary>Sets the shapes and parameter blocks every layer has.</summary>
    protected LayerInfo(Shape inputShape, Shape outputShape, params ParameterBlock[] blocks)
    {
        InputShape = inputShape ?? throw new ArgumentNullException(nameof(inputShape));
        OutputShape = outputShape ?? throw new ArgumentNullException(nameof(outputShape));
        _blocks = blocks ?? Array.Empty<ParameterBlock>();
        for (int i = 1; i < _blocks.Length; i++)
        {
            if (_blocks[i].Offset != _blocks[i - 1].Offset + _blocks[i - 1].Count)
                throw new ArgumentException($"Parameter block '{_blocks[i].Name}' must start right after '{_blocks[i - 1].Name}' (at {_blocks[i - 1].Offset + _blocks[i - 1].Count}) but starts at {_blocks[i].Offset}.", nameof(blocks));
        }
    }

    /// <summary>The layer kind.</summary>
    public abstract LayerKind Kind { get; }

    /// <summary>Shape of one sample entering the layer.</summary>
    public Shape InputShape { get; }

    /// <summary>Shape of one sample leaving the layer.</summary>
    public Shape OutputShape { get; }

    /// <summary>Number of input values of one sample.</summary>
    public int Inputs => InputShape.Size;

    /// <summary>Number of output values of one sample.</summary>
    public int Outputs => OutputShape.Size;

    /// <summary>The activation the layer applies (<see cref="Activation.Identity"/> for layers without one).</summary>
    public virtual Activation Activation => Activation.Identity;

    /// <summary>The layer's parameter blocks in the order they sit in the parameter span (empty for parameter-free layers).</summary>
    public IReadOnlyList<ParameterBlock> Blocks => _blocks;

    /// <summary>The weight block, or null for layers without weights.</summary>
    public ParameterBlock? Weights => Find(ParameterRole.Weight);

    /// <summary>The bias block, or null for layers without biases.</summary>
    public ParameterBlock? Biases => Find(ParameterRole.Bias);

    /// <summary>Index of the layer's first parameter in the span (where it would start, for parameter-free layers).</summary>
    public int ParameterOffset { get; internal set; }

    /// <summary>Number of parameters the layer owns.</summary>
    public int ParameterCount
    {
        get
        {
            int count = 0;
            foreach (var block in _blocks)
                count += block.Count;
            return count;
        }
    }

    /// <summary>Index of the weight block's first element (<see cref="ParameterOffset"/> when there is none).</summary>
    public int WeightOffset => Weights?.Offset ?? ParameterOffset;

    /// <summary>Number of weights (0 when the layer has none).</summary>
    public int WeightCount => Weights?.Count ?? 0;

    /// <summary>Index of the bias block's first element (the end of the weights when there is none).</summary>
    public int BiasOffset => Biases?.Offset ?? WeightOffset + WeightCount;

    /// <summary>Number of biases (0 when the layer has none).</summary>
    public int BiasCount => Biases?.Count ?? 0;

    /// <summary>
    /// Multiply-adds (or comparable element operations) of one sample's forward pass: what a layer costs, as
    /// opposed to what it stores — a convolution reuses each weight at every output position.
    /// </summary>
    public virtual long MultiplyAddsPerSample => Outputs;

    /// <summary>A short description such as <c>Conv2D 6@5×5 s1 p2, ReLU → 6×28×28</c>.</summary>
    public override string ToString() => Describe();

    /// <summary>The layer's part of <see cref="NetworkInfo.ToString"/>.</summary>
    protected abstract string Describe();

    /// <summary>Whether <paramref name="other"/> has the same kind-specific hyperparameters (shapes and blocks are compared by the caller).</summary>
    protected abstract bool SameHyperparameters(LayerInfo other);

    /// <summary>Hash of the kind-specific hyperparameters.</summary>
    protected abstract int HyperparameterHash();

    /// <summary>Same kind, shapes, activation, blocks and hyperparameters.</summary>
    public bool Equals(LayerInfo? other)
    {
        if (other is null || other.Kind != Kind || other.Activation != Activation || !other.InputShape.Equals(InputShape) || !other.OutputShape.Equals(OutputShape) || other._blocks.Length != _blocks.Length)
            return false;
        for (int i = 0; i < _blocks.Length; i++)
        {
            if (other._blocks[i] != _blocks[i])
                return false;
        }
        return SameHyperparameters(other);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LayerInfo);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Activation, InputShape, OutputShape, _blocks.Length, HyperparameterHash());

    private ParameterBlock? Find(ParameterRole role)
    {
        foreach (var block in _blocks)
        {
            if (block.Role == role)
                return block;
        }
        return null;
    }
}
