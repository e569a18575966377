using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using StaticNets.Interop;
using StaticNets.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Interop;

/// <summary>
/// Exported CNNs (and dense networks with the new layer kinds) run in ONNX Runtime and agree with
/// <see cref="ReferenceCnn"/>, the plain double-precision forward pass, so the exporter is checked without
/// generated code. Tolerances (absolute, on outputs of magnitude ≲ 1): float32 models 1e-6, float64 models
/// 1e-13, double networks exported as float32 1e-6 (the largest differences seen were 2.5e-7, 7e-16 and 2.3e-7).
/// </summary>
public class OnnxCnnExportTests(ITestOutputHelper output)
{
    private const int Batch = 5;
    private const double FloatTolerance = 1e-6;
    private const double DoubleTolerance = 1e-13;

    private static readonly Dictionary<string, Func<Precision, NetworkInfo>> Architectures = new()
    {
        ["LeNet5"] = p => new LayerStack(1, 28, 28)
            .Conv(6, 5, 5, Activation.ReLU, top: 2, left: 2, bottom: 2, right: 2)
            .MaxPool(2, 2, 2, 2)
            .Conv(16, 5, 5, Activation.ReLU)
            .AvgPool(2, 2, 2, 2)
            .Flatten()
            .Dense(120, Activation.ReLU)
            .Dense(84, Activation.Tanh)
            .Dense(10, Activation.Softmax)
            .Build("LeNet5", p, Loss.CrossEntropy),
        // Odd sizes, strides 2 and 3, every pad different, no bias, a 3×2 pool with stride 1×2, dropout, standalone softmax.
        ["OddStridesAsymmetricPads"] = p => new LayerStack(3, 13, 11)
            .Conv(4, 3, 2, Activation.LeakyReLU, strideY: 2, strideX: 3, top: 1, left: 0, bottom: 2, right: 1, bias: false)
            .MaxPool(3, 2, 1, 2)
            .Conv(5, 2, 3, Activation.Sigmoid, strideY: 3, strideX: 1, top: 0, left: 2, bottom: 1, right: 0)
            .Flatten()
            .Dropout(0.3)
            .Dense(7, Activation.Identity, bias: false)
            .Activate(Activation.Softmax)
            .Build("OddStridesAsymmetricPads", p),
        // Standalone activations over channels × height × width, softmax over the whole 3×4×3 sample included.
        ["ImageActivations"] = p => new LayerStack(2, 9, 7)
            .Conv(3, 3, 3, Activation.Identity, top: 1, left: 1, bottom: 1, right: 1)
            .Activate(Activation.ELU)
            .AvgPool(2, 3, 2, 2)
            .Activate(Activation.Softmax)
            .Dropout(0.5)
            .Flatten()
            .Dense(5, Activation.GELU)
            .Build("ImageActivations", p),
        // Stride 3 with pads only on some sides, a floor-mode pool that drops nothing, a 1×1 convolution.
        ["Stride3NoBias"] = p => new LayerStack(2, 17, 16)
            .Conv(6, 4, 4, Activation.Tanh, strideY: 3, strideX: 3, top: 2, left: 1, bottom: 0, right: 3, bias: false)
            .AvgPool(3, 3, 3, 3)
            .Conv(4, 1, 1, Activation.SiLU)
            .Flatten()
            .Dense(3, Activation.Softplus, bias: false)
            .Build("Stride3NoBias", p),
        // The output is an image: a softmax over each 2×4×5 sample, returned as [N, 2, 4, 5].
        ["ImageOutput"] = p => new LayerStack(1, 5, 6)
            .Conv(2, 2, 2, Activation.Identity)
            .Activate(Activation.Softmax)
            .Build("ImageOutput", p),
        // A pool whose floor rounding leaves the last row and column out.
        ["FloorPool"] = p => new LayerStack(1, 8, 9)
            .MaxPool(3, 2, 2, 3)
            .Conv(2, 2, 2, Activation.ReLU, strideY: 2, strideX: 1)
            .Flatten()
            .Dense(2, Activation.Sigmoid)
            .Build("FloorPool", p),
        // Vector networks with the new kinds: dense without bias, standalone activations and dropout.
        ["DenseNoBiasStandalone"] = p => new LayerStack(Shape.Vector(5))
            .Dense(4, Activation.Identity, bias: false)
            .Activate(Activation.Tanh)
            .Dropout(0.2)
            .Dense(6, Activation.ReLU)
            .Activate(Activation.Identity)
            .Dense(3, Activation.Identity, bias: false)
            .Activate(Activation.Softmax)
            .Build("DenseNoBiasStandalone", p),
        ["OnlyDropout"] = p => new LayerStack(Shape.Vector(3)).Dropout(0.5).Build("OnlyDropout", p),
    };

    /// <summary>Every activation after a convolution, standalone over an image, and after a dense layer.</summary>
    private static NetworkInfo EveryActivation(Activation activation, Precision precision) => new LayerStack(2, 6, 5)
        .Conv(3, 3, 3, activation, top: 1, left: 1, bottom: 1, right: 1)
        .MaxPool(2, 2, 2, 2)
        .Activate(activation)
        .Flatten()
        .Dense(4, activation)
        .Build("Every" + activation, precision);

