using StaticNets;

namespace StaticNets.Benchmarks;

// The three networks of the benchmark table. Every peer gets the same weights as these.

/// <summary>N1: a tiny controller-sized net, where per-call overhead dominates.</summary>
[Network(8, 32, 32, 4, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class N1;

/// <summary>N2: the classic MNIST net.</summary>
[Network(784, 128, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class N2;

/// <summary>N3: a wider MNIST net where the GEMMs dominate.</summary>
[Network(784, 512, 512, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class N3;

/// <summary>N1 with an identity output: for the `n1` breakdown, the fused dense part without the softmax.</summary>
[Network(8, 32, 32, 4, Hidden = Activation.ReLU, Output = Activation.Identity, Loss = Loss.Quadratic)]
public partial class N1Linear;

/// <summary>LeNet-5 for 1×28×28 digits, as samples/MnistCnn declares it: the CNN cells and the `lenet-mnist` mode.</summary>
[Network(Input = new[] { 1, 28, 28 }, Loss = Loss.CrossEntropy)]
[Conv2D(6, 5, Padding = 2, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(16, 5, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(120, Activation.ReLU)]
[Dense(84, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class LeNet5;
