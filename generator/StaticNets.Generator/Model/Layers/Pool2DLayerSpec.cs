namespace StaticNets.Generator.Model;

/// <summary>2-D max or average pooling per channel, without padding (trailing rows/columns no window reaches are ignored).</summary>
internal sealed record Pool2DLayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset,
    bool IsMax, int WindowHeight, int WindowWidth, int StrideY, int StrideX)
    : LayerSpec(Index, Input, Output, ParameterOffset)
{
    public override string Kind => IsMax ? "MaxPool2D" : "AvgPool2D";

    public override string Description => $"{(IsMax ? "max" : "average")} pool {Input} → {Output}, window {WindowHeight}×{WindowWidth}, stride {StrideY}×{StrideX}";

    public override string StrategyDescription => IsMax
        ? "PoolKernels.MaxForward records each window's arg-max (first maximum on ties) in the workspace, batches (forward and backward) in sub-batches of whole samples over the worker pool; backward routes δ to it"
        : "PoolKernels.AvgForward, batches (forward and backward) in sub-batches of whole samples over the worker pool; backward spreads δ / window size over the window";
}
