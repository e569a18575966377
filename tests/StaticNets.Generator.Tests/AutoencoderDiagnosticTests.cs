using System.Linq;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>Tied weights and code layers: SNN080–SNN086 with their full text and location, and what they accept.</summary>
public class AutoencoderDiagnosticTests
{
    private static GeneratorRun Run(string source) => GeneratorHarness.Run("using StaticNets;\n" + source);

    private static string[] Diagnose(string source)
        => Run(source).Diagnostics.Select(GeneratorHarness.Format).OrderBy(s => s, System.StringComparer.Ordinal).ToArray();

    private static void AssertError(string source, params string[] expected)
    {
        Assert.Equal(string.Join("\n", expected), string.Join("\n", Diagnose(source)));
        Assert.Empty(Run(source).Sources);
    }

    [Fact]
    public void SNN080_tied_to_a_name_no_layer_has()
    {
        AssertError("[Network(8)]\n[Dense(4, Name = \"enc\")]\n[Dense(8, TiedTo = \"encoder\")]\npublic partial class Net;",
            "SNN080 Error (4,11)-(4,29): Layer 1 [Dense(8, Activation.Sigmoid)] of network 'Net' has TiedTo = \"encoder\", but no layer is named 'encoder'; the named layers before it are 'enc'; give the encoder layer Name = \"encoder\", or tie to one of the named layers");
        AssertError("[Network(8)]\n[Dense(4)]\n[Dense(8, TiedTo = \"enc\")]\npublic partial class Net;",
            "SNN080 Error (4,11)-(4,25): Layer 1 [Dense(8, Activation.Sigmoid)] of network 'Net' has TiedTo = \"enc\", but no layer is named 'enc'; no layer before it has a Name; give the encoder layer Name = \"enc\", or tie to one of the named layers");
    }

    [Fact]
    public void SNN081_tied_to_a_layer_without_dense_weights()
    {
        AssertError("[Network(Input = new[] { 1, 4, 4 })]\n[Conv2D(2, 3, Name = \"conv\")]\n[Flatten]\n[Dense(8, TiedTo = \"conv\")]\npublic partial class Net;",
            "SNN081 Error (5,11)-(5,26): Layer 2 [Dense(8, Activation.Sigmoid)] of network 'Net' has TiedTo = \"conv\", but 'conv' is layer 0, a Conv2D layer; a layer can only tie to the weights of an untied [Dense] layer over vectors");
        AssertError("[Network(8)]\n[Dense(4, Name = \"enc\")]\n[Dense(8, TiedTo = \"enc\", Name = \"dec\")]\n[Dense(8, Activation.Identity)]\n[Dense(8, TiedTo = \"dec\")]\npublic partial class Net;",
            "SNN081 Error (6,11)-(6,25): Layer 3 [Dense(8, Activation.Sigmoid)] of network 'Net' has TiedTo = \"dec\", but 'dec' is layer 1, itself tied to layer 0 ('enc'): tie to 'enc' directly; a layer can only tie to the weights of an untied [Dense] layer over vectors");
        AssertError("[Network(8)]\n[Dense(4, Activation.Identity)]\n[Activation(Activation.Tanh, Name = \"act\")]\n[Dense(8, TiedTo = \"act\")]\npublic partial class Net;",
            "SNN081 Error (5,11)-(5,25): Layer 2 [Dense(8, Activation.Sigmoid)] of network 'Net' has TiedTo = \"act\", but 'act' is layer 1, a Activation layer; a layer can only tie to the weights of an untied [Dense] layer over vectors");
    }

    [Fact]
    public void SNN082_tied_to_itself()
    {
        AssertError("[Network(8)]\n[Dense(4)]\n[Dense(8, Name = \"dec\", TiedTo = \"dec\")]\npublic partial class Net;",
            "SNN082 Error (4,25)-(4,39): Layer 1 [Dense(8, Activation.Sigmoid)] of network 'Net' has TiedTo = \"dec\", its own name; a tied layer uses the transposed weights of an earlier dense layer: tie it to the encoder layer it mirrors");
    }

    [Fact]
    public void SNN083_tied_to_a_later_layer()
    {
        AssertError("[Network(8)]\n[Dense(4, TiedTo = \"dec\")]\n[Dense(8, Name = \"dec\")]\npublic partial class Net;",
            "SNN083 Error (3,11)-(3,25): Layer 0 [Dense(4, Activation.Sigmoid)] of network 'Net' has TiedTo = \"dec\", but 'dec' is declared after it (layer attribute 1); a tied layer reuses the weights of an earlier dense layer: move the tie to the later layer, tied to this one");
    }

