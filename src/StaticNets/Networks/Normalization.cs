using System;
using System.Numerics;

namespace StaticNets;

/// <summary>
/// What <see cref="Normalization.Fit{T}(INetwork{T}, Dataset{T}, double)"/> wrote into a <c>[Normalize]</c> layer.
/// </summary>
/// <param name="Mean">The mean of each input value over the data set.</param>
/// <param name="StandardDeviation">The population standard deviation (divisor n, as scikit-learn's <c>StandardScaler</c>) of each input value.</param>
/// <param name="Scale">The scale written: 1/σ, or 1 for a constant value.</param>
/// <param name="ConstantFeatures">Indices of the values whose σ is zero (or negligible against their mean): they are centred to 0 and not scaled.</param>
public sealed record NormalizationStatistics(double[] Mean, double[] StandardDeviation, double[] Scale, int[] ConstantFeatures);

/// <summary>
/// Fits the statistics of a network's <c>[Normalize]</c> layer (<see cref="NormalizeLayerInfo"/>) from a data set:
/// mean μⱼ and scale 1/σⱼ of every input value, so the layer computes (x − μ)/σ inside the network and every
/// saved, exported or baked copy of the network standardises its inputs by itself.
/// </summary>
public static class Normalization
{
    /// <summary>
    /// Below this σ relative to max(1, |μ|) a value counts as constant: its scale is 1 rather than a huge 1/σ
    /// that would amplify rounding noise (scikit-learn's <c>StandardScaler</c> also leaves such features unscaled).
    /// </summary>
    public const double DefaultConstantTolerance = 1e-10;

