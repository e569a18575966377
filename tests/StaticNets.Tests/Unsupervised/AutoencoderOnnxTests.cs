using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using StaticNets.Interop;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Unsupervised;

/// <summary>Tied networks exported to ONNX: the tied layer's Gemm reads the encoder's initializer untransposed, and ONNX Runtime agrees.</summary>
public class AutoencoderOnnxTests
{
    [Fact]
    public void Tied_networks_match_onnx_runtime_with_one_weight_initializer_per_tie()
    {
        const int batch = 5;
        INetwork<double> net = new TiedDeepD(3);
        var model = OnnxExport.ToBytes(net);
        var inputs = NetworkCatalog.Random<double>(batch * net.InputSize, 11, 0, 1);
        using var session = new InferenceSession(model);
        using var input = OrtValue.CreateTensorValueFromMemory(inputs, new long[] { batch, net.InputSize });
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        var actual = results[0].GetTensorDataAsSpan<double>().ToArray();
        var expected = new double[net.OutputSize];
        for (int s = 0; s < batch; s++)
        {
            net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), expected);
            for (int j = 0; j < net.OutputSize; j++)
                Assert.True(Math.Abs(expected[j] - actual[s * net.OutputSize + j]) < 1e-10, $"sample {s}, output {j}: {expected[j]} vs {actual[s * net.OutputSize + j]}");
        }
        // Two weight matrices stored (the encoder's), four biases.
        string text = System.Text.Encoding.ASCII.GetString(model);
        Assert.DoesNotContain("layer2.weight", text);
        Assert.DoesNotContain("layer3.weight", text);
        Assert.Contains("layer3.bias", text);
    }

    [Fact]
    public void Tied_networks_without_bias_export_too()
    {
        INetwork<double> net = new TiedRaggedD(2);
        using var session = new InferenceSession(OnnxExport.ToBytes(net));
        var inputs = NetworkCatalog.Random<double>(2 * 37, 4);
        using var input = OrtValue.CreateTensorValueFromMemory(inputs, new long[] { 2, 37 });
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        var actual = results[0].GetTensorDataAsSpan<double>().ToArray();
        var expected = new double[37];
        net.Forward(inputs.AsSpan(37, 37), expected);
        Assert.Equal(expected.Select(v => Math.Round(v, 9)), actual.Skip(37).Select(v => Math.Round(v, 9)));
    }
}
