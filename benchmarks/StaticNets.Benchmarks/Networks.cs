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
