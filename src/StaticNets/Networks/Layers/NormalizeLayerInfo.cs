namespace StaticNets;

/// <summary>
/// Standardises each input value: y = (x − mean) · scale, with one mean and one scale per value of the sample
/// (per feature for vectors). Both blocks are statistics fitted from a data set by
/// <see cref="Normalization.Fit{T}(INetwork{T}, Dataset{T}, double)"/>, not trained: they start at
/// mean 0 and scale 1 (the identity), get no gradient, and travel with the parameters (.snet, safetensors, ONNX,
/// baked weights), so an application cannot forget to standardise its inputs.
/// </summary>
public sealed class NormalizeLayerInfo : LayerInfo
{
    /// <summary>Describes standardising samples of <paramref name="shape"/>; its blocks start at <paramref name="parameterOffset"/>.</summary>
    public NormalizeLayerInfo(Shape shape, int parameterOffset)
        : base(shape, shape, MakeBlocks(shape, parameterOffset)) => ParameterOffset = parameterOffset;

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Normalize;

    /// <summary>The <c>mean</c> block, subtracted from the input (shaped as one sample).</summary>
    public ParameterBlock Mean => Blocks[0];

    /// <summary>The <c>scale</c> block, 1/σ per value (shaped as one sample).</summary>
    public ParameterBlock Scale => Blocks[1];

    private static ParameterBlock[] MakeBlocks(Shape shape, int offset)
    {
        System.ArgumentNullException.ThrowIfNull(shape);
        return new[]
        {
            new ParameterBlock("mean", shape, offset, ParameterRole.Shift, 1, 1) { Trainable = false },
            new ParameterBlock("scale", shape, checked(offset + shape.Size), ParameterRole.Scale, 1, 1) { Trainable = false },
        };
    }

    /// <inheritdoc />
    protected override string Describe() => "Normalize";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other) => other is NormalizeLayerInfo;

    /// <inheritdoc />
    protected override int HyperparameterHash() => 7;
}
