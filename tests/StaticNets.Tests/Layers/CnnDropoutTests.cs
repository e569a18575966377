using System;
using System.Linq;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Layers;

/// <summary>Standalone [Dropout] layers on an image (layer 1) and on a vector (layer 4) of a generated CNN.</summary>
public class CnnDropoutTests
{
    private const int Batch = 4;

    [Fact]
    public void Training_gradients_match_central_differences_with_the_masks_held_fixed()
    {
        var net = new DropoutCnnD(3) { Training = true, DropoutSeed = 23 };
        var x = NetworkCatalog.Random<double>(Batch * DropoutCnnD.InputSize, 5);
        var targets = NetworkCatalog.Targets<double>(DropoutCnnD.Architecture, Batch, 6);
        var ws = (DropoutCnnD.Workspace)net.CreateWorkspace(Batch);
        var gradient = new double[DropoutCnnD.ParameterCount];
        var dx = new double[x.Length];
        ws.DropoutCalls = 0;
        double cost = net.Backward(x, targets, gradient, dx, ws);

        // Both layers dropped something, and kept values are scaled by 1/(1 − rate).
        Assert.Contains(ws.M1.Span.ToArray(), m => m == 0);
        Assert.Contains(ws.M4.Span.ToArray(), m => m == 0);
        Assert.All(ws.M1.Span.ToArray(), m => Assert.True(m == 0 || Math.Abs(m - 1 / 0.7) < 1e-12, $"mask value {m}"));
        Assert.All(ws.M4.Span.ToArray(), m => Assert.True(m == 0 || Math.Abs(m - 1 / 0.5) < 1e-12, $"mask value {m}"));

        // The cost differs from inference's: the masks were applied.
        var plain = new DropoutCnnD(3);
        double inferenceCost = plain.Backward(x, targets, new double[DropoutCnnD.ParameterCount], plain.CreateWorkspace(Batch));
        Assert.NotEqual(inferenceCost, cost);

        var scratch = new double[DropoutCnnD.ParameterCount];
        double Loss()
        {
            ws.DropoutCalls = 0;                 // replays the same masks
            return net.Backward(x, targets, scratch, ws);
        }
        Assert.Equal(cost, Loss());
        for (int i = 0; i < DropoutCnnD.ParameterCount; i++)
            CnnCatalog.AssertClose(CnnCatalog.ParameterDifference(net, i, Loss), gradient[i], $"parameter {i}");
        for (int i = 0; i < x.Length; i++)
            CnnCatalog.AssertClose(CnnCatalog.ValueDifference(x, i, Loss), dx[i], $"input {i}");
    }

    [Fact]
    public void Inference_never_drops_even_while_training()
    {
        var net = new DropoutCnnD(4) { Training = true, DropoutSeed = 1 };
        var twin = new DropoutCnnD(4);
        var x = NetworkCatalog.Random<double>(Batch * DropoutCnnD.InputSize, 3);
        for (int s = 0; s < Batch; s++)
        {
            var single = new double[DropoutCnnD.OutputSize];
            var expected = new double[DropoutCnnD.OutputSize];
            net.Forward(x.AsSpan(s * DropoutCnnD.InputSize, DropoutCnnD.InputSize), single);
            twin.Forward(x.AsSpan(s * DropoutCnnD.InputSize, DropoutCnnD.InputSize), expected);
            Assert.Equal(expected, single);
            var reference = CnnCatalog.Reference(net, x, s);
            for (int j = 0; j < reference.Length; j++)
                Assert.True(Math.Abs(reference[j] - single[j]) < 1e-12);
        }
        var batched = new double[Batch * DropoutCnnD.OutputSize];
        var expectedBatched = new double[Batch * DropoutCnnD.OutputSize];
        net.Forward(x, batched, net.CreateWorkspace(Batch));
        twin.Forward(x, expectedBatched, twin.CreateWorkspace(Batch));
        Assert.Equal(expectedBatched, batched);

        // Not training: Backward uses no masks either, so it equals a twin's, bit for bit, call after call.
        net.Training = false;
        var targets = NetworkCatalog.Targets<double>(DropoutCnnD.Architecture, Batch, 4);
        var g1 = new double[DropoutCnnD.ParameterCount];
        var g2 = new double[DropoutCnnD.ParameterCount];
        var ws = net.CreateWorkspace(Batch);
        double c1 = net.Backward(x, targets, g1, ws);
        double c2 = twin.Backward(x, targets, g2, twin.CreateWorkspace(Batch));
        Assert.Equal(c2, c1);
        Assert.Equal(g2, g1);
        Assert.Equal(c1, net.Backward(x, targets, new double[DropoutCnnD.ParameterCount], ws));
    }
}
