using System;
using System.IO;
using System.Linq;
using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using StaticNets.Interop;
using StaticNets.Tests.Networks;
using StaticNets.Tests.Persistence;
using Xunit;

namespace StaticNets.Tests.Interop;

/// <summary>Exported models run in ONNX Runtime and give StaticNets' outputs within 1e-5.</summary>
public class OnnxExportTests
{
    private const int Batch = 7;

    /// <summary>Runs the model in ONNX Runtime on a batch and compares each row with the network's own forward pass.</summary>
    private static void AssertOrtMatches<TNet, TOnnx>(INetwork<TNet> net, byte[] model, double tolerance)
        where TNet : unmanaged, IBinaryFloatingPointIeee754<TNet>
        where TOnnx : unmanaged, IBinaryFloatingPointIeee754<TOnnx>
    {
        var inputs = NetworkCatalog.Random<TNet>(Batch * net.InputSize, 11, -2, 2);
        var onnxInputs = inputs.Select(TOnnx.CreateChecked).ToArray();
        using var session = new InferenceSession(model);
        Assert.Equal(OnnxExport.InputName, session.InputMetadata.Keys.Single());
        Assert.Equal(OnnxExport.OutputName, session.OutputMetadata.Keys.Single());
        Assert.Equal(new[] { -1, net.InputSize }, session.InputMetadata[OnnxExport.InputName].Dimensions);

        using var input = OrtValue.CreateTensorValueFromMemory(onnxInputs, new long[] { Batch, net.InputSize });
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        Assert.Equal(new long[] { Batch, net.OutputSize }, results[0].GetTensorTypeAndShape().Shape);
        var actual = results[0].GetTensorDataAsSpan<TOnnx>().ToArray();

        var expected = new TNet[net.OutputSize];
        for (int s = 0; s < Batch; s++)
        {
            net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), expected);
            for (int j = 0; j < net.OutputSize; j++)
            {
                double e = double.CreateChecked(expected[j]), a = double.CreateChecked(actual[s * net.OutputSize + j]);
                Assert.True(Math.Abs(e - a) <= tolerance, $"{net.Info}: sample {s}, output {j}: StaticNets {e}, ONNX Runtime {a}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(NetworkCatalog.SingleNames), MemberType = typeof(NetworkCatalog))]
    public void Float_networks_match_onnx_runtime(string name)
    {
        var net = NetworkCatalog.Single[name](21);
        AssertOrtMatches<float, float>(net, OnnxExport.ToBytes(net), 1e-5);
    }

    [Theory]
    [MemberData(nameof(NetworkCatalog.DoubleNames), MemberType = typeof(NetworkCatalog))]
    public void Double_networks_export_as_double_and_match(string name)
    {
        var net = NetworkCatalog.Double[name](21);
        AssertOrtMatches<double, double>(net, OnnxExport.ToBytes(net), 1e-5);
    }

    [Theory]
    [MemberData(nameof(NetworkCatalog.DoubleNames), MemberType = typeof(NetworkCatalog))]
    public void Double_networks_can_export_as_float(string name)
    {
        var net = NetworkCatalog.Double[name](21);
        AssertOrtMatches<double, float>(net, OnnxExport.ToBytes(net, new OnnxExportOptions { ElementType = OnnxElementType.Float32 }), 1e-5);
    }

    [Fact]
    public void Trained_like_weights_with_large_values_still_match()
    {
        // Larger weights push activations into saturation, where float rounding differs most.
        var net = new Odd13B(3);
        using (var edit = net.EditParameters())
        {
            for (int i = 0; i < edit.Span.Length; i++)
                edit.Span[i] *= 3;
        }
        AssertOrtMatches<float, float>(net, OnnxExport.ToBytes(net), 1e-5);
    }

    [Fact]
    public void Export_to_a_file_and_a_stream_writes_the_same_model()
    {
        using var dir = new TempDirectory();
        var net = new DigitsNet(1);
        OnnxExport.Export(net, dir.File("digits.onnx"));
        using var stream = new MemoryStream();
        OnnxExport.Export(net, stream);
        Assert.Equal(File.ReadAllBytes(dir.File("digits.onnx")), stream.ToArray());
        AssertOrtMatches<float, float>(net, stream.ToArray(), 1e-5);
    }

    [Fact]
    public void An_activation_without_an_onnx_form_is_named_in_the_error()
    {
        var ex = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new UnknownActivationNetwork()));
        Assert.Equal("Layer 0 uses the activation 99, which the ONNX exporter cannot map yet.", ex.Message);
    }

    private sealed class UnknownActivationNetwork : INetwork<float>
    {
        private readonly float[] _parameters = new float[3];
        public NetworkInfo Info { get; } = new("Unknown", Precision.Single, Loss.Quadratic, new[] { 2, 1 }, new[] { (Activation)99 });
        public int InputSize => 2;
        public int OutputSize => 1;
        public int ParameterCount => 3;
        public ReadOnlySpan<float> Parameters => _parameters;
        public ParameterEdit<float> EditParameters() => new(_parameters, this);
        public void OnParametersWritten() { }
        public void Initialize(int seed) { }
        public void Forward(ReadOnlySpan<float> input, Span<float> output) { }
        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, INetworkWorkspace<float> workspace) { }
        public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> gradient, INetworkWorkspace<float> workspace) => 0;
        public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> gradient, Span<float> inputGradient, INetworkWorkspace<float> workspace) => throw new NotSupportedException("not used by this test");
        public void BackwardFromOutputGradient(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradient, Span<float> gradient, Span<float> inputGradient, INetworkWorkspace<float> workspace) => throw new NotSupportedException("not used by this test");
        public INetworkWorkspace<float> CreateWorkspace(int batchCapacity) => throw new NotSupportedException();
    }
}
