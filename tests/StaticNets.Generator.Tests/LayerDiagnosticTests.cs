using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// The shaped-layer diagnostics (SNN020–SNN029) and the older ones as the layer attributes reach them: full message
/// text, severity and location (1-based line, column; line 1 is the <c>using</c>, so the first attribute is on line 2).
/// </summary>
public class LayerDiagnosticTests
{
    private const string Valid = "Activation.Identity, Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU, Activation.Softmax, Activation.ELU, Activation.GELU, Activation.Softplus, Activation.SiLU";

    private static GeneratorRun Run(string source) => GeneratorHarness.Run("using StaticNets;\n" + source);

    private static string[] Diagnose(string source)
        => Run(source).Diagnostics.Select(GeneratorHarness.Format).OrderBy(s => s, System.StringComparer.Ordinal).ToArray();

    /// <summary>Compares the full text as one string so a mismatch shows the whole message.</summary>
    private static void AssertDiagnostics(string source, params string[] expected)
        => Assert.Equal(string.Join("\n", expected), string.Join("\n", Diagnose(source)));

    /// <summary>An error: the diagnostics as given, and nothing generated.</summary>
    private static void AssertError(string source, params string[] expected)
    {
        AssertDiagnostics(source, expected);
        Assert.Empty(Run(source).Sources);
    }

    /// <summary>A 1×8×8 image net around one layer under test: <c>[Network(Input = …)] layer [Flatten] [Dense(2)]</c>.</summary>
    private static string Around(string layer, string input = "1, 8, 8")
        => $"[Network(Input = new[] {{ {input} }})]\n{layer}\n[Flatten]\n[Dense(2)]\npublic partial class Net;";

    [Fact]
    public void SNN030_sample_larger_than_one_span()
    {
        AssertError("[Network(Input = new[] { 65536, 65536, 8 })]\n[Flatten]\n[Dense(4)]\npublic partial class Net;",
            "SNN030 Error (2,10)-(2,43): The input of network 'Net' holds 65536×65536×8 = 34359738368 values per sample, more than the 2147483647 one span can hold; reduce the input or layer sizes");
        AssertError(Around("[Conv2D(2, 1)]", "1, 46340, 46340"),
            "SNN030 Error (3,2)-(3,14): Layer 0 [Conv2D(2, 1)] of network 'Net' holds 2×46340×46340 = 4294791200 values per sample, more than the 2147483647 one span can hold; reduce the input or layer sizes");
    }

    [Fact]
    public void SNN020_convolution_after_a_vector_input()
    {
        AssertError("[Network(16)]\n[Conv2D(4, 3)]\n[Flatten]\n[Dense(2)]\npublic partial class Net;",
            "SNN020 Error (3,2)-(3,14): Layer 0 [Conv2D(4, 3)] of network 'Net' needs channels × height × width input but the network's input is a vector of 16; declare the input as Input = new[] { channels, height, width }, and keep [Flatten] for after the last convolution or pooling layer");
        AssertError("[Network(Input = new[] { 64 })]\n[AvgPool2D(2)]\n[Dense(2)]\npublic partial class Net;",
            "SNN020 Error (3,2)-(3,14): Layer 0 [AvgPool2D(2)] of network 'Net' needs channels × height × width input but the network's input is a vector of 64; declare the input as Input = new[] { channels, height, width }, and keep [Flatten] for after the last convolution or pooling layer");
    }

    [Fact]
    public void SNN020_pooling_after_flatten()
    {
        AssertError("[Network(Input = new[] { 1, 8, 8 })]\n[Flatten]\n[MaxPool2D(2)]\n[Dense(2)]\npublic partial class Net;",
            "SNN020 Error (4,2)-(4,14): Layer 1 [MaxPool2D(2)] of network 'Net' needs channels × height × width input but the layer before it gives a vector of 64; declare the input as Input = new[] { channels, height, width }, and keep [Flatten] for after the last convolution or pooling layer");
    }

