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

/// <summary>A convolution: not a dense network, so the GPU plan keeps it on the host.</summary>
[Network(Input = new[] { 1, 6, 6 }, Loss = Loss.CrossEntropy)]
[Conv2D(2, 3)]
[Flatten]
[Dense(3, Activation.Softmax)]
public partial class ConvNet;
