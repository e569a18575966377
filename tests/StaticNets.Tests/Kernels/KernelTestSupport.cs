using System;
using System.Numerics;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>Random data, conversions and tolerance checks shared by the kernel tests.</summary>
internal static class KernelTestSupport
{
    /// <summary>Element-wise kernels and reductions are checked at every length from 0 to this.</summary>
    public const int MaxLength = 256;

    /// <summary>
    /// Relative tolerance: 1e−5 for float, 1e−12 for double. A result passes when
    /// |actual − expected| ≤ tolerance · max(|expected|, scale), where scale is the sum of the magnitudes of
    /// the terms that made it (Σ|x·y| for a dot product): the natural bound for a rounded sum, which stays
    /// meaningful when the terms cancel.
    /// </summary>
    public static double Tolerance<T>() => typeof(T) == typeof(float) ? 1e-5 : 1e-12;

    public static T[] Uniform<T>(Random rng, int n, double low = -1, double high = 1) where T : IBinaryFloatingPointIeee754<T>
    {
        var values = new T[n];
        for (int i = 0; i < n; i++)
            values[i] = T.CreateTruncating(low + (high - low) * rng.NextDouble());
        return values;
    }

    /// <summary>Uniform values with every seventh one exactly zero, to reach the z = 0 branches.</summary>
    public static T[] UniformWithZeros<T>(Random rng, int n) where T : IBinaryFloatingPointIeee754<T>
    {
        T[] values = Uniform<T>(rng, n);
        for (int i = 3; i < n; i += 7)
            values[i] = T.Zero;
        return values;
    }

    public static double D<T>(T value) where T : IBinaryFloatingPointIeee754<T> => double.CreateTruncating(value);

    public static double[] D<T>(T[] values) where T : IBinaryFloatingPointIeee754<T>
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = double.CreateTruncating(values[i]);
        return result;
    }

    public static T C<T>(double value) where T : IBinaryFloatingPointIeee754<T> => T.CreateTruncating(value);

    public static void Close<T>(double expected, T actual, double scale, string context) where T : IBinaryFloatingPointIeee754<T>
    {
        double a = D(actual);
        double allowed = Tolerance<T>() * Math.Max(Math.Abs(expected), scale);
        if (!(Math.Abs(a - expected) <= allowed))
            Assert.Fail($"{context} ({typeof(T).Name}): expected {expected:R} but got {a:R}; |error| {Math.Abs(a - expected):E3} > allowed {allowed:E3}.");
    }

    public static void AllClose<T>(double[] expected, T[] actual, double[] scale, string context) where T : IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Close(expected[i], actual[i], scale[i], $"{context} [{i}]");
    }

    public static void AllClose<T>(double[] expected, T[] actual, string context) where T : IBinaryFloatingPointIeee754<T>
        => AllClose(expected, actual, new double[expected.Length], context);
}