    public static IEnumerable<object[]> ArchitectureNames() => Architectures.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> ActivationNames() => Enum.GetValues<Activation>().Select(a => new object[] { a });

    /// <summary>Runs the model in ONNX Runtime on a batch and returns the largest difference from the reference.</summary>
    private static double MaxDifferenceFromReference<TNet, TOnnx>(ReferenceCnnNetwork<TNet> net, byte[] model)
        where TNet : unmanaged, IBinaryFloatingPointIeee754<TNet>
        where TOnnx : unmanaged, IBinaryFloatingPointIeee754<TOnnx>
    {
        var info = net.Info;
        var inputs = NetworkCatalog.Random<TNet>(Batch * info.InputSize, 17, -2, 2);
        var onnxInputs = inputs.Select(TOnnx.CreateChecked).ToArray();
        using var session = new InferenceSession(model);
        long[] inputDims = new long[] { Batch }.Concat(info.InputShape.Dimensions.ToArray().Select(d => (long)d)).ToArray();
        long[] outputDims = new long[] { Batch }.Concat(info.OutputShape.Dimensions.ToArray().Select(d => (long)d)).ToArray();
        Assert.Equal(new[] { -1 }.Concat(info.InputShape.Dimensions.ToArray()), session.InputMetadata[OnnxExport.InputName].Dimensions);
        Assert.Equal(new[] { -1 }.Concat(info.OutputShape.Dimensions.ToArray()), session.OutputMetadata[OnnxExport.OutputName].Dimensions);

        using var input = OrtValue.CreateTensorValueFromMemory(onnxInputs, inputDims);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        Assert.Equal(outputDims, results[0].GetTensorTypeAndShape().Shape);
        var actual = results[0].GetTensorDataAsSpan<TOnnx>().ToArray();

        var parameters = net.ParametersAsDouble();
        double worst = 0;
        for (int s = 0; s < Batch; s++)
        {
            var x = inputs.Skip(s * info.InputSize).Take(info.InputSize).Select(double.CreateChecked).ToArray();
            var expected = ReferenceCnn.Forward(info, parameters, x);
            for (int j = 0; j < expected.Length; j++)
            {
                double a = double.CreateChecked(actual[s * info.OutputSize + j]);
                Assert.False(double.IsNaN(a), $"{info}: sample {s}, output {j} is NaN");
                worst = Math.Max(worst, Math.Abs(expected[j] - a));
            }
        }
        return worst;
    }

    private void Check(NetworkInfo single, NetworkInfo @double)
    {
        var f = new ReferenceCnnNetwork<float>(single, 5);
        double floatError = MaxDifferenceFromReference<float, float>(f, OnnxExport.ToBytes(f));
        var d = new ReferenceCnnNetwork<double>(@double, 5);
        double doubleError = MaxDifferenceFromReference<double, double>(d, OnnxExport.ToBytes(d));
        double roundedError = MaxDifferenceFromReference<double, float>(d, OnnxExport.ToBytes(d, new OnnxExportOptions { ElementType = OnnxElementType.Float32 }));
        output.WriteLine($"{single.Name}: float {floatError:E2}, double {doubleError:E2}, double as float {roundedError:E2}");
        Assert.True(floatError <= FloatTolerance, $"{single}: float32 model differs from the reference by {floatError}");
        Assert.True(doubleError <= DoubleTolerance, $"{@double}: float64 model differs from the reference by {doubleError}");
        Assert.True(roundedError <= FloatTolerance, $"{@double}: model rounded to float32 differs from the reference by {roundedError}");
    }

    [Theory]
    [MemberData(nameof(ArchitectureNames))]
    public void Cnn_architectures_match_the_reference_in_onnx_runtime(string name)
        => Check(Architectures[name](Precision.Single), Architectures[name](Precision.Double));

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Every_activation_after_a_convolution_and_standalone_matches(Activation activation)
        => Check(EveryActivation(activation, Precision.Single), EveryActivation(activation, Precision.Double));

    [Fact]
    public void Image_networks_take_nchw_input_and_conv_attributes_follow_onnx_order()
    {
        var net = new ReferenceCnnNetwork<float>(Architectures["OddStridesAsymmetricPads"](Precision.Single));
        var model = OnnxExport.ToBytes(net);
        using var session = new InferenceSession(model);
        Assert.Equal(new[] { -1, 3, 13, 11 }, session.InputMetadata[OnnxExport.InputName].Dimensions);
        Assert.Equal(new[] { -1, 7 }, session.OutputMetadata[OnnxExport.OutputName].Dimensions);
        // Dropout adds no node; the conv weights are [out_c, in_c, kh, kw] initializers named after the layer.
        string text = System.Text.Encoding.Latin1.GetString(model);
        Assert.DoesNotContain("layer4.", text, StringComparison.Ordinal);   // layer 4 is the dropout
        Assert.Contains("layer0.weight", text, StringComparison.Ordinal);
        Assert.DoesNotContain("layer0.bias", text, StringComparison.Ordinal);
        Assert.Contains("layer2.bias", text, StringComparison.Ordinal);
    }
}
