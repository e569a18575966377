using System;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>VectorMath against the double-precision references in <see cref="KernelChecks"/>, at the machine's natural vector width.</summary>
public class VectorMathTests
{
    [Fact]
    public void Dot_Single() => KernelChecks.Dot<float>();

    [Fact]
    public void Dot_Double() => KernelChecks.Dot<double>();

    [Fact]
    public void Sum_Single() => KernelChecks.Sum<float>();

    [Fact]
    public void Sum_Double() => KernelChecks.Sum<double>();

    [Fact]
    public void SumOfSquares_Single() => KernelChecks.SumOfSquares<float>();

    [Fact]
    public void SumOfSquares_Double() => KernelChecks.SumOfSquares<double>();

    [Fact]
    public void Add_Single() => KernelChecks.Add<float>();

    [Fact]
    public void Add_Double() => KernelChecks.Add<double>();

    [Fact]
    public void AddInPlace_Single() => KernelChecks.AddInPlace<float>();

    [Fact]
    public void AddInPlace_Double() => KernelChecks.AddInPlace<double>();

    [Fact]
    public void Axpy_Single() => KernelChecks.Axpy<float>();

    [Fact]
    public void Axpy_Double() => KernelChecks.Axpy<double>();

    [Fact]
    public void Scale_Single() => KernelChecks.Scale<float>();

    [Fact]
    public void Scale_Double() => KernelChecks.Scale<double>();

    [Fact]
    public void Subtract_Single() => KernelChecks.Subtract<float>();

    [Fact]
    public void Subtract_Double() => KernelChecks.Subtract<double>();

    [Fact]
    public void ArgMax_Single() => KernelChecks.ArgMax<float>();

    [Fact]
    public void ArgMax_Double() => KernelChecks.ArgMax<double>();

    [Fact]
    public void ReductionsIgnoreCountedLanes_Single() => KernelChecks.ReductionsIgnoreCountedLanes<float>();

    [Fact]
    public void ReductionsIgnoreCountedLanes_Double() => KernelChecks.ReductionsIgnoreCountedLanes<double>();

    [Fact]
    public void ArgMax_EmptyIsMinusOne()
    {
        Assert.Equal(-1, VectorMath.ArgMax(ReadOnlySpan<float>.Empty));
        Assert.Equal(-1, VectorMath.ArgMax(ReadOnlySpan<double>.Empty));
    }

    [Fact]
    public void ArgMax_NaNWins()
    {
        // A diverged network must not look like a confident prediction.
        var x = new float[40];
        x[5] = 3;
        x[17] = float.NaN;
        x[30] = float.NaN;
        Assert.Equal(17, VectorMath.ArgMax<float>(x));
    }
}
