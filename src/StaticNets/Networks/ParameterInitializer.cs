using System;
using System.Numerics;

namespace StaticNets;

/// <summary>How initial weights are drawn. Biases always start at zero.</summary>
public enum InitializationScheme
{
    /// <summary>Chosen per layer from its own activation (not a standalone activation layer after it): <see cref="HeNormal"/> for the ReLU family (ReLU, leaky ReLU, ELU, GELU, softplus, SiLU), <see cref="XavierUniform"/> otherwise.</summary>
    Default = 0,
    /// <summary>Xavier/Glorot uniform: U(−√(6/(n_in+n_out)), +√(6/(n_in+n_out))).</summary>
    XavierUniform = 1,
    /// <summary>Xavier/Glorot normal: N(0, 2/(n_in+n_out)).</summary>
    XavierNormal = 2,
    /// <summary>He (Kaiming) normal: N(0, 2/n_in), for ReLU-family layers.</summary>
    HeNormal = 3,
    /// <summary>He (Kaiming) uniform: U(−√(6/n_in), +√(6/n_in)).</summary>
    HeUniform = 4,
    /// <summary>LeCun normal: N(0, 1/n_in).</summary>
    LeCunNormal = 5,
    /// <summary>LeCun uniform: U(−√(3/n_in), +√(3/n_in)).</summary>
    LeCunUniform = 6,
    /// <summary>N(0, 1) whatever the layer's width: the course's first initialiser, which saturates sigmoid neurons in wide or deep nets (kept to show why the others exist).</summary>
    StandardNormal = 7,
}

