using System.Linq;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>Every diagnostic: full message text, severity and location (1-based line, column).</summary>
public class DiagnosticTests
{
    private static string[] Diagnose(string source)
    {
        var run = GeneratorHarness.Run("using StaticNets;\n" + source);
        return run.Diagnostics.Select(GeneratorHarness.Format).OrderBy(s => s, System.StringComparer.Ordinal).ToArray();
    }

    /// <summary>Compares the full text as one string so a mismatch shows the whole message.</summary>
    private static void AssertDiagnostics(string source, params string[] expected)
        => Assert.Equal(string.Join("\n", expected), string.Join("\n", Diagnose(source)));

    private static void AssertNoOutput(string source)
        => Assert.Empty(GeneratorHarness.Run("using StaticNets;\n" + source).Sources);

    [Fact]
    public void SNN001_not_partial()
    {
        const string source = "[Network(2, 1)]\npublic class Net;";
        AssertDiagnostics(source, "SNN001 Error (3,14)-(3,17): The type 'Net' has [Network] but is not partial; add the 'partial' modifier so the generator can add the network's members");
        AssertNoOutput(source);
    }

    [Fact]
    public void SNN002_too_few_sizes()
    {
        AssertDiagnostics("[Network(4)]\npublic partial class Net;", "SNN002 Error (2,2)-(2,12): Network 'Net' declares only the input size 4 and no layer; give the input and at least one layer, e.g. [Network(2, 3, 1)], or [Network(inputSize)] or [Network(Input = new[] { channels, height, width })] followed by layer attributes such as [Dense(size)]");
        AssertDiagnostics("[Network()]\npublic partial class Net;", "SNN002 Error (2,2)-(2,11): Network 'Net' declares no size; give the input and at least one layer, e.g. [Network(2, 3, 1)], or [Network(inputSize)] or [Network(Input = new[] { channels, height, width })] followed by layer attributes such as [Dense(size)]");
    }

    [Fact]
    public void SNN003_size_below_one_points_at_the_size()
    {
        AssertDiagnostics("[Network(4, 0, 2)]\npublic partial class Net;", "SNN003 Error (2,13)-(2,14): The 2nd size of network 'Net' is 0; every size must be at least 1");
        AssertDiagnostics("[Network(4)]\n[Dense(-3)]\npublic partial class Net;", "SNN003 Error (3,2)-(3,11): The size of layer 0 [Dense(-3)] of network 'Net' is -3; every size must be at least 1");
        AssertDiagnostics("[Network(4, 3, 5, 0)]\npublic partial class Net;", "SNN003 Error (2,19)-(2,20): The 4th size of network 'Net' is 0; every size must be at least 1");
        AssertDiagnostics("[Network(0)]\n[Dense(2)]\npublic partial class Net;", "SNN003 Error (2,10)-(2,11): The input size of network 'Net' is 0; every size must be at least 1");
    }

    [Fact]
    public void SNN004_softmax_on_hidden_layer()
    {
        AssertDiagnostics("[Network(4, 3, 2, Hidden = Activation.Softmax)]\npublic partial class Net;", "SNN004 Error (2,19)-(2,46): Layer 0 of network 'Net' is a hidden dense layer with Softmax activation; a dense layer takes Softmax only as the output layer: for a softmax inside the network add a standalone [Activation(Activation.Softmax)] layer after a dense layer with Identity");
    }

    [Fact]
    public void SNN005_activation_count_mismatch()
    {
        AssertDiagnostics("[Network(4, 3, 2, Activations = new[] { Activation.ReLU })]\npublic partial class Net;", "SNN005 Error (2,19)-(2,58): Network 'Net' has 2 layer(s) but Activations lists 1; give exactly one activation per layer, hidden layers first and the output layer last");
    }

    [Fact]
    public void SNN006_undefined_enum_value()
    {
        AssertDiagnostics("[Network(4, 2, Output = (Activation)42)]\npublic partial class Net;", "SNN006 Error (2,16)-(2,39): Output of network 'Net' is 42, which is not a defined Activation value; use one of: Activation.Identity, Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU, Activation.Softmax, Activation.ELU, Activation.GELU, Activation.Softplus, Activation.SiLU");
        AssertDiagnostics("[Network(4, 2, Loss = (Loss)7)]\npublic partial class Net;", "SNN006 Error (2,16)-(2,30): Loss of network 'Net' is 7, which is not a defined Loss value; use one of: Loss.Quadratic, Loss.CrossEntropy");
    }

    [Fact]
    public void SNN007_generic_type()
    {
        AssertDiagnostics("[Network(4, 2)]\npublic partial class Net<T>;", "SNN007 Error (3,22)-(3,25): Network 'Net' is generic ('Net<T>'); declare networks in non-generic types, since sizes are fixed at compile time");
        AssertDiagnostics("public partial class Outer<T> { [Network(4, 2)] partial class Net; }", "SNN007 Error (2,63)-(2,66): Network 'Net' is nested in the generic type 'Outer<T>'; declare networks in non-generic types, since sizes are fixed at compile time");
    }

    [Fact]
    public void SNN008_softmax_with_quadratic_loss_warns_and_still_generates()
    {
        const string source = "[Network(4, 3, Output = Activation.Softmax)]\npublic partial class Net;";
        AssertDiagnostics(source, "SNN008 Warning (2,2)-(2,44): Network 'Net' combines a Softmax output with Loss.Quadratic; the output delta goes through the full softmax Jacobian and learning slows as outputs saturate; use Loss = Loss.CrossEntropy, whose softmax delta is a − y");
        Assert.Single(GeneratorHarness.Run("using StaticNets;\n" + source).Sources);
    }

