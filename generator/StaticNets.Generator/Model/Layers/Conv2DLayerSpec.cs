namespace StaticNets.Generator.Model;

/// <summary>A 2-D convolution over channels × height × width with explicit padding (Same/Valid resolved by the parser), then an activation.</summary>
internal sealed record Conv2DLayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset,
    int Filters, int KernelHeight, int KernelWidth, int StrideY, int StrideX,
    int PadTop, int PadLeft, int PadBottom, int PadRight, ActivationKind LayerActivation, bool HasBias)
    : LayerSpec(Index, Input, Output, ParameterOffset)
{
    public override string Kind => "Conv2D";

    public override ActivationKind Activation => LayerActivation;

    public long WeightCount => (long)Filters * Input.Channels * KernelHeight * KernelWidth;

    public long WeightOffset => ParameterOffset;

    public long BiasOffset => ParameterOffset + WeightCount;

    public override EquatableArray<BlockSpec> Blocks
    {
        get
        {
            var weight = new BlockSpec("weight", new EquatableArray<int>(new[] { Filters, Input.Channels, KernelHeight, KernelWidth }), WeightOffset, BlockRole.Weight);
            return HasBias
                ? new EquatableArray<BlockSpec>(new[] { weight, new BlockSpec("bias", new EquatableArray<int>(new[] { Filters }), BiasOffset, BlockRole.Bias) })
                : new EquatableArray<BlockSpec>(new[] { weight });
        }
    }

    /// <summary>Multiply-adds of one sample's forward pass.</summary>
    public long MultiplyAdds => WeightCount * Output.Height * Output.Width;

    public override string Description
        => $"conv2d {Input} → {Output}, {Filters} filters {KernelHeight}×{KernelWidth}, stride {StrideY}×{StrideX}, pad {PadTop},{PadLeft},{PadBottom},{PadRight}, {Activation}{(HasBias ? "" : ", no bias")}";

    public override string StrategyDescription
        => $"ConvKernels ({MultiplyAdds} multiply-adds per sample): im2col of each sample into the workspace scratch, then a register-blocked SIMD GEMM over the output plane; backward ∂W = δ·colᵀ, ∂x = col2im(Wᵀ·δ){(Index == 0 ? ", skipped unless ∂C/∂input is asked for" : "")}";
}
