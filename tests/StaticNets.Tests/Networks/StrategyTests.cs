using System;
using StaticNets.Kernels;
using StaticNets.Tests.Kernels;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Networks;

/// <summary>
/// Each generator strategy (unrolled, output vectors from transposed weights, row dot products) against the
/// reference at every vector width, and the transposed weight copy following every way parameters change.
/// </summary>
[Collection(nameof(VectorWidthCollection))]
public class StrategyTests
{
    // One network per strategy mix: 2-3-1 unrolled; 8-32-32-4 and 20-37-9 output vectors (ragged ends);
    // 784-128-10 and 100-70-30-12 row dot products. Every layer ≤ 64 × 64 (all but the last two) also takes
    // the fused single-sample forward: 64-32-10 (a full 64-input layer, softmax over 10), 13-7-5-3 B
    // (ReLU and LeakyReLU in registers, scalar softmax) and A (sigmoid and tanh through the kernels).
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "2-3-1", "8-32-32-4", "20-37-9", "784-128-10", "100-70-30-12", "64-32-10", "13-7-5-3 A", "13-7-5-3 B" })
            foreach (int bits in new[] { 512, 256, 128, 0 })
                data.Add(name, bits);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryStrategy_MatchesTheReference_AtEveryWidth(string name, int bits)
    {
        int saved = VectorWidth.MaxBits;
        VectorWidth.MaxBits = bits;
        try
        {
            ReferenceTests.Check(NetworkCatalog.Single[name](7), ReferenceTests.FloatTolerance);
            if (NetworkCatalog.Double.TryGetValue(name, out var makeDouble))
                ReferenceTests.Check(makeDouble(7), ReferenceTests.DoubleTolerance);
        }
        finally
        {
            VectorWidth.MaxBits = saved;
        }
    }

    private static float[] Output(INetwork<float> net, float[] input)
    {
        var output = new float[net.OutputSize];
        net.Forward(input, output);
        return output;
    }

    private static void AssertMatchesReference(N1 net, float[] input, string what)
    {
        var reference = new ReferenceNetwork(N1.Architecture, NetworkCatalog.ToDouble<float>(net.Parameters));
        ReferenceTests.AssertClose(reference.Output(NetworkCatalog.ToDouble<float>(input)), NetworkCatalog.ToDouble<float>(Output(net, input)), ReferenceTests.FloatTolerance, what);
    }

    [Fact]
    public void TransposedWeights_FollowEveryWayParametersChange()
    {
        var net = new N1(1);
        var input = NetworkCatalog.Random<float>(N1.InputSize, 3);
        float[] before = Output(net, input);   // builds the transposed copy

        NetworkCatalog.SetParameter(net, N1.Layer0WeightOffset + 5, net.Parameters[N1.Layer0WeightOffset + 5] + 0.75f);
        AssertMatchesReference(net, input, "after writing Parameters");
        Assert.NotEqual(before, Output(net, input));

        using (var edit = net.EditParameters())
            edit.Span[N1.Layer1WeightOffset + 17] -= 0.5f;
        AssertMatchesReference(net, input, "after writing through an edit");

        net.Initialize(99);
        AssertMatchesReference(net, input, "after Initialize");

        var data = new Dataset<float>(NetworkCatalog.Random<float>(40 * N1.InputSize, 4), N1.InputSize, NetworkCatalog.Targets<float>(N1.Architecture, 40, 5), N1.OutputSize);
        new Trainer<float>(net).Fit(data, new TrainerOptions { Epochs = 1, BatchSize = 8, LearningRate = 0.5 });
        AssertMatchesReference(net, input, "after training");
    }

    [Fact]
    public void TransposedWeights_FollowBakedWeights()
    {
        // 64-32-10: both layers vectorised over outputs. Forward first, so a stale copy would be used.
        var net = new StaticNets.Tests.Persistence.BakedDigitsNet(5);
        var input = NetworkCatalog.Random<float>(64, 8, 0, 1);
        var output = new float[10];
        net.Forward(input, output);
        net.LoadBakedWeights();
        net.Forward(input, output);
        var reference = new ReferenceNetwork(StaticNets.Tests.Persistence.BakedDigitsNet.Architecture, NetworkCatalog.ToDouble<float>(net.Parameters));
        ReferenceTests.AssertClose(reference.Output(NetworkCatalog.ToDouble<float>(input)), NetworkCatalog.ToDouble<float>(output), ReferenceTests.FloatTolerance, "after LoadBakedWeights");
    }

    [Fact]
    public void TransposedWeights_AreConsistentUnderConcurrentForwards()
    {
        var net = new N1(2);
        var input = NetworkCatalog.Random<float>(N1.InputSize, 6);
        NetworkCatalog.SetParameter(net, 0, 0.25f);             // stale copy: the threads below race to refresh it
        var reference = new ReferenceNetwork(N1.Architecture, NetworkCatalog.ToDouble<float>(net.Parameters));
        double[] expected = reference.Output(NetworkCatalog.ToDouble<float>(input));
        System.Threading.Tasks.Parallel.For(0, 64, _ =>
            ReferenceTests.AssertClose(expected, NetworkCatalog.ToDouble<float>(Output(net, input)), ReferenceTests.FloatTolerance, "concurrent forward"));
    }
    // The batched forward of every sample against the reference, through a workspace of the batch's size.
    private static void AssertBatchMatchesReference(INetwork<float> net, NetworkInfo info, float[] inputs, INetworkWorkspace<float> workspace, string what)
    {
        int batch = inputs.Length / net.InputSize;
        var outputs = new float[batch * net.OutputSize];
        net.Forward(inputs, outputs, workspace);
        var reference = new ReferenceNetwork(info, NetworkCatalog.ToDouble<float>(net.Parameters));
        for (int s = 0; s < batch; s++)
        {
            double[] expected = reference.Output(NetworkCatalog.ToDouble<float>(inputs.AsSpan(s * net.InputSize, net.InputSize).ToArray()));
            ReferenceTests.AssertClose(expected, NetworkCatalog.ToDouble<float>(outputs.AsSpan(s * net.OutputSize, net.OutputSize).ToArray()), ReferenceTests.FloatTolerance, $"{what}, sample {s}");
        }
    }

    [Fact]
    public void PackedPanels_FollowEveryWayParametersChange()
    {
        // 784-128-10: the 128-wide layer's batched forward reads packed Wᵀ panels kept by the network.
        var net = new MnistNet(1);
        var workspace = net.CreateWorkspace(9);
        var inputs = NetworkCatalog.Random<float>(9 * MnistNet.InputSize, 3, 0, 1);
        AssertBatchMatchesReference(net, MnistNet.Architecture, inputs, workspace, "first batch");   // builds the packed copy

        NetworkCatalog.SetParameter(net, MnistNet.Layer0WeightOffset + 5, net.Parameters[MnistNet.Layer0WeightOffset + 5] + 0.75f);
        AssertBatchMatchesReference(net, MnistNet.Architecture, inputs, workspace, "after writing Parameters");

        using (var edit = net.EditParameters())
            edit.Span[MnistNet.Layer0WeightOffset + 130 * 784 / 2] -= 0.5f;
        AssertBatchMatchesReference(net, MnistNet.Architecture, inputs, workspace, "after writing through an edit");

        net.Initialize(99);
        AssertBatchMatchesReference(net, MnistNet.Architecture, inputs, workspace, "after Initialize");
    }

    [Fact]
    public void PackedPanels_AreConsistentUnderConcurrentBatchedForwards()
    {
        var net = new MnistNet(2);
        var inputs = NetworkCatalog.Random<float>(8 * MnistNet.InputSize, 6, 0, 1);
        NetworkCatalog.SetParameter(net, 0, 0.25f);             // stale panels: the threads below race to re-pack them
        System.Threading.Tasks.Parallel.For(0, 16, _ =>
            AssertBatchMatchesReference(net, MnistNet.Architecture, inputs, net.CreateWorkspace(8), "concurrent batched forward"));
    }
}
