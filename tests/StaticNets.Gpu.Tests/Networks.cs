namespace StaticNets.Gpu.Tests;

/// <summary>Two hidden tanh layers and a softmax output with cross-entropy; sizes that leave partial GEMM tiles.</summary>
[Network(13, 70, 33, 5, Hidden = Activation.Tanh, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class SoftmaxNet;

/// <summary>ReLU then sigmoid outputs under the quadratic cost (δ = (a − y)·σ′).</summary>
[Network(9, 66, 4, Activations = new[] { Activation.ReLU, Activation.Sigmoid }, Loss = Loss.Quadratic)]
public partial class QuadraticNet;

/// <summary>Per-layer form: a layer without bias, smooth activations, sigmoid outputs with binary cross-entropy.</summary>
[Network(20, Loss = Loss.CrossEntropy)]
[Dense(40, Activation.GELU, Bias = false)]
[Dense(17, Activation.SiLU)]
[Dense(3, Activation.Sigmoid)]
public partial class SmoothNet;

/// <summary>The smallest convolution (2 filters 3×3, identity): runs on the accelerator since the GPU path has convolutions.</summary>
[Network(Input = new[] { 1, 6, 6 }, Loss = Loss.CrossEntropy)]
[Conv2D(2, 3)]
[Flatten]
[Dense(3, Activation.Softmax)]
public partial class ConvNet;

/// <summary>The example: 1×8×8 → 4 filters 3×3 (ReLU) → 2×2 max pooling → flatten → 10 softmax.</summary>
[Network(Input = new[] { 1, 8, 8 }, Loss = Loss.CrossEntropy)]
[Conv2D(4, 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(10, Activation.Softmax)]
public partial class CnnMaxNet;

/// <summary>Two input channels, stride 2 with padding 1 (11×11 → 6×6), 2×2 average pooling, sigmoid outputs with binary cross-entropy.</summary>
[Network(Input = new[] { 2, 11, 11 }, Loss = Loss.CrossEntropy)]
[Conv2D(3, 3, Stride = 2, Padding = 1, Activation = Activation.Tanh)]
[AvgPool2D(2)]
[Flatten]
[Dense(4, Activation.Sigmoid)]
public partial class CnnAvgNet;

/// <summary>
/// Two convolutions: uneven padding (top 1, left 0, bottom 2, right 1: 10×10 → 11×9), overlapping 3×3 max pooling with
/// stride 2, a 2×3 kernel with strides 3 × 1 and no bias, then dense layers and a standalone softmax.
/// </summary>
[Network(Input = new[] { 1, 10, 10 }, Loss = Loss.CrossEntropy)]
[Conv2D(3, 3, Pads = new[] { 1, 0, 2, 1 }, Activation = Activation.ELU)]
[MaxPool2D(3, Stride = 2)]
[Conv2D(4, 2, 3, Strides = new[] { 3, 1 }, Bias = false, Activation = Activation.GELU)]
[Flatten]
[Dense(6, Activation.ReLU)]
[Dense(3)]
[Activation(Activation.Softmax)]
public partial class CnnTwoNet;

/// <summary>Dropout: a layer the GPU path lacks, so the plan keeps the network on the host.</summary>
[Network(Input = new[] { 1, 6, 6 }, Loss = Loss.CrossEntropy)]
[Conv2D(2, 3)]
[Flatten]
[Dropout(0.25)]
[Dense(3, Activation.Softmax)]
public partial class DropoutNet;

/// <summary>A recurrent layer: not on the GPU path either.</summary>
[Network(Input = new[] { 4, 3 }, Loss = Loss.CrossEntropy)]
[Lstm(5)]
[Dense(2, Activation.Softmax)]
public partial class LstmNet;
