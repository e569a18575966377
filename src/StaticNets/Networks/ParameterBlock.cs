namespace StaticNets;

/// <summary>What a parameter block is for, which decides how it is initialised and regularised.</summary>
public enum ParameterRole
{
    /// <summary>Weights: drawn by the initialisation scheme from the block's fan-in and fan-out; L2 and weight decay apply.</summary>
    Weight = 0,
    /// <summary>Biases: start at zero; no L2 or weight decay.</summary>
    Bias = 1,
    /// <summary>Subtracted from the layer's input (<see cref="NormalizeLayerInfo"/>'s <c>mean</c>): starts at zero; no L2 or weight decay.</summary>
    Shift = 2,
    /// <summary>Multiplies the layer's values (<see cref="NormalizeLayerInfo"/>'s <c>scale</c>, 1/σ): starts at one; no L2 or weight decay.</summary>
    Scale = 3,
}

/// <summary>
/// One named block of a layer's parameters inside the network's flat parameter span, e.g. a convolution's
/// <c>weight</c> of shape <c>[out_c, in_c, kh, kw]</c> or a dense layer's <c>bias</c> of shape <c>[out]</c>.
/// Row-major; the names and shapes are PyTorch's, so <c>conv1.weight</c> maps onto a block one to one.
/// </summary>
/// <param name="Name">PyTorch's name for the block: <c>weight</c> or <c>bias</c> (<c>mean</c> and <c>scale</c> for <see cref="NormalizeLayerInfo"/>).</param>
/// <param name="Shape">Its dimensions, outermost first.</param>
/// <param name="Offset">Index of its first element in <see cref="INetwork{T}.Parameters"/>.</param>
/// <param name="Role">Weight, bias, shift or scale: how it is initialised and whether L2 applies.</param>
/// <param name="FanIn">Inputs feeding one output (dense: n_in; convolution: in_c·kh·kw), for initialisation.</param>
/// <param name="FanOut">Outputs one input feeds (dense: n_out; convolution: out_c·kh·kw), for initialisation.</param>
public sealed record ParameterBlock(string Name, Shape Shape, int Offset, ParameterRole Role, int FanIn, int FanOut)
{
    /// <summary>Number of parameters in the block.</summary>
    public int Count => Shape.Size;

    /// <summary>
    /// Whether training updates it. A non-trainable block (<see cref="NormalizeLayerInfo"/>'s statistics) gets no
    /// gradient from Backward, is left out of L2, weight decay, gradient clipping and the per-layer gradient norms, and
    /// keeps its values through every optimizer step.
    /// </summary>
    public bool Trainable { get; init; } = true;
}
