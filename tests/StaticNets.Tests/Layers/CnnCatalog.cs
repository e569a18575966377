using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using StaticNets.Tests.Networks;

namespace StaticNets.Tests.Layers;

/// <summary>The generated CNNs of <c>CnnShapeNetworks.cs</c> (and the first three) by name, plus the checks they share.</summary>
internal static class CnnCatalog
{
    public static readonly IReadOnlyDictionary<string, Func<int, INetwork<double>>> Double = new Dictionary<string, Func<int, INetwork<double>>>
    {
        ["ValidKernel"] = seed => new ValidKernelCnnD(seed),
        ["StridePad"] = seed => new StridePadCnnD(seed),
        ["AsymmetricPads"] = seed => new AsymmetricPadsCnnD(seed),
        ["SamePadding"] = seed => new SamePaddingCnnD(seed),
        ["FlattenFirst"] = seed => new FlattenFirstD(seed),
        ["ActivationFirst"] = seed => new ActivationFirstD(seed),
        ["RemainderPool"] = seed => new RemainderPoolCnnD(seed),
        ["SevenChannel"] = seed => new SevenChannelCnnD(seed),
        ["StandaloneActivations"] = seed => new StandaloneActivationsD(seed),
        ["SoftmaxQuadratic"] = seed => new SoftmaxQuadraticD(seed),
        ["Dropout"] = seed => new DropoutCnnD(seed),
        ["Encoder"] = seed => new EncoderCnnD(seed),
        ["OddCnnD"] = seed => new OddCnnD(seed),
        ["SameCnnD"] = seed => new SameCnnD(seed),
    };

    public static readonly IReadOnlyDictionary<string, Func<int, INetwork<float>>> Single = new Dictionary<string, Func<int, INetwork<float>>>
    {
        ["LeNet5"] = seed => new LeNet5(seed),
        ["Stride3"] = seed => new Stride3Cnn(seed),
        ["DoubleConv"] = seed => new DoubleConvCnn(seed),
        ["SameStrided"] = seed => new SameStridedCnn(seed),
        ["DigitsCnn"] = seed => new DigitsCnn(seed),
    };

    public static IEnumerable<object[]> DoubleNames => Double.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> SingleNames => Single.Keys.Select(k => new object[] { k });

    /// <summary>Every parameter index, or a seeded subset of <paramref name="most"/> of them for large networks.</summary>
    public static int[] ParameterIndices(int count, int most, int seed)
    {
        if (count <= most)
            return Enumerable.Range(0, count).ToArray();
        var rng = new Random(seed);
        return Enumerable.Range(0, count).OrderBy(_ => rng.Next()).Take(most).Order().ToArray();
    }

    /// <summary>Central difference of <paramref name="f"/> with respect to parameter <paramref name="index"/>, restoring it after.</summary>
    public static double ParameterDifference(INetwork<double> net, int index, Func<double> f, double h = 1e-6)
    {
        double original = net.Parameters[index];
        NetworkCatalog.SetParameter(net, index, original + h);
        double plus = f();
        NetworkCatalog.SetParameter(net, index, original - h);
        double minus = f();
        NetworkCatalog.SetParameter(net, index, original);
        return (plus - minus) / (2 * h);
    }

    /// <summary>Central difference of <paramref name="f"/> with respect to <c>values[index]</c>, restoring it after.</summary>
    public static double ValueDifference(double[] values, int index, Func<double> f, double h = 1e-6)
    {
        double original = values[index];
        values[index] = original + h;
        double plus = f();
        values[index] = original - h;
        double minus = f();
        values[index] = original;
        return (plus - minus) / (2 * h);
    }

    /// <summary>Analytic against numeric: within 1e-6 relative to the larger of 1 and the numeric value.</summary>
    public static void AssertClose(double numeric, double analytic, string what)
    {
        if (!(Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(numeric))))
            throw new Xunit.Sdk.XunitException($"{what}: analytic {analytic:R} vs numeric {numeric:R}");
    }

    /// <summary>The reference output of sample <paramref name="s"/> of a batch.</summary>
    public static double[] Reference<T>(INetwork<T> net, T[] inputs, int s) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ReferenceCnn.Forward(net.Info, NetworkCatalog.ToDouble<T>(net.Parameters), NetworkCatalog.ToDouble<T>(inputs.AsSpan(s * net.InputSize, net.InputSize)));

    /// <summary>The per-sample cost of the reference output: ½‖y − a‖², −Σ y ln a (softmax) or the binary cross-entropy (sigmoid).</summary>
    public static double Cost(NetworkInfo info, double[] a, ReadOnlySpan<double> y)
    {
        double cost = 0;
        for (int j = 0; j < a.Length; j++)
        {
            cost += info.Loss switch
            {
                Loss.Quadratic => 0.5 * (y[j] - a[j]) * (y[j] - a[j]),
                _ when info.Layers[^1].Activation == Activation.Softmax => y[j] == 0 ? 0 : -y[j] * Math.Log(a[j]),
                _ => -(y[j] * Math.Log(a[j]) + (1 - y[j]) * Math.Log(1 - a[j])),
            };
        }
        return cost;
    }
}
