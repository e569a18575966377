namespace StaticNets.Generator.Model;

/// <summary>Per-value standardisation (x − mean) · scale with non-trainable statistics shaped as one sample; always layer 0 (SNN060).</summary>
internal sealed record NormalizeLayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset)
    : LayerSpec(Index, Input, Output, ParameterOffset)
{
    public override string Kind => "Normalize";

    public long MeanOffset => ParameterOffset;

    public long ScaleOffset => ParameterOffset + Input.Size;

    public override EquatableArray<BlockSpec> Blocks => new(new[]
    {
        new BlockSpec("mean", Input.Dims, MeanOffset, BlockRole.Shift),
        new BlockSpec("scale", Input.Dims, ScaleOffset, BlockRole.Scale),
    });

    /// <summary><c>Layer0Mean</c> and <c>Layer0Scale</c>.</summary>
    public override string BlockProperty(BlockSpec block) => block.Role == BlockRole.Shift ? "Mean" : "Scale";

    public override string Description => $"normalize {Input}, (x − mean) · scale with fitted statistics";

    public override string StrategyDescription => "NormalizeKernels.Forward over the batch; backward ∂C/∂x = δ · scale (only when asked for), no gradient for the statistics";
}
