using System;
using System.Collections.Generic;
using System.Numerics;
using StaticNets.Kernels;
using Xunit;
using static StaticNets.Tests.Kernels.KernelTestSupport;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// Every kernel against a plain double-precision reference, at every length 0..256 (element-wise and
/// reductions) or over a grid of shapes (dense). The per-kernel tests run these at the machine's natural
/// width; <see cref="VectorWidthTests"/> runs them all again with 512, 256, 128 bits and scalar forced.
/// </summary>
internal static class KernelChecks
{
    public static void All<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Dot<T>(); Sum<T>(); SumOfSquares<T>(); Add<T>(); AddInPlace<T>(); Axpy<T>(); Scale<T>(); Subtract<T>(); ArgMax<T>();
        ReductionsIgnoreCountedLanes<T>();
        Identity<T>(); Sigmoid<T>(); Tanh<T>(); ReLU<T>(); LeakyReLU<T>(); Softmax<T>(); SoftmaxRows<T>();
        SigmoidDerivative<T>(); TanhDerivative<T>(); ReLUDerivative<T>(); LeakyReLUDerivative<T>(); SoftmaxBackward<T>();
        RuntimeDispatch<T>();
        Quadratic<T>(); CrossEntropy<T>(); BinaryCrossEntropy<T>(); OutputError<T>(); BinaryCrossEntropyGradient<T>(); Compute<T>();
        DenseForward<T>(); DenseForwardBatch<T>(); DenseBackwardInput<T>(); DenseAccumulateGradient<T>();
    }

    // ------------------------------------------------------------------ VectorMath

    public static void Dot<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(101);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] x = Uniform<T>(rng, n), y = Uniform<T>(rng, n);
            double expected = 0, scale = 0;
            for (int i = 0; i < n; i++)
            {
                double p = D(x[i]) * D(y[i]);
                expected += p;
                scale += Math.Abs(p);
            }
            Close(expected, VectorMath.Dot<T>(x, y), scale, $"Dot n={n}");
        }
    }

    public static void Sum<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(102);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] x = Uniform<T>(rng, n);
            double expected = 0, scale = 0;
            foreach (T v in x)
            {
                expected += D(v);
                scale += Math.Abs(D(v));
            }
            Close(expected, VectorMath.Sum<T>(x), scale, $"Sum n={n}");
        }
    }

    public static void SumOfSquares<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(103);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] x = Uniform<T>(rng, n);
            double expected = 0;
            foreach (T v in x)
                expected += D(v) * D(v);
            Close(expected, VectorMath.SumOfSquares<T>(x), expected, $"SumOfSquares n={n}");
        }
    }

    public static void Add<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(104);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] x = Uniform<T>(rng, n), y = Uniform<T>(rng, n);
            var expected = new double[n];
            var scale = new double[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = D(x[i]) + D(y[i]);
                scale[i] = Math.Abs(D(x[i])) + Math.Abs(D(y[i]));
            }
            var d = new T[n];
            VectorMath.Add<T>(x, y, d);
            AllClose(expected, d, scale, $"Add n={n}");
            T[] xa = (T[])x.Clone();
            VectorMath.Add<T>(xa, y, xa);
            AllClose(expected, xa, scale, $"Add destination=x n={n}");
            T[] ya = (T[])y.Clone();
            VectorMath.Add<T>(x, ya, ya);
            AllClose(expected, ya, scale, $"Add destination=y n={n}");
        }
    }

    public static void AddInPlace<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(105);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] d = Uniform<T>(rng, n), x = Uniform<T>(rng, n);
            var expected = new double[n];
            var scale = new double[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = D(d[i]) + D(x[i]);
                scale[i] = Math.Abs(D(d[i])) + Math.Abs(D(x[i]));
            }
            VectorMath.AddInPlace<T>(d, x);
            AllClose(expected, d, scale, $"AddInPlace n={n}");

            // d += d doubles every element exactly.
            T[] twice = Uniform<T>(rng, n);
            double[] twiceExpected = D(twice);
            for (int i = 0; i < n; i++)
                twiceExpected[i] *= 2;
            VectorMath.AddInPlace<T>(twice, twice);
            AllClose(twiceExpected, twice, $"AddInPlace x=destination n={n}");
        }
    }

    public static void Axpy<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(106);
        for (int n = 0; n <= MaxLength; n++)
        {
            T alpha = C<T>(rng.NextDouble() * 4 - 2);
            T[] x = Uniform<T>(rng, n), y = Uniform<T>(rng, n);
            var expected = new double[n];
            var scale = new double[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = D(alpha) * D(x[i]) + D(y[i]);
                scale[i] = Math.Abs(D(alpha) * D(x[i])) + Math.Abs(D(y[i]));
            }
            VectorMath.Axpy<T>(alpha, x, y);
            AllClose(expected, y, scale, $"Axpy n={n}");

            // y += α·y: x and y the same span.
            T[] z = Uniform<T>(rng, n);
            var zExpected = new double[n];
            var zScale = new double[n];
            for (int i = 0; i < n; i++)
            {
                zExpected[i] = (D(alpha) + 1) * D(z[i]);
                zScale[i] = (Math.Abs(D(alpha)) + 1) * Math.Abs(D(z[i]));
            }
            VectorMath.Axpy<T>(alpha, z, z);
            AllClose(zExpected, z, zScale, $"Axpy x=y n={n}");
        }
    }

    public static void Scale<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(107);
        for (int n = 0; n <= MaxLength; n++)
        {
            T alpha = C<T>(rng.NextDouble() * 4 - 2);
            T[] x = Uniform<T>(rng, n);
            double[] expected = D(x);
            for (int i = 0; i < n; i++)
                expected[i] *= D(alpha);
            VectorMath.Scale<T>(alpha, x);
            AllClose(expected, x, $"Scale n={n}");
        }
    }

    public static void Subtract<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(108);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] x = Uniform<T>(rng, n), y = Uniform<T>(rng, n);
            var expected = new double[n];
            var scale = new double[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = D(x[i]) - D(y[i]);
                scale[i] = Math.Abs(D(x[i])) + Math.Abs(D(y[i]));
            }
            var d = new T[n];
            VectorMath.Subtract<T>(x, y, d);
            AllClose(expected, d, scale, $"Subtract n={n}");
            T[] xa = (T[])x.Clone();
            VectorMath.Subtract<T>(xa, y, xa);
            AllClose(expected, xa, scale, $"Subtract destination=x n={n}");
            T[] ya = (T[])y.Clone();
            VectorMath.Subtract<T>(x, ya, ya);
            AllClose(expected, ya, scale, $"Subtract destination=y n={n}");
        }
    }

    public static void ArgMax<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(109);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] x = Uniform<T>(rng, n);
            Assert.Equal(FirstMax(x), VectorMath.ArgMax<T>(x));
            // Few distinct values, so the maximum is tied many times: the first index must win.
            var ties = new T[n];
            for (int i = 0; i < n; i++)
                ties[i] = C<T>(rng.Next(3));
            Assert.Equal(FirstMax(ties), VectorMath.ArgMax<T>(ties));
        }

        static int FirstMax(T[] values)
        {
            int best = -1;
            for (int i = 0; i < values.Length; i++)
            {
                if (best < 0 || values[i] > values[best])
                    best = i;
            }
            return best;
        }
    }

    /// <summary>
    /// The masked last vector of a reduction re-reads lanes that were already counted; an infinity there
    /// must not turn into 0·∞ = NaN. All terms are positive, so the right answer is +∞.
    /// </summary>
    public static void ReductionsIgnoreCountedLanes<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int n = 2; n <= 80; n++)
        {
            var x = new T[n];
            var y = new T[n];
            Array.Fill(x, T.One);
            Array.Fill(y, T.One);
            y[1] = T.PositiveInfinity;
            Assert.Equal(T.PositiveInfinity, VectorMath.Dot<T>(x, y));
            Assert.Equal(T.PositiveInfinity, VectorMath.Dot<T>(y, x));
            Assert.Equal(T.PositiveInfinity, VectorMath.Sum<T>(y));
            Assert.Equal(T.PositiveInfinity, VectorMath.SumOfSquares<T>(y));

            // The same for a weight row of a dense layer: one output, n inputs; and for four outputs.
            var b = new T[1];
            var z = new T[1];
            DenseKernels.Forward<T>(y, b, x, z);
            Assert.Equal(T.PositiveInfinity, z[0]);
            DenseKernels.Forward<T>(x, b, y, z);
            Assert.Equal(T.PositiveInfinity, z[0]);
            var w4 = new T[4 * n];
            Array.Fill(w4, T.One);
            var z4 = new T[4];
            DenseKernels.Forward<T>(w4, new T[4], y, z4);
            Assert.All(z4, v => Assert.Equal(T.PositiveInfinity, v));
            var x4 = new T[4 * n];
            Array.Fill(x4, T.One);
            x4[1] = T.PositiveInfinity;
            var zb = new T[4 * 2];
            DenseKernels.ForwardBatch<T>(w4.AsSpan(0, 2 * n), new T[2], x4, zb, n, 2);
            Assert.Equal(T.PositiveInfinity, zb[0]);
            Assert.Equal(T.PositiveInfinity, zb[1]);
            Assert.Equal(C<T>(n), zb[2]);
        }
    }

    // ------------------------------------------------------------------ activations

    private delegate void Forward<T>(ReadOnlySpan<T> z, Span<T> a);

    private static void CheckForward<T>(string name, int seed, double low, double high, Forward<T> kernel, Func<double, double> reference, double scale = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var scales = new double[MaxLength + 1];
        Array.Fill(scales, scale);
        var rng = new Random(seed);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] z = Uniform<T>(rng, n, low, high);
            for (int i = 3; i < n; i += 7)
                z[i] = T.Zero;
            var expected = new double[n];
            for (int i = 0; i < n; i++)
                expected[i] = reference(D(z[i]));
            var a = new T[n];
            kernel(z, a);
            AllClose(expected, a, scales[..n], $"{name} n={n}");
            kernel(z, z);
            AllClose(expected, z, scales[..n], $"{name} a=z n={n}");
        }
    }

    public static void Identity<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckForward<T>("Identity", 201, -3, 3, ActivationKernels.Identity, z => z);

    public static void Sigmoid<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckForward<T>("Sigmoid", 202, -8, 8, ActivationKernels.Sigmoid, z => 1 / (1 + Math.Exp(-z)));

    /// <remarks>
    /// TensorPrimitives' vector tanh is accurate to about one unit in the last place of 1, not of the result
    /// (measured: 1.2e−7 for float, 3.3e−16 for double; tanh 0 comes out as −6e−8 in float), so near z = 0
    /// the relative tolerance is floored at 0.05 × tolerance in absolute terms.
    /// </remarks>
    public static void Tanh<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckForward<T>("Tanh", 203, -4, 4, ActivationKernels.Tanh, Math.Tanh, scale: 0.05);

    public static void ReLU<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckForward<T>("ReLU", 204, -3, 3, ActivationKernels.ReLU, z => Math.Max(0, z));

    public static void LeakyReLU<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckForward<T>("LeakyReLU", 205, -3, 3, ActivationKernels.LeakyReLU, z => z > 0 ? z : 0.01 * z);

    public static void Softmax<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(206);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] z = Uniform<T>(rng, n, -10, 10);
            double[] expected = SoftmaxReference(D(z));
            var a = new T[n];
            ActivationKernels.Softmax<T>(z, a);
            AllClose(expected, a, $"Softmax n={n}");

            // Shifting every input by the same amount changes nothing, even far past exp's overflow.
            T[] shifted = new T[n];
            for (int i = 0; i < n; i++)
                shifted[i] = z[i] + C<T>(1000);
            double[] expectedShifted = SoftmaxReference(D(shifted));
            ActivationKernels.Softmax<T>(shifted, shifted);
            AllClose(expectedShifted, shifted, $"Softmax a=z, z+1000 n={n}");
        }
    }

    /// <summary>
    /// Softmax over every row of a batch: each row against the double reference at every row size 1 … 70 and 100 (the lane
    /// path up to 64, row by row above) and row counts around the lane width; a row gives the same bits wherever it sits
    /// in the batch and alone; in place, shifted by 1000, and a NaN in one row makes exactly that row NaN.
    /// </summary>
    public static void SoftmaxRows<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(207);
        var sizes = new System.Collections.Generic.List<int>();
        for (int n = 1; n <= 70; n++)
            sizes.Add(n);
        sizes.Add(100);
        foreach (int size in sizes)
        {
            foreach (int rows in new[] { 0, 1, 3, 8, 16, 17, 33 })
            {
                T[] z = Uniform<T>(rng, rows * size, -10, 10);
                var a = new T[z.Length];
                ActivationKernels.SoftmaxRows<T>(z, a, size);
                for (int r = 0; r < rows; r++)
                {
                    double[] expected = SoftmaxReference(D(z.AsSpan(r * size, size).ToArray()));
                    AllClose(expected, a.AsSpan(r * size, size).ToArray(), $"SoftmaxRows size={size} rows={rows} row {r}");
                    var alone = new T[size];
                    ActivationKernels.SoftmaxRows<T>(z.AsSpan(r * size, size), alone, size);
                    for (int i = 0; i < size; i++)
                    {
                        if (!alone[i].Equals(a[r * size + i]))
                            Xunit.Assert.Fail($"SoftmaxRows size={size}: row {r} of {rows} gives {a[r * size + i]} at {i}, alone {alone[i]}.");
                    }
                }
                T[] shifted = new T[z.Length];
                for (int i = 0; i < z.Length; i++)
                    shifted[i] = z[i] + C<T>(1000);
                ActivationKernels.SoftmaxRows<T>(shifted, shifted, size);
                for (int i = 0; i < z.Length; i++)
                {
                    if (!(T.Abs(shifted[i] - a[i]) <= C<T>(1e-4)))
                        Xunit.Assert.Fail($"SoftmaxRows in place, z + 1000, size={size} rows={rows}: {shifted[i]} at {i}, unshifted {a[i]}.");
                }
                if (rows >= 3)
                {
                    z[size + size / 2] = T.NaN;
                    ActivationKernels.SoftmaxRows<T>(z, a, size);
                    for (int i = 0; i < z.Length; i++)
                    {
                        bool inNaNRow = i / size == 1;
                        if (T.IsNaN(a[i]) != inNaNRow)
                            Xunit.Assert.Fail($"SoftmaxRows with a NaN in row 1, size={size} rows={rows}: element {i} is {a[i]}.");
                    }
                }
            }
        }
        Xunit.Assert.Equal("size", Xunit.Assert.Throws<ArgumentOutOfRangeException>(() => ActivationKernels.SoftmaxRows<T>(new T[4], new T[4], 0)).ParamName);
        Xunit.Assert.Equal("z", Xunit.Assert.Throws<ArgumentException>(() => ActivationKernels.SoftmaxRows<T>(new T[10], new T[10], 4)).ParamName);
        Xunit.Assert.Equal("a", Xunit.Assert.Throws<ArgumentException>(() => ActivationKernels.SoftmaxRows<T>(new T[8], new T[12], 4)).ParamName);
    }

    private static double[] SoftmaxReference(double[] z)
    {
        var a = new double[z.Length];
        if (z.Length == 0)
            return a;
        double max = double.NegativeInfinity;
        foreach (double v in z)
            max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
            sum += a[i] = Math.Exp(z[i] - max);
        for (int i = 0; i < z.Length; i++)
            a[i] /= sum;
        return a;
    }

    private delegate void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta);

    /// <summary>Checks delta ← delta·σ′ given z and a = σ(z); scale is |delta| because σ′ ≤ 1 may come from a cancellation.</summary>
    private static void CheckBackward<T>(string name, int seed, Func<double, double> sigma, Backward<T> kernel, Func<double, double, double> derivative)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] z = UniformWithZeros<T>(rng, n);
            for (int i = 0; i < n; i++)
                z[i] *= C<T>(4);
            var a = new T[n];
            for (int i = 0; i < n; i++)
                a[i] = C<T>(sigma(D(z[i])));
            T[] delta = Uniform<T>(rng, n);
            var expected = new double[n];
            var scale = new double[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = D(delta[i]) * derivative(D(z[i]), D(a[i]));
                scale[i] = Math.Abs(D(delta[i]));
            }
            kernel(z, a, delta);
            AllClose(expected, delta, scale, $"{name} n={n}");
        }
    }

    public static void SigmoidDerivative<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckBackward<T>("SigmoidDerivative", 301, z => 1 / (1 + Math.Exp(-z)), ActivationKernels.SigmoidDerivative, (z, a) => a * (1 - a));

    public static void TanhDerivative<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckBackward<T>("TanhDerivative", 302, Math.Tanh, ActivationKernels.TanhDerivative, (z, a) => 1 - a * a);

    public static void ReLUDerivative<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckBackward<T>("ReLUDerivative", 303, z => Math.Max(0, z), ActivationKernels.ReLUDerivative, (z, a) => z > 0 ? 1 : 0);

    public static void LeakyReLUDerivative<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => CheckBackward<T>("LeakyReLUDerivative", 304, z => z > 0 ? z : 0.01 * z, ActivationKernels.LeakyReLUDerivative, (z, a) => z > 0 ? 1 : 0.01);

    public static void SoftmaxBackward<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(305);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] z = Uniform<T>(rng, n, -3, 3);
            var a = new T[n];
            ActivationKernels.Softmax<T>(z, a);
            T[] g = Uniform<T>(rng, n);
            double dot = 0, dotScale = 0;
            for (int k = 0; k < n; k++)
            {
                dot += D(g[k]) * D(a[k]);
                dotScale += Math.Abs(D(g[k]) * D(a[k]));
            }
            var expected = new double[n];
            var scale = new double[n];
            for (int j = 0; j < n; j++)
            {
                expected[j] = D(a[j]) * (D(g[j]) - dot);
                scale[j] = D(a[j]) * (Math.Abs(D(g[j])) + dotScale);
            }
            var delta = new T[n];
            ActivationKernels.SoftmaxBackward<T>(a, g, delta);
            AllClose(expected, delta, scale, $"SoftmaxBackward n={n}");
            ActivationKernels.SoftmaxBackward<T>(a, g, g);
            AllClose(expected, g, scale, $"SoftmaxBackward delta=g n={n}");
        }
    }

    /// <summary>Apply and MultiplyByDerivative give exactly what the specific kernels give.</summary>
    public static void RuntimeDispatch<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(306);
        var forward = new Dictionary<Activation, Forward<T>>
        {
            [Activation.Identity] = ActivationKernels.Identity,
            [Activation.Sigmoid] = ActivationKernels.Sigmoid,
            [Activation.Tanh] = ActivationKernels.Tanh,
            [Activation.ReLU] = ActivationKernels.ReLU,
            [Activation.LeakyReLU] = ActivationKernels.LeakyReLU,
            [Activation.Softmax] = ActivationKernels.Softmax,
            [Activation.ELU] = ActivationKernels.ELU,
            [Activation.GELU] = ActivationKernels.GELU,
            [Activation.Softplus] = ActivationKernels.Softplus,
            [Activation.SiLU] = ActivationKernels.SiLU,
        };
        var backward = new Dictionary<Activation, Backward<T>>
        {
            [Activation.Identity] = (z, a, d) => { },
            [Activation.Sigmoid] = ActivationKernels.SigmoidDerivative,
            [Activation.Tanh] = ActivationKernels.TanhDerivative,
            [Activation.ReLU] = ActivationKernels.ReLUDerivative,
            [Activation.LeakyReLU] = ActivationKernels.LeakyReLUDerivative,
            [Activation.ELU] = ActivationKernels.ELUDerivative,
            [Activation.GELU] = ActivationKernels.GELUDerivative,
            [Activation.Softplus] = ActivationKernels.SoftplusDerivative,
            [Activation.SiLU] = ActivationKernels.SiLUDerivative,
        };
        Assert.Equal(Enum.GetValues<Activation>().Length, forward.Count);
        foreach (int n in new[] { 0, 1, 3, 7, 16, 33, 100 })
        {
            T[] z = UniformWithZeros<T>(rng, n);
            foreach (var (activation, kernel) in forward)
            {
                T[] expected = new T[n], actual = new T[n];
                kernel(z, expected);
                ActivationKernels.Apply<T>(activation, z, actual);
                Assert.Equal(expected, actual);
            }
            foreach (var (activation, kernel) in backward)
            {
                var a = new T[n];
                ActivationKernels.Apply<T>(activation, z, a);
                T[] expected = Uniform<T>(rng, n);
                T[] actual = (T[])expected.Clone();
                kernel(z, a, expected);
                ActivationKernels.MultiplyByDerivative<T>(activation, z, a, actual);
                Assert.Equal(expected, actual);
            }
        }
    }

    // ------------------------------------------------------------------ losses

    public static void Quadratic<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(401);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] a = Uniform<T>(rng, n, 0, 1), y = Uniform<T>(rng, n, 0, 1);
            double expected = 0;
            for (int i = 0; i < n; i++)
                expected += 0.5 * (D(a[i]) - D(y[i])) * (D(a[i]) - D(y[i]));
            Close(expected, LossKernels.Quadratic<T>(a, y), expected, $"Quadratic n={n}");
        }
    }

    private static double Epsilon<T>() => typeof(T) == typeof(float) ? LossKernels.SingleEpsilon : LossKernels.DoubleEpsilon;

    public static void CrossEntropy<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(402);
        // Past the 256-element stack chunk too.
        foreach (int n in Lengths(600))
        {
            T[] a = Uniform<T>(rng, n, 1e-3, 1), y = Uniform<T>(rng, n, 0, 1);
            double expected = 0, scale = 0;
            for (int i = 0; i < n; i++)
            {
                double term = D(y[i]) * Math.Log(Math.Max(D(a[i]), Epsilon<T>()));
                expected -= term;
                scale += Math.Abs(term);
            }
            Close(expected, LossKernels.CrossEntropy<T>(a, y), scale, $"CrossEntropy n={n}");
        }

        // A zero probability on the target class costs −ln ε, not ∞.
        T[] saturated = { T.Zero, T.One, T.Zero };
        T[] target = { T.One, T.Zero, T.Zero };
        Close(-Math.Log(D(C<T>(Epsilon<T>()))), LossKernels.CrossEntropy<T>(saturated, target), 0, "CrossEntropy a=0");
    }

    public static void BinaryCrossEntropy<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(403);
        foreach (int n in Lengths(600))
        {
            T[] a = Uniform<T>(rng, n, 1e-3, 1 - 1e-3), y = Uniform<T>(rng, n, 0, 1);
            for (int i = 5; i < n; i += 9)
                y[i] = T.One;
            for (int i = 6; i < n; i += 9)
                y[i] = T.Zero;
            double expected = 0, scale = 0;
            for (int i = 0; i < n; i++)
            {
                double p = D(a[i]), t = D(y[i]);
                double l1 = t * Math.Log(p), l0 = (1 - t) * Math.Log(1 - p);
                expected -= l1 + l0;
                scale += Math.Abs(l1) + Math.Abs(l0);
            }
            Close(expected, LossKernels.BinaryCrossEntropy<T>(a, y), scale, $"BinaryCrossEntropy n={n}");
        }

        // Saturated outputs: clamped, so the cost is finite; confident hits cost about nothing.
        T[] saturated = { T.Zero, T.One, T.One, T.Zero };
        T[] target = { T.One, T.Zero, T.One, T.Zero };
        T cost = LossKernels.BinaryCrossEntropy<T>(saturated, target);
        Assert.True(T.IsFinite(cost) && cost > T.Zero, $"BinaryCrossEntropy of saturated outputs was {cost}.");
        T hits = LossKernels.BinaryCrossEntropy<T>(new[] { T.One, T.Zero }, new[] { T.One, T.Zero });
        Assert.True(T.IsFinite(hits) && D(hits) < 1e-5, $"BinaryCrossEntropy of confident hits was {hits}.");
    }

    public static void OutputError<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(404);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] a = Uniform<T>(rng, n, 0, 1), y = Uniform<T>(rng, n, 0, 1);
            var expected = new double[n];
            var scale = new double[n];
            for (int i = 0; i < n; i++)
            {
                expected[i] = D(a[i]) - D(y[i]);
                scale[i] = Math.Abs(D(a[i])) + Math.Abs(D(y[i]));
            }
            var delta = new T[n];
            LossKernels.OutputError<T>(a, y, delta);
            AllClose(expected, delta, scale, $"OutputError n={n}");
            T[] aa = (T[])a.Clone();
            LossKernels.OutputError<T>(aa, y, aa);
            AllClose(expected, aa, scale, $"OutputError delta=a n={n}");
            T[] ya = (T[])y.Clone();
            LossKernels.OutputError<T>(a, ya, ya);
            AllClose(expected, ya, scale, $"OutputError delta=y n={n}");
        }
    }

    public static void BinaryCrossEntropyGradient<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(405);
        for (int n = 0; n <= MaxLength; n++)
        {
            T[] a = Uniform<T>(rng, n, 0.01, 0.99), y = Uniform<T>(rng, n, 0, 1);
            var expected = new double[n];
            for (int i = 0; i < n; i++)
            {
                double p = D(a[i]);
                expected[i] = (p - D(y[i])) / (p * (1 - p));
            }
            var g = new T[n];
            LossKernels.BinaryCrossEntropyGradient<T>(a, y, g);
            AllClose(expected, g, $"BinaryCrossEntropyGradient n={n}");
            T[] aa = (T[])a.Clone();
            LossKernels.BinaryCrossEntropyGradient<T>(aa, y, aa);
            AllClose(expected, aa, $"BinaryCrossEntropyGradient g=a n={n}");
        }

        // Outside [ε, 1 − ε] the clamped cost is flat, so the gradient is exactly 0 (no 0/0 or 1/0 leaks
        // out), at every width: the saturated values sit at the start, the middle and the tail.
        T eps = C<T>(Epsilon<T>());
        T[] outside = { T.Zero, T.One, -T.One, C<T>(2), eps / C<T>(2), T.One - eps / C<T>(4) };
        foreach (int n in new[] { 1, 3, 6, 9, 17, 40, 70 })
        {
            var a = new T[n];
            var y = new T[n];
            var expected = new double[n];
            for (int i = 0; i < n; i++)
            {
                a[i] = i % 3 == 0 ? outside[(i / 3) % outside.Length] : C<T>(0.25 + 0.5 * (i % 2));
                y[i] = C<T>(i % 2);
                double p = D(a[i]);
                expected[i] = i % 3 == 0 ? 0 : (p - D(y[i])) / (p * (1 - p));
            }
            var g = new T[n];
            LossKernels.BinaryCrossEntropyGradient<T>(a, y, g);
            AllClose(expected, g, $"BinaryCrossEntropyGradient saturated n={n}");
        }

        // Central differences of the clamped cost agree, inside the interval and outside it (away from the
        // kinks at ε and 1 − ε, where the cost has no derivative).
        foreach (double p in new[] { -0.5, 0.2, 0.7, 1.5 })
        {
            foreach (double t in new[] { 0.0, 1.0, 0.3 })
            {
                double h = typeof(T) == typeof(float) ? 1e-3 : 1e-6;
                double numeric = (D(LossKernels.BinaryCrossEntropy<T>(new[] { C<T>(p + h) }, new[] { C<T>(t) }))
                    - D(LossKernels.BinaryCrossEntropy<T>(new[] { C<T>(p - h) }, new[] { C<T>(t) }))) / (2 * h);
                var g = new T[1];
                LossKernels.BinaryCrossEntropyGradient<T>(new[] { C<T>(p) }, new[] { C<T>(t) }, g);
                Assert.True(Math.Abs(numeric - D(g[0])) <= 1e-2 * Math.Max(1, Math.Abs(numeric)),
                    $"BinaryCrossEntropyGradient at a={p}, y={t}: analytic {D(g[0])}, numeric {numeric} ({typeof(T).Name}).");
            }
        }
    }

    public static void Compute<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(406);
        T[] a = Uniform<T>(rng, 37, 0.01, 0.99), y = Uniform<T>(rng, 37, 0, 1);
        foreach (Activation output in Enum.GetValues<Activation>())
        {
            Assert.Equal(LossKernels.Quadratic<T>(a, y), LossKernels.Compute<T>(Loss.Quadratic, output, a, y));
            T expected = output == Activation.Softmax ? LossKernels.CrossEntropy<T>(a, y) : LossKernels.BinaryCrossEntropy<T>(a, y);
            Assert.Equal(expected, LossKernels.Compute<T>(Loss.CrossEntropy, output, a, y));
        }
    }

    private static IEnumerable<int> Lengths(int max)
    {
        for (int n = 0; n <= MaxLength; n++)
            yield return n;
        for (int n = MaxLength + 1; n <= max; n += 37)
            yield return n;
        yield return 512;
        yield return 513;
    }

    // ------------------------------------------------------------------ dense

    /// <summary>(outputs, inputs): every small shape, so each width meets every tail length, plus typical layers.</summary>
    public static IEnumerable<(int Outputs, int Inputs)> Shapes()
    {
        foreach (int outputs in new[] { 1, 2, 3, 4, 5, 7, 8, 9 })
        {
            for (int inputs = 1; inputs <= 40; inputs++)
                yield return (outputs, inputs);
        }
        yield return (13, 7);
        yield return (7, 13);
        yield return (3, 17);
        yield return (17, 3);
        yield return (1, 100);
        yield return (100, 1);
        yield return (64, 32);
        yield return (32, 64);
        yield return (10, 784);
        yield return (784, 10);
        yield return (30, 784);
        yield return (10, 30);
    }

    private static double[] ForwardReference(double[] w, double[] b, double[] x, int outputs, int inputs, out double[] scale)
    {
        var z = new double[outputs];
        scale = new double[outputs];
        for (int j = 0; j < outputs; j++)
        {
            double sum = b[j], magnitude = Math.Abs(b[j]);
            for (int k = 0; k < inputs; k++)
            {
                double p = w[j * inputs + k] * x[k];
                sum += p;
                magnitude += Math.Abs(p);
            }
            z[j] = sum;
            scale[j] = magnitude;
        }
        return z;
    }

    public static void DenseForward<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(501);
        foreach (var (outputs, inputs) in Shapes())
        {
            T[] w = Uniform<T>(rng, outputs * inputs), b = Uniform<T>(rng, outputs), x = Uniform<T>(rng, inputs);
            double[] expected = ForwardReference(D(w), D(b), D(x), outputs, inputs, out double[] scale);
            var z = new T[outputs];
            DenseKernels.Forward<T>(w, b, x, z);
            AllClose(expected, z, scale, $"Forward {outputs}×{inputs}");
        }

        // Degenerate shapes: no inputs gives the biases; no outputs writes nothing.
        T[] biases = Uniform<T>(rng, 3);
        var zb = new T[3];
        DenseKernels.Forward<T>(ReadOnlySpan<T>.Empty, biases, ReadOnlySpan<T>.Empty, zb);
        Assert.Equal(biases, zb);
        DenseKernels.Forward<T>(ReadOnlySpan<T>.Empty, ReadOnlySpan<T>.Empty, Uniform<T>(rng, 5), Span<T>.Empty);
    }

    public static void DenseForwardBatch<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(502);
        foreach (var (outputs, inputs) in Shapes())
        {
            T[] w = Uniform<T>(rng, outputs * inputs), b = Uniform<T>(rng, outputs);
            double[] wd = D(w), bd = D(b);
            for (int m = 0; m <= 9; m++)
            {
                T[] x = Uniform<T>(rng, m * inputs);
                var z = new T[m * outputs];
                DenseKernels.ForwardBatch<T>(w, b, x, z, inputs, outputs);
                for (int s = 0; s < m; s++)
                {
                    double[] expected = ForwardReference(wd, bd, D(x.AsSpan(s * inputs, inputs).ToArray()), outputs, inputs, out double[] scale);
                    AllClose(expected, z.AsSpan(s * outputs, outputs).ToArray(), scale, $"ForwardBatch {outputs}×{inputs} m={m} sample {s}");
                }
            }
        }
    }

    public static void DenseBackwardInput<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(503);
        foreach (var (outputs, inputs) in Shapes())
            CheckBackwardInput<T>(rng, outputs, inputs);
        CheckBackwardInput<T>(rng, 0, 5);
        CheckBackwardInput<T>(rng, 5, 0);
        CheckBackwardInput<T>(rng, 0, 0);
    }

    private static void CheckBackwardInput<T>(Random rng, int outputs, int inputs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] w = Uniform<T>(rng, outputs * inputs), d = Uniform<T>(rng, outputs);
        var expected = new double[inputs];
        var scale = new double[inputs];
        for (int j = 0; j < outputs; j++)
        {
            for (int k = 0; k < inputs; k++)
            {
                double p = D(w[j * inputs + k]) * D(d[j]);
                expected[k] += p;
                scale[k] += Math.Abs(p);
            }
        }
        // Pre-filled with NaN: the kernel must overwrite, not accumulate.
        var dx = new T[inputs];
        Array.Fill(dx, T.NaN);
        DenseKernels.BackwardInput<T>(w, d, dx);
        AllClose(expected, dx, scale, $"BackwardInput {outputs}×{inputs}");
    }

    public static void DenseAccumulateGradient<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(504);
        foreach (var (outputs, inputs) in Shapes())
            CheckAccumulateGradient<T>(rng, outputs, inputs);
        CheckAccumulateGradient<T>(rng, 0, 5);
        CheckAccumulateGradient<T>(rng, 5, 0);
        CheckAccumulateGradient<T>(rng, 0, 0);
    }

    private static void CheckAccumulateGradient<T>(Random rng, int outputs, int inputs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] d = Uniform<T>(rng, outputs), x = Uniform<T>(rng, inputs);
        T[] gw = Uniform<T>(rng, outputs * inputs), gb = Uniform<T>(rng, outputs);
        var expectedW = new double[gw.Length];
        var scaleW = new double[gw.Length];
        for (int j = 0; j < outputs; j++)
        {
            for (int k = 0; k < inputs; k++)
            {
                int i = j * inputs + k;
                double p = D(d[j]) * D(x[k]);
                expectedW[i] = D(gw[i]) + p;
                scaleW[i] = Math.Abs(D(gw[i])) + Math.Abs(p);
            }
        }
        var expectedB = new double[outputs];
        var scaleB = new double[outputs];
        for (int j = 0; j < outputs; j++)
        {
            expectedB[j] = D(gb[j]) + D(d[j]);
            scaleB[j] = Math.Abs(D(gb[j])) + Math.Abs(D(d[j]));
        }
        DenseKernels.AccumulateGradient<T>(d, x, gw, gb);
        AllClose(expectedW, gw, scaleW, $"AccumulateGradient gw {outputs}×{inputs}");
        AllClose(expectedB, gb, scaleB, $"AccumulateGradient gb {outputs}×{inputs}");
    }
}
