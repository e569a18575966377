using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace StaticNets.Tests.Networks;

/// <summary>The generated test networks by name, so theories can run over all of them.</summary>
internal static class NetworkCatalog
{
    /// <summary>Writes one parameter through the network's edit window (the only write path).</summary>
    public static void SetParameter<T>(INetwork<T> net, int index, T value) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        using var edit = net.EditParameters();
        edit.Span[index] = value;
    }

    public static readonly IReadOnlyDictionary<string, Func<int, INetwork<float>>> Single = new Dictionary<string, Func<int, INetwork<float>>>
    {
        ["1-1"] = seed => new Net1x1(seed),
        ["2-3-1"] = seed => new XorNet(seed),
        ["8-32-32-4"] = seed => new N1(seed),
        ["64-32-10"] = seed => new DigitsNet(seed),
        ["784-128-10"] = seed => new MnistNet(seed),
        ["13-7-5-3 A"] = seed => new Odd13A(seed),
        ["13-7-5-3 B"] = seed => new Odd13B(seed),
        ["13-7-5-3 C"] = seed => new Odd13C(seed),
        ["13-7-5-3 D"] = seed => new Odd13D(seed),
        ["13-7-5-3 E"] = seed => new Odd13E(seed),
        ["13-7-5-3 F"] = seed => new Odd13F(seed),
        ["13-7-5-3 G elu-gelu"] = seed => new Odd13G(seed),
        ["13-7-5-3 H softplus-silu"] = seed => new Odd13H(seed),
        ["13-7-5-3 I gelu-silu-softplus"] = seed => new Odd13I(seed),
        ["13-7-5-3 J silu-softplus-elu"] = seed => new Odd13J(seed),
        ["5-9-4 per-layer"] = seed => new PerLayerNet(seed),
        ["13-16-9-3 dropout"] = seed => new DropNet(seed),
        ["20-37-9"] = seed => new Ragged20(seed),
        ["100-70-30-12"] = seed => new Wide100(seed),
    };

    public static readonly IReadOnlyDictionary<string, Func<int, INetwork<double>>> Double = new Dictionary<string, Func<int, INetwork<double>>>
    {
        ["1-1"] = seed => new Net1x1D(seed),
        ["2-3-1"] = seed => new XorNetD(seed),
        ["3-2 nested"] = seed => new Container.NestedNet(seed),
        ["13-16-9-3 dropout"] = seed => new DropNetD(seed),
        ["3-5-6-2 dropout per layer"] = seed => new PerLayerDropNetD(seed),
        ["8-32-32-4"] = seed => new N1D(seed),
        ["64-32-10"] = seed => new DigitsNetD(seed),
        ["13-7-5-3 A"] = seed => new Odd13AD(seed),
        ["13-7-5-3 B"] = seed => new Odd13BD(seed),
        ["13-7-5-3 C"] = seed => new Odd13CD(seed),
        ["13-7-5-3 D"] = seed => new Odd13DD(seed),
        ["13-7-5-3 E"] = seed => new Odd13ED(seed),
        ["13-7-5-3 F"] = seed => new Odd13FD(seed),
        ["20-37-9"] = seed => new Ragged20D(seed),
        ["100-70-30-12"] = seed => new Wide100D(seed),
        ["13-7-5-3 G elu-gelu"] = seed => new Odd13GD(seed),
        ["13-7-5-3 H softplus-silu"] = seed => new Odd13HD(seed),
        ["13-7-5-3 I gelu-silu-softplus"] = seed => new Odd13ID(seed),
        ["13-7-5-3 J silu-softplus-elu"] = seed => new Odd13JD(seed),
    };

    public static IEnumerable<object[]> SingleNames => Single.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> DoubleNames => Double.Keys.Select(k => new object[] { k });

    /// <summary>Uniform values in [lo, hi) from a seeded generator.</summary>
    public static T[] Random<T>(int count, int seed, double lo = -1, double hi = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var values = new T[count];
        for (int i = 0; i < count; i++)
            values[i] = T.CreateTruncating(lo + (hi - lo) * rng.NextDouble());
        return values;
    }

    /// <summary>Targets that suit the network's loss: one-hot for softmax, values in (0, 1) otherwise.</summary>
    public static T[] Targets<T>(NetworkInfo info, int batch, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int n = info.OutputSize;
        var targets = new T[batch * n];
        for (int s = 0; s < batch; s++)
        {
            if (info.Layers[^1].Activation == Activation.Softmax)
                targets[s * n + rng.Next(n)] = T.One;
            else
                for (int j = 0; j < n; j++)
                    targets[s * n + j] = T.CreateTruncating(0.1 + 0.8 * rng.NextDouble());
        }
        return targets;
    }

    public static double[] ToDouble<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = double.CreateTruncating(values[i]);
        return result;
    }
}
