using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using StaticNets.Interop;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Recurrent;

/// <summary>Recurrent networks exported with ONNX's LSTM and GRU operators, run by ONNX Runtime on the same inputs.</summary>
public class RecurrentOnnxTests
{
    private const int Batch = 4;

    [Theory]
    [MemberData(nameof(RecurrentCatalog.SingleNames), MemberType = typeof(RecurrentCatalog))]
    public void Onnx_runtime_agrees_with_the_generated_float_network(string name)
    {
        var net = RecurrentCatalog.Single[name](13);
        Assert.True(MaxDifference<float>(net) <= 2e-5, name);
    }

    [Theory]
    [InlineData("DMixed")]
    [InlineData("DLstmStacked")]
    [InlineData("DGruStacked")]
    public void Onnx_runtime_agrees_with_the_generated_double_network_exported_as_float(string name)
    {
        // ONNX Runtime's CPU provider runs LSTM and GRU in float only: the double network is exported as float.
        var net = RecurrentCatalog.Double[name](13);
        var model = OnnxExport.ToBytes(net, new OnnxExportOptions { ElementType = OnnxElementType.Float32 });
        Assert.True(Run(net, model) <= 2e-5, name);
    }

    private static double MaxDifference<T>(INetwork<T> net) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        => Run(net, OnnxExport.ToBytes(net));

    private static double Run<T>(INetwork<T> net, byte[] model) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var info = net.Info;
        var inputs = NetworkCatalog.Random<T>(Batch * info.InputSize, 23, -1, 1);
        var expected = new T[Batch * info.OutputSize];
        net.Forward(inputs, expected, net.CreateWorkspace(Batch));
        using var session = new InferenceSession(model);
        long[] inputDims = new long[] { Batch }.Concat(info.InputShape.Dimensions.ToArray().Select(d => (long)d)).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(inputs.Select(v => float.CreateTruncating(v)).ToArray(), inputDims);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        Assert.Equal(new long[] { Batch }.Concat(info.OutputShape.Dimensions.ToArray().Select(d => (long)d)), results[0].GetTensorTypeAndShape().Shape);
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
            worst = Math.Max(worst, Math.Abs(actual[i] - double.CreateTruncating(expected[i])) / Math.Max(1, Math.Abs(double.CreateTruncating(expected[i]))));
        return worst;
    }
}
