using System.Linq;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>The generated source of representative networks, compared with reviewed snapshots.</summary>
public class SnapshotTests
{
    private static void VerifyNetwork(string source, string hint, [System.Runtime.CompilerServices.CallerMemberName] string method = "", [System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Snapshot.VerifyNetwork(source, hint, method, file);

    [Fact]
    public void XorNet() => VerifyNetwork("""
        using StaticNets;
        namespace Samples;
        [Network(2, 3, 1)]
        public partial class XorNet;
        """, "Samples.XorNet.g.cs");

    [Fact]
    public void DigitsNet() => VerifyNetwork("""
        using StaticNets;
        [Network(64, 32, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
        public partial class DigitsNet;
        """, "DigitsNet.g.cs");

    [Fact]
    public void DeepOddNet() => VerifyNetwork("""
        using StaticNets;
        namespace Deep.Nets
        {
            public partial record Outer
            {
                [Network(13, 7, 5, 3, Activations = new[] { Activation.Tanh, Activation.LeakyReLU, Activation.Identity }, Precision = Precision.Double)]
                internal partial class DeepNet;
            }
        }
        """, "Deep.Nets.Outer.DeepNet.g.cs");

    [Fact]
    public void PerLayerForm() => VerifyNetwork("""
        using StaticNets;
        [Network(784, Loss = Loss.CrossEntropy)]
        [Dense(128, Activation.ReLU)]
        [Dense(10, Activation.Softmax)]
        public partial class MnistNet;
        """, "MnistNet.g.cs");

    [Fact]
    public void DropoutNet() => VerifyNetwork("""
        using StaticNets;
        [Network(3, Loss = Loss.CrossEntropy)]
        [Dense(5, Activation.Sigmoid, Dropout = 0.5)]
        [Dense(40, Activation.ReLU, Dropout = 0.2)]
        [Dense(2, Activation.Sigmoid)]
        public partial class DropoutNet;
        """, "DropoutNet.g.cs");
}
