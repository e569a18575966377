using System;

namespace StaticNets;

/// <summary>
/// 2-D pooling over each channel with a window moved by a stride, without padding. Rows or columns at the
/// bottom or right that no window reaches are ignored (PyTorch's floor mode) and get zero gradient.
/// </summary>
public abstract class Pool2DLayerInfo : LayerInfo
{
    /// <summary>Describes pooling samples of <paramref name="input"/> (rank 3).</summary>
    protected Pool2DLayerInfo(Shape input, int windowHeight, int windowWidth, int strideY, int strideX, int parameterOffset)
        : base(input, InferOutput(input, windowHeight, windowWidth, strideY, strideX))
    {
        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
        StrideY = strideY;
        StrideX = strideX;
        ParameterOffset = parameterOffset;
    }

    /// <inheritdoc />
    public override long MultiplyAddsPerSample => (long)Outputs * WindowHeight * WindowWidth;

    /// <summary>Window height.</summary>
    public int WindowHeight { get; }

    /// <summary>Window width.</summary>
    public int WindowWidth { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideY { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideX { get; }

    private static Shape InferOutput(Shape input, int wh, int ww, int sy, int sx)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3)
            throw new ArgumentException($"2-D pooling needs channels × height × width input but got {input} (rank {input.Rank}).", nameof(input));
        if (wh < 1 || ww < 1 || sy < 1 || sx < 1)
            throw new ArgumentOutOfRangeException(nameof(wh), $"Windows and strides must be at least 1; got window {wh}×{ww}, stride {sy}×{sx}.");
        int h = ShapeArithmetic.OutputLength(input.Height, wh, sy, 0, 0), w = ShapeArithmetic.OutputLength(input.Width, ww, sx, 0, 0);
        if (h < 1 || w < 1)
            throw new ArgumentException($"A {wh}×{ww} window does not fit the {input} input.", nameof(input));
        return Shape.Image(input.Channels, h, w);
    }

    /// <inheritdoc />
    protected override string Describe() => $"{Kind}({WindowHeight}×{WindowWidth}, stride {StrideY}×{StrideX}) → {OutputShape}";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other)
        => other is Pool2DLayerInfo p && p.Kind == Kind && p.WindowHeight == WindowHeight && p.WindowWidth == WindowWidth && p.StrideY == StrideY && p.StrideX == StrideX;

    /// <inheritdoc />
    protected override int HyperparameterHash() => HashCode.Combine(WindowHeight, WindowWidth, StrideY, StrideX);
}

/// <summary>Max pooling: each output is its window's largest input; the gradient goes to that input (the first one on ties).</summary>
public sealed class MaxPool2DLayerInfo : Pool2DLayerInfo
{
    /// <summary>Describes max pooling of samples of <paramref name="input"/>.</summary>
    public MaxPool2DLayerInfo(Shape input, int windowHeight, int windowWidth, int strideY, int strideX, int parameterOffset)
        : base(input, windowHeight, windowWidth, strideY, strideX, parameterOffset) { }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.MaxPool2D;
}

/// <summary>Average pooling: each output is its window's mean; the gradient is shared equally by the window.</summary>
public sealed class AvgPool2DLayerInfo : Pool2DLayerInfo
{
    /// <summary>Describes average pooling of samples of <paramref name="input"/>.</summary>
    public AvgPool2DLayerInfo(Shape input, int windowHeight, int windowWidth, int strideY, int strideX, int parameterOffset)
        : base(input, windowHeight, windowWidth, strideY, strideX, parameterOffset) { }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.AvgPool2D;
}
