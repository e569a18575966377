using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>The generated source of shaped-layer networks, compared with reviewed snapshots.</summary>
public class LayerSnapshotTests
{
    private static void VerifyNetwork(string source, string hint, [System.Runtime.CompilerServices.CallerMemberName] string method = "", [System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Snapshot.VerifyNetwork(source, hint, method, file);

    [Fact]
    public void LeNet5() => VerifyNetwork("""
        using StaticNets;
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
        """, "LeNet5.g.cs");

    [Fact]
    public void StandaloneActivationNoBias() => VerifyNetwork("""
        using StaticNets;
        namespace Samples;
        [Network(6, Loss = Loss.CrossEntropy)]
        [Dense(4, Activation.Identity, Bias = false)]
        [Activation(Activation.Tanh)]
        [Dense(3, Activation.Identity)]
        [Activation(Activation.Softmax)]
        public partial class ActNet;
        """, "Samples.ActNet.g.cs");

    [Fact]
    public void FlattenFirst() => VerifyNetwork("""
        using StaticNets;
        [Network(Input = new[] { 2, 3, 3 })]
        [Flatten]
        [Dense(4, Activation.ReLU)]
        [Dense(1, Activation.Sigmoid)]
        public partial class FlatNet;
        """, "FlatNet.g.cs");

    [Fact]
    public void DropoutBetweenConvolutions() => VerifyNetwork("""
        using StaticNets;
        [Network(Input = new[] { 3, 9, 9 }, Precision = Precision.Double)]
        [Conv2D(4, 3, Stride = 2, Bias = false, Activation = Activation.ReLU)]
        [Dropout(0.25)]
        [Conv2D(2, 3, 1, PaddingMode = PaddingMode.Same, Activation = Activation.Tanh)]
        [AvgPool2D(2)]
        [Flatten]
        [Dense(3, Activation.Sigmoid)]
        public partial class DropConvNet;
        """, "DropConvNet.g.cs");
}
