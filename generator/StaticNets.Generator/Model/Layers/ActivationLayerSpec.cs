namespace StaticNets.Generator.Model;

/// <summary>A standalone activation over any shape; softmax normalises each sample's values as one vector.</summary>
internal sealed record ActivationLayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset, ActivationKind LayerActivation)
    : LayerSpec(Index, Input, Output, ParameterOffset)
{
    public override string Kind => "Activation";

    public override ActivationKind Activation => LayerActivation;

    public override string Description => $"activation {Activation} over {Input}";

    public override string StrategyDescription => LayerActivation == ActivationKind.Softmax
        ? "softmax per sample; its δ shares the buffer of the layer below"
        : "one element-wise pass over the whole batch; its δ shares the buffer of the layer below";
}
