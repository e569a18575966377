namespace StaticNets.Tests.Layers
{
    /// <summary>[Normalize] in front of a small classifier, in double for the gradient checks.</summary>
    [Network(Input = new[] { 5 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
    [Normalize]
    [Dense(4, Activation.Tanh)]
    [Dense(3, Activation.Softmax)]
    public partial class NormalizedMlpD;

    /// <summary>The same in float, as applications declare it.</summary>
    [Network(Input = new[] { 5 }, Loss = Loss.CrossEntropy)]
    [Normalize]
    [Dense(8, Activation.ReLU)]
    [Dense(3, Activation.Softmax)]
    public partial class NormalizedMlp;

    /// <summary>Per-value statistics over an image (channels × height × width), then a convolution.</summary>
    [Network(Input = new[] { 2, 4, 4 }, Precision = Precision.Double)]
    [Normalize]
    [Conv2D(2, 3, Activation = Activation.Tanh)]
    [Flatten]
    [Dense(2, Activation.Sigmoid)]
    public partial class NormalizedCnnD;
}
