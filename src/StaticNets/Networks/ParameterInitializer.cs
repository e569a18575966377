using System;
using System.Numerics;

namespace StaticNets;

/// <summary>
/// Reproducible parameter initialisation matched to each layer's activation, so deep nets start with
/// activations and gradients of a sensible scale (the cure for vanishing gradients at start-up).
/// </summary>
/// <remarks>
/// Sigmoid, tanh, identity and softmax layers use Xavier/Glorot uniform, U(−√(6/(n_in+n_out)), +√(6/(n_in+n_out)));
/// ReLU and leaky ReLU layers use He normal, N(0, 2/n_in). Biases start at zero. Draws come from a
/// <see cref="SplitMix64"/> generator seeded with the seed, layer by layer in parameter order, so a seed gives
/// the same parameters on every machine and .NET version.
/// </remarks>
public static class ParameterInitializer
{
    /// <summary>Initialises <paramref name="parameters"/> for the architecture <paramref name="info"/> from <paramref name="seed"/>.</summary>
    public static void Initialize<T>(NetworkInfo info, Span<T> parameters, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(info);
        Guard.Length(parameters.Length, info.ParameterCount, nameof(parameters));
        var random = new SplitMix64(seed);
        foreach (var layer in info.Layers)
        {
            Span<T> weights = parameters.Slice(layer.WeightOffset, layer.WeightCount);
            switch (layer.Activation)
            {
                case Activation.ReLU:
                case Activation.LeakyReLU:
                    double std = Math.Sqrt(2.0 / layer.Inputs);
                    for (int i = 0; i < weights.Length; i++)
                        weights[i] = T.CreateTruncating(std * StandardNormal(random));
                    break;
                default:
                    double limit = Math.Sqrt(6.0 / (layer.Inputs + layer.Outputs));
                    for (int i = 0; i < weights.Length; i++)
                        weights[i] = T.CreateTruncating(limit * (2 * random.NextDouble() - 1));
                    break;
            }
            parameters.Slice(layer.BiasOffset, layer.Outputs).Clear();
        }
    }

    /// <summary>One draw from N(0, 1) by the Box–Muller transform (one of the pair is used, which keeps the stream simple to reproduce).</summary>
    internal static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // in (0, 1], so the logarithm is finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
