using System;
using System.Numerics;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Layers;

/// <summary>Generated CNNs allocate nothing per forward (single and batched), per backward (all three kinds) or per optimizer step.</summary>
public class CnnAllocationTests
{
    private static void AssertNoAllocation<T>(INetwork<T> net, IOptimizer<T> optimizer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int batch = 4;
        var inputs = NetworkCatalog.Random<T>(batch * net.InputSize, 1, 0, 1);
        var targets = NetworkCatalog.Targets<T>(net.Info, batch, 2);
        var outputs = new T[batch * net.OutputSize];
        var outputGradient = NetworkCatalog.Random<T>(batch * net.OutputSize, 3);
        var gradient = new T[net.ParameterCount];
        var inputGradient = new T[inputs.Length];
        var workspace = net.CreateWorkspace(batch);
        var rate = T.CreateTruncating(1e-4);

        void Run()
        {
            net.Forward(inputs.AsSpan(0, net.InputSize), outputs.AsSpan(0, net.OutputSize));
            net.Forward(inputs, outputs, workspace);
            gradient.AsSpan().Clear();
            net.Backward(inputs, targets, gradient, workspace);
            net.Backward(inputs, targets, gradient, inputGradient, workspace);
            net.BackwardFromOutputGradient(inputs, outputGradient, gradient, inputGradient, workspace);
            using (var edit = net.EditParameters()) optimizer.Step(edit.Span, gradient, rate);
        }

        Run(); // JIT, weight copies and optimizer state happen here, not in the measurement
        // As in Networks/AllocationTests: a clean round out of three passes (tiered re-compilation may allocate once).
        Allocations.AssertOneCleanRound(() =>
        {
            for (int i = 0; i < 20; i++)
                Run();
        }, net.Info.Name);
    }

    [Fact]
    public void LeNet5_with_sgd_allocates_nothing() => AssertNoAllocation(new LeNet5(1), new Sgd<float>());

    [Fact]
    public void LeNet5_with_adam_allocates_nothing() => AssertNoAllocation(new LeNet5(1), new Adam<float>());

    [Fact]
    public void Double_cnn_with_sgd_allocates_nothing() => AssertNoAllocation(new AsymmetricPadsCnnD(1), new Sgd<double>());

    [Fact]
    public void Double_cnn_with_standalone_softmax_and_adam_allocates_nothing() => AssertNoAllocation(new ActivationFirstD(1), new Adam<double>());

    [Fact]
    public void Float_conv_after_conv_allocates_nothing() => AssertNoAllocation(new DoubleConvCnn(1), new Sgd<float>());
}
