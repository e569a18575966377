using StaticNets;

namespace SemanticHashing;

/// <summary>The encoder: 784 pixels → 512 → 256 (ReLU) → 32 code pre-activations z (Identity; the bottleneck applies the sigmoid).</summary>
[Network(784)]
[Dense(512, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(32, Activation.Identity)]
public partial class Encoder;

/// <summary>The decoder: a 32-value code → 256 → 512 (ReLU) → 784 sigmoid pixels, binary cross-entropy against the input.</summary>
[Network(32, Loss = Loss.CrossEntropy)]
[Dense(256, Activation.ReLU)]
[Dense(512, Activation.ReLU)]
[Dense(784, Activation.Sigmoid)]
public partial class Decoder;

/// <summary>A denoising autoencoder with tied weights (Vincent et al. 2008): 784 → 256 sigmoid (the code) → 784 sigmoid through Wᵀ.</summary>
[Network(784, Loss = Loss.CrossEntropy, Code = "code")]
[Dense(256, Activation.Sigmoid, Name = "code")]
[Dense(784, Activation.Sigmoid, TiedTo = "code")]
public partial class Denoiser;
