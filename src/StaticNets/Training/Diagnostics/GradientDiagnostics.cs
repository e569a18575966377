using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;

namespace StaticNets.Training;

/// <summary>
/// One layer's norms: ‖∂C/∂W‖₂ of the mean mini-batch gradient and ‖W‖₂ over its Weight blocks (biases excluded;
/// a layer with only non-weight blocks is measured over all of them). Only layers with parameters get one.
/// </summary>
/// <param name="Layer">0-based index of the layer in <see cref="NetworkInfo.Layers"/> (parameter-free layers count).</param>
/// <param name="Kind">The layer's kind.</param>
/// <param name="GradientNorm">The weight-gradient norm (averaged over an epoch's batches in <see cref="EpochMetrics"/>).</param>
/// <param name="WeightNorm">The weights' norm (at the end of the epoch in <see cref="EpochMetrics"/>).</param>
public readonly record struct LayerNorms(int Layer, LayerKind Kind, double GradientNorm, double WeightNorm);

/// <summary>Which way a layer's gradient went wrong.</summary>
public enum GradientProblem
{
    /// <summary>The layer's gradient norm is a tiny fraction of the largest layer's: it barely learns.</summary>
    Vanishing = 0,
    /// <summary>The layer's gradient norm exceeds the exploding threshold: steps will overshoot or diverge.</summary>
    Exploding = 1,
}

/// <summary>A warning raised at the end of an epoch about one layer's gradient.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Layer">0-based index of the layer in <see cref="NetworkInfo.Layers"/>.</param>
/// <param name="Kind">The layer's kind.</param>
/// <param name="Problem">Vanishing or exploding.</param>
/// <param name="GradientNorm">The layer's mean weight-gradient norm over the epoch.</param>
/// <param name="Message">A sentence saying what happened and what usually helps.</param>
public sealed record GradientWarning(int Epoch, int Layer, LayerKind Kind, GradientProblem Problem, double GradientNorm, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>Thrown when a loss, gradient or parameter becomes NaN or infinite during training.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for layer <paramref name="layer"/> of kind <paramref name="kind"/>.</summary>
    public TrainingDivergedException(int epoch, int batch, int layer, LayerKind kind, string quantity)
        : base($"Training diverged in epoch {epoch}, batch {batch}: the {quantity} of layer {layer} ({kind}) is NaN or infinite. Lower the learning rate, clip gradients (FitOptions.ClipGradientNorm), or check the inputs for extreme values.")
    {
        Epoch = epoch;
        Batch = batch;
        Layer = layer;
        Kind = kind;
        Quantity = quantity;
    }

    /// <summary>Creates the exception with a message only (for serialisation and tooling).</summary>
    public TrainingDivergedException(string message) : base(message) => Quantity = string.Empty;

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public TrainingDivergedException(string message, Exception innerException) : base(message, innerException) => Quantity = string.Empty;

    /// <summary>Creates the exception with no details.</summary>
    public TrainingDivergedException() : this("Training diverged.")
    {
    }

    /// <summary>1-based epoch (0 for <see cref="Trainer{T}.TrainBatch"/>).</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within the epoch (the call's number for <see cref="Trainer{T}.TrainBatch"/>).</summary>
    public int Batch { get; }

    /// <summary>0-based index of the layer whose numbers went bad first (the last layer with parameters when only the loss did).</summary>
    public int Layer { get; }

    /// <summary>The kind of <see cref="Layer"/>.</summary>
    public LayerKind Kind { get; }

    /// <summary>What was not finite: "gradient", "weights" or "loss".</summary>
    public string Quantity { get; }
}

