namespace StaticNets;

/// <summary>A fully connected layer: z = W·a + b (b optional), a = σ(z). Weights are row-major <c>[out, in]</c>, as <c>nn.Linear</c>.</summary>
public sealed class DenseLayerInfo : LayerInfo
{
    /// <summary>Describes a dense layer whose parameters start at <paramref name="parameterOffset"/>.</summary>
    public DenseLayerInfo(int inputs, int outputs, Activation activation, int parameterOffset, bool bias = true)
        : base(Shape.Vector(inputs), Shape.Vector(outputs), MakeBlocks(inputs, outputs, parameterOffset, bias))
    {
        LayerActivation = activation;
        HasBias = bias;
        ParameterOffset = parameterOffset;
    }

    private Activation LayerActivation { get; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Dense;

    /// <inheritdoc />
    public override Activation Activation => LayerActivation;

    /// <inheritdoc />
    public override long MultiplyAddsPerSample => (long)Inputs * Outputs;

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
    protected override string Describe() => $"{Outputs}({Activation}{(HasBias ? "" : ", no bias")})";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other) => other is DenseLayerInfo d && d.HasBias == HasBias;

    /// <inheritdoc />
    protected override int HyperparameterHash() => HasBias ? 1 : 0;
}
