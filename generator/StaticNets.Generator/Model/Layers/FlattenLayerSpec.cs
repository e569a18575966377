namespace StaticNets.Generator.Model;

/// <summary>Reshapes a sample into one vector. NCHW row-major already is that vector, so the layer moves no data.</summary>
internal sealed record FlattenLayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset)
    : LayerSpec(Index, Input, Output, ParameterOffset)
{
    public override string Kind => "Flatten";

    public override string Description => $"flatten {Input} → {Output}";

    public override string StrategyDescription => "no code: the next layer reads this layer's input as it lies (NCHW row-major is PyTorch's flatten order)";
}
