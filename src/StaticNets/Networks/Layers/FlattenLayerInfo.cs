namespace StaticNets;

/// <summary>Reshapes a sample into one feature vector. The data does not move: NCHW row-major is already PyTorch's flatten order.</summary>
public sealed class FlattenLayerInfo : LayerInfo
{
    /// <summary>Describes flattening samples of <paramref name="input"/>.</summary>
    public FlattenLayerInfo(Shape input, int parameterOffset)
        : base(input, Shape.Vector(input.Size)) => ParameterOffset = parameterOffset;

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Flatten;

    /// <inheritdoc />
    protected override string Describe() => "Flatten";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other) => other is FlattenLayerInfo;

    /// <inheritdoc />
    protected override int HyperparameterHash() => 0;
}
