using System;
using System.Linq;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Layers;

/// <summary>Generated CNNs against the plain double reference: forward, gradients by finite differences, ∂C/∂input.</summary>
public class CnnSmokeTests
{
    public static TheoryData<string> DoubleNets => new() { "odd", "same" };

    private static INetwork<double> Create(string name, int seed) => name switch
    {
        "odd" => new OddCnnD(seed),
        _ => new SameCnnD(seed),
    };

    [Fact]
    public void LeNet5_forward_matches_reference()
    {
        var net = new LeNet5(3);
        var x = NetworkCatalog.Random<float>(LeNet5.InputSize, 1, 0, 1);
        var y = new float[LeNet5.OutputSize];
        net.Forward(x, y);
        double[] expected = ReferenceCnn.Forward(LeNet5.Architecture, NetworkCatalog.ToDouble<float>(net.Parameters), NetworkCatalog.ToDouble<float>(x));
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(expected[i] - y[i]) < 1e-5, $"output {i}: {y[i]} vs {expected[i]}");
        Assert.Equal(3 * 28 * 28, 3 * LeNet5.InputSize / 1);
    }

    [Theory]
    [MemberData(nameof(DoubleNets))]
    public void Double_forward_and_gradients_match_finite_differences(string name)
    {
        var net = Create(name, 5);
        const int batch = 3;
        var x = NetworkCatalog.Random<double>(batch * net.InputSize, 11);
        var targets = NetworkCatalog.Targets<double>(net.Info, batch, 12);
        var ws = net.CreateWorkspace(batch);

        // Forward against the reference, sample by sample.
        var outputs = new double[batch * net.OutputSize];
        net.Forward(x, outputs, ws);
        for (int s = 0; s < batch; s++)
        {
            double[] expected = ReferenceCnn.Forward(net.Info, net.Parameters.ToArray(), x.AsSpan(s * net.InputSize, net.InputSize).ToArray());
            for (int i = 0; i < net.OutputSize; i++)
                Assert.True(Math.Abs(expected[i] - outputs[s * net.OutputSize + i]) < 1e-12, $"sample {s} output {i}");
        }

        var gradient = new double[net.ParameterCount];
        var dx = new double[x.Length];
        net.Backward(x, targets, gradient, dx, ws);
        const double h = 1e-6;
        double Loss() { var g = new double[net.ParameterCount]; return net.Backward(x, targets, g, ws); }
        for (int i = 0; i < net.ParameterCount; i++)
        {
            double original = net.Parameters[i];
            NetworkCatalog.SetParameter(net, i, original + h);
            double plus = Loss();
            NetworkCatalog.SetParameter(net, i, original - h);
            double minus = Loss();
            NetworkCatalog.SetParameter(net, i, original);
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"parameter {i}: analytic {gradient[i]} vs numeric {numeric}");
        }
        for (int i = 0; i < x.Length; i++)
        {
            double original = x[i];
            x[i] = original + h;
            double plus = Loss();
            x[i] = original - h;
            double minus = Loss();
            x[i] = original;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - dx[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"input {i}: analytic {dx[i]} vs numeric {numeric}");
        }
    }
}
