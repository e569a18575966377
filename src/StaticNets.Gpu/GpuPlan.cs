using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace StaticNets.Gpu;

/// <summary>Where one layer runs under a <see cref="GpuPlan"/>, and why.</summary>
/// <param name="Index">0-based layer index.</param>
/// <param name="Layer">The layer's description from <see cref="NetworkInfo.Layers"/>.</param>
/// <param name="OnAccelerator">Whether it runs on the accelerator.</param>
/// <param name="MultiplyAddsPerSample">Its forward multiply-adds per sample: what the budget compares.</param>
/// <param name="Reason">One line: why it runs where it does.</param>
public sealed record GpuLayerPlacement(int Index, LayerInfo Layer, bool OnAccelerator, long MultiplyAddsPerSample, string Reason);

/// <summary>
/// Which layers of a network a <see cref="GpuTrainer"/> sends to the accelerator. A layer is <em>large</em> when its
/// forward multiply-adds per sample (<see cref="LayerInfo.MultiplyAddsPerSample"/>, the count the generated header
/// states per layer) reach the budget. When any layer is large, every layer runs on the accelerator: the small ones
/// around it too, because sending their activations to the host and back each batch would cost more than they
/// compute, and the point of the path is that nothing leaves the device during an epoch. When none is large, or the
/// network has a layer the GPU path does not implement, everything stays on the host (the generated code).
/// </summary>
public sealed class GpuPlan
{
    /// <summary>
    /// The default budget: 262,144 multiply-adds per sample (a 512 × 512 dense layer). Below it the generated SIMD code
    /// on the host finishes a layer's products in about the time a few kernel launches and their synchronisation take.
    /// A choice, not a measurement on a GPU (docs/gpu.md); set <see cref="GpuTrainerOptions.SizeBudget"/> to move it.
    /// </summary>
    public const long DefaultBudget = 1L << 18;

    private readonly GpuLayerPlacement[] _layers;

    private GpuPlan(NetworkInfo info, long budget, GpuLayerPlacement[] layers, bool onAccelerator, string summary)
    {
        Network = info;
        Budget = budget;
        _layers = layers;
        OnAccelerator = onAccelerator;
        Summary = summary;
    }

    /// <summary>The network planned for.</summary>
    public NetworkInfo Network { get; }

    /// <summary>Multiply-adds per sample from which a layer counts as large.</summary>
    public long Budget { get; }

    /// <summary>Whether training and inference run on the accelerator (otherwise on the host, through the generated code).</summary>
    public bool OnAccelerator { get; }

    /// <summary>Each layer's placement and reason.</summary>
    public IReadOnlyList<GpuLayerPlacement> Layers => _layers;

    /// <summary>One line: where the network runs and why.</summary>
    public string Summary { get; }

    /// <summary>Plans <paramref name="info"/> against <paramref name="budget"/> multiply-adds per sample (0: every layer is large).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="budget"/> is negative.</exception>
    public static GpuPlan Create(NetworkInfo info, long budget = DefaultBudget)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (budget < 0)
            throw new ArgumentOutOfRangeException(nameof(budget), budget, $"Expected a budget of 0 or more multiply-adds per sample but got {budget}.");
        var layers = info.Layers;
        string? unsupported = Unsupported(info);
        int largest = -1;
        long largestCount = -1;
        for (int l = 0; l < layers.Count; l++)
        {
            if (layers[l].MultiplyAddsPerSample > largestCount)
            {
                largestCount = layers[l].MultiplyAddsPerSample;
                largest = l;
            }
        }
        bool anyLarge = largestCount >= budget;
        bool onAccelerator = unsupported is null && anyLarge;
        var placements = new GpuLayerPlacement[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            long count = layers[l].MultiplyAddsPerSample;
            bool large = count >= budget;
            string reason = unsupported is not null ? $"host: {unsupported}"
                : !anyLarge ? $"host: {N(count)} multiply-adds per sample, and no layer reaches the budget of {N(budget)}"
                : large ? $"accelerator: {N(count)} multiply-adds per sample ≥ budget {N(budget)}"
                : $"accelerator: {N(count)} multiply-adds per sample < budget {N(budget)}, kept on the device with the large layers so activations never leave it";
            placements[l] = new GpuLayerPlacement(l, layers[l], onAccelerator, count, reason);
        }
        string summary = unsupported is not null ? $"host: {unsupported}"
            : onAccelerator ? $"accelerator: layer {largest} has {N(largestCount)} multiply-adds per sample ≥ budget {N(budget)}"
            : $"host: the largest layer ({largest}) has {N(largestCount)} multiply-adds per sample < budget {N(budget)}";
        return new GpuPlan(info, budget, placements, onAccelerator, summary);
    }

    /// <summary>Why the GPU path cannot run <paramref name="info"/>, or null when it can.</summary>
    private static string? Unsupported(NetworkInfo info)
    {
        if (info.Precision != Precision.Single)
            return $"the GPU path runs single precision only, and the network is {info.Precision}";
        var layers = info.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            bool last = l == layers.Count - 1;
            switch (layer)
            {
                case DenseLayerInfo dense when dense.Steps != 1:
                    return $"the GPU path runs dense layers over vectors, and layer {l} ({layer}) is applied to each of {dense.Steps} steps of a sequence";
                case DenseLayerInfo or ActivationLayerInfo when layer.Activation == Activation.Softmax && !last:
                    return $"softmax is supported on the output layer only, and layer {l} is hidden";
                case DenseLayerInfo or ActivationLayerInfo:
                    break;
                case Conv2DLayerInfo when layer.Activation == Activation.Softmax:
                    return $"the GPU path applies softmax after a dense layer or as a standalone activation, and layer {l} is a convolution with softmax";
                case Conv2DLayerInfo or MaxPool2DLayerInfo or AvgPool2DLayerInfo or FlattenLayerInfo:
                    break;
                default:
                    return $"the GPU path runs {SupportedKinds} layers, and layer {l} is {layer.Kind} ({layer})";
            }
        }
        var output = layers[^1].Activation;
        if (output == Activation.Softmax && info.Loss != Loss.CrossEntropy)
            return "softmax with the quadratic cost needs the softmax Jacobian, which the GPU path does not implement";
        return null;
    }

    /// <summary>The layer kinds the accelerator runs, as the reasons name them.</summary>
    internal const string SupportedKinds = "Dense (over vectors), Conv2D, MaxPool2D, AvgPool2D, Flatten and Activation";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The summary, then one line per layer.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Summary);
        foreach (var layer in _layers)
            sb.Append('\n').Append("  layer ").Append(layer.Index).Append(' ').Append(layer.Layer).Append(": ").Append(layer.Reason);
        return sb.ToString();
    }
}
