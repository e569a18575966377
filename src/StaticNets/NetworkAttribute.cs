using System;

namespace StaticNets;

/// <summary>
/// Declares a feed-forward network whose forward and backward code the StaticNets generator emits for
/// exactly the given sizes. Put it on a <c>partial class</c>.
/// </summary>
/// <remarks>
/// <para>Compact form: <c>[Network(784, 128, 10, Hidden = Activation.ReLU, Output = Activation.Softmax,
/// Loss = Loss.CrossEntropy)]</c> — the first size is the input, each further size a dense layer.</para>
/// <para>Per-layer form: <c>[Network(64)]</c> or <c>[Network(Input = new[] { 1, 28, 28 })]</c> followed by one layer
/// attribute per layer in source order — <see cref="DenseAttribute"/>, <see cref="Conv2DAttribute"/>,
/// <see cref="MaxPool2DAttribute"/>, <see cref="AvgPool2DAttribute"/>, <see cref="FlattenAttribute"/>,
/// <see cref="ActivationAttribute"/>, <see cref="DropoutAttribute"/>. Shapes are inferred layer by layer.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network from its layer sizes: input size first, output size last.</summary>
    /// <param name="sizes">Input size followed by the size of each layer; every size is at least 1.</param>
    public NetworkAttribute(params int[] sizes) => Sizes = sizes;

    /// <summary>Input size followed by the size of each layer.</summary>
    public int[] Sizes { get; }

    /// <summary>
    /// Shape of one input sample for the per-layer form, outermost first: <c>new[] { 784 }</c> for features,
    /// <c>new[] { channels, height, width }</c> for images. Replaces the single size of <c>[Network(784)]</c>.
    /// </summary>
    public int[]? Input { get; set; }

    /// <summary>Activation of every hidden layer (default: <see cref="Activation.Sigmoid"/>, as in the course).</summary>
    public Activation Hidden { get; set; } = Activation.Sigmoid;

    /// <summary>Activation of the output layer (default: <see cref="Activation.Sigmoid"/>).</summary>
    public Activation Output { get; set; } = Activation.Sigmoid;

    /// <summary>
    /// One activation per layer (hidden layers then output). When set, it replaces <see cref="Hidden"/>
    /// and <see cref="Output"/>; its length must equal the number of layers.
    /// </summary>
    public Activation[]? Activations { get; set; }

    /// <summary>The cost the backward pass differentiates (default: <see cref="Loss.Quadratic"/>).</summary>
    public Loss Loss { get; set; } = Loss.Quadratic;

    /// <summary>Element type of parameters and activations (default: <see cref="Precision.Single"/>).</summary>
    public Precision Precision { get; set; } = Precision.Single;

    /// <summary>
    /// A <c>.snet</c> file, listed as an <c>AdditionalFiles</c> item of the project, whose parameters the generator
    /// bakes into the assembly as static data (<c>FromBakedWeights()</c>, <c>LoadBakedWeights()</c>). The file must
    /// match the declared architecture; the build fails with a diagnostic naming both shapes when it does not.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// The <see cref="DenseAttribute.Name"/> of the code layer of an autoencoder: the network then implements
    /// <see cref="IEncoder{T}"/>, whose <c>Encode</c> runs the input up to and including that layer and writes its
    /// activations (<c>CodeSize</c> values). Per-layer form only; the name must be declared exactly once.
    /// </summary>
    public string? Code { get; set; }

    /// <summary>
    /// Dropout rate of every hidden layer during training: each hidden activation is zeroed with this
    /// probability and the rest scaled by 1/(1 − rate) (inverted dropout), so inference needs no change.
    /// 0 (the default) means none. Must be in [0, 1). Per layer: <see cref="DenseAttribute.Dropout"/>.
    /// </summary>
    public double Dropout { get; set; }
}

