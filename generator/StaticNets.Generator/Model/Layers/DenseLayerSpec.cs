namespace StaticNets.Generator.Model;

/// <summary>A fully connected layer: z = W·a + b (b optional), a = σ(z).</summary>
/// <remarks>With <see cref="Steps"/> above 0 the layer is applied to every step of a <c>[steps, in]</c> sequence (after a recurrent layer that returns sequences): the same weights, <c>batch × steps</c> rows.</remarks>
internal sealed record DenseLayerSpec(int Index, int InputCount, int OutputCount, ActivationKind LayerActivation, long ParameterOffset, DenseStrategy Strategy, bool HasBias = true, int Steps = 0)
    : LayerSpec(Index, Steps == 0 ? ShapeSpec.Vector(InputCount) : ShapeSpec.Matrix(Steps, InputCount), Steps == 0 ? ShapeSpec.Vector(OutputCount) : ShapeSpec.Matrix(Steps, OutputCount), ParameterOffset)
{
    /// <summary>Whether the layer is applied to every step of a sequence.</summary>
    public bool PerStep => Steps > 0;

    public override string Kind => "Dense";

    /// <summary>Bytes of one element (4 for float, 8 for double): how many outputs fill a packed panel.</summary>
    public int ElementBytes { get; init; } = 4;

    /// <summary>
    /// Whether the batched forward reads Wᵀ packed in panels of 256 bytes of outputs kept by the network
    /// (<c>DenseKernels.PackPanels</c>): layers of at least one whole panel that are not unrolled.
    /// </summary>
    public bool PackedPanels => Strategy != DenseStrategy.Unrolled && OutputCount >= Strategies.PanelBytes / ElementBytes;

    public override ActivationKind Activation => LayerActivation;

    public long WeightCount => (long)InputCount * OutputCount;

    public long WeightOffset => ParameterOffset;

    public long BiasOffset => ParameterOffset + WeightCount;

    public override EquatableArray<BlockSpec> Blocks => HasBias
        ? new EquatableArray<BlockSpec>(new[]
        {
            new BlockSpec("weight", new EquatableArray<int>(new[] { OutputCount, InputCount }), WeightOffset, BlockRole.Weight),
            new BlockSpec("bias", new EquatableArray<int>(new[] { OutputCount }), BiasOffset, BlockRole.Bias),
        })
        : new EquatableArray<BlockSpec>(new[] { new BlockSpec("weight", new EquatableArray<int>(new[] { OutputCount, InputCount }), WeightOffset, BlockRole.Weight) });

    public override string Description => $"dense {InputCount} → {OutputCount}, {Activation}{(HasBias ? "" : ", no bias")}{(PerStep ? $", applied to each of {Steps} steps" : "")}";

    public override string StrategyDescription => Strategies.Describe(this);
}

/// <summary>How a dense layer's code is shaped; chosen by <see cref="Strategies"/> from the sizes alone.</summary>
internal enum DenseStrategy
{
    /// <summary>Every multiply-add written out: no loop, no vector, for layers too narrow for SIMD.</summary>
    Unrolled,
    /// <summary>Vectorised dot product of each weight row with the input.</summary>
    RowDot,
    /// <summary>Single-sample forward vectorised over outputs from a transposed copy of the weights.</summary>
    OutputVectors,
}
