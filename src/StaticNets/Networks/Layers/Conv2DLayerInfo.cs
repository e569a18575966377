using System;

namespace StaticNets;

/// <summary>
/// A 2-D convolution (cross-correlation, as PyTorch and ONNX) over channels × height × width, then an
/// activation. Weights are <c>[out_c, in_c, kh, kw]</c> row-major (<c>nn.Conv2d</c>'s), biases <c>[out_c]</c>.
/// </summary>
public sealed class Conv2DLayerInfo : LayerInfo
{
    /// <summary>Describes a convolution of samples of <paramref name="input"/> (rank 3) whose parameters start at <paramref name="parameterOffset"/>.</summary>
    /// <exception cref="ArgumentException">The input is not rank 3, a size or stride is below 1, a pad is negative, or the kernel does not fit the padded input.</exception>
    public Conv2DLayerInfo(Shape input, int filters, int kernelHeight, int kernelWidth, int strideY, int strideX,
        int padTop, int padLeft, int padBottom, int padRight, Activation activation, int parameterOffset, bool bias = true)
        : base(CheckInput(input), InferOutput(input, filters, kernelHeight, kernelWidth, strideY, strideX, padTop, padLeft, padBottom, padRight),
               MakeBlocks(input, filters, kernelHeight, kernelWidth, parameterOffset, bias))
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideY = strideY;
        StrideX = strideX;
        PadTop = padTop;
        PadLeft = padLeft;
        PadBottom = padBottom;
        PadRight = padRight;
        LayerActivation = activation;
        HasBias = bias;
        ParameterOffset = parameterOffset;
    }

    private Activation LayerActivation { get; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Conv2D;

    /// <inheritdoc />
    public override Activation Activation => LayerActivation;

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideY { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideX { get; }

    /// <summary>Zero rows added above the input.</summary>
    public int PadTop { get; }

    /// <summary>Zero columns added left of the input.</summary>
    public int PadLeft { get; }

    /// <summary>Zero rows added below the input.</summary>
    public int PadBottom { get; }

    /// <summary>Zero columns added right of the input.</summary>
    public int PadRight { get; }

    /// <inheritdoc />
    public override long MultiplyAddsPerSample => (long)WeightCount * OutputShape.Height * OutputShape.Width;

    /// <summary>Whether the layer adds a bias per output channel.</summary>
    public bool HasBias { get; }

    private static Shape CheckInput(Shape input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3)
            throw new ArgumentException($"A 2-D convolution needs channels × height × width input but got {input} (rank {input.Rank}).", nameof(input));
        return input;
    }

    private static Shape InferOutput(Shape input, int filters, int kh, int kw, int sy, int sx, int top, int left, int bottom, int right)
    {
        CheckInput(input);
        if (filters < 1 || kh < 1 || kw < 1 || sy < 1 || sx < 1)
            throw new ArgumentOutOfRangeException(nameof(filters), $"Filters, kernel sizes and strides must be at least 1; got {filters} filters, kernel {kh}×{kw}, stride {sy}×{sx}.");
        if (top < 0 || left < 0 || bottom < 0 || right < 0)
            throw new ArgumentOutOfRangeException(nameof(top), $"Padding must not be negative; got top {top}, left {left}, bottom {bottom}, right {right}.");
        int h = ShapeArithmetic.OutputLength(input.Height, kh, sy, top, bottom), w = ShapeArithmetic.OutputLength(input.Width, kw, sx, left, right);
        if (h < 1 || w < 1)
            throw new ArgumentException($"A {kh}×{kw} kernel does not fit the {input} input padded by {top},{left},{bottom},{right}.", nameof(input));
        return Shape.Image(filters, h, w);
    }

    private static ParameterBlock[] MakeBlocks(Shape input, int filters, int kh, int kw, int offset, bool bias)
    {
        int inC = CheckInput(input).Channels;
        int fanIn = checked(inC * kh * kw), fanOut = checked(filters * kh * kw);
        var weight = new ParameterBlock("weight", new Shape(filters, inC, kh, kw), offset, ParameterRole.Weight, fanIn, fanOut);
        return bias
            ? new[] { weight, new ParameterBlock("bias", Shape.Vector(filters), checked(offset + weight.Count), ParameterRole.Bias, fanIn, fanOut) }
            : new[] { weight };
    }

    /// <inheritdoc />
    protected override string Describe()
        => $"Conv2D({Filters}@{KernelHeight}×{KernelWidth}, stride {StrideY}×{StrideX}, pad {PadTop},{PadLeft},{PadBottom},{PadRight}{(HasBias ? "" : ", no bias")}, {Activation}) → {OutputShape}";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other)
        => other is Conv2DLayerInfo c && c.Filters == Filters && c.KernelHeight == KernelHeight && c.KernelWidth == KernelWidth
           && c.StrideY == StrideY && c.StrideX == StrideX && c.PadTop == PadTop && c.PadLeft == PadLeft
           && c.PadBottom == PadBottom && c.PadRight == PadRight && c.HasBias == HasBias;

    /// <inheritdoc />
    protected override int HyperparameterHash() => HashCode.Combine(Filters, KernelHeight, KernelWidth, StrideY, StrideX, PadTop, PadLeft, HashCode.Combine(PadBottom, PadRight, HasBias));
}