    /// <summary>
    /// Computes the mean and population standard deviation of every input value of <paramref name="data"/> (in
    /// double, two passes) and writes μ and 1/σ into the network's first layer, which must be a <c>[Normalize]</c>
    /// layer. Values with σ ≤ <paramref name="constantTolerance"/>·max(1, |μ|) get scale 1 (they become 0 after
    /// centring) and are listed in <see cref="NormalizationStatistics.ConstantFeatures"/>. Allocates the statistics;
    /// not for hot paths.
    /// </summary>
    /// <param name="network">A network whose layer 0 is <c>[Normalize]</c>.</param>
    /// <param name="data">At least one sample of the network's input size.</param>
    /// <param name="constantTolerance">Relative σ below which a value is treated as constant, at least 0.</param>
    /// <exception cref="ArgumentException">Layer 0 is not a Normalize layer, the data's input size differs, or the data is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="constantTolerance"/> is negative or not finite.</exception>
    public static NormalizationStatistics Fit<T>(INetwork<T> network, Dataset<T> data, double constantTolerance = DefaultConstantTolerance)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        var layer = FirstNormalize(network.Info, nameof(network));
        if (!(constantTolerance >= 0 && double.IsFinite(constantTolerance)))
            throw new ArgumentOutOfRangeException(nameof(constantTolerance), constantTolerance, $"Expected a finite tolerance of at least 0 but got {constantTolerance}.");
        if (data.InputSize != network.InputSize)
            throw new ArgumentException($"Expected samples of {network.InputSize} inputs (the network's input size) but the data set has {data.InputSize}.", nameof(data));
        if (data.Count == 0)
            throw new ArgumentException("Expected at least one sample to fit the normalization from but the data set is empty.", nameof(data));
        int n = data.InputSize;
        var mean = new double[n];
        var std = new double[n];
        var scale = new double[n];
        ReadOnlySpan<T> inputs = data.Inputs;
        for (int s = 0; s < data.Count; s++)
        {
            ReadOnlySpan<T> x = inputs.Slice(s * n, n);
            for (int j = 0; j < n; j++)
                mean[j] += double.CreateTruncating(x[j]);
        }
        for (int j = 0; j < n; j++)
            mean[j] /= data.Count;
        for (int s = 0; s < data.Count; s++)
        {
            ReadOnlySpan<T> x = inputs.Slice(s * n, n);
            for (int j = 0; j < n; j++)
            {
                double d = double.CreateTruncating(x[j]) - mean[j];
                std[j] += d * d;
            }
        }
        var constant = new System.Collections.Generic.List<int>();
        for (int j = 0; j < n; j++)
        {
            std[j] = Math.Sqrt(std[j] / data.Count);
            if (!double.IsFinite(mean[j]) || !double.IsFinite(std[j]))
                throw new ArgumentException($"Input value {j} of the data set has a non-finite mean ({mean[j]}) or standard deviation ({std[j]}); the data holds NaN or infinite values.", nameof(data));
            if (std[j] <= constantTolerance * Math.Max(1, Math.Abs(mean[j])))
            {
                scale[j] = 1;
                constant.Add(j);
            }
            else
            {
                scale[j] = 1 / std[j];
            }
        }
        using (var edit = network.EditParameters())
        {
            Span<T> p = edit.Span;
            for (int j = 0; j < n; j++)
            {
                p[layer.Mean.Offset + j] = T.CreateTruncating(mean[j]);
                p[layer.Scale.Offset + j] = T.CreateTruncating(scale[j]);
            }
        }
        return new NormalizationStatistics(mean, std, scale, constant.ToArray());
    }

    /// <summary>Writes given statistics (e.g. from scikit-learn's <c>StandardScaler.mean_</c> and <c>scale_</c>) into the network's first-layer Normalize: scale = 1/σ, or 1 where σ is 0.</summary>
    /// <param name="network">A network whose layer 0 is <c>[Normalize]</c>.</param>
    /// <param name="mean">One mean per input value.</param>
    /// <param name="standardDeviation">One σ ≥ 0 per input value.</param>
    /// <exception cref="ArgumentException">Layer 0 is not a Normalize layer, a length differs from the input size, or a σ is negative or not finite.</exception>
    public static void Set<T>(INetwork<T> network, ReadOnlySpan<double> mean, ReadOnlySpan<double> standardDeviation) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        var layer = FirstNormalize(network.Info, nameof(network));
        Guard.Length(mean.Length, network.InputSize, nameof(mean));
        Guard.Length(standardDeviation.Length, network.InputSize, nameof(standardDeviation));
        for (int j = 0; j < standardDeviation.Length; j++)
        {
            if (!(standardDeviation[j] >= 0 && double.IsFinite(standardDeviation[j])) || !double.IsFinite(mean[j]))
                throw new ArgumentException($"Expected a finite mean and a finite standard deviation of at least 0 for input value {j} but got mean {mean[j]} and σ {standardDeviation[j]}.", nameof(standardDeviation));
        }
        using var edit = network.EditParameters();
        Span<T> p = edit.Span;
        for (int j = 0; j < mean.Length; j++)
        {
            p[layer.Mean.Offset + j] = T.CreateTruncating(mean[j]);
            p[layer.Scale.Offset + j] = T.CreateTruncating(standardDeviation[j] == 0 ? 1 : 1 / standardDeviation[j]);
        }
    }

    /// <summary><see cref="Fit{T}(INetwork{T}, Dataset{T}, double)"/> as an extension: <c>net.FitNormalization(train)</c>.</summary>
    public static NormalizationStatistics FitNormalization<T>(this INetwork<T> network, Dataset<T> data, double constantTolerance = DefaultConstantTolerance)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Fit(network, data, constantTolerance);

    private static NormalizeLayerInfo FirstNormalize(NetworkInfo info, string paramName)
    {
        if (info.Layers.Count > 0 && info.Layers[0] is NormalizeLayerInfo layer)
            return layer;
        throw new ArgumentException($"Expected a network whose layer 0 is [Normalize] but {info.Name}'s layer 0 is {(info.Layers.Count == 0 ? "missing" : info.Layers[0].Kind.ToString())} ({info}); declare [Normalize] as the first layer.", paramName);
    }
}