    [Fact]
    public void SNN084_tied_layer_that_does_not_mirror()
    {
        AssertError("[Network(8)]\n[Dense(4, Name = \"enc\")]\n[Dense(6, TiedTo = \"enc\")]\npublic partial class Net;",
            "SNN084 Error (4,11)-(4,25): Layer 1 [Dense(6, Activation.Sigmoid)] of network 'Net' is tied to 'enc' (dense 8 → 4), whose transposed weights map 4 inputs to 8 outputs, but it has 4 inputs and 6 outputs; declare it as [Dense(8, …, TiedTo = \"enc\")] directly after a layer of 4 outputs");
        AssertError("[Network(8)]\n[Dense(4, Name = \"enc\")]\n[Dense(5)]\n[Dense(8, TiedTo = \"enc\")]\npublic partial class Net;",
            "SNN084 Error (5,11)-(5,25): Layer 2 [Dense(8, Activation.Sigmoid)] of network 'Net' is tied to 'enc' (dense 8 → 4), whose transposed weights map 4 inputs to 8 outputs, but it has 5 inputs and 8 outputs; declare it as [Dense(8, …, TiedTo = \"enc\")] directly after a layer of 4 outputs");
    }

    [Fact]
    public void SNN085_code_names_no_layer()
    {
        AssertError("[Network(8, Code = \"code\")]\n[Dense(4, Name = \"hidden\")]\n[Dense(8)]\npublic partial class Net;",
            "SNN085 Error (2,13)-(2,26): Network 'Net' has Code = \"code\", but no layer is named 'code'; the named layers are 'hidden'; add Name = \"code\" to the code layer (e.g. [Dense(32, Activation.Sigmoid, Name = \"code\")]) or set Code to one of the named layers");
        AssertError("[Network(8, 4, 8, Code = \"code\")]\npublic partial class Net;",
            "SNN085 Error (2,19)-(2,32): Network 'Net' has Code = \"code\", but no layer is named 'code'; the compact form's layers have no names: declare the layers one by one, e.g. [Network(784)] [Dense(32, Activation.Sigmoid, Name = \"code\")]; add Name = \"code\" to the code layer (e.g. [Dense(32, Activation.Sigmoid, Name = \"code\")]) or set Code to one of the named layers");
    }

    [Fact]
    public void SNN086_two_layers_with_one_name()
    {
        AssertError("[Network(8, Code = \"code\")]\n[Dense(4, Name = \"code\")]\n[Dense(2, Name = \"code\")]\n[Dense(8)]\npublic partial class Net;",
            "SNN086 Error (4,2)-(4,25): Layer attributes 0 [Dense(4, Activation.Sigmoid)] and 1 [Dense(2, Activation.Sigmoid)] of network 'Net' are both named 'code'; layer names are what Code and TiedTo refer to, so each must be unique: rename one of them");
    }

    [Fact]
    public void Ties_and_codes_that_fit_generate_without_diagnostics()
    {
        var run = Run("[Network(8, Code = \"code\", Dropout = 0.1)]\n[Dense(6, Activation.ReLU, Name = \"e1\")]\n[Dense(3, Name = \"code\")]\n[Dense(6, Activation.ReLU, TiedTo = \"code\")]\n[Dense(8, TiedTo = \"e1\", Bias = false)]\npublic partial class Net;");
        Assert.Empty(run.Diagnostics);
        string source = Assert.Single(run.Sources).Source;
        Assert.Contains("global::StaticNets.IEncoder<float>", source);
        Assert.Contains("public const int CodeSize = 3;", source);
        Assert.Contains("new global::StaticNets.TiedDenseLayerInfo(6, 8, global::StaticNets.Activation.Sigmoid, 0, ", source);
    }

    [Theory]
    [InlineData("[Network(Input = new[] { 5, 3 }, Code = \"code\")]\n[Lstm(4, ReturnSequences = true)]\n[Dense(3, Name = \"code\")]\n[Lstm(2)]\n[Dense(2)]")]
    [InlineData("[Network(Input = new[] { 1, 6, 6 }, Code = \"code\")]\n[Conv2D(2, 3, Name = \"code\")]\n[MaxPool2D(2)]\n[Flatten]\n[Dense(36)]")]
    [InlineData("[Network(Input = new[] { 1, 6, 6 }, Code = \"code\")]\n[Normalize]\n[Conv2D(2, 3)]\n[Flatten]\n[Dense(8, Activation.ReLU, Dropout = 0.3)]\n[Dense(4, Activation.Identity)]\n[Activation(Activation.Sigmoid, Name = \"code\")]\n[Dense(36)]")]
    [InlineData("[Network(70, Precision = Precision.Double, Code = \"code\")]\n[Dense(70, Activation.ReLU, Name = \"wide\")]\n[Dense(3, Name = \"code\")]\n[Dense(70, Activation.ReLU)]\n[Dense(70, TiedTo = \"wide\")]")]
    [InlineData("[Network(4, Code = \"code\")]\n[Dense(2, Name = \"code\")]\n[Dense(4, TiedTo = \"code\", Dropout = 0.2)]\n[Dense(4)]")]
    public void Code_layers_and_ties_compile_beside_every_layer_kind(string declaration)
    {
        var run = Run(declaration + "\npublic partial class Net;");
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationErrors);
    }
}
