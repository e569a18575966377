namespace StaticNets.Generator.Model;

/// <summary>
/// Everything the emitter needs to write one network, as plain equatable values. This record is the
/// pipeline's cache boundary: when an edit leaves it equal, nothing is re-emitted.
/// </summary>
internal sealed partial record NetworkSpec(
    HierarchyInfo Hierarchy,
    ScalarKind Scalar,
    LossKind Loss,
    int InputSize,
    EquatableArray<LayerSpec> Layers)
{
    public LayerSpec OutputLayer => Layers[Layers.Count - 1];

    public int OutputSize => OutputLayer.Outputs;

    public long ParameterCount
    {
        get
        {
            long count = 0;
            foreach (var layer in Layers)
                count += layer.ParameterCount;
            return count;
        }
    }
}

/// <summary>A layer of any kind. Each kind is its own record and has its own emitter.</summary>
internal abstract record LayerSpec(int Index, int Inputs, int Outputs, ActivationKind Activation, long ParameterOffset)
{
    public abstract long ParameterCount { get; }

    /// <summary>The strategy's name and reason, written in the emitted header comment.</summary>
    public abstract string StrategyDescription { get; }
}

/// <summary>A fully connected layer: z = W·a + b, a = σ(z).</summary>
internal sealed record DenseLayerSpec(int Index, int Inputs, int Outputs, ActivationKind Activation, long ParameterOffset, DenseStrategy Strategy)
    : LayerSpec(Index, Inputs, Outputs, Activation, ParameterOffset)
{
    public long WeightCount => (long)Inputs * Outputs;

    public long WeightOffset => ParameterOffset;

    public long BiasOffset => ParameterOffset + WeightCount;

    public override long ParameterCount => WeightCount + Outputs;

    /// <summary>Dropout rate of this layer's activations while training (0: none; never on the output layer).</summary>
    public double Dropout { get; init; }

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

/// <summary>Mirror of <c>StaticNets.Activation</c>; the numeric values must match.</summary>
internal enum ActivationKind
{
    Identity = 0,
    Sigmoid = 1,
    Tanh = 2,
    ReLU = 3,
    LeakyReLU = 4,
    Softmax = 5,
    ELU = 6,
    GELU = 7,
    Softplus = 8,
    SiLU = 9,
}

/// <summary>Mirror of <c>StaticNets.Loss</c>.</summary>
internal enum LossKind
{
    Quadratic = 0,
    CrossEntropy = 1,
}

/// <summary>Mirror of <c>StaticNets.Precision</c>.</summary>
internal enum ScalarKind
{
    Single = 0,
    Double = 1,
}
