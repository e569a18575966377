using System;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>ActivationKernels against the double-precision references in <see cref="KernelChecks"/>, at the machine's natural vector width.</summary>
public class ActivationKernelsTests
{
    [Fact]
    public void Identity_Single() => KernelChecks.Identity<float>();

    [Fact]
    public void Identity_Double() => KernelChecks.Identity<double>();

    [Fact]
    public void Sigmoid_Single() => KernelChecks.Sigmoid<float>();

    [Fact]
    public void Sigmoid_Double() => KernelChecks.Sigmoid<double>();

    [Fact]
    public void Tanh_Single() => KernelChecks.Tanh<float>();

    [Fact]
    public void Tanh_Double() => KernelChecks.Tanh<double>();

    [Fact]
    public void ReLU_Single() => KernelChecks.ReLU<float>();

    [Fact]
    public void ReLU_Double() => KernelChecks.ReLU<double>();

    [Fact]
    public void LeakyReLU_Single() => KernelChecks.LeakyReLU<float>();

    [Fact]
    public void LeakyReLU_Double() => KernelChecks.LeakyReLU<double>();

    [Fact]
    public void Softmax_Single() => KernelChecks.Softmax<float>();

    [Fact]
    public void Softmax_Double() => KernelChecks.Softmax<double>();

    [Fact]
    public void SigmoidDerivative_Single() => KernelChecks.SigmoidDerivative<float>();

    [Fact]
    public void SigmoidDerivative_Double() => KernelChecks.SigmoidDerivative<double>();

    [Fact]
    public void TanhDerivative_Single() => KernelChecks.TanhDerivative<float>();

    [Fact]
    public void TanhDerivative_Double() => KernelChecks.TanhDerivative<double>();

    [Fact]
    public void ReLUDerivative_Single() => KernelChecks.ReLUDerivative<float>();

    [Fact]
    public void ReLUDerivative_Double() => KernelChecks.ReLUDerivative<double>();

    [Fact]
    public void LeakyReLUDerivative_Single() => KernelChecks.LeakyReLUDerivative<float>();

    [Fact]
    public void LeakyReLUDerivative_Double() => KernelChecks.LeakyReLUDerivative<double>();

    [Fact]
    public void SoftmaxBackward_Single() => KernelChecks.SoftmaxBackward<float>();

    [Fact]
    public void SoftmaxBackward_Double() => KernelChecks.SoftmaxBackward<double>();

    [Fact]
    public void RuntimeDispatch_Single() => KernelChecks.RuntimeDispatch<float>();

    [Fact]
    public void RuntimeDispatch_Double() => KernelChecks.RuntimeDispatch<double>();

    [Fact]
    public void LeakyReLUSlope_IsOneHundredth() => Assert.Equal(0.01, ActivationKernels.LeakyReLUSlope);

    [Fact]
    public void ReLU_PropagatesNaN()
    {
        // Every width: shorter than a vector, one vector and a tail, several vectors.
        foreach (int n in new[] { 1, 3, 5, 9, 17, 33, 70 })
        {
            var z = new float[n];
            z[n - 1] = float.NaN;
            var a = new float[n];
            ActivationKernels.ReLU<float>(z, a);
            Assert.True(float.IsNaN(a[n - 1]));
            var d = new double[n];
            d[n - 1] = double.NaN;
            ActivationKernels.ReLU<double>(d, d);
            Assert.True(double.IsNaN(d[n - 1]));
        }
    }

    [Fact]
    public void Softmax_SumsToOne()
    {
        var rng = new Random(7);
        foreach (int n in new[] { 1, 2, 10, 31, 100 })
        {
            float[] z = KernelTestSupport.Uniform<float>(rng, n, -20, 20);
            var a = new float[n];
            ActivationKernels.Softmax<float>(z, a);
            double sum = 0;
            foreach (float v in a)
                sum += v;
            Assert.InRange(sum, 1 - 1e-5, 1 + 1e-5);
        }
    }

    // The scalar path (fewer than 8 outputs) and the vector path must treat NaN alike: it poisons every output.
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(33)]
    public void Softmax_NaNInput_GivesNaNEverywhere(int n)
    {
        for (int at = 0; at < n; at += Math.Max(1, n / 3))
        {
            var z = new float[n];
            for (int i = 0; i < n; i++)
                z[i] = i;
            z[at] = float.NaN;
            var a = new float[n];
            ActivationKernels.Softmax<float>(z, a);
            Assert.All(a, v => Assert.True(float.IsNaN(v), $"n={n}, NaN at {at}"));
        }
    }
}
