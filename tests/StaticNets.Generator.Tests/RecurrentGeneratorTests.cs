using System.Linq;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>Recurrent declarations: snapshots of the generated LSTM and GRU networks, and every recurrent mistake's diagnostic with full text.</summary>
public class RecurrentGeneratorTests
{
    private static void VerifyNetwork(string source, string hint, [System.Runtime.CompilerServices.CallerMemberName] string method = "", [System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Snapshot.VerifyNetwork(source, hint, method, file);

    private static void AssertError(string source, params string[] expected)
    {
        var run = GeneratorHarness.Run("using StaticNets;\n" + source);
        Assert.Equal(string.Join("\n", expected), string.Join("\n", run.Diagnostics.Select(GeneratorHarness.Format)));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void SequentialMnistLstm() => VerifyNetwork("""
        using StaticNets;
        [Network(Input = new[] { 28, 28 }, Loss = Loss.CrossEntropy)]
        [Lstm(128)]
        [Dense(10, Activation.Softmax)]
        public partial class RowLstm;
        """, "RowLstm.g.cs");

    [Fact]
    public void StackedGruPerStepSoftmax() => VerifyNetwork("""
        using StaticNets;
        namespace Samples;
        [Network(Input = new[] { 16, 8 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
        [Gru(16, ReturnSequences = true)]
        [Dropout(0.1)]
        [Lstm(12, ReturnSequences = true)]
        [Dense(5, Activation.Softmax)]
        public partial class CharModel;
        """, "Samples.CharModel.g.cs");

    [Fact]
    public void SNN040_recurrent_layer_without_a_sequence()
    {
        AssertError("[Network(Input = new[] { 12 })]\n[Lstm(4)]\n[Dense(2)]\npublic partial class Net;",
            "SNN040 Error (3,2)-(3,9): Layer 0 [Lstm(4)] of network 'Net' needs a steps × features input but the network's input is a vector of 12; declare the input as Input = new[] { steps, features }, and give ReturnSequences = true to a recurrent layer that feeds another");
        AssertError("[Network(Input = new[] { 5, 3 })]\n[Lstm(4)]\n[Gru(2)]\n[Dense(2)]\npublic partial class Net;",
            "SNN040 Error (4,2)-(4,8): Layer 1 [Gru(2)] of network 'Net' needs a steps × features input but the recurrent layer before it gives only its last step (a vector of 4); declare the input as Input = new[] { steps, features }, and give ReturnSequences = true to a recurrent layer that feeds another");
        AssertError("[Network(Input = new[] { 1, 4, 4 })]\n[Gru(2)]\n[Dense(2)]\npublic partial class Net;",
            "SNN040 Error (3,2)-(3,8): Layer 0 [Gru(2)] of network 'Net' needs a steps × features input but the network's input is 1×4×4; declare the input as Input = new[] { steps, features }, and give ReturnSequences = true to a recurrent layer that feeds another");
    }

    [Fact]
    public void SNN041_layer_kinds_without_a_per_step_meaning()
    {
        AssertError("[Network(Input = new[] { 5, 3 })]\n[Lstm(4, ReturnSequences = true)]\n[Flatten]\n[Dense(2)]\npublic partial class Net;",
            "SNN041 Error (4,2)-(4,9): Layer 1 [Flatten] of network 'Net' is a Flatten layer, which a network with recurrent layers cannot contain; such a network takes [Lstm], [Gru], [Dense], [Dropout] and element-wise [Activation] layers (a dense layer after a layer with ReturnSequences = true applies to every step, softmax included)");
        AssertError("[Network(Input = new[] { 5, 3 })]\n[Lstm(4)]\n[Dense(3, Activation.Identity)]\n[Activation(Activation.Softmax)]\npublic partial class Net;",
            "SNN041 Error (5,2)-(5,32): Layer 2 [Activation(Activation.Softmax)] of network 'Net' is a softmax Activation layer, which a network with recurrent layers cannot contain; such a network takes [Lstm], [Gru], [Dense], [Dropout] and element-wise [Activation] layers (a dense layer after a layer with ReturnSequences = true applies to every step, softmax included)");
    }

    [Fact]
    public void SNN022_no_units()
    {
        AssertError("[Network(Input = new[] { 5, 3 })]\n[Gru(0)]\n[Dense(2)]\npublic partial class Net;",
            "SNN022 Error (3,2)-(3,8): Units of Layer 0 [Gru(0)] in network 'Net' is 0; it must be at least 1");
    }
}
