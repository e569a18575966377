using System;
using StaticNets.Training;

namespace StaticNets.Gpu;

/// <summary>Settings of a <see cref="GpuTrainer"/>.</summary>
public sealed record GpuTrainerOptions
{
    /// <summary>Samples per mini-batch (default 128); also the largest batch of <see cref="GpuTrainer.Predict"/> per launch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>The update rule (default Adam).</summary>
    public GpuOptimizer Optimizer { get; init; } = GpuOptimizer.Adam();

    /// <summary>η (default 0.001), unless <see cref="Schedule"/> is set.</summary>
    public double LearningRate { get; init; } = 0.001;

    /// <summary>
    /// The runtime's learning-rate schedule (given the 0-based step and the fractional epoch, as in <c>Fit</c>), or null
    /// for the constant <see cref="LearningRate"/>.
    /// </summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Seed of the mini-batch order (SplitMix64, as the runtime's training loop).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Multiply-adds per sample from which a layer goes to the accelerator (<see cref="GpuPlan"/>); 0 sends every supported network.</summary>
    public long SizeBudget { get; init; } = GpuPlan.DefaultBudget;
}

/// <summary>What one epoch of <see cref="GpuTrainer.TrainEpoch"/> did.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="MeanLoss">Mean per-sample cost over the epoch (each batch's cost before its step).</param>
/// <param name="Batches">Mini-batches (optimizer steps) taken.</param>
/// <param name="Elapsed">Wall time of the epoch, the device synchronised at its end.</param>
public sealed record GpuEpochResult(int Epoch, double MeanLoss, int Batches, TimeSpan Elapsed);
