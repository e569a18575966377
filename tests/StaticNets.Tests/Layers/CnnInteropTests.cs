using System;
using System.Linq;
using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using StaticNets.Interop;
using StaticNets.Persistence;
using StaticNets.Tests.Networks;
using StaticNets.Tests.Persistence;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Layers;

/// <summary>Generated CNNs exported to ONNX agree with ONNX Runtime; safetensors and .snet round trips are bit-exact.</summary>
public class CnnInteropTests(ITestOutputHelper output)
{
    private const int Batch = 5;

    /// <summary>Runs the exported model on an NCHW batch; returns the largest difference from the generated forward and from the reference.</summary>
    private static (double Generated, double Reference) OrtDifferences<T>(INetwork<T> net) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var info = net.Info;
        var inputs = NetworkCatalog.Random<T>(Batch * net.InputSize, 17, -1, 1);
        using var session = new InferenceSession(OnnxExport.ToBytes(net));
        long[] inputDims = new long[] { Batch }.Concat(info.InputShape.Dimensions.ToArray().Select(d => (long)d)).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(inputs, inputDims);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        Assert.Equal(new long[] { Batch }.Concat(info.OutputShape.Dimensions.ToArray().Select(d => (long)d)), results[0].GetTensorTypeAndShape().Shape);
        var actual = results[0].GetTensorDataAsSpan<T>().ToArray();

        var generated = new T[Batch * net.OutputSize];
        net.Forward(inputs, generated, net.CreateWorkspace(Batch));
        double toGenerated = 0, toReference = 0;
        for (int s = 0; s < Batch; s++)
        {
            var reference = CnnCatalog.Reference(net, inputs, s);
            for (int j = 0; j < net.OutputSize; j++)
            {
                double a = double.CreateChecked(actual[s * net.OutputSize + j]);
                Assert.False(double.IsNaN(a), $"{info.Name}: sample {s} output {j} is NaN");
                toGenerated = Math.Max(toGenerated, Math.Abs(a - double.CreateChecked(generated[s * net.OutputSize + j])));
                toReference = Math.Max(toReference, Math.Abs(a - reference[j]));
            }
        }
        return (toGenerated, toReference);
    }

    public static TheoryData<string> FloatOnnx => new() { "LeNet5", "Stride3", "SameStrided", "DoubleConv" };

    public static TheoryData<string> DoubleOnnx => new() { "AsymmetricPads", "SamePadding", "ActivationFirst", "RemainderPool", "StandaloneActivations", "Dropout" };

    [Theory]
    [MemberData(nameof(FloatOnnx))]
    public void Float_cnns_match_onnx_runtime(string name)
    {
        var (generated, reference) = OrtDifferences(CnnCatalog.Single[name](21));
        output.WriteLine($"{name}: ORT vs generated {generated:E2}, vs reference {reference:E2}");
        Assert.True(generated <= 1e-5, $"{name}: ONNX Runtime differs from the generated forward by {generated}");
        Assert.True(reference <= 1e-5, $"{name}: ONNX Runtime differs from the reference by {reference}");
    }

    [Theory]
    [MemberData(nameof(DoubleOnnx))]
    public void Double_cnns_match_onnx_runtime(string name)
    {
        var (generated, reference) = OrtDifferences(CnnCatalog.Double[name](21));
        output.WriteLine($"{name}: ORT vs generated {generated:E2}, vs reference {reference:E2}");
        Assert.True(generated <= 1e-12, $"{name}: ONNX Runtime differs from the generated forward by {generated}");
        Assert.True(reference <= 1e-12, $"{name}: ONNX Runtime differs from the reference by {reference}");
    }

    private static void AssertSameForward<T>(INetwork<T> a, INetwork<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = NetworkCatalog.Random<T>(3 * a.InputSize, 2, 0, 1);
        var ya = new T[3 * a.OutputSize];
        var yb = new T[3 * a.OutputSize];
        a.Forward(x, ya, a.CreateWorkspace(3));
        b.Forward(x, yb, b.CreateWorkspace(3));
        Assert.Equal(ya, yb);
        var sa = new T[a.OutputSize];
        var sb = new T[a.OutputSize];
        a.Forward(x.AsSpan(0, a.InputSize), sa);
        b.Forward(x.AsSpan(0, a.InputSize), sb);
        Assert.Equal(sa, sb);
    }

    [Fact]
    public void LeNet5_safetensors_round_trip_is_bit_exact()
    {
        var net = new LeNet5(1);
        var copy = new LeNet5(2);
        var before = new float[LeNet5.OutputSize];
        copy.Forward(NetworkCatalog.Random<float>(LeNet5.InputSize, 2, 0, 1), before);   // weight copies built from the old parameters
        Safetensors.Import(copy, Safetensors.ToBytes(net));
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        AssertSameForward(net, copy);
        Assert.Equal(Safetensors.ToBytes(net), Safetensors.ToBytes(copy));
    }

    [Fact]
    public void LeNet5_snet_round_trip_is_bit_exact_through_bytes_and_a_file()
    {
        var net = new LeNet5(1);
        var copy = new LeNet5(2);
        copy.Forward(NetworkCatalog.Random<float>(LeNet5.InputSize, 2, 0, 1), new float[LeNet5.OutputSize]);
        NetworkFile.Load(copy, NetworkFile.ToBytes(net));
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        AssertSameForward(net, copy);

        using var dir = new TempDirectory();
        NetworkFile.Save(net, dir.File("lenet5.snet"));
        var fromFile = new LeNet5(3);
        NetworkFile.Load(fromFile, dir.File("lenet5.snet"));
        Assert.Equal(net.Parameters.ToArray(), fromFile.Parameters.ToArray());
        Assert.Equal(LeNet5.Architecture, NetworkFile.Read(dir.File("lenet5.snet")).Architecture);
    }

    [Theory]
    [InlineData("AsymmetricPads")]
    [InlineData("RemainderPool")]
    [InlineData("Dropout")]
    public void Double_cnn_snet_round_trip_is_bit_exact(string name)
    {
        var net = CnnCatalog.Double[name](1);
        var copy = CnnCatalog.Double[name](2);
        using var dir = new TempDirectory();
        NetworkFile.Save(net, dir.File("net.snet"));
        NetworkFile.Load(copy, dir.File("net.snet"));
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        AssertSameForward(net, copy);
    }
}