    [Fact]
    public void SNN021_kernel_larger_than_its_input()
    {
        AssertError(Around("[Conv2D(2, 5)]", "1, 4, 4"),
            "SNN021 Error (3,2)-(3,14): Layer 0 [Conv2D(2, 5)] of network 'Net' has a 5×5 window over a 1×4×4 input (no padding), so its output would have 0×0 positions; use a smaller kernel or window, pad the input, or remove a pooling layer before it");
    }

    [Fact]
    public void SNN021_output_dimension_below_one_after_an_earlier_layer()
    {
        // The convolution leaves 2×4×4; a 5×5 pool over it has no position at all.
        AssertError("[Network(Input = new[] { 1, 8, 8 })]\n[Conv2D(2, 5)]\n[MaxPool2D(5)]\n[Flatten]\n[Dense(2)]\npublic partial class Net;",
            "SNN021 Error (4,2)-(4,14): Layer 1 [MaxPool2D(5)] of network 'Net' has a 5×5 window over a 2×4×4 input (no padding), so its output would have 0×0 positions; use a smaller kernel or window, pad the input, or remove a pooling layer before it");
    }

    [Fact]
    public void Padding_lets_a_kernel_wider_than_its_input_fit()
    {
        // 8 + 2·1 = 10 columns padded: a 3×9 kernel fits with 2 positions across.
        Assert.Empty(Diagnose(Around("[Conv2D(2, 3, 9, Padding = 1)]")));
    }

    [Fact]
    public void SNN022_stride_zero()
    {
        AssertError(Around("[Conv2D(2, 3, Stride = 0)]"),
            "SNN022 Error (3,15)-(3,25): Stride of Layer 0 [Conv2D(2, 3)] in network 'Net' is 0; it must be at least 1");
        AssertError(Around("[Conv2D(2, 3, Strides = new[] { 1, 0 })]"),
            "SNN022 Error (3,15)-(3,39): The horizontal stride of Layer 0 [Conv2D(2, 3)] in network 'Net' is 0; it must be at least 1");
        // A pooling stride of 0 means "the window's size"; below that is an error.
        AssertError(Around("[AvgPool2D(2, Stride = -1)]"),
            "SNN022 Error (3,15)-(3,26): Stride (0 means the window's size) of Layer 0 [AvgPool2D(2)] in network 'Net' is -1; it must be at least 0");
    }

    [Fact]
    public void SNN022_window_filters_and_padding_out_of_range()
    {
        AssertError(Around("[MaxPool2D(0)]"),
            "SNN022 Error (3,2)-(3,14): The window height of Layer 0 [MaxPool2D(0)] in network 'Net' is 0; it must be at least 1");
        AssertError(Around("[Conv2D(0, 3)]"),
            "SNN022 Error (3,2)-(3,14): Filters of Layer 0 [Conv2D(0, 3)] in network 'Net' is 0; it must be at least 1");
        AssertError(Around("[Conv2D(2, 3, Padding = -1)]"),
            "SNN022 Error (3,15)-(3,27): Padding of Layer 0 [Conv2D(2, 3)] in network 'Net' is -1; it must be at least 0");
    }

    [Fact]
    public void SNN023_pooling_remainder_warns_and_still_generates()
    {
        // The generator floors the output length as PyTorch does (ceil_mode=False): the leftover row and column
        // belong to no window, so they get no gradient. It warns and generates.
        const string source = "[Network(Input = new[] { 1, 5, 5 })]\n[MaxPool2D(2)]\n[Flatten]\n[Dense(2)]\npublic partial class Net;";
        AssertDiagnostics(source,
            "SNN023 Warning (3,2)-(3,14): Layer 0 [MaxPool2D(2)] of network 'Net' moves a 2×2 window by 2×2 over a 1×5×5 input, so the last 1 row(s) and 1 column(s) are left out of every window (floor, as PyTorch) and get no gradient; choose a window and stride that divide the input, or pad the convolution before it");
        var run = Run(source);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationErrors);

