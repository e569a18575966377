namespace StaticNets;

/// <summary>A standalone activation over any shape; softmax normalises each sample's values as one vector.</summary>
public sealed class ActivationLayerInfo : LayerInfo
{
    /// <summary>Describes an activation layer over samples of <paramref name="shape"/>.</summary>
    public ActivationLayerInfo(Shape shape, Activation activation, int parameterOffset)
        : base(shape, shape)
    {
        LayerActivation = activation;
        ParameterOffset = parameterOffset;
    }

    private Activation LayerActivation { get; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Activation;

    /// <inheritdoc />
    public override Activation Activation => LayerActivation;

    /// <inheritdoc />
    protected override string Describe() => $"{Activation}";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other) => other is ActivationLayerInfo;

    /// <inheritdoc />
    protected override int HyperparameterHash() => 0;
}
