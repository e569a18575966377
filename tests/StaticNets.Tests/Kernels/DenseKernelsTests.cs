using System;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>DenseKernels against the double-precision references in <see cref="KernelChecks"/>, at the machine's natural vector width.</summary>
public class DenseKernelsTests
{
    [Fact]
    public void Forward_Single() => KernelChecks.DenseForward<float>();

    [Fact]
    public void Forward_Double() => KernelChecks.DenseForward<double>();

    [Fact]
    public void ForwardBatch_Single() => KernelChecks.DenseForwardBatch<float>();

    [Fact]
    public void ForwardBatch_Double() => KernelChecks.DenseForwardBatch<double>();

    [Fact]
    public void BackwardInput_Single() => KernelChecks.DenseBackwardInput<float>();

    [Fact]
    public void BackwardInput_Double() => KernelChecks.DenseBackwardInput<double>();

    [Fact]
    public void AccumulateGradient_Single() => KernelChecks.DenseAccumulateGradient<float>();

    [Fact]
    public void AccumulateGradient_Double() => KernelChecks.DenseAccumulateGradient<double>();

    [Fact]
    public void AccumulateGradientBatch_Single() => BatchKernelChecks.AccumulateGradientBatch<float>();

    [Fact]
    public void AccumulateGradientBatch_Double() => BatchKernelChecks.AccumulateGradientBatch<double>();

    [Fact]
    public void BackwardInputBatch_Single() => BatchKernelChecks.BackwardInputBatch<float>();

    [Fact]
    public void BackwardInputBatch_Double() => BatchKernelChecks.BackwardInputBatch<double>();

    [Fact]
    public void ForwardBatchAcrossRowBlocks_Single() => BatchKernelChecks.ForwardBatchAcrossRowBlocks<float>();

    [Fact]
    public void ForwardBatchAcrossRowBlocks_Double() => BatchKernelChecks.ForwardBatchAcrossRowBlocks<double>();

    [Fact]
    public void ForwardBatchPacked_Single() => BatchKernelChecks.ForwardBatchPacked<float>();

    [Fact]
    public void ForwardBatchPacked_Double() => BatchKernelChecks.ForwardBatchPacked<double>();

    [Fact]
    public void ForwardBatchPacked_PositionIndependent_Single() => BatchKernelChecks.ForwardBatchPackedPositionIndependent<float>();

    [Fact]
    public void ForwardBatchPacked_PositionIndependent_Double() => BatchKernelChecks.ForwardBatchPackedPositionIndependent<double>();

    [Fact]
    public void ForwardBatchPrepacked_Single() => BatchKernelChecks.ForwardBatchPrepacked<float>();

    [Fact]
    public void ForwardBatchPrepacked_Double() => BatchKernelChecks.ForwardBatchPrepacked<double>();

    [Fact]
    public void ForwardTransposed_Single() => BatchKernelChecks.ForwardTransposed<float>();

    [Fact]
    public void ForwardTransposed_Double() => BatchKernelChecks.ForwardTransposed<double>();

    [Fact]
    public void GradientReduction_Single() => BatchKernelChecks.GradientReduction<float>();

    [Fact]
    public void GradientReduction_Double() => BatchKernelChecks.GradientReduction<double>();

    [Fact]
    public void Batch_BadShapesThrowNamingTheArgument()
    {
        float[] w = new float[6], d = new float[4], dx = new float[5];
        var e = Assert.Throws<ArgumentException>(() => DenseKernels.BackwardInputBatch<float>(w, d, dx, 3, 2));
        Assert.Equal("dx", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => DenseKernels.AccumulateGradientBatch<float>(d, new float[7], w, new float[2], 3, 2));
        Assert.Equal("x", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernels.BackwardInputBatch<float>(w, d, dx, 0, 2));
    }
}
