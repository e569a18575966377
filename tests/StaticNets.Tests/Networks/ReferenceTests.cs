using System;
using Xunit;

namespace StaticNets.Tests.Networks;

/// <summary>Forward outputs, losses and gradients of generated networks against <see cref="ReferenceNetwork"/>.</summary>
public class ReferenceTests
{
    // float accumulates in a different order than the reference (SIMD lanes, FMA), so it gets a relative
    // tolerance of 1e-4 with an absolute floor; double must agree to 1e-10.
    internal const double FloatTolerance = 1e-4, DoubleTolerance = 1e-10;
    private const int Batch = 5;

    [Theory]
    [MemberData(nameof(NetworkCatalog.SingleNames), MemberType = typeof(NetworkCatalog))]
    public void Float_forward_and_gradients_match_reference(string name) => Check(NetworkCatalog.Single[name](7), FloatTolerance);

    [Theory]
    [MemberData(nameof(NetworkCatalog.DoubleNames), MemberType = typeof(NetworkCatalog))]
    public void Double_forward_and_gradients_match_reference(string name) => Check(NetworkCatalog.Double[name](7), DoubleTolerance);

    internal static void Check<T>(INetwork<T> net, double tolerance) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        // Non-zero biases so every term of the forward pass is exercised.
        var biasRng = new Random(3);
        foreach (var layer in net.Info.Layers)
            for (int j = 0; j < layer.Outputs; j++)
                NetworkCatalog.SetParameter(net, layer.BiasOffset + j, T.CreateTruncating(biasRng.NextDouble() - 0.5));
        var reference = new ReferenceNetwork(net.Info, NetworkCatalog.ToDouble<T>(net.Parameters));
        var inputs = NetworkCatalog.Random<T>(Batch * net.InputSize, seed: 11);
        var targets = NetworkCatalog.Targets<T>(net.Info, Batch, seed: 12);

        // Single-sample forward.
        var output = new T[net.OutputSize];
        for (int s = 0; s < Batch; s++)
        {
            net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), output);
            var expected = reference.Output(NetworkCatalog.ToDouble<T>(inputs.AsSpan(s * net.InputSize, net.InputSize)));
            AssertClose(expected, NetworkCatalog.ToDouble<T>(output), tolerance, $"forward, sample {s}");
        }

        // Batched forward equals single-sample forward.
        var workspace = net.CreateWorkspace(Batch);
        var outputs = new T[Batch * net.OutputSize];
        net.Forward(inputs, outputs, workspace);
        for (int s = 0; s < Batch; s++)
        {
            net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), output);
            AssertClose(NetworkCatalog.ToDouble<T>(output), NetworkCatalog.ToDouble<T>(outputs.AsSpan(s * net.OutputSize, net.OutputSize)), tolerance, $"batched forward, sample {s}");
        }

        // Gradients of the summed cost, accumulated onto a non-zero gradient span.
        var gradient = new T[net.ParameterCount];
        gradient.AsSpan().Fill(T.One);
        T loss = net.Backward(inputs, targets, gradient, workspace);
        var expectedGradient = new double[net.ParameterCount];
        Array.Fill(expectedGradient, 1.0);
        double expectedLoss = 0;
        for (int s = 0; s < Batch; s++)
        {
            expectedLoss += reference.Backward(
                NetworkCatalog.ToDouble<T>(inputs.AsSpan(s * net.InputSize, net.InputSize)),
                NetworkCatalog.ToDouble<T>(targets.AsSpan(s * net.OutputSize, net.OutputSize)),
                expectedGradient);
        }
        AssertClose(new[] { expectedLoss }, new[] { double.CreateTruncating(loss) }, tolerance, "loss");
        AssertClose(expectedGradient, NetworkCatalog.ToDouble<T>(gradient), tolerance, "gradient");
    }

    internal static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(1.0, Math.Abs(expected[i]));
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance * scale))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R} but got {actual[i]:R} (tolerance {tolerance} × {scale:G3}).");
        }
    }
}
