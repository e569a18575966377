using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using StaticNets.Interop;
using StaticNets.Unsupervised;
using Xunit;

namespace StaticNets.Tests.Unsupervised;

/// <summary>An unrolled DBN is an ordinary generated network: the ONNX exporter writes it and ONNX Runtime agrees with it.</summary>
public class UnrolledOnnxTests
{
    [Fact]
    public void Unrolled_dbn_exports_and_runs_in_onnx_runtime()
    {
        var rng = new SplitMix64(3);
        var data = Enumerable.Range(0, 200 * 64).Select(_ => (float)rng.NextDouble()).ToArray();
        var dbn = new DeepBeliefNet<float>(new[] { 64, 32, 16 }, seed: 1);
        dbn.Pretrain(data, new RbmTrainingOptions { Epochs = 2, BatchSize = 20, MonitorSamples = 0 });
        var net = new DbnClassifierNet(seed: 2);
        dbn.Unroll(net);

        const int Batch = 5;
        var inputs = data.AsSpan(0, Batch * 64).ToArray();
        using var session = new InferenceSession(OnnxExport.ToBytes(net));
        using var input = OrtValue.CreateTensorValueFromMemory(inputs, new long[] { Batch, 64 });
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();
        var expected = new float[10];
        for (int s = 0; s < Batch; s++)
        {
            net.Forward(inputs.AsSpan(s * 64, 64), expected);
            for (int j = 0; j < 10; j++)
                Assert.Equal(expected[j], actual[s * 10 + j], 1e-5f);
        }
    }
}
