using StaticNets.Unsupervised;

namespace StaticNets.Tests.Unsupervised;

/// <summary>64 → 32 sigmoid: one RBM over the digits unrolled, and the network an RBM's <c>.snet</c> file loads into.</summary>
[Network(64, 32)]
public partial class RbmFeatureNet;

/// <summary>64 → 32 → 16, sigmoid: a two-RBM stack unrolled; its forward pass is <see cref="DeepBeliefNet{T}.Transform"/>.</summary>
[Network(64, 32, 16)]
public partial class DbnFeatureNet;

/// <summary>The digits classifier a 64-32-16 DBN pretrains.</summary>
[Network(64, 32, 16, 10, Hidden = Activation.Sigmoid, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class DbnClassifierNet;

/// <summary>The same in double precision.</summary>
[Network(64, 32, 16, 10, Hidden = Activation.Sigmoid, Output = Activation.Softmax, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
public partial class DbnClassifierNetDouble;

/// <summary>A 64-32-16 stack with a linear (Gaussian) code layer unrolled into an autoencoder 64-32-16-32-64.</summary>
[Network(64, 32, 16, 32, 64, Activations = new[] { Activation.Sigmoid, Activation.Identity, Activation.Sigmoid, Activation.Sigmoid })]
public partial class DbnAutoencoderNet;

/// <summary>A first layer of 30 units where a 64-32 RBM expects 32.</summary>
[Network(64, 30, 10)]
public partial class MismatchedNet;

/// <summary>The same in double precision.</summary>
[Network(64, 30, 10, Precision = Precision.Double)]
public partial class MismatchedNetDouble;

/// <summary>The right shapes with ReLU, which an RBM's sigmoid units do not compute.</summary>
[Network(64, 32, 16, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class ReluClassifierNet;