/// <summary>
/// One dense (fully connected) layer in the per-layer form of <see cref="NetworkAttribute"/>:
/// <c>[Network(64)] [Dense(32, Activation.ReLU)] [Dense(10, Activation.Softmax)]</c>. Layers apply in source order.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a dense layer with <paramref name="size"/> outputs.</summary>
    public DenseAttribute(int size, Activation activation = Activation.Sigmoid)
    {
        Size = size;
        Activation = activation;
    }

    /// <summary>Number of outputs (neurons) of the layer.</summary>
    public int Size { get; }

    /// <summary>Activation applied to the layer's weighted input.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the layer adds a bias (default true); <c>Bias = false</c> before a normalisation, as Keras' <c>use_bias</c>.</summary>
    public bool Bias { get; set; } = true;

    /// <summary>
    /// A name for the layer, unique in the network, that <see cref="NetworkAttribute.Code"/> and <see cref="TiedTo"/>
    /// refer to, e.g. <c>Name = "code"</c>.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// Ties this layer's weights to those of the earlier dense layer of this <see cref="Name"/>: this layer computes
    /// z = Wᵀ·a + b with that layer's W (so it must have that layer's outputs as inputs and its inputs as outputs) and
    /// a bias of its own — an autoencoder's decoder mirroring its encoder, with half the weights. The gradients of
    /// both layers add up in the one weight block.
    /// </summary>
    public string? TiedTo { get; set; }

    /// <summary>
    /// Dropout rate of this layer's activations during training (hidden layers only; in [0, 1); 0 = none).
    /// When set, it overrides <see cref="NetworkAttribute.Dropout"/> for this layer; when not set, that applies.
    /// </summary>
    public double Dropout { get; set; }
}

/// <summary>Activation functions σ. Derivatives are taken analytically in the generated backward pass.</summary>
public enum Activation
{
    /// <summary>σ(z) = z.</summary>
    Identity = 0,
    /// <summary>σ(z) = 1 / (1 + e^−z), the course's sigmoid neuron.</summary>
    Sigmoid = 1,
    /// <summary>σ(z) = tanh z.</summary>
    Tanh = 2,
    /// <summary>σ(z) = max(0, z).</summary>
    ReLU = 3,
    /// <summary>σ(z) = z for z &gt; 0, 0.01·z otherwise.</summary>
    LeakyReLU = 4,
    /// <summary>a_j = e^{z_j} / Σ_k e^{z_k} over one sample's values (on a dense output layer or as a standalone <see cref="ActivationAttribute"/> layer).</summary>
    Softmax = 5,
    /// <summary>σ(z) = z for z &gt; 0, e^z − 1 otherwise (exponential linear unit, α = 1).</summary>
    ELU = 6,
    /// <summary>σ(z) = ½z(1 + tanh(√(2/π)(z + 0.044715·z³))): the Gaussian error linear unit in its tanh form (PyTorch's <c>approximate='tanh'</c>).</summary>
    GELU = 7,
    /// <summary>σ(z) = ln(1 + e^z), a smooth ReLU whose derivative is the sigmoid.</summary>
    Softplus = 8,
    /// <summary>σ(z) = z / (1 + e^−z): SiLU, also called swish (β = 1).</summary>
    SiLU = 9,
}

/// <summary>Cost functions.</summary>
public enum Loss
{
    /// <summary>C = ½‖y − a‖² per sample (the course's quadratic cost).</summary>
    Quadratic = 0,
    /// <summary>
    /// Cross-entropy: −Σ y ln a with a softmax output (its output delta is a − y), or the binary form
    /// −Σ [y ln a + (1 − y) ln(1 − a)] with sigmoid outputs (delta also a − y).
    /// </summary>
    CrossEntropy = 1,
}

/// <summary>Element type of a generated network.</summary>
public enum Precision
{
    /// <summary>32-bit <see cref="float"/>.</summary>
    Single = 0,
    /// <summary>64-bit <see cref="double"/>; what gradient checks want.</summary>
    Double = 1,
}
