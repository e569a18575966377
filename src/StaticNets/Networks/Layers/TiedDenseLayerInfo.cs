namespace StaticNets;

/// <summary>
/// A fully connected layer with tied weights, z = Wᵀ·a + b, a = σ(z): W is the weight block of the earlier dense
/// layer <see cref="TiedTo"/> (row-major <c>[Inputs, Outputs]</c> there, so this layer reads it transposed), and
/// only the bias is this layer's own — an autoencoder's decoder mirroring its encoder. Training adds both layers'
/// gradients into the one weight block; initialisation, L2, persistence and export see it once.
/// </summary>
public sealed class TiedDenseLayerInfo : LayerInfo
{
    /// <summary>Describes a tied dense layer whose bias (if any) starts at <paramref name="parameterOffset"/>.</summary>
    /// <param name="inputs">Inputs per sample: the tied layer's outputs.</param>
    /// <param name="outputs">Outputs per sample: the tied layer's inputs.</param>
    /// <param name="activation">Activation applied to z.</param>
    /// <param name="tiedTo">Index in the network of the earlier <see cref="DenseLayerInfo"/> whose weights it uses.</param>
    /// <param name="parameterOffset">Where its bias starts.</param>
    /// <param name="bias">Whether it adds a bias (default true).</param>
    /// <exception cref="System.ArgumentOutOfRangeException">A size is less than 1, or <paramref name="tiedTo"/> is negative.</exception>
    public TiedDenseLayerInfo(int inputs, int outputs, Activation activation, int tiedTo, int parameterOffset, bool bias = true)
        : base(Shape.Vector(inputs), Shape.Vector(outputs), MakeBlocks(inputs, outputs, parameterOffset, bias))
    {
        if (tiedTo < 0)
            throw new System.ArgumentOutOfRangeException(nameof(tiedTo), tiedTo, $"Expected the index of an earlier dense layer (at least 0), actual {tiedTo}.");
        LayerActivation = activation;
        TiedTo = tiedTo;
        HasBias = bias;
        ParameterOffset = parameterOffset;
    }

    /// <summary>Index of the dense layer whose weight block this layer uses transposed.</summary>
    public int TiedTo { get; }

    /// <summary>Whether the layer adds a bias of its own.</summary>
    public bool HasBias { get; }

    private Activation LayerActivation { get; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.TiedDense;

    /// <inheritdoc />
    public override Activation Activation => LayerActivation;

    /// <inheritdoc />
    public override long MultiplyAddsPerSample => (long)Inputs * Outputs;

    private static ParameterBlock[] MakeBlocks(int inputs, int outputs, int offset, bool bias)
        => bias ? new[] { new ParameterBlock("bias", Shape.Vector(outputs), offset, ParameterRole.Bias, inputs, outputs) } : System.Array.Empty<ParameterBlock>();

    /// <inheritdoc />
    protected override string Describe() => $"{Outputs}({Activation}, tied to layer {TiedTo}{(HasBias ? "" : ", no bias")})";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other) => other is TiedDenseLayerInfo t && t.TiedTo == TiedTo && t.HasBias == HasBias;

    /// <inheritdoc />
    protected override int HyperparameterHash() => TiedTo * 2 + (HasBias ? 1 : 0);
}
