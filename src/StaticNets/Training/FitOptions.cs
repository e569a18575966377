using System;
using System.Collections.Generic;
using System.Numerics;
using System.Threading;

namespace StaticNets.Training;

/// <summary>
/// Everything <see cref="NetworkFit.Fit{T}"/> needs besides the data: epochs, batch size, threads, objective,
/// optimizer, learning-rate schedule, validation, regularisation, diagnostics and callbacks. Every member has a default.
/// </summary>
public sealed record FitOptions<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Passes over the training data (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per mini-batch (default 32); the last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Threads one mini-batch step may use (default <see cref="Parallelism.DefaultThreads"/>, the logical processors).
    /// Chains of large dense layers split every product of the whole batch by output rows over StaticNets' worker
    /// pool; other networks cut the batch into partitions that depend only on its size. Either way any value gives
    /// bit-identical weights, and work too small to pay for a hand-off runs on the calling thread.
    /// </summary>
    public int Threads { get; init; } = Parallelism.DefaultThreads;

    /// <summary>What the mini-batch gradient is (default: a new <see cref="SupervisedObjective{T}"/>, back-propagation of the network's cost).</summary>
    public ITrainingObjective<T>? Objective { get; init; }

    /// <summary>The update rule (default: a new <see cref="Adam{T}"/>). Its state carries over between calls to Fit.
    /// Optimizers implementing <see cref="IBlockAwareOptimizer"/> (<see cref="AdamW{T}"/>) are bound to the network's blocks first.</summary>
    public IOptimizer<T>? Optimizer { get; init; }

    /// <summary>η when no <see cref="Schedule"/> is given (default 0.001, Adam's usual rate).</summary>
    public double LearningRate { get; init; } = 0.001;

    /// <summary>η per step; overrides <see cref="LearningRate"/>.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Seed of the per-epoch shuffles, the validation split and dropout masks: the same seed gives the same run.</summary>
    public int Seed { get; init; }

    /// <summary>Whether to shuffle the samples every epoch (default true).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Data evaluated after every epoch (loss, accuracy); takes precedence over <see cref="ValidationSplit"/>.</summary>
    public Dataset<T>? Validation { get; init; }

    /// <summary>Fraction in (0, 1) of the training data held out (stratified, seeded) for validation when <see cref="Validation"/> is null; 0 for none.</summary>
    public double ValidationSplit { get; init; }

    /// <summary>Also evaluate the whole training set after every epoch, for training accuracy (costs one forward pass over it; default false).</summary>
    public bool EvaluateTraining { get; init; }

    /// <summary>λ of an L2 penalty ½λ‖w‖² on the Weight blocks (<see cref="ParameterRole.Weight"/>; not the biases, and nothing for parameter-free layers): adds λ·w to each weight gradient (default 0). The reported loss excludes the penalty.</summary>
    public double L2 { get; init; }

    /// <summary>When set, rescales any mini-batch gradient whose global L2 norm (over all blocks, biases included, after L2) exceeds this to exactly this norm (the cure for exploding gradients).</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>
    /// Corrupts each mini-batch's inputs on the fly for a denoising autoencoder (<see cref="Training.InputNoise.Masking"/>,
    /// <see cref="Training.InputNoise.Gaussian"/>); default none. Only the batch buffer's copy of the inputs is changed:
    /// the data set and the targets stay clean. The noise depends only on <see cref="Seed"/> and the step number, so
    /// runs are reproducible for any <see cref="Threads"/>; applying it allocates nothing.
    /// </summary>
    public InputNoise? InputNoise { get; init; }

    /// <summary>Stop when the validation loss stops improving; needs validation data.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>A layer whose mean gradient norm is below this fraction of the largest layer's gets a vanishing warning (default 1e-3; null disables).</summary>
    public double? VanishingGradientRatio { get; init; } = 1e-3;

    /// <summary>A layer whose mean gradient norm exceeds this gets an exploding warning (default 1e3; null disables).</summary>
    public double? ExplodingGradientNorm { get; init; } = 1e3;

    /// <summary>Called after every mini-batch (progress bars). Runs on the training thread; keep it short.</summary>
    public Action<FitBatch>? OnBatch { get; init; }

    /// <summary>Called after every epoch with its metrics.</summary>
    public Action<EpochMetrics>? OnEpoch { get; init; }

    /// <summary>Called for every gradient warning as it is raised (they are also in <see cref="FitHistory.Warnings"/>).</summary>
    public Action<GradientWarning>? OnWarning { get; init; }

    /// <summary>Checked before every mini-batch; cancelling throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    internal void Validate()
    {
        if (Threads < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, $"Expected at least 1 thread but got {Threads}.");
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, $"Expected at least 1 epoch but got {Epochs}.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"Expected a batch size of at least 1 but got {BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"Expected a positive, finite learning rate but got {LearningRate}.");
        if (!(ValidationSplit >= 0 && ValidationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationSplit), ValidationSplit, $"Expected a validation split in [0, 1) but got {ValidationSplit}.");
        if (!(L2 >= 0) || !double.IsFinite(L2))
            throw new ArgumentOutOfRangeException(nameof(L2), L2, $"Expected L2 ≥ 0 but got {L2}.");
        if (ClipGradientNorm is double clip && (!(clip > 0) || !double.IsFinite(clip)))
            throw new ArgumentOutOfRangeException(nameof(ClipGradientNorm), clip, $"Expected a positive, finite clipping norm but got {clip}.");
        if (EarlyStopping is { } e && (e.Patience < 1 || !(e.MinDelta >= 0)))
            throw new ArgumentOutOfRangeException(nameof(EarlyStopping), e, $"Expected patience ≥ 1 and MinDelta ≥ 0 but got {e.Patience} and {e.MinDelta}.");
    }
}

