using System;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>Every entry check throws an <see cref="ArgumentException"/> that names the offending argument.</summary>
public class ValidationTests
{
    private static void Throws(string paramName, Action action, string? messageContains = null)
    {
        var exception = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(paramName, exception.ParamName);
        if (messageContains is not null)
            Assert.Contains(messageContains, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VectorMath_ChecksLengthsAndOverlap()
    {
        Throws("y", () => VectorMath.Dot<float>(new float[3], new float[4]), "Expected 3 elements (the length of x) but got 4.");
        Throws("y", () => VectorMath.Add<float>(new float[3], new float[2], new float[3]));
        Throws("destination", () => VectorMath.Add<float>(new float[3], new float[3], new float[4]));
        Throws("x", () => VectorMath.AddInPlace<double>(new double[3], new double[5]));
        Throws("y", () => VectorMath.Axpy(1.0, new double[3], new double[2]));
        Throws("y", () => VectorMath.Subtract<float>(new float[3], new float[2], new float[3]));
        Throws("destination", () => VectorMath.Subtract<float>(new float[3], new float[3], new float[2]));

        // Shifted views of one buffer are rejected; the same span is fine (tested in KernelChecks).
        var buffer = new float[40];
        Throws("destination", () => VectorMath.Add<float>(buffer.AsSpan(0, 20), buffer.AsSpan(20, 20), buffer.AsSpan(1, 20)), "overlaps");
        Throws("destination", () => VectorMath.Subtract<float>(buffer.AsSpan(20, 20), buffer.AsSpan(0, 20), buffer.AsSpan(1, 20)));
        Throws("destination", () => VectorMath.AddInPlace<float>(buffer.AsSpan(1, 20), buffer.AsSpan(0, 20)));
        Throws("y", () => VectorMath.Axpy(2f, buffer.AsSpan(0, 20), buffer.AsSpan(3, 20)));
    }

    [Fact]
    public void DenseKernels_ChecksShapesAndOverlap()
    {
        Throws("w", () => DenseKernels.Forward<float>(new float[19], new float[2], new float[10], new float[2]),
            "Expected 20 elements (outputs × inputs = 2 × 10) but got 19.");
        Throws("b", () => DenseKernels.Forward<float>(new float[20], new float[3], new float[10], new float[2]));
        var buffer = new float[64];
        Throws("z", () => DenseKernels.Forward<float>(buffer.AsSpan(0, 20), new float[2], buffer.AsSpan(30, 10), buffer.AsSpan(39, 2)));
        Throws("z", () => DenseKernels.Forward<float>(buffer.AsSpan(0, 20), new float[2], new float[10], buffer.AsSpan(19, 2)));
        Throws("z", () => DenseKernels.Forward<float>(new float[20], buffer.AsSpan(0, 2), new float[10], buffer.AsSpan(0, 2)));

        Throws("inputs", () => DenseKernels.ForwardBatch<double>(new double[6], new double[2], new double[6], new double[4], 0, 2));
        Throws("outputs", () => DenseKernels.ForwardBatch<double>(new double[6], new double[2], new double[6], new double[4], 3, 0));
        Throws("w", () => DenseKernels.ForwardBatch<double>(new double[7], new double[2], new double[6], new double[4], 3, 2));
        Throws("b", () => DenseKernels.ForwardBatch<double>(new double[6], new double[3], new double[6], new double[4], 3, 2));
        Throws("x", () => DenseKernels.ForwardBatch<double>(new double[6], new double[2], new double[7], new double[4], 3, 2), "whole number of rows");
        Throws("z", () => DenseKernels.ForwardBatch<double>(new double[6], new double[2], new double[6], new double[5], 3, 2),
            "Expected 4 elements (samples × outputs = 2 × 2) but got 5.");
        var doubles = new double[64];
        Throws("z", () => DenseKernels.ForwardBatch<double>(new double[6], new double[2], doubles.AsSpan(0, 6), doubles.AsSpan(4, 4), 3, 2));

        Throws("w", () => DenseKernels.BackwardInput<float>(new float[5], new float[2], new float[3]));
        Throws("dx", () => DenseKernels.BackwardInput<float>(buffer.AsSpan(0, 6), new float[2], buffer.AsSpan(5, 3)));
        Throws("dx", () => DenseKernels.BackwardInput<float>(new float[6], buffer.AsSpan(0, 2), buffer.AsSpan(1, 3)));

        Throws("gw", () => DenseKernels.AccumulateGradient<float>(new float[2], new float[3], new float[7], new float[2]));
        Throws("gb", () => DenseKernels.AccumulateGradient<float>(new float[2], new float[3], new float[6], new float[1]));
        Throws("gw", () => DenseKernels.AccumulateGradient<float>(buffer.AsSpan(0, 2), new float[3], buffer.AsSpan(1, 6), new float[2]));
        Throws("gw", () => DenseKernels.AccumulateGradient<float>(new float[2], buffer.AsSpan(0, 3), buffer.AsSpan(0, 6), new float[2]));
        Throws("gw", () => DenseKernels.AccumulateGradient<float>(new float[2], new float[3], buffer.AsSpan(0, 6), buffer.AsSpan(5, 2)));
        Throws("gb", () => DenseKernels.AccumulateGradient<float>(buffer.AsSpan(0, 2), new float[3], new float[6], buffer.AsSpan(0, 2)));
    }

    [Fact]
    public void UnaliasedDenseKernels_CheckShapesAndInputOverlap()
    {
        Throws("w", () => DenseKernels.ForwardUnaliased<float>(new float[19], new float[2], new float[10], new float[2]),
            "Expected 20 elements (outputs × inputs = 2 × 10) but got 19.");
        Throws("b", () => DenseKernels.ForwardUnaliased<float>(new float[20], new float[3], new float[10], new float[2]));
        Throws("wT", () => DenseKernels.ForwardTransposedUnaliased<float>(new float[19], new float[2], new float[10], new float[2]),
            "Expected 20 elements (inputs × outputs = 10 × 2) but got 19.");
        Throws("b", () => DenseKernels.ForwardTransposedUnaliased<double>(new double[20], new double[1], new double[10], new double[2]));
        // z overlapping x is still rejected: the kernel reads x after it starts writing z.
        var buffer = new float[64];
        Throws("z", () => DenseKernels.ForwardUnaliased<float>(new float[20], new float[2], buffer.AsSpan(30, 10), buffer.AsSpan(39, 2)));
        Throws("z", () => DenseKernels.ForwardTransposedUnaliased<float>(new float[20], new float[2], buffer.AsSpan(0, 10), buffer.AsSpan(9, 2)));
    }

    [Fact]
    public void ActivationKernels_ChecksLengthsOverlapAndEnums()
    {
        Throws("a", () => ActivationKernels.Identity<float>(new float[3], new float[4]));
        Throws("a", () => ActivationKernels.Sigmoid<float>(new float[3], new float[4]));
        Throws("a", () => ActivationKernels.Tanh<float>(new float[3], new float[2]));
        Throws("a", () => ActivationKernels.ReLU<double>(new double[3], new double[4]));
        Throws("a", () => ActivationKernels.LeakyReLU<double>(new double[3], new double[4]));
        Throws("a", () => ActivationKernels.Softmax<double>(new double[3], new double[4]));
        var buffer = new float[64];
        Throws("a", () => ActivationKernels.ReLU<float>(buffer.AsSpan(0, 20), buffer.AsSpan(2, 20)));
        Throws("a", () => ActivationKernels.Softmax<float>(buffer.AsSpan(2, 20), buffer.AsSpan(0, 20)));

        Throws("a", () => ActivationKernels.SigmoidDerivative<float>(new float[3], new float[2], new float[3]));
        Throws("delta", () => ActivationKernels.TanhDerivative<float>(new float[3], new float[3], new float[2]));
        Throws("a", () => ActivationKernels.ReLUDerivative<float>(new float[3], new float[4], new float[3]));
        Throws("delta", () => ActivationKernels.LeakyReLUDerivative<float>(new float[3], new float[3], new float[4]));
        Throws("delta", () => ActivationKernels.SigmoidDerivative<float>(new float[20], buffer.AsSpan(0, 20), buffer.AsSpan(1, 20)));
        Throws("delta", () => ActivationKernels.ReLUDerivative<float>(buffer.AsSpan(0, 20), new float[20], buffer.AsSpan(4, 20)));

        Throws("g", () => ActivationKernels.SoftmaxBackward<float>(new float[3], new float[2], new float[3]));
        Throws("delta", () => ActivationKernels.SoftmaxBackward<float>(new float[3], new float[3], new float[2]));
        Throws("delta", () => ActivationKernels.SoftmaxBackward<float>(new float[20], buffer.AsSpan(0, 20), buffer.AsSpan(1, 20)));

        Throws("activation", () => ActivationKernels.MultiplyByDerivative<float>(Activation.Softmax, new float[3], new float[3], new float[3]), "SoftmaxBackward");
        Throws("activation", () => ActivationKernels.Apply<float>((Activation)99, new float[3], new float[3]));
        Throws("activation", () => ActivationKernels.MultiplyByDerivative<float>((Activation)99, new float[3], new float[3], new float[3]));
        Throws("a", () => ActivationKernels.Apply<float>(Activation.ReLU, new float[3], new float[2]));
        Throws("delta", () => ActivationKernels.MultiplyByDerivative<float>(Activation.Identity, new float[3], new float[3], new float[2]));
    }

    [Fact]
    public void LossKernels_ChecksLengthsOverlapAndEnums()
    {
        Throws("y", () => LossKernels.Quadratic<float>(new float[3], new float[4]));
        Throws("y", () => LossKernels.CrossEntropy<float>(new float[3], new float[4]));
        Throws("y", () => LossKernels.BinaryCrossEntropy<double>(new double[3], new double[2]));
        Throws("y", () => LossKernels.OutputError<float>(new float[3], new float[4], new float[3]));
        Throws("delta", () => LossKernels.OutputError<float>(new float[3], new float[3], new float[4]));
        Throws("y", () => LossKernels.BinaryCrossEntropyGradient<float>(new float[3], new float[4], new float[3]));
        Throws("g", () => LossKernels.BinaryCrossEntropyGradient<float>(new float[3], new float[3], new float[2]));
        var buffer = new float[64];
        Throws("delta", () => LossKernels.OutputError<float>(buffer.AsSpan(0, 20), new float[20], buffer.AsSpan(1, 20)));
        Throws("g", () => LossKernels.BinaryCrossEntropyGradient<float>(new float[20], buffer.AsSpan(3, 20), buffer.AsSpan(0, 20)));
        Throws("loss", () => LossKernels.Compute<float>((Loss)7, Activation.Sigmoid, new float[3], new float[3]));
        Throws("y", () => LossKernels.Compute<float>(Loss.CrossEntropy, Activation.Softmax, new float[3], new float[2]));
    }
}
