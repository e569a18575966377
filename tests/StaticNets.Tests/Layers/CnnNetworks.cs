namespace StaticNets.Tests.Layers
{
    // LeNet-5 as the issue declares it: the shapes are inferred layer by layer.
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

    // Small double CNNs for finite differences: odd sizes, strides, asymmetric pads, both pools, no bias, standalone activations.
    [Network(Input = new[] { 2, 7, 6 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
    [Conv2D(3, 3, 2, Strides = new[] { 2, 1 }, Pads = new[] { 1, 0, 2, 1 }, Activation = Activation.Tanh)]
    [AvgPool2D(2)]
    [Flatten]
    [Dense(5, Activation.Sigmoid)]
    [Dense(4)]
    [Activation(Activation.Softmax)]
    public partial class OddCnnD;

    [Network(Input = new[] { 3, 9, 8 }, Precision = Precision.Double)]
    [Conv2D(4, 3, PaddingMode = PaddingMode.Same, Bias = false)]
    [Activation(Activation.ELU)]
    [MaxPool2D(3, 2, Stride = 2)]
    [Conv2D(2, 1, Activation = Activation.Sigmoid)]
    [Flatten]
    [Dropout(0.25)]
    [Dense(3, Activation.Identity, Bias = false)]
    public partial class SameCnnD;
}