/// <summary>Early stopping on the validation loss.</summary>
/// <param name="Patience">Epochs without an improvement of more than <paramref name="MinDelta"/> before stopping (default 5).</param>
/// <param name="MinDelta">The smallest decrease of the validation loss that counts as an improvement (default 0).</param>
/// <param name="RestoreBestWeights">Whether to put back the parameters of the best epoch when stopping or finishing (default true).</param>
public sealed record EarlyStopping(int Patience = 5, double MinDelta = 0, bool RestoreBestWeights = true);

/// <summary>Progress after one mini-batch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="BatchesPerEpoch">Batches in every epoch.</param>
/// <param name="Loss">Mean cost of this batch.</param>
/// <param name="LearningRate">η used for this batch's step.</param>
public readonly record struct FitBatch(int Epoch, int Batch, int BatchesPerEpoch, double Loss, double LearningRate);

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean cost over the epoch's batches, as seen during the epoch (without the L2 penalty).</param>
/// <param name="TrainAccuracy">Accuracy on the whole training set after the epoch, when <see cref="FitOptions{T}.EvaluateTraining"/> is set.</param>
/// <param name="ValidationLoss">Mean cost on the validation data after the epoch, when there is one.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data after the epoch, when there is one.</param>
/// <param name="LearningRate">η of the epoch's last step.</param>
/// <param name="Layers">Per layer with parameters (parameter-free layers are left out; <see cref="LayerNorms.Layer"/> is the index in the network): mean weight-gradient norm over the epoch's batches, weight norm at its end.</param>
/// <param name="ClippedBatches">Batches whose gradient was rescaled by <see cref="FitOptions{T}.ClipGradientNorm"/>.</param>
/// <param name="Elapsed">Wall-clock time of the epoch, evaluation included.</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double? TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy,
    double LearningRate, IReadOnlyList<LayerNorms> Layers, int ClippedBatches, TimeSpan Elapsed)
{
    /// <summary>The whole evaluation on the validation data after the epoch (confusion matrix included), when there is one.</summary>
    public EvaluationResult? ValidationResult { get; init; }
}

/// <summary>The record of a <see cref="NetworkFit.Fit{T}"/> call: one <see cref="EpochMetrics"/> per epoch run, warnings, and how it ended.</summary>
public sealed class FitHistory
{
    internal FitHistory(IReadOnlyList<EpochMetrics> epochs, IReadOnlyList<GradientWarning> warnings, bool stoppedEarly, int? bestEpoch, bool restoredBest)
    {
        Epochs = epochs;
        Warnings = warnings;
        StoppedEarly = stoppedEarly;
        BestEpoch = bestEpoch;
        RestoredBestWeights = restoredBest;
    }

    /// <summary>Metrics of every epoch run, in order.</summary>
    public IReadOnlyList<EpochMetrics> Epochs { get; }

    /// <summary>Vanishing and exploding gradient warnings, in the order raised.</summary>
    public IReadOnlyList<GradientWarning> Warnings { get; }

    /// <summary>Whether early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; }

    /// <summary>The epoch with the lowest validation loss, when there was validation data.</summary>
    public int? BestEpoch { get; }

    /// <summary>Whether the parameters were put back to those of <see cref="BestEpoch"/>.</summary>
    public bool RestoredBestWeights { get; }

    /// <summary>The last epoch's metrics.</summary>
    public EpochMetrics Last => Epochs[^1];
}
