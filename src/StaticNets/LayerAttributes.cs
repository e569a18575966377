using System;

namespace StaticNets;

/// <summary>How a convolution pads its input when no explicit padding is given.</summary>
public enum PaddingMode
{
    /// <summary>No padding (Keras' <c>'valid'</c>): the output shrinks by kernel − 1.</summary>
    Valid = 0,
    /// <summary>Zero padding so the output has ⌈input / stride⌉ rows and columns (Keras' <c>'same'</c>); an odd total puts the extra row/column at the bottom/right.</summary>
    Same = 1,
}

/// <summary>
/// A 2-D convolution layer over channels × height × width: <c>[Conv2D(6, 5, Padding = 2, Activation = Activation.ReLU)]</c>.
/// Its input shape comes from the layer before; its output is <c>filters × out_h × out_w</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : Attribute
{
    /// <summary>A convolution with <paramref name="filters"/> output channels and a square <paramref name="kernelSize"/> kernel.</summary>
    public Conv2DAttribute(int filters, int kernelSize) : this(filters, kernelSize, kernelSize) { }

    /// <summary>A convolution with <paramref name="filters"/> output channels and a <paramref name="kernelHeight"/> × <paramref name="kernelWidth"/> kernel.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }

    /// <summary>Stride in both directions (default 1). <see cref="Strides"/> sets them apart.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Vertical and horizontal stride, <c>new[] { sy, sx }</c>; overrides <see cref="Stride"/>.</summary>
    public int[]? Strides { get; set; }

    /// <summary>Zero padding on every side (default 0). Exclusive with <see cref="Pads"/> and <see cref="PaddingMode"/> = Same.</summary>
    public int Padding { get; set; }

    /// <summary>Explicit padding <c>new[] { top, left, bottom, right }</c>.</summary>
    public int[]? Pads { get; set; }

    /// <summary><see cref="StaticNets.PaddingMode.Same"/> to keep ⌈input / stride⌉; default <see cref="StaticNets.PaddingMode.Valid"/>.</summary>
    public PaddingMode PaddingMode { get; set; }

    /// <summary>Activation of the layer (default <see cref="StaticNets.Activation.Identity"/>, as Keras).</summary>
    public Activation Activation { get; set; }

    /// <summary>Whether each output channel adds a bias (default true).</summary>
    public bool Bias { get; set; } = true;

    /// <summary>A name for the layer, unique in the network, that <see cref="NetworkAttribute.Code"/> may refer to.</summary>
    public string? Name { get; set; }
}

/// <summary>What max and average pooling share: a window, and a stride that defaults to the window.</summary>
public abstract class Pool2DAttribute : Attribute
{
    /// <summary>A <paramref name="windowHeight"/> × <paramref name="windowWidth"/> pool.</summary>
    protected Pool2DAttribute(int windowHeight, int windowWidth)
    {
        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
    }

    /// <summary>Window height.</summary>
    public int WindowHeight { get; }

    /// <summary>Window width.</summary>
    public int WindowWidth { get; }

    /// <summary>Stride in both directions; 0 (the default) means the window's size.</summary>
    public int Stride { get; set; }
}

/// <summary>2-D max pooling per channel: <c>[MaxPool2D(2)]</c>. The gradient goes to each window's maximum (the first one on ties).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Pool2DAttribute
{
    /// <summary>A square <paramref name="window"/> × <paramref name="window"/> pool.</summary>
    public MaxPool2DAttribute(int window) : base(window, window) { }

    /// <summary>A <paramref name="windowHeight"/> × <paramref name="windowWidth"/> pool.</summary>
    public MaxPool2DAttribute(int windowHeight, int windowWidth) : base(windowHeight, windowWidth) { }
}

/// <summary>2-D average pooling per channel: <c>[AvgPool2D(2)]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Pool2DAttribute
{
    /// <summary>A square <paramref name="window"/> × <paramref name="window"/> pool.</summary>
    public AvgPool2DAttribute(int window) : base(window, window) { }

    /// <summary>A <paramref name="windowHeight"/> × <paramref name="windowWidth"/> pool.</summary>
    public AvgPool2DAttribute(int windowHeight, int windowWidth) : base(windowHeight, windowWidth) { }
}

/// <summary>Flattens channels × height × width into one feature vector (PyTorch's order), before a <see cref="DenseAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
}

/// <summary>A standalone activation layer over whatever shape comes before it, softmax included: <c>[Activation(Activation.Softmax)]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : Attribute
{
    /// <summary>Applies <paramref name="activation"/>.</summary>
    public ActivationAttribute(Activation activation) => Activation = activation;

    /// <summary>The activation.</summary>
    public Activation Activation { get; }

    /// <summary>A name for the layer, unique in the network, that <see cref="NetworkAttribute.Code"/> may refer to (a code taken after a standalone sigmoid).</summary>
    public string? Name { get; set; }
}

/// <summary>Inverted dropout at <paramref name="rate"/> while training, the identity at inference: <c>[Dropout(0.5)]</c>.</summary>
/// <param name="rate">Probability of zeroing a value, in [0, 1).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute(double rate) : Attribute
{
    /// <summary>Probability of zeroing a value while training.</summary>
    public double Rate { get; } = rate;
}

/// <summary>
/// A long short-term memory layer over a sequence: <c>[Lstm(128)]</c> after <c>[Network(Input = new[] { steps, features })]</c>.
/// PyTorch's <c>nn.LSTM</c> conventions (gates i, f, g, o; <c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>,
/// <c>bias_hh_l0</c>). The output is the last step's h (<c>[units]</c>), or every step's (<c>[steps, units]</c>) with
/// <see cref="ReturnSequences"/>, for a recurrent layer above it or a dense layer applied to every step.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : Attribute
{
    /// <summary>An LSTM with <paramref name="units"/> hidden units.</summary>
    public LstmAttribute(int units) => Units = units;

    /// <summary>Hidden units (the size of h and c).</summary>
    public int Units { get; }

    /// <summary>Whether the layer outputs every step's h rather than the last step's (default false, as Keras).</summary>
    public bool ReturnSequences { get; set; }
}

/// <summary>
/// A gated recurrent unit layer over a sequence: <c>[Gru(64)]</c>. PyTorch's <c>nn.GRU</c> conventions (gates r, z, n,
/// the reset gate applied after the hidden product, as cuDNN and ONNX's <c>linear_before_reset = 1</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : Attribute
{
    /// <summary>A GRU with <paramref name="units"/> hidden units.</summary>
    public GruAttribute(int units) => Units = units;

    /// <summary>Hidden units (the size of h).</summary>
    public int Units { get; }

    /// <summary>Whether the layer outputs every step's h rather than the last step's (default false, as Keras).</summary>
    public bool ReturnSequences { get; set; }
}

/// <summary>
/// Standardises the network's input, y = (x − mean) · scale per value, with statistics fitted from a data set by
/// <c>Normalization.Fit(net, data)</c> and saved with the parameters: <c>[Normalize]</c> as the first layer.
/// The statistics are not trained; until fitted the layer is the identity (mean 0, scale 1).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class NormalizeAttribute : Attribute
{
}
