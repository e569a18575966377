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
        => $"conv2d {Input} → {Output}, {Filters} filters {KernelHeight}×{KernelWidth}, stride {StrideY}×{StrideX}, "
         + (PadTop + PadLeft + PadBottom + PadRight == 0 ? "no padding" : $"padding {PadTop},{PadLeft},{PadBottom},{PadRight} (top, left, bottom, right)")
         + $", {Activation}{(HasBias ? "" : ", no bias")}";

    /// <summary>Bytes of one element (4 for float, 8 for double): the scheme depends on how many fit a vector.</summary>
    public int ElementBytes { get; init; } = 4;

    /// <summary>The scheme ConvKernels runs with vectors of <paramref name="bits"/> (the rule is the kernels' own, linked).</summary>
    public string SchemeAt(int bits)
    {
        bool pointwise = StaticNets.Kernels.ConvSchemes.IsPointwise(KernelHeight, KernelWidth, StrideY, StrideX, PadTop, PadLeft, Input.Height, Input.Width, Output.Height, Output.Width);
        int direct = StaticNets.Kernels.ConvSchemes.Lanes(Output.Width, ElementBytes, bits >= 512, bits >= 256, bits >= 128);
        int gemm = StaticNets.Kernels.ConvSchemes.Lanes(Output.Height * Output.Width, ElementBytes, bits >= 512, bits >= 256, bits >= 128);
        int channels = StaticNets.Kernels.ConvSchemes.Lanes(Filters, ElementBytes, bits >= 512, bits >= 256, bits >= 128);
        return StaticNets.Kernels.ConvSchemes.Choose(Input.Channels, KernelHeight, KernelWidth, StrideY, StrideX, pointwise, Filters, Output.Height, Output.Width, direct, gemm, channels) switch
        {
            StaticNets.Kernels.ConvScheme.Direct => "direct (vectorised over output width, 6 channels × 2 vectors)",
            StaticNets.Kernels.ConvScheme.OutChannels => "vectorised over output channels (transposed weights, blocks of 10 positions)",
            StaticNets.Kernels.ConvScheme.Pointwise => "pointwise GEMM on the input",
            _ => "im2col + register-blocked GEMM over the output plane",
        };
    }

    public override string StrategyDescription
    {
        get
        {
            string at512 = SchemeAt(512), at256 = SchemeAt(256), at128 = SchemeAt(128);
            string schemes = at512 == at256 && at256 == at128 ? $"{at512} at every vector width"
                : at512 == at256 ? $"{at512} with 512- and 256-bit vectors, {at128} with 128-bit"
                : $"{at512} with 512-bit vectors, {at256} with 256-bit, {at128} with 128-bit";
            return $"ConvKernels, {MultiplyAdds} multiply-adds per sample: {schemes} (chosen from the shape and the machine's vector width by the kernels' cost model); "
                 + (at512.StartsWith("vectorised over output channels", System.StringComparison.Ordinal) ? "backward ∂W from δ transposed per sample (vectorised over output channels)" : "backward ∂W = δ·colᵀ over blocks of samples")
                 + $"{(Index == 0 ? ", ∂C/∂input skipped unless asked for" : ", ∂x = col2im(Wᵀ·δ)")}; backward over the worker pool: ∂W by output channel (by tap where vectorised over channels), ∂x by sample";
        }
    }
}
