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
}
