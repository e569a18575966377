using System;
using System.Numerics;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>ELU, GELU, softplus and SiLU: values worked out by hand, derivatives against central differences of plain formulas.</summary>
public class SmoothActivationTests
{
    // Worked by hand (to 10 digits): ELU(−1) = e^−1 − 1; GELU(1) = ½(1 + tanh(√(2/π)·1.044715));
    // softplus(0) = ln 2, softplus(2) = ln(1 + e²); SiLU(1) = 1/(1 + e^−1), SiLU(−2) = −2/(1 + e²).
    [Theory]
    [InlineData(Activation.ELU, -1.0, -0.6321205588)]
    [InlineData(Activation.ELU, 2.5, 2.5)]
    [InlineData(Activation.GELU, 1.0, 0.8411919906)]
    [InlineData(Activation.GELU, -1.0, -0.1588080094)]
    [InlineData(Activation.GELU, 0.0, 0.0)]
    [InlineData(Activation.Softplus, 0.0, 0.6931471806)]
    [InlineData(Activation.Softplus, 2.0, 2.1269280110)]
    [InlineData(Activation.Softplus, -30.0, 9.357622969e-14)]
    [InlineData(Activation.SiLU, 1.0, 0.7310585786)]
    [InlineData(Activation.SiLU, -2.0, -0.2384058440)]
    public void Forward_matches_hand_computed_values(Activation activation, double z, double expected)
    {
        Span<double> a = stackalloc double[1];
        ActivationKernels.Apply<double>(activation, new[] { z }, a);
        Assert.Equal(expected, a[0], 1e-9 * Math.Max(1, Math.Abs(expected)) + 1e-20);

        Span<float> af = stackalloc float[1];
        ActivationKernels.Apply<float>(activation, new[] { (float)z }, af);
        Assert.Equal(expected, af[0], 1e-6 * Math.Max(1, Math.Abs(expected)));
    }

    [Theory]
    [InlineData(Activation.ELU)]
    [InlineData(Activation.GELU)]
    [InlineData(Activation.Softplus)]
    [InlineData(Activation.SiLU)]
    public void Derivative_matches_central_differences_in_double(Activation activation)
        => CheckDerivative<double>(activation, 1e-7);

    [Theory]
    [InlineData(Activation.ELU)]
    [InlineData(Activation.GELU)]
    [InlineData(Activation.Softplus)]
    [InlineData(Activation.SiLU)]
    public void Derivative_matches_central_differences_in_float(Activation activation)
        => CheckDerivative<float>(activation, 2e-5);

    [Fact]
    public void Forward_in_place_gives_the_same_values()
    {
        double[] z = { -3, -0.5, 0, 0.25, 4 };
        foreach (var activation in new[] { Activation.ELU, Activation.GELU, Activation.Softplus, Activation.SiLU })
        {
            var separate = new double[z.Length];
            ActivationKernels.Apply<double>(activation, z, separate);
            var inPlace = (double[])z.Clone();
            ActivationKernels.Apply<double>(activation, inPlace, inPlace);
            Assert.Equal(separate, inPlace);
        }
    }

    [Fact]
    public void Softplus_does_not_overflow_for_large_inputs()
    {
        var a = new float[2];
        ActivationKernels.Softplus<float>(new[] { 200f, -200f }, a);
        Assert.Equal(200f, a[0]);
        Assert.Equal(0f, a[1]);
    }

    [Fact]
    public void Mismatched_lengths_name_the_argument()
    {
        var ex = Assert.Throws<ArgumentException>(() => ActivationKernels.GELUDerivative<float>(new float[3], new float[3], new float[2]));
        Assert.Equal("delta", ex.ParamName);
    }

    // delta·σ'(z) from the kernel against delta·(σ(z+h) − σ(z−h))/2h with σ written out plainly in double.
    private static void CheckDerivative<T>(Activation activation, double tolerance) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int n = 41;
        var z = new T[n];
        var delta = new T[n];
        for (int i = 0; i < n; i++)
        {
            // −4 … 4 avoiding exactly 0, where ELU's derivative has a (harmless) kink.
            z[i] = T.CreateTruncating(-4 + 8.0 * i / (n - 1) + 0.013);
            delta[i] = T.CreateTruncating(0.5 + 0.1 * i);
        }
        var a = new T[n];
        ActivationKernels.Apply<T>(activation, z, a);
        var original = (T[])delta.Clone();
        ActivationKernels.MultiplyByDerivative<T>(activation, z, a, delta);
        for (int i = 0; i < n; i++)
        {
            double x = double.CreateTruncating(z[i]), h = 1e-5;
            double numeric = (Plain(activation, x + h) - Plain(activation, x - h)) / (2 * h);
            double expected = double.CreateTruncating(original[i]) * numeric;
            Assert.True(Math.Abs(expected - double.CreateTruncating(delta[i])) <= tolerance * Math.Max(1, Math.Abs(expected)),
                $"{activation}' at z={x}: expected {expected}, got {delta[i]}");
        }
    }

    private static double Plain(Activation activation, double z) => activation switch
    {
        Activation.ELU => z > 0 ? z : Math.Exp(z) - 1,
        Activation.GELU => 0.5 * z * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z))),
        Activation.Softplus => Math.Log(1 + Math.Exp(z)),
        Activation.SiLU => z / (1 + Math.Exp(-z)),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