    [Fact]
    public void SNN009_cross_entropy_without_probabilities_warns()
    {
        AssertDiagnostics("[Network(4, 3, Output = Activation.ReLU, Loss = Loss.CrossEntropy)]\npublic partial class Net;", "SNN009 Warning (2,2)-(2,67): Network 'Net' uses Loss.CrossEntropy but its output layer's activation is ReLU; cross-entropy needs outputs in (0, 1), so the loss will use the binary form on outputs clamped into [ε, 1 − ε] and the gradient ∇aC ⊙ σ'(z), which may stall or diverge; use Output = Activation.Softmax (one class per sample) or Activation.Sigmoid (independent labels)");
    }

    [Fact]
    public void SNN010_containing_type_not_partial()
    {
        AssertDiagnostics("public class Outer { [Network(4, 2)] partial class Net; }", "SNN010 Error (2,14)-(2,19): Network 'Net' is nested in 'Outer', which is not partial; add the 'partial' modifier to 'Outer'");
    }

    [Fact]
    public void SNN011_layers_declared_twice()
    {
        AssertDiagnostics("[Network(4, 3)]\n[Dense(2)]\npublic partial class Net;", "SNN011 Error (2,2)-(2,15): Network 'Net' declares layers both in [Network(4, 3)] and with 1 layer attribute(s); either list every size in [Network], or give only the input size, [Network(4)], followed by the layer attributes");
    }

    [Fact]
    public void SNN012_dense_without_network()
    {
        AssertDiagnostics("[Dense(3)]\n[Dense(2)]\npublic partial class Net;", "SNN012 Error (4,22)-(4,25): The type 'Net' has [Dense] layers but no [Network]; add [Network(inputSize)] or [Network(Input = new[] { channels, height, width })] to declare the input");
    }

    [Fact]
    public void SNN013_too_many_parameters()
    {
        AssertDiagnostics("[Network(50000, 50000, 1)]\npublic partial class Net;", "SNN013 Error (2,2)-(2,26): Network 'Net' has 2500100001 parameters, more than the 2147483527 that one parameter buffer can hold; reduce the layer sizes");
    }

    [Fact]
    public void SNN014_activations_overrides_hidden()
    {
        AssertDiagnostics("[Network(4, 2, Hidden = Activation.ReLU, Activations = new[] { Activation.Sigmoid })]\npublic partial class Net;", "SNN014 Warning (2,16)-(2,40): Network 'Net' sets both Activations and Hidden; Activations decides every layer and Hidden is ignored; remove Hidden");
    }

    [Fact]
    public void SNN015_static_type()
    {
        AssertDiagnostics("[Network(4, 2)]\npublic static partial class Net;", "SNN015 Error (3,29)-(3,32): The type 'Net' is static, but a network holds its parameters in instances; remove the 'static' modifier");
    }

    [Fact]
    public void SNN016_unreadable_arguments()
    {
        AssertDiagnostics("[Network(4, \"two\")]\npublic partial class Net;", "SNN016 Error (2,2)-(2,19): The [Network] attribute on 'Net' has arguments that are not compile-time constants of the expected types; pass integer sizes and Activation, Loss or Precision values");
    }

    [Fact]
    public void SNN017_dropout_out_of_range()
    {
        AssertDiagnostics("[Network(4, 3, 2, Dropout = 1.0)]\npublic partial class Net;",
            "SNN017 Error (2,19)-(2,32): Dropout of network 'Net' is 1; a dropout rate is the probability of dropping an activation and must be at least 0 and below 1, e.g. 0.2");
        AssertDiagnostics("[Network(4)]\n[Dense(3, Dropout = -0.5)]\n[Dense(2)]\npublic partial class Net;",
            "SNN017 Error (3,2)-(3,26): The Dropout of [Dense(3)] of network 'Net' is -0.5; a dropout rate is the probability of dropping an activation and must be at least 0 and below 1, e.g. 0.2");
    }

    [Fact]
    public void SNN018_dropout_on_output_layer()
    {
        AssertDiagnostics("[Network(4)]\n[Dense(3)]\n[Dense(2, Dropout = 0.5)]\npublic partial class Net;",
            "SNN018 Error (4,2)-(4,25): The Dropout of Layer 1 [Dense(2, Activation.Sigmoid)], the output layer, of network 'Net' would drop the network's outputs, which would corrupt the cost; put dropout on hidden layers only, before another layer");
    }

    [Fact]
    public void SNN019_dropout_without_hidden_layers_warns()
    {
        AssertDiagnostics("[Network(4, 2, Dropout = 0.5)]\npublic partial class Net;",
            "SNN019 Warning (2,16)-(2,29): Network 'Net' sets Dropout but has no hidden layer, so nothing is dropped; add a hidden layer or remove Dropout");
    }

    [Fact]
    public void Valid_declarations_report_nothing()
    {
        Assert.Empty(Diagnose("[Network(4, 3, 2, Hidden = Activation.Tanh, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]\npublic partial class Net;"));
        Assert.Empty(Diagnose("[Network(4, Loss = Loss.CrossEntropy)]\n[Dense(3, Activation.ReLU)]\n[Dense(2, Activation.Sigmoid)]\npublic partial class Net;"));
    }
}