/// <summary>Per-layer norms and the vanishing/exploding tests used by <see cref="NetworkFit"/>, also usable on their own.</summary>
public static class GradientDiagnostics
{
    /// <summary>Per layer with trainable parameters (Normalize layers are left out), ‖∂C/∂W‖₂ of the mean gradient over <paramref name="data"/>'s first <paramref name="batchSize"/> samples, and ‖W‖₂: what back-propagation delivers to each layer right now.</summary>
    /// <exception cref="ArgumentException">The data does not fit the network.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LayerNorms[] Measure<T>(INetwork<T> network, Dataset<T> data, int batchSize = 256) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        Guard.Positive(batchSize, nameof(batchSize));
        NetworkFit.CheckShape(network, data, nameof(data));
        int n = Math.Min(batchSize, data.Count);
        var gradient = new T[network.ParameterCount];
        var dropout = network as IDropoutNetwork;
        bool wasTraining = dropout?.Training ?? false;
        if (dropout is not null)
            dropout.Training = false;
        try
        {
            network.Backward(data.Inputs[..(n * data.InputSize)], data.Targets[..(n * data.TargetSize)], gradient, network.CreateWorkspace(n));
        }
        finally
        {
            if (dropout is not null)
                dropout.Training = wasTraining;
        }
        VectorMath.Scale(T.One / T.CreateTruncating(n), gradient.AsSpan());
        var result = new List<LayerNorms>();
        var layers = network.Info.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            if (!HasTrainableBlock(layers[l]))
                continue; // parameter-free layers, and Normalize (its statistics are not trained)
            result.Add(new LayerNorms(l, layers[l].Kind,
                Math.Sqrt(WeightSumOfSquares<T>(layers[l], gradient)), Math.Sqrt(WeightSumOfSquares(layers[l], network.Parameters))));
        }
        return result.ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool HasTrainableBlock(LayerInfo layer)
    {
        foreach (var block in layer.Blocks)
        {
            if (block.Trainable)
                return true;
        }
        return false;
    }

    /// <summary>Σx² over <paramref name="layer"/>'s Weight blocks of <paramref name="values"/> (over all its blocks when it has no Weight block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double WeightSumOfSquares<T>(LayerInfo layer, ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double weights = 0, all = 0;
        bool hasWeights = false;
        foreach (var block in layer.Blocks)
        {
            if (!block.Trainable)
                continue;
            double s = double.CreateTruncating(VectorMath.SumOfSquares<T>(values.Slice(block.Offset, block.Count)));
            all += s;
            if (block.Role == ParameterRole.Weight)
            {
                weights += s;
                hasWeights = true;
            }
        }
        return hasWeights ? weights : all;
    }

    /// <summary>
    /// The warnings for one epoch's per-layer gradient norms (pass only layers with parameters, as <see cref="Measure{T}"/> and <see cref="EpochMetrics.Layers"/> do): a layer is vanishing when its norm is below
    /// <paramref name="vanishingRatio"/> × the largest layer's norm, exploding when above <paramref name="explodingNorm"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<GradientWarning> Check(int epoch, ReadOnlySpan<LayerNorms> layers, double? vanishingRatio, double? explodingNorm)
    {
        var warnings = new List<GradientWarning>();
        double max = 0;
        foreach (var l in layers)
            max = Math.Max(max, l.GradientNorm);
        foreach (var l in layers)
        {
            if (vanishingRatio is double ratio && max > 0 && l.GradientNorm < ratio * max)
                warnings.Add(new GradientWarning(epoch, l.Layer, l.Kind, GradientProblem.Vanishing, l.GradientNorm,
                    $"Epoch {epoch}: vanishing gradient in layer {l.Layer} ({l.Kind}): ‖∂C/∂W‖ = {l.GradientNorm:G3}, {l.GradientNorm / max:G2} × the largest layer's ({max:G3}). Saturating activations (sigmoid, tanh) in deep nets do this; try ReLU-family activations, He/Xavier initialisation, or fewer layers."));
            if (explodingNorm is double limit && l.GradientNorm > limit)
                warnings.Add(new GradientWarning(epoch, l.Layer, l.Kind, GradientProblem.Exploding, l.GradientNorm,
                    $"Epoch {epoch}: exploding gradient in layer {l.Layer} ({l.Kind}): ‖∂C/∂W‖ = {l.GradientNorm:G3} exceeds {limit:G3}. Lower the learning rate or clip gradients by global norm (FitOptions.ClipGradientNorm)."));
        }
        return warnings;
    }
}