        AssertDiagnostics(Around("[AvgPool2D(2)]", "1, 5, 6"),
            "SNN023 Warning (3,2)-(3,14): Layer 0 [AvgPool2D(2)] of network 'Net' moves a 2×2 window by 2×2 over a 1×5×6 input, so the last 1 row(s) are left out of every window (floor, as PyTorch) and get no gradient; choose a window and stride that divide the input, or pad the convolution before it");
        // Overlapping windows that end on the last row and column leave nothing out: (7 − 3) / 2 + 1 = 3 exactly.
        Assert.Empty(Diagnose(Around("[MaxPool2D(3, Stride = 2)]", "1, 7, 7")));
    }

    [Fact]
    public void SNN024_dense_after_a_rank3_layer_without_flatten()
    {
        AssertError("[Network(Input = new[] { 1, 8, 8 })]\n[Conv2D(2, 3)]\n[Dense(10)]\npublic partial class Net;",
            "SNN024 Error (4,2)-(4,11): Layer 1 [Dense(10, Activation.Sigmoid)] of network 'Net' needs a vector but the output of the layer before it is 2×6×6; add [Flatten] before it to turn the 2×6×6 values into one vector of 72");
        AssertError("[Network(Input = new[] { 3, 8, 8 })]\n[Dense(10)]\npublic partial class Net;",
            "SNN024 Error (3,2)-(3,11): Layer 0 [Dense(10, Activation.Sigmoid)] of network 'Net' needs a vector but the network's input is 3×8×8; add [Flatten] before it to turn the 3×8×8 values into one vector of 192");
    }

    [Fact]
    public void SNN025_padding_and_pads()
    {
        AssertError(Around("[Conv2D(2, 3, Padding = 1, Pads = new[] { 1, 1, 1, 1 })]"),
            "SNN025 Error (3,2)-(3,56): Layer 0 [Conv2D(2, 3)] of network 'Net' sets Padding = 1 and Pads; give only one of Padding = n, Pads = new[] { top, left, bottom, right } and PaddingMode = PaddingMode.Same");
    }

    [Fact]
    public void SNN025_same_and_padding()
    {
        AssertError(Around("[Conv2D(2, 3, PaddingMode = PaddingMode.Same, Padding = 1)]"),
            "SNN025 Error (3,2)-(3,59): Layer 0 [Conv2D(2, 3)] of network 'Net' sets PaddingMode = PaddingMode.Same and Padding = 1; give only one of Padding = n, Pads = new[] { top, left, bottom, right } and PaddingMode = PaddingMode.Same");
        // Writing the default Padding = 0 out still counts as giving it.
        AssertError(Around("[Conv2D(2, 3, Padding = 0, PaddingMode = PaddingMode.Same)]"),
            "SNN025 Error (3,2)-(3,59): Layer 0 [Conv2D(2, 3)] of network 'Net' sets Padding = 0 and PaddingMode = PaddingMode.Same; give only one of Padding = n, Pads = new[] { top, left, bottom, right } and PaddingMode = PaddingMode.Same");
    }

    [Fact]
    public void SNN026_pads_with_three_values()
    {
        AssertError(Around("[Conv2D(2, 3, Pads = new[] { 1, 1, 1 })]"),
            "SNN026 Error (3,15)-(3,39): Pads of Layer 0 [Conv2D(2, 3)] in network 'Net' has 3 value(s) but needs 4 (top, left, bottom, right)");
    }

    [Fact]
    public void SNN026_strides_with_one_value()
    {
        AssertError(Around("[Conv2D(2, 3, Strides = new[] { 2 })]"),
            "SNN026 Error (3,15)-(3,36): Strides of Layer 0 [Conv2D(2, 3)] in network 'Net' has 1 value(s) but needs 2 (vertical, horizontal)");
    }

    [Fact]
    public void SNN026_input_of_rank_0_and_4()
    {
        AssertError("[Network(Input = new int[0])]\n[Dense(2)]\npublic partial class Net;",
            "SNN026 Error (2,10)-(2,28): Input of [Network] in network 'Net' has 0 value(s) but needs 1 (features), 2 (steps, features) or 3 (channels, height, width)");
        AssertError("[Network(Input = new[] { 1, 2, 3, 4 })]\n[Flatten]\n[Dense(2)]\npublic partial class Net;",
            "SNN026 Error (2,10)-(2,38): Input of [Network] in network 'Net' has 4 value(s) but needs 1 (features), 2 (steps, features) or 3 (channels, height, width)");
    }

    [Fact]
    public void SNN003_input_dimension_below_one()
    {
        // The message names the dimension of Input that is wrong (here the height, its 2nd value).
        AssertError("[Network(Input = new[] { 1, 0, 8 })]\n[Flatten]\n[Dense(2)]\npublic partial class Net;",
            "SNN003 Error (2,10)-(2,35): The 2nd value of Input of network 'Net' is 0; every size must be at least 1");
    }

    [Fact]
    public void SNN027_partial_record()
    {
        AssertError("[Network(Input = new[] { 4 })]\n[Dense(2)]\npublic partial record Net;",
            "SNN027 Error (4,23)-(4,26): Network 'Net' is declared as a record; a copy ('with' or assignment) would share one parameter array with the original, so writing one would silently change the other; declare it as a partial class");
    }

    [Theory]
    [InlineData("public partial record struct Net;")]
    [InlineData("public partial struct Net;")]
    public void Struct_networks_get_only_the_compilers_CS0592(string declaration)
    {
        // [Network] and the layer attributes target classes only, so the compiler rejects them on a struct; the
        // generator adds no diagnostic of its own, generates nothing and does not throw.
        var run = Run("[Network(Input = new[] { 4 })]\n[Dense(2)]\n" + declaration);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Sources);
        Assert.Equal(new[]
        {
            "CS0592 Error (2,2)-(2,9): Attribute 'Network' is not valid on this declaration type. It is only valid on 'class' declarations.",
            "CS0592 Error (3,2)-(3,7): Attribute 'Dense' is not valid on this declaration type. It is only valid on 'class' declarations.",
        }, run.CompilationErrors.Select(GeneratorHarness.Format).OrderBy(s => s, System.StringComparer.Ordinal));
    }

    [Fact]
    public void SNN028_input_given_twice()
    {
        AssertError("[Network(784, Input = new[] { 784 })]\n[Dense(10)]\npublic partial class Net;",
            "SNN028 Error (2,2)-(2,37): Network 'Net' gives the sizes [Network(784)] and Input = new[] { 784 }; give the input shape once: [Network(Input = new[] { 784 })] followed by layer attributes");
    }

    [Fact]
    public void SNN029_pads_not_smaller_than_the_kernel()
    {
        AssertError(Around("[Conv2D(2, 3, Pads = new[] { 0, 0, 3, 0 })]"),
            "SNN029 Error (3,2)-(3,43): Layer 0 [Conv2D(2, 3)] of network 'Net' pads by 0,0,3,0 (top, left, bottom, right) with a 3×3 kernel, so some windows would see padding only; padding must be smaller than the kernel in each direction");
        AssertError(Around("[Conv2D(2, 3, Padding = 3)]"),
            "SNN029 Error (3,2)-(3,27): Layer 0 [Conv2D(2, 3)] of network 'Net' pads by 3,3,3,3 (top, left, bottom, right) with a 3×3 kernel, so some windows would see padding only; padding must be smaller than the kernel in each direction");
        // Same padding with a 1×1 kernel pads nothing, so it is valid.
        Assert.Empty(Diagnose(Around("[Conv2D(2, 1, PaddingMode = PaddingMode.Same)]")));
    }

    [Fact]
    public void SNN012_layer_attributes_without_network_name_the_first_layer()
    {
        AssertError("[Conv2D(4, 3)]\n[Flatten]\npublic partial class Net;",
            "SNN012 Error (4,22)-(4,25): The type 'Net' has [Conv2D] layers but no [Network]; add [Network(inputSize)] or [Network(Input = new[] { channels, height, width })] to declare the input");
        AssertError("[Flatten]\n[Dense(3)]\npublic partial class Net;",
            "SNN012 Error (4,22)-(4,25): The type 'Net' has [Flatten] layers but no [Network]; add [Network(inputSize)] or [Network(Input = new[] { channels, height, width })] to declare the input");
        AssertError("[MaxPool2D(2)]\npublic partial class Net;",
            "SNN012 Error (3,22)-(3,25): The type 'Net' has [MaxPool2D] layers but no [Network]; add [Network(inputSize)] or [Network(Input = new[] { channels, height, width })] to declare the input");
    }

    [Fact]
    public void SNN018_dropout_as_the_last_layer()
    {
        AssertError("[Network(4)]\n[Dense(3)]\n[Dropout(0.5)]\npublic partial class Net;",
            "SNN018 Error (4,2)-(4,14): Layer 1 [Dropout(0.5)], the last layer, of network 'Net' would drop the network's outputs, which would corrupt the cost; put dropout on hidden layers only, before another layer");
    }

    [Fact]
    public void SNN017_dropout_layer_rate_out_of_range()
    {
        AssertError("[Network(4)]\n[Dense(3)]\n[Dropout(1.5)]\n[Dense(2)]\npublic partial class Net;",
            "SNN017 Error (4,2)-(4,14): The rate of [Dropout] (layer 1) of network 'Net' is 1.5; a dropout rate is the probability of dropping an activation and must be at least 0 and below 1, e.g. 0.2");
    }

    [Fact]
    public void SNN006_undefined_activation_in_the_layer_attributes()
    {
        AssertError(Around("[Conv2D(2, 3, Activation = (Activation)42)]"),
            $"SNN006 Error (3,2)-(3,43): The activation of Layer 0 [Conv2D(2, 3)] of network 'Net' is 42, which is not a defined Activation value; use one of: {Valid}");
        AssertError("[Network(4)]\n[Activation((Activation)99)]\n[Dense(2)]\npublic partial class Net;",
            $"SNN006 Error (3,2)-(3,28): The activation of layer 0 of network 'Net' is 99, which is not a defined Activation value; use one of: {Valid}");
        AssertError("[Network(4)]\n[Dense(3, (Activation)(-1))]\n[Dense(2)]\npublic partial class Net;",
            $"SNN006 Error (3,2)-(3,28): The activation of [Dense(3)] of network 'Net' is -1, which is not a defined Activation value; use one of: {Valid}");
    }

    [Fact]
    public void SNN006_undefined_padding_mode()
    {
        var diagnostics = Diagnose(Around("[Conv2D(2, 3, PaddingMode = (PaddingMode)5)]"));
        var single = Assert.Single(diagnostics);
        Assert.StartsWith("SNN006 Error (3,2)-(3,44): ", single, System.StringComparison.Ordinal);
        Assert.Contains("is 5, which is not a defined PaddingMode value; use one of: PaddingMode.Valid, PaddingMode.Same", single, System.StringComparison.Ordinal);
    }

    [Fact]
    public void SNN004_softmax_on_a_hidden_dense_layer_points_to_the_standalone_activation()
    {
        AssertError("[Network(4)]\n[Dense(3, Activation.Softmax)]\n[Dense(2)]\npublic partial class Net;",
            "SNN004 Error (3,2)-(3,30): Layer 0 of network 'Net' is a hidden dense layer with Softmax activation; a dense layer takes Softmax only as the output layer: for a softmax inside the network add a standalone [Activation(Activation.Softmax)] layer after a dense layer with Identity");
    }

    [Fact]
    public void SNN011_sizes_and_shaped_layers()
    {
        AssertError("[Network(4, 3)]\n[Conv2D(2, 3)]\npublic partial class Net;",
            "SNN011 Error (2,2)-(2,15): Network 'Net' declares layers both in [Network(4, 3)] and with 1 layer attribute(s); either list every size in [Network], or give only the input size, [Network(4)], followed by the layer attributes");
    }

    [Fact]
    public void SNN002_image_input_without_layers()
    {
        AssertError("[Network(Input = new[] { 1, 8, 8 })]\npublic partial class Net;",
            "SNN002 Error (2,2)-(2,36): Network 'Net' declares the input 1×8×8 but no layer; give the input and at least one layer, e.g. [Network(2, 3, 1)], or [Network(inputSize)] or [Network(Input = new[] { channels, height, width })] followed by layer attributes such as [Dense(size)]");
    }

    [Fact]
    public void A_valid_cnn_reports_nothing_and_generates_code_that_compiles()
    {
        var run = Run("""
            [Network(Input = new[] { 1, 28, 28 }, Loss = Loss.CrossEntropy)]
            [Conv2D(6, 5, Padding = 2, Activation = Activation.ReLU)]
            [MaxPool2D(2)]
            [Conv2D(16, 5, Activation = Activation.ReLU)]
            [AvgPool2D(2)]
            [Dropout(0.25)]
            [Flatten]
            [Dense(120, Activation.ReLU, Bias = false)]
            [Activation(Activation.Tanh)]
            [Dense(10, Activation.Softmax)]
            public partial class LeNet5;
            """);
        Assert.Empty(run.Diagnostics);
        var generated = Assert.Single(run.Sources);
        Assert.Equal("LeNet5.g.cs", generated.HintName);
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void SNN060_normalize_after_another_layer()
    {
        AssertError("[Network(4)]\n[Dense(3)]\n[Normalize]\n[Dense(2)]\npublic partial class Net;",
            "SNN060 Error (4,2)-(4,11): Layer 1 [Normalize] of network 'Net' comes after 1 other layer(s); [Normalize] standardises the network's input with statistics Normalization.Fit computes from the data set's inputs, so it must be the first layer attribute: move it directly below [Network]");
        AssertError("[Network(4)]\n[Normalize]\n[Normalize]\n[Dense(2)]\npublic partial class Net;",
            "SNN060 Error (4,2)-(4,11): Layer 1 [Normalize] of network 'Net' comes after 1 other layer(s); [Normalize] standardises the network's input with statistics Normalization.Fit computes from the data set's inputs, so it must be the first layer attribute: move it directly below [Network]");
    }

    [Fact]
    public void SNN061_normalize_as_the_only_layer()
    {
        AssertError("[Network(4)]\n[Normalize]\npublic partial class Net;",
            "SNN061 Error (3,2)-(3,11): Layer 0 [Normalize] of network 'Net' is the only layer; [Normalize] has no trainable parameters and only standardises the input: add the layers that learn after it, e.g. [Dense(16, Activation.ReLU)] and [Dense(3, Activation.Softmax)]");
    }

    [Fact]
    public void Normalize_first_generates_a_network_with_mean_and_scale_views()
    {
        var run = Run("[Network(Input = new[] { 1, 3, 3 })]\n[Normalize]\n[Flatten]\n[Dense(2)]\npublic partial class Net;");
        Assert.Empty(run.Diagnostics);
        string source = Assert.Single(run.Sources).Item2;
        Assert.Contains("public global::System.ReadOnlySpan<float> Layer0Mean => _parameters.Span.Slice(0, 9);", source, System.StringComparison.Ordinal);
        Assert.Contains("public global::System.ReadOnlySpan<float> Layer0Scale => _parameters.Span.Slice(9, 9);", source, System.StringComparison.Ordinal);
        Assert.Contains("global::StaticNets.Kernels.NormalizeKernels.Forward<float>(x, p.Slice(0, 9), p.Slice(9, 9), a0);", source, System.StringComparison.Ordinal);
        Assert.Contains("new global::StaticNets.NormalizeLayerInfo(new global::StaticNets.Shape(1, 3, 3), 0)", source, System.StringComparison.Ordinal);
    }
}