/// <summary>
/// Reproducible parameter initialisation matched to each layer's activation, so deep nets start with
/// activations and gradients of a sensible scale (the cure for vanishing gradients at start-up).
/// </summary>
/// <remarks>
/// <para>Works on parameter blocks (<see cref="LayerInfo.Blocks"/>): every <see cref="ParameterRole.Weight"/> block
/// is drawn from its own <see cref="ParameterBlock.FanIn"/> and <see cref="ParameterBlock.FanOut"/> (dense: n_in and
/// n_out; convolution: in_c·kh·kw and out_c·kh·kw, as PyTorch), every <see cref="ParameterRole.Bias"/> and
/// <see cref="ParameterRole.Shift"/> block starts at zero, every <see cref="ParameterRole.Scale"/> block at one (a
/// <see cref="NormalizeLayerInfo"/> starts as the identity, consuming no draws), and layers without blocks (activation, pooling, flatten, dropout) are skipped.</para>
/// <para>Recurrent layers (LSTM, GRU) under <see cref="InitializationScheme.Default"/> use PyTorch's U(−1/√units, +1/√units)
/// for both weight matrices, with an LSTM's forget-gate bias starting at 1; an explicit scheme treats their blocks like any other.</para>
/// <para>By default the scheme comes from the owning layer's <em>own</em> <see cref="LayerInfo.Activation"/>:
/// sigmoid, tanh, identity and softmax layers use Xavier/Glorot uniform, U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out)));
/// ReLU-family layers use He normal, N(0, 2/fan_in). The initialiser does not look ahead: a convolution or dense
/// layer with the identity activation followed by a standalone <see cref="ActivationLayerInfo"/> (ReLU) or a pooling
/// layer gets Xavier. Give the layer the activation itself, or pass <see cref="InitializationScheme.HeNormal"/>, to
/// get He.</para>
/// <para>Draws come from a <see cref="SplitMix64"/> generator seeded with the seed, block by block in parameter
/// order (a dense network draws its weights layer by layer exactly as before blocks existed), so a seed gives the
/// same parameters on every machine and .NET version.</para>
/// </remarks>
public static class ParameterInitializer
{
    /// <summary>Initialises <paramref name="parameters"/> for the architecture <paramref name="info"/> from <paramref name="seed"/>, each layer's scheme chosen from its activation.</summary>
    public static void Initialize<T>(NetworkInfo info, Span<T> parameters, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Initialize(info, parameters, seed, InitializationScheme.Default);

    /// <summary>Initialises <paramref name="parameters"/> for <paramref name="info"/> from <paramref name="seed"/> with one scheme for every layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scheme"/> is not a defined value.</exception>
    public static void Initialize<T>(NetworkInfo info, Span<T> parameters, int seed, InitializationScheme scheme) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(info);
        Guard.Length(parameters.Length, info.ParameterCount, nameof(parameters));
        if (!Enum.IsDefined(scheme))
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, $"Unknown initialisation scheme {(int)scheme}.");
        var random = new SplitMix64(seed);
        foreach (var layer in info.Layers)
        {
            if (layer.Blocks.Count == 0)
                continue; // activation, pooling, flatten, dropout: nothing to draw, and no draws consumed
            if (layer is RecurrentLayerInfo recurrent && scheme == InitializationScheme.Default)
            {
                InitializeRecurrent(recurrent, parameters, random);
                continue;
            }
            var chosen = scheme == InitializationScheme.Default ? DefaultFor(layer.Activation) : scheme;
            foreach (var block in layer.Blocks)
            {
                Span<T> values = parameters.Slice(block.Offset, block.Count);
                switch (block.Role)
                {
                    case ParameterRole.Bias:
                    case ParameterRole.Shift:
                        values.Clear();
                        break;
                    case ParameterRole.Scale:
                        values.Fill(T.One);
                        break;
                    default:
                        Draw(values, chosen, block.FanIn, block.FanOut, random);
                        break;
                }
            }
        }
    }

    private static void Draw<T>(Span<T> weights, InitializationScheme scheme, double fanIn, double fanOut, Random random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (scheme)
        {
            case InitializationScheme.XavierUniform: Uniform(weights, Math.Sqrt(6.0 / (fanIn + fanOut)), random); break;
            case InitializationScheme.XavierNormal: Normal(weights, Math.Sqrt(2.0 / (fanIn + fanOut)), random); break;
            case InitializationScheme.HeNormal: Normal(weights, Math.Sqrt(2.0 / fanIn), random); break;
            case InitializationScheme.HeUniform: Uniform(weights, Math.Sqrt(6.0 / fanIn), random); break;
            case InitializationScheme.LeCunNormal: Normal(weights, Math.Sqrt(1.0 / fanIn), random); break;
            case InitializationScheme.LeCunUniform: Uniform(weights, Math.Sqrt(3.0 / fanIn), random); break;
            default: Normal(weights, 1.0, random); break;
        }
    }

    /// <summary>
    /// PyTorch's recurrent initialisation, U(−1/√units, +1/√units), for both weight matrices; biases zero except an
    /// LSTM's forget gate, whose input-side bias starts at 1 (Jozefowicz et al. 2015, Keras' <c>unit_forget_bias</c>)
    /// so that the cell remembers from the first step and gradients flow back through time at start-up.
    /// </summary>
    private static void InitializeRecurrent<T>(RecurrentLayerInfo layer, Span<T> parameters, Random random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double limit = 1.0 / Math.Sqrt(layer.Units);
        Uniform(parameters.Slice(layer.InputWeights.Offset, layer.InputWeights.Count), limit, random);
        Uniform(parameters.Slice(layer.HiddenWeights.Offset, layer.HiddenWeights.Count), limit, random);
        parameters.Slice(layer.InputBiases.Offset, layer.InputBiases.Count * 2).Clear();
        if (layer is LstmLayerInfo)
            parameters.Slice(layer.InputBiases.Offset + layer.Units, layer.Units).Fill(T.One);
    }

    /// <summary>Re-initialises <paramref name="network"/>'s parameters with <paramref name="scheme"/> from <paramref name="seed"/>.</summary>
    public static void Initialize<T>(INetwork<T> network, int seed, InitializationScheme scheme) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        using var edit = network.EditParameters();
        Initialize(network.Info, edit.Span, seed, scheme);
    }

    /// <summary>The scheme <see cref="InitializationScheme.Default"/> picks for a layer with <paramref name="activation"/>.</summary>
    public static InitializationScheme DefaultFor(Activation activation) => activation switch
    {
        Activation.ReLU or Activation.LeakyReLU or Activation.ELU or Activation.GELU or Activation.Softplus or Activation.SiLU => InitializationScheme.HeNormal,
        _ => InitializationScheme.XavierUniform,
    };

    private static void Uniform<T>(Span<T> weights, double limit, Random random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < weights.Length; i++)
            weights[i] = T.CreateTruncating(limit * (2 * random.NextDouble() - 1));
    }

    private static void Normal<T>(Span<T> weights, double std, Random random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < weights.Length; i++)
            weights[i] = T.CreateTruncating(std * StandardNormal(random));
    }

    /// <summary>One draw from N(0, 1) by the Box–Muller transform (one of the pair is used, which keeps the stream simple to reproduce).</summary>
    internal static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // in (0, 1], so the logarithm is finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
