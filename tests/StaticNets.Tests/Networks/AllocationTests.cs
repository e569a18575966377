using System;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Networks;

/// <summary>The hot path allocates nothing: forward, batched forward, backward and the optimizer step.</summary>
public class AllocationTests
{
    [Theory]
    [InlineData("2-3-1")]
    [InlineData("8-32-32-4")]
    [InlineData("64-32-10")]
    [InlineData("784-128-10")]
    [InlineData("13-7-5-3 B")]
    public void Forward_backward_and_update_allocate_nothing(string name)
    {
        var net = NetworkCatalog.Single[name](1);
        const int batch = 8;
        var inputs = NetworkCatalog.Random<float>(batch * net.InputSize, 1);
        var targets = NetworkCatalog.Targets<float>(net.Info, batch, 2);
        var outputs = new float[batch * net.OutputSize];
        var gradient = new float[net.ParameterCount];
        var workspace = net.CreateWorkspace(batch);
        var optimizer = new Sgd<float>();

        void Run()
        {
            net.Forward(inputs.AsSpan(0, net.InputSize), outputs.AsSpan(0, net.OutputSize));
            net.Forward(inputs, outputs, workspace);
            gradient.AsSpan().Clear();
            net.Backward(inputs, targets, gradient, workspace);
            using (var edit = net.EditParameters()) optimizer.Step(edit.Span, gradient, 0.01f);
        }

        Run(); // JIT happens here, not in the measurement
        // A round of 100 steps allocates nothing. Tiered re-compilation can allocate a few bytes once on this
        // thread, so a clean round out of three passes; a real allocation in the hot path shows in every round.
        Allocations.AssertOneCleanRound(() =>
        {
            for (int i = 0; i < 100; i++)
                Run();
        }, "100 forward and backward calls");
    }
}
