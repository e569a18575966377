using System;

namespace StaticNets.Training;

/// <summary>How <see cref="Trainer{T}"/> runs: epochs, mini-batch size, learning rate and the seed for shuffling. A subset of <see cref="FitOptions{T}"/> (see <see cref="Trainer{T}.ToFitOptions"/>).</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training data (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per mini-batch (default 32). The last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>η, the step size (default 0.1).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Seed of the per-epoch shuffle; the same seed gives the same batches and so the same weights.</summary>
    public int Seed { get; init; }

    /// <summary>Whether to shuffle the samples each epoch (default true, as SGD wants).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Threads one mini-batch step may use (default <see cref="Parallelism.DefaultThreads"/>, the logical processors).
    /// Chains of large dense layers split every product of the whole batch by output rows over StaticNets' worker
    /// pool; other networks cut the batch into partitions that depend only on its size. Either way any value gives
    /// bit-identical weights, and work too small to pay for a hand-off runs on the calling thread.
    /// </summary>
    public int Threads { get; init; } = Parallelism.DefaultThreads;

    internal void Validate()
    {
        if (Threads < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, $"Expected at least 1 thread but got {Threads}.");
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, $"Expected at least 1 epoch but got {Epochs}.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"Expected a batch size of at least 1 but got {BatchSize}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"Expected a positive, finite learning rate but got {LearningRate}.");
    }
}

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cost over the epoch's training samples (as seen during the epoch).</param>
/// <param name="Validation">Evaluation on the validation set after the epoch, when one was given.</param>
/// <param name="Elapsed">Wall-clock time of the epoch, validation included.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, EvaluationResult? Validation, TimeSpan Elapsed);
