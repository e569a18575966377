namespace StaticNets.Generator.Model;

/// <summary>
/// A dense layer with tied weights: z = Wᵀ·a + b, where W is the <c>[InputCount, OutputCount]</c> weight block of the
/// earlier dense layer <see cref="TiedLayer"/> (its outputs are this layer's inputs and vice versa). Only the bias is
/// this layer's own block; its weight gradient is added into the tied layer's block.
/// </summary>
/// <param name="TiedLayer">Index of the dense layer whose weights it uses.</param>
/// <param name="TiedName">That layer's Name, for the emitted comments.</param>
/// <param name="TiedWeightOffset">Where that layer's weight block starts in the parameter span.</param>
internal sealed record TiedDenseLayerSpec(int Index, int InputCount, int OutputCount, ActivationKind LayerActivation, long ParameterOffset,
    int TiedLayer, string TiedName, long TiedWeightOffset, bool HasBias = true)
    : LayerSpec(Index, ShapeSpec.Vector(InputCount), ShapeSpec.Vector(OutputCount), ParameterOffset)
{
    public override string Kind => "TiedDense";

    public override ActivationKind Activation => LayerActivation;

    /// <summary>Elements of the shared weight block (<c>InputCount × OutputCount</c>).</summary>
    public long WeightCount => (long)InputCount * OutputCount;

    public long BiasOffset => ParameterOffset;

    public override EquatableArray<BlockSpec> Blocks => HasBias
        ? new EquatableArray<BlockSpec>(new[] { new BlockSpec("bias", new EquatableArray<int>(new[] { OutputCount }), BiasOffset, BlockRole.Bias) })
        : EquatableArray<BlockSpec>.Empty;

    public override string Description => $"dense {InputCount} → {OutputCount}, {Activation}, weights tied to layer {TiedLayer} ('{TiedName}', read transposed){(HasBias ? "" : ", no bias")}";

    public override string StrategyDescription => "the dense batch kernels with W and Wᵀ swapped: forward by the tied layer's back-propagation kernel, ∂C/∂input by its forward kernel, ∂C/∂W accumulated transposed into its block";
}
