using System;
using System.Linq;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Networks;

/// <summary>
/// Generated dropout: masks only while training and only in Backward, exact gradients of the masked network,
/// the documented drop rate and scaling, fresh masks per call, and reproducibility for a seed at any thread count.
/// </summary>
public class DropoutTests
{
    [Fact]
    public void Training_gradient_matches_central_differences_with_the_masks_held_fixed()
    {
        var net = new DropNetD(3) { Training = true, DropoutSeed = 17 };
        const int batch = 4;
        var inputs = NetworkCatalog.Random<double>(batch * DropNetD.InputSize, 5);
        var targets = NetworkCatalog.Targets<double>(DropNetD.Architecture, batch, 6);
        var ws = (DropNetD.Workspace)net.CreateWorkspace(batch);
        var gradient = new double[DropNetD.ParameterCount];
        var scratch = new double[DropNetD.ParameterCount];

        // The masks depend on (seed, key, call count): rewinding the count replays the same masks.
        ws.DropoutCalls = 0;
        net.Backward(inputs, targets, gradient, ws);
        Assert.Contains(ws.M1.Span.ToArray(), m => m == 0);               // something was dropped

        const double h = 1e-6;
        for (int i = 0; i < DropNetD.ParameterCount; i += 3)
        {
            double original = net.Parameters[i];
            NetworkCatalog.SetParameter(net, i, original + h);
            ws.DropoutCalls = 0;
            double plus = net.Backward(inputs, targets, scratch, ws);
            NetworkCatalog.SetParameter(net, i, original - h);
            ws.DropoutCalls = 0;
            double minus = net.Backward(inputs, targets, scratch, ws);
            NetworkCatalog.SetParameter(net, i, original);
            double numeric = (plus - minus) / (2 * h);
            double error = Math.Abs(numeric - gradient[i]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(gradient[i]));
            Assert.True(error < 1e-5, $"parameter {i}: analytic {gradient[i]:R}, numeric {numeric:R}");
        }
    }

    [Fact]
    public void Masks_drop_at_the_declared_rate_and_scale_the_rest()
    {
        var net = new DropNet(1) { Training = true, DropoutSeed = 99 };
        const int batch = 256;
        var inputs = NetworkCatalog.Random<float>(batch * DropNet.InputSize, 1);
        var targets = NetworkCatalog.Targets<float>(DropNet.Architecture, batch, 2);
        var ws = (DropNet.Workspace)net.CreateWorkspace(batch);
        net.Backward(inputs, targets, new float[DropNet.ParameterCount], ws);

        foreach (var mask in new[] { ws.M1.Span.ToArray(), ws.M3.Span.ToArray() })
        {
            double dropped = mask.Count(m => m == 0) / (double)mask.Length;
            Assert.InRange(dropped, 0.25, 0.35);            // rate 0.3; thousands of draws
            Assert.All(mask, m => Assert.True(m == 0 || Math.Abs(m - 1 / 0.7f) < 1e-6f, $"mask value {m}"));
        }
        // The layer above read a ⊙ mask; a itself is untouched (σ' needs it).
        Span<float> a0 = ws.A0.Span, m1 = ws.M1.Span, o1 = ws.O1.Span;
        for (int i = 0; i < o1.Length; i++)
            Assert.Equal(a0[i] * m1[i], o1[i]);
    }

    [Fact]
    public void Each_training_call_draws_new_masks_and_a_seed_replays_them()
    {
        var net = new DropNet(1) { Training = true, DropoutSeed = 5 };
        var inputs = NetworkCatalog.Random<float>(8 * DropNet.InputSize, 1);
        var targets = NetworkCatalog.Targets<float>(DropNet.Architecture, 8, 2);
        var ws = (DropNet.Workspace)net.CreateWorkspace(8);
        var gradient = new float[DropNet.ParameterCount];
        net.Backward(inputs, targets, gradient, ws);
        var first = ws.M1.Span.ToArray();
        net.Backward(inputs, targets, gradient, ws);
        Assert.NotEqual(first, ws.M1.Span.ToArray());
        ws.DropoutCalls = 0;
        net.Backward(inputs, targets, gradient, ws);
        Assert.Equal(first, ws.M1.Span.ToArray());
    }

    [Fact]
    public void Inference_never_drops()
    {
        var net = new DropNet(4);
        var twin = new DropNet(4);
        var input = NetworkCatalog.Random<float>(DropNet.InputSize, 3);
        // The twin never trained: same weights, no dropout. Single and batched paths use different kernels,
        // so each is compared with the twin's same path, bit for bit.
        var expectedSingle = new float[DropNet.OutputSize];
        var expectedBatched = new float[DropNet.OutputSize];
        twin.Forward(input, expectedSingle);
        twin.Forward(input, expectedBatched, twin.CreateWorkspace(1));

        net.Training = true;
        var single = new float[DropNet.OutputSize];
        net.Forward(input, single);
        var batched = new float[DropNet.OutputSize];
        net.Forward(input, batched, net.CreateWorkspace(1));
        Assert.Equal(expectedSingle, single);
        Assert.Equal(expectedBatched, batched);
    }

    [Fact]
    public void Trainer_is_reproducible_for_a_seed_and_identical_for_one_and_two_threads()
    {
        var (train, _) = LearningTests.Digits().Split(0.5, seed: 3);
        var data = new Dataset<float>(ProjectInputs(train), 13, OneHot.Encode<float>(LabelsMod3(train), 3), 3);
        float[] Run(int threads)
        {
            var net = new DropNet(2);
            new Trainer<float>(net).Fit(data, new TrainerOptions { Epochs = 2, BatchSize = 64, LearningRate = 0.05, Seed = 11, Threads = threads });
            Assert.False(net.Training);                     // put back as it was
            return net.Parameters.ToArray();
        }
        var one = Run(1);
        Assert.Equal(one, Run(1));
        Assert.Equal(one, Run(2));
    }

    // A 13-input, 3-class problem cut from the real digits: the first 13 pixels and the label mod 3.
    private static float[] ProjectInputs(Dataset<float> data)
    {
        var inputs = new float[data.Count * 13];
        for (int i = 0; i < data.Count; i++)
            data.Input(i)[..13].CopyTo(inputs.AsSpan(i * 13, 13));
        return inputs;
    }

    private static int[] LabelsMod3(Dataset<float> data) => Enumerable.Range(0, data.Count).Select(i => data.Label(i) % 3).ToArray();
}
