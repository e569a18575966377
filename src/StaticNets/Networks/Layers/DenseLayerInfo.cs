namespace StaticNets;

/// <summary>
/// A fully connected layer: z = W·a + b (b optional), a = σ(z). Weights are row-major <c>[out, in]</c>, as
/// <c>nn.Linear</c>. Over a sequence (<c>[steps, in]</c> input, after a recurrent layer that returns sequences) the
/// same weights apply to every step, as <c>nn.Linear</c> and Keras' <c>Dense</c> do on the last axis.
/// </summary>
public sealed class DenseLayerInfo : LayerInfo
{
    /// <summary>Describes a dense layer whose parameters start at <paramref name="parameterOffset"/>.</summary>
    public DenseLayerInfo(int inputs, int outputs, Activation activation, int parameterOffset, bool bias = true)
        : this(Shape.Vector(inputs), outputs, activation, parameterOffset, bias)
    {
    }

    /// <summary>
    /// Describes a dense layer over samples of <paramref name="input"/>: a vector, or <c>[steps, features]</c> for a
    /// layer applied to every step of a sequence.
    /// </summary>
    /// <exception cref="System.ArgumentException"><paramref name="input"/> is neither rank 1 nor rank 2.</exception>
    public DenseLayerInfo(Shape input, int outputs, Activation activation, int parameterOffset, bool bias = true)
        : base(CheckInput(input), input.Rank == 2 ? new Shape(input[0], outputs) : Shape.Vector(outputs), MakeBlocks(input[input.Rank - 1], outputs, parameterOffset, bias))
    {
        LayerActivation = activation;
        HasBias = bias;
        ParameterOffset = parameterOffset;
    }

    private static Shape CheckInput(Shape input)
    {
        System.ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (1 or 2))
            throw new System.ArgumentException($"A dense layer needs a vector or steps × features input but got {input} (rank {input.Rank}); put a Flatten layer before it.", nameof(input));
        return input;
    }

    /// <summary>Time steps the layer is applied to (1 for a vector input).</summary>
    public int Steps => InputShape.Rank == 2 ? InputShape[0] : 1;

    /// <summary>Inputs of one step (<see cref="LayerInfo.Inputs"/> for a vector input).</summary>
    public int Features => InputShape[InputShape.Rank - 1];

    /// <summary>Outputs of one step (<see cref="LayerInfo.Outputs"/> for a vector input).</summary>
    public int Units => OutputShape[OutputShape.Rank - 1];

    private Activation LayerActivation { get; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Dense;

    /// <inheritdoc />
    public override Activation Activation => LayerActivation;

    /// <inheritdoc />
    public override long MultiplyAddsPerSample => (long)Steps * Features * Units;

    /// <summary>Whether the layer adds a bias.</summary>
    public bool HasBias { get; }

    private static ParameterBlock[] MakeBlocks(int inputs, int outputs, int offset, bool bias)
    {
        var weight = new ParameterBlock("weight", new Shape(outputs, inputs), offset, ParameterRole.Weight, inputs, outputs);
        return bias
            ? new[] { weight, new ParameterBlock("bias", Shape.Vector(outputs), checked(offset + weight.Count), ParameterRole.Bias, inputs, outputs) }
            : new[] { weight };
    }

    /// <inheritdoc />
    protected override string Describe() => Steps == 1 ? $"{Outputs}({Activation}{(HasBias ? "" : ", no bias")})" : $"{Units}({Activation}{(HasBias ? "" : ", no bias")}) per step → {OutputShape}";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other) => other is DenseLayerInfo d && d.HasBias == HasBias;

    /// <inheritdoc />
    protected override int HyperparameterHash() => HasBias ? 1 : 0;
}
