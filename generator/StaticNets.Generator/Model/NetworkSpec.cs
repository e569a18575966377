namespace StaticNets.Generator.Model;

/// <summary>
/// Everything the emitter needs to write one network, as plain equatable values. This record is the
/// pipeline's cache boundary: when an edit leaves it equal, nothing is re-emitted.
/// </summary>
internal sealed partial record NetworkSpec(
    HierarchyInfo Hierarchy,
    ScalarKind Scalar,
    LossKind Loss,
    ShapeSpec Input,
    EquatableArray<LayerSpec> Layers)
{
    /// <summary>The user's own declaration has a member named <c>Info</c>: <c>INetwork&lt;T&gt;.Info</c> is then implemented explicitly only.</summary>
    public bool DeclaresInfo { get; init; }

    /// <summary>Index of the code layer named by <c>[Network(Code = …)]</c>, whose activations Encode returns; −1 when none.</summary>
    public int CodeLayer { get; init; } = -1;

    /// <summary>Whether the network implements IEncoder (it has a code layer).</summary>
    public bool HasCode => CodeLayer >= 0;

    public int InputSize => (int)Input.Size;

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

/// <summary>Mirror of <c>StaticNets.PaddingMode</c>.</summary>
internal enum PaddingModeKind
{
    Valid = 0,
    Same = 1,
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
