using System;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>LossKernels against the double-precision references in <see cref="KernelChecks"/>, at the machine's natural vector width.</summary>
public class LossKernelsTests
{
    [Fact]
    public void Quadratic_Single() => KernelChecks.Quadratic<float>();

    [Fact]
    public void Quadratic_Double() => KernelChecks.Quadratic<double>();

    [Fact]
    public void CrossEntropy_Single() => KernelChecks.CrossEntropy<float>();

    [Fact]
    public void CrossEntropy_Double() => KernelChecks.CrossEntropy<double>();

    [Fact]
    public void BinaryCrossEntropy_Single() => KernelChecks.BinaryCrossEntropy<float>();

    [Fact]
    public void BinaryCrossEntropy_Double() => KernelChecks.BinaryCrossEntropy<double>();

    [Fact]
    public void OutputError_Single() => KernelChecks.OutputError<float>();

    [Fact]
    public void OutputError_Double() => KernelChecks.OutputError<double>();

    [Fact]
    public void BinaryCrossEntropyGradient_Single() => KernelChecks.BinaryCrossEntropyGradient<float>();

    [Fact]
    public void BinaryCrossEntropyGradient_Double() => KernelChecks.BinaryCrossEntropyGradient<double>();

    [Fact]
    public void Compute_Single() => KernelChecks.Compute<float>();

    [Fact]
    public void Compute_Double() => KernelChecks.Compute<double>();
}
