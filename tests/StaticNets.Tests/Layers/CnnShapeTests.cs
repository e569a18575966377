using System;
using System.Linq;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Layers;

/// <summary>
/// Every generated CNN of <see cref="CnnCatalog"/> against the plain double reference: single and batched forward for
/// batches of 1–5, the cost Backward returns, and for the double ones every parameter's gradient (a seeded subset
/// of 150 for large ones), ∂C/∂input and <see cref="INetwork{T}.BackwardFromOutputGradient"/> by central differences.
/// </summary>
public class CnnShapeTests
{
    private const int MaxBatch = 5;

    [Theory]
    [MemberData(nameof(CnnCatalog.DoubleNames), MemberType = typeof(CnnCatalog))]
    public void Double_forward_single_and_batched_matches_the_reference(string name)
    {
        var net = CnnCatalog.Double[name](7);
        var inputs = NetworkCatalog.Random<double>(MaxBatch * net.InputSize, 21, -2, 2);
        var shared = net.CreateWorkspace(MaxBatch);
        var single = new double[net.OutputSize];
        for (int s = 0; s < MaxBatch; s++)
        {
            net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), single);
            var expected = CnnCatalog.Reference(net, inputs, s);
            for (int j = 0; j < net.OutputSize; j++)
                Assert.True(Math.Abs(expected[j] - single[j]) <= 1e-12, $"{name} single sample {s} output {j}: {single[j]:R} vs {expected[j]:R}");
        }
        for (int batch = 1; batch <= MaxBatch; batch++)
        {
            // Once with a workspace of exactly the batch and once with a larger shared one.
            foreach (var ws in new[] { net.CreateWorkspace(batch), shared })
            {
                var outputs = new double[batch * net.OutputSize];
                net.Forward(inputs.AsSpan(0, batch * net.InputSize), outputs, ws);
                for (int s = 0; s < batch; s++)
                {
                    var expected = CnnCatalog.Reference(net, inputs, s);
                    for (int j = 0; j < net.OutputSize; j++)
                        Assert.True(Math.Abs(expected[j] - outputs[s * net.OutputSize + j]) <= 1e-12,
                            $"{name} batch {batch} (capacity {ws.BatchCapacity}) sample {s} output {j}: {outputs[s * net.OutputSize + j]:R} vs {expected[j]:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(CnnCatalog.SingleNames), MemberType = typeof(CnnCatalog))]
    public void Float_forward_single_and_batched_matches_the_reference(string name)
    {
        var net = CnnCatalog.Single[name](7);
        var inputs = NetworkCatalog.Random<float>(MaxBatch * net.InputSize, 21, 0, 1);
        var single = new float[net.OutputSize];
        for (int batch = 1; batch <= MaxBatch; batch++)
        {
            var outputs = new float[batch * net.OutputSize];
            net.Forward(inputs.AsSpan(0, batch * net.InputSize), outputs, net.CreateWorkspace(batch));
            for (int s = 0; s < batch; s++)
            {
                net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), single);
                var expected = CnnCatalog.Reference(net, inputs, s);
                for (int j = 0; j < net.OutputSize; j++)
                {
                    double tolerance = 1e-5 * Math.Max(1, Math.Abs(expected[j]));
                    Assert.True(Math.Abs(expected[j] - outputs[s * net.OutputSize + j]) <= tolerance, $"{name} batch {batch} sample {s} output {j}: {outputs[s * net.OutputSize + j]} vs {expected[j]}");
                    Assert.True(Math.Abs(expected[j] - single[j]) <= tolerance, $"{name} single sample {s} output {j}: {single[j]} vs {expected[j]}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(CnnCatalog.DoubleNames), MemberType = typeof(CnnCatalog))]
    public void Backward_cost_gradient_and_input_gradient_match_central_differences(string name)
    {
        var net = CnnCatalog.Double[name](5);
        const int batch = 3;
        var x = NetworkCatalog.Random<double>(batch * net.InputSize, 11);
        var targets = NetworkCatalog.Targets<double>(net.Info, batch, 12);
        var ws = net.CreateWorkspace(batch);
        var gradient = new double[net.ParameterCount];
        var dx = new double[x.Length];
        double cost = net.Backward(x, targets, gradient, dx, ws);

        double expectedCost = Enumerable.Range(0, batch).Sum(s => CnnCatalog.Cost(net.Info, CnnCatalog.Reference(net, x, s), targets.AsSpan(s * net.OutputSize, net.OutputSize)));
        Assert.True(Math.Abs(expectedCost - cost) <= 1e-10 * Math.Max(1, expectedCost), $"{name}: cost {cost:R} vs reference {expectedCost:R}");

        // The overload without ∂C/∂input gives the same gradient.
        var plain = new double[net.ParameterCount];
        Assert.Equal(cost, net.Backward(x, targets, plain, ws));
        Assert.Equal(gradient, plain);

        var scratch = new double[net.ParameterCount];
        double Loss() => net.Backward(x, targets, scratch, ws);
        foreach (int i in CnnCatalog.ParameterIndices(net.ParameterCount, 150, 3))
            CnnCatalog.AssertClose(CnnCatalog.ParameterDifference(net, i, Loss), gradient[i], $"{name} parameter {i}");
        for (int i = 0; i < x.Length; i++)
            CnnCatalog.AssertClose(CnnCatalog.ValueDifference(x, i, Loss), dx[i], $"{name} input {i}");
    }

    [Theory]
    [MemberData(nameof(CnnCatalog.DoubleNames), MemberType = typeof(CnnCatalog))]
    public void BackwardFromOutputGradient_matches_central_differences_of_a_weighted_output_sum(string name)
    {
        var net = CnnCatalog.Double[name](9);
        const int batch = 2;
        var x = NetworkCatalog.Random<double>(batch * net.InputSize, 31);
        var g = NetworkCatalog.Random<double>(batch * net.OutputSize, 32);   // C = Σ g·output
        var ws = net.CreateWorkspace(batch);
        var outputs = new double[batch * net.OutputSize];
        double C()
        {
            net.Forward(x, outputs, ws);
            double sum = 0;
            for (int i = 0; i < outputs.Length; i++)
                sum += g[i] * outputs[i];
            return sum;
        }

        var gradient = new double[net.ParameterCount];
        var dx = new double[x.Length];
        net.BackwardFromOutputGradient(x, g, gradient, dx, ws);
        // Gradients are added: a second call doubles them, and an empty ∂C/∂input is allowed.
        var twice = (double[])gradient.Clone();
        net.BackwardFromOutputGradient(x, g, twice, Span<double>.Empty, ws);
        for (int i = 0; i < gradient.Length; i++)
            Assert.Equal(2 * gradient[i], twice[i], 12);

        foreach (int i in CnnCatalog.ParameterIndices(net.ParameterCount, 150, 4))
            CnnCatalog.AssertClose(CnnCatalog.ParameterDifference(net, i, C), gradient[i], $"{name} parameter {i}");
        for (int i = 0; i < x.Length; i++)
            CnnCatalog.AssertClose(CnnCatalog.ValueDifference(x, i, C), dx[i], $"{name} input {i}");
    }
}
