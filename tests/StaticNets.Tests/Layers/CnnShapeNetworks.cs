namespace StaticNets.Tests.Layers
{
    // A family of generated CNNs covering the shape arithmetic: odd and non-square inputs and kernels, strides 1–3,
    // every padding form, 1–7 channels, kernels 1–5, overlapping pools, pools with a remainder, layers without bias,
    // every activation on a convolution and as a standalone layer, Flatten or an activation first, conv after conv.
    // Shapes are given in the comments as channels×height×width.

    // 1×5×7 → valid 3×2 kernel → 2×3×6 → 36 → softmax 3.
    [Network(Input = new[] { 1, 5, 7 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
    [Conv2D(2, 3, 2, Activation = Activation.Sigmoid)]
    [Flatten]
    [Dense(3, Activation.Softmax)]
    public partial class ValidKernelCnnD;

    // 3×9×7 → stride 2, Padding = 1 → 4×5×4 → overlapping max pool (2, stride 1) → 4×4×3 → 48 → 4 (identity, quadratic).
    [Network(Input = new[] { 3, 9, 7 }, Precision = Precision.Double)]
    [Conv2D(4, 3, Stride = 2, Padding = 1, Activation = Activation.ReLU)]
    [MaxPool2D(2, Stride = 1)]
    [Flatten]
    [Dense(4, Activation.Identity)]
    public partial class StridePadCnnD;

    // 2×8×6 → 4×3 kernel, strides 3×2, pads (2, 0, 1, 1) → 3×3×3 → 1×1 conv → 5×3×3 → overlapping avg pool → 5×2×2 → 20 → sigmoid 3.
    [Network(Input = new[] { 2, 8, 6 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
    [Conv2D(3, 4, 3, Strides = new[] { 3, 2 }, Pads = new[] { 2, 0, 1, 1 }, Activation = Activation.LeakyReLU)]
    [Conv2D(5, 1, Activation = Activation.GELU)]
    [AvgPool2D(2, Stride = 1)]
    [Flatten]
    [Dense(3, Activation.Sigmoid)]
    public partial class AsymmetricPadsCnnD;

    // 2×7×5 → Same 3×3 (even totals 2, 2) → 3×7×5 → Same 2×2 stride 2 (odd totals 1, 1) → 2×4×3 → Same 4×2 (totals 3, 1) → 2×4×3 → 24 → 2, no bias.
    [Network(Input = new[] { 2, 7, 5 }, Precision = Precision.Double)]
    [Conv2D(3, 3, PaddingMode = PaddingMode.Same, Activation = Activation.Softplus)]
    [Conv2D(2, 2, Stride = 2, PaddingMode = PaddingMode.Same, Activation = Activation.ELU)]
    [Conv2D(2, 4, 2, PaddingMode = PaddingMode.Same, Activation = Activation.SiLU)]
    [Flatten]
    [Dense(2, Activation.Identity, Bias = false)]
    public partial class SamePaddingCnnD;

    // Starts with Flatten: 2×3×4 → 24 → tanh 5 → softmax 3.
    [Network(Input = new[] { 2, 3, 4 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
    [Flatten]
    [Dense(5, Activation.Tanh)]
    [Dense(3, Activation.Softmax)]
    public partial class FlattenFirstD;

    // Starts with an activation; softmax over a 2×3×3 image in the middle and a standalone softmax at the end with cross-entropy.
    [Network(Input = new[] { 3, 5, 5 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
    [Activation(Activation.Tanh)]
    [Conv2D(2, 3, Bias = false)]
    [Activation(Activation.Softmax)]
    [MaxPool2D(2, Stride = 1)]
    [Flatten]
    [Dense(4, Activation.Identity)]
    [Activation(Activation.Softmax)]
    public partial class ActivationFirstD;

    // Pools whose windows leave a remainder (SNN023 on purpose; the pragma is ignored while the generator reports
    // file-path locations, which Roslyn never checks against pragmas, so the project's NoWarn carries it for now): 2×9×8 → max 2 → 2×4×4 (row 8 left out) → 3×5×5 → avg 2 → 3×2×2 (last row and column left out).
#pragma warning disable SNN023
    [Network(Input = new[] { 2, 9, 8 }, Precision = Precision.Double)]
    [MaxPool2D(2)]
    [Conv2D(3, 2, Padding = 1, Activation = Activation.Sigmoid)]
    [AvgPool2D(2)]
    [Flatten]
    [Dense(2, Activation.Sigmoid)]
    public partial class RemainderPoolCnnD;
#pragma warning restore SNN023

    // Seven channels, a 5×5 kernel: 7×6×6 → 1×4×4 → sigmoid → overlapping max pool 3, stride 1 → 1×2×2 → 4 → 2.
    [Network(Input = new[] { 7, 6, 6 }, Precision = Precision.Double)]
    [Conv2D(1, 5, Padding = 1, Activation = Activation.ReLU)]
    [Activation(Activation.Sigmoid)]
    [MaxPool2D(3, Stride = 1)]
    [Flatten]
    [Dense(2, Activation.Identity)]
    public partial class SevenChannelCnnD;

    // Standalone activations over images and vectors: 1×5×5 → 2×4×4 → LeakyReLU, GELU, ELU → avg 2 → 2×2×2 → SiLU, Softplus, Identity → 8 → 3 → ReLU.
    [Network(Input = new[] { 1, 5, 5 }, Precision = Precision.Double)]
    [Conv2D(2, 2)]
    [Activation(Activation.LeakyReLU)]
    [Activation(Activation.GELU)]
    [Activation(Activation.ELU)]
    [AvgPool2D(2)]
    [Activation(Activation.SiLU)]
    [Activation(Activation.Softplus)]
    [Activation(Activation.Identity)]
    [Flatten]
    [Dense(3, Activation.Identity)]
    [Activation(Activation.ReLU)]
    public partial class StandaloneActivationsD;

    // A standalone softmax at the end with the quadratic cost: 2×5×4 → 3×2 kernel, strides 1×2 (column 4 left out) → 3×4×1 → 12 → 4 → softmax.
    [Network(Input = new[] { 2, 5, 4 }, Precision = Precision.Double)]
    [Conv2D(3, 2, 3, Strides = new[] { 1, 2 })]
    [Flatten]
    [Dense(4, Activation.Identity)]
    [Activation(Activation.Softmax)]
    public partial class SoftmaxQuadraticD;

    // Float: 3×11×9 → 5×3 kernel, stride 3, Padding = 2 → 6×4×4 → max 2, stride 1 → 6×3×3 → 54 → softmax 10.
    [Network(Input = new[] { 3, 11, 9 }, Loss = Loss.CrossEntropy)]
    [Conv2D(6, 5, 3, Stride = 3, Padding = 2, Activation = Activation.ReLU)]
    [MaxPool2D(2, Stride = 1)]
    [Flatten]
    [Dense(10, Activation.Softmax)]
    public partial class Stride3Cnn;

    // Float, conv after conv: 4×16×16 → 8×16×16 → 8×16×16 → max 2 → 8×8×8 → 512 → 16 (no bias) → sigmoid 3.
    [Network(Input = new[] { 4, 16, 16 })]
    [Conv2D(8, 3, Padding = 1, Activation = Activation.ReLU)]
    [Conv2D(8, 3, Padding = 1, Activation = Activation.ReLU)]
    [MaxPool2D(2)]
    [Flatten]
    [Dense(16, Activation.ReLU, Bias = false)]
    [Dense(3, Activation.Sigmoid)]
    public partial class DoubleConvCnn;

    // Float: 5×7×10 → Same 2×4, strides 1×2 (totals 1, 2) → 5×7×5 → avg 3×1, stride 2 → 5×3×3 → 45 → softmax 4.
    [Network(Input = new[] { 5, 7, 10 }, Loss = Loss.CrossEntropy)]
    [Conv2D(5, 2, 4, Strides = new[] { 1, 2 }, PaddingMode = PaddingMode.Same, Activation = Activation.Tanh)]
    [AvgPool2D(3, 1, Stride = 2)]
    [Flatten]
    [Dense(4, Activation.Softmax)]
    public partial class SameStridedCnn;

    // Standalone dropout on an image and on a vector: 2×6×6 → 3×4×4 → dropout → 48 → 4 → dropout → softmax 3.
    [Network(Input = new[] { 2, 6, 6 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
    [Conv2D(3, 3, Activation = Activation.Tanh)]
    [Dropout(0.3)]
    [Flatten]
    [Dense(4, Activation.Tanh)]
    [Dropout(0.5)]
    [Dense(3, Activation.Softmax)]
    public partial class DropoutCnnD;

    // A conv encoder and a dense decoder, chained: 1×6×6 → 3×4×4 → 3×2×2 → 12 → tanh 5 | 5 → sigmoid 7 → softmax 3.
    [Network(Input = new[] { 1, 6, 6 }, Precision = Precision.Double)]
    [Conv2D(3, 3, Activation = Activation.Tanh)]
    [MaxPool2D(2)]
    [Flatten]
    [Dense(5, Activation.Tanh)]
    public partial class EncoderCnnD;

    [Network(5, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
    [Dense(7, Activation.Sigmoid)]
    [Dense(3, Activation.Softmax)]
    public partial class DecoderD;

    // The real-data CNN: sklearn digits as 1×8×8 → 8×8×8 → max 2 → 8×4×4 → 128 → softmax 10.
    [Network(Input = new[] { 1, 8, 8 }, Loss = Loss.CrossEntropy)]
    [Conv2D(8, 3, Padding = 1, Activation = Activation.ReLU)]
    [MaxPool2D(2)]
    [Flatten]
    [Dense(10, Activation.Softmax)]
    public partial class DigitsCnn;
}
