using System;
using System.Numerics;

namespace StaticNets.Training;

/// <summary>
/// One mini-batch as the training loop hands it to an <see cref="ITrainingObjective{T}"/>: <see cref="Count"/>
/// samples of inputs and targets, row-major, in buffers the loop owns. Allocation-free (a ref struct).
/// </summary>
public readonly ref struct TrainingBatch<T> where T : unmanaged
{
    /// <summary>Wraps a batch of <paramref name="count"/> samples.</summary>
    public TrainingBatch(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count)
    {
        Inputs = inputs;
        Targets = targets;
        Count = count;
    }

    /// <summary><see cref="Count"/> input rows, sample after sample.</summary>
    public ReadOnlySpan<T> Inputs { get; }

    /// <summary><see cref="Count"/> target rows, sample after sample (what they mean is the objective's business).</summary>
    public ReadOnlySpan<T> Targets { get; }

    /// <summary>Samples in the batch (the last batch of an epoch may be smaller than the others).</summary>
    public int Count { get; }
}

/// <summary>
/// What training minimises, as seen by the one training loop (<see cref="NetworkFit.Fit{T}"/>): given a mini-batch
/// and the network, the mean gradient over the batch and the summed loss. The loop owns everything else —
/// shuffling, batching, schedules, L2, clipping, the optimizer step, diagnostics, validation, early stopping and
/// callbacks — so an objective only says how a gradient is obtained: back-propagation of a supervised cost
/// (<see cref="SupervisedObjective{T}"/>, the default), and later contrastive divergence for RBMs or
/// back-propagation through time for recurrent layers.
/// </summary>
/// <remarks>
/// <para><see cref="Prepare"/> is called once per training run (and again by <see cref="Trainer{T}.TrainBatch"/>
/// when a larger batch arrives), before the first batch: allocate every buffer there, so that
/// <see cref="MeanGradient"/> allocates nothing.</para>
/// <para>For the loop to stay reproducible the objective must be deterministic for the same parameters and batch,
/// whatever <c>threads</c> is.</para>
/// </remarks>
public interface ITrainingObjective<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Allocates the objective's buffers for <paramref name="network"/> and batches of up to <paramref name="batchCapacity"/> samples.</summary>
    /// <param name="network">The network being trained.</param>
    /// <param name="batchCapacity">The largest batch <see cref="MeanGradient"/> will be given.</param>
    /// <param name="threads">Threads one batch may use (<see cref="FitOptions{T}.Threads"/>); results must not depend on it.</param>
    void Prepare(INetwork<T> network, int batchCapacity, int threads);

    /// <summary>Overwrites <paramref name="gradient"/> with the mean gradient of the batch and returns the batch's summed loss.</summary>
    /// <param name="network">The network being trained (the one given to <see cref="Prepare"/>).</param>
    /// <param name="batch">The mini-batch.</param>
    /// <param name="gradient"><see cref="INetwork{T}.ParameterCount"/> values in the parameter layout; every value is overwritten.</param>
    T MeanGradient(INetwork<T> network, TrainingBatch<T> batch, Span<T> gradient);
}

/// <summary>
/// The default objective: the network's own cost (<see cref="NetworkInfo.Loss"/>) back-propagated through
/// <see cref="INetwork{T}.Backward(System.ReadOnlySpan{T}, System.ReadOnlySpan{T}, System.Span{T}, INetworkWorkspace{T})"/>. The batch is cut into partitions that depend only on its size; each
/// partition back-propagates into its own buffer and the buffers are summed in partition order, so the gradient is
/// bit-identical for any number of threads (see <see cref="Trainer{T}.PartitionCount"/>).
/// </summary>
public sealed class SupervisedObjective<T> : ITrainingObjective<T>, IScaledGradientObjective<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private PartitionedBackward<T>? _backward;

    /// <inheritdoc />
    public void Prepare(INetwork<T> network, int batchCapacity, int threads)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Positive(batchCapacity, nameof(batchCapacity));
        Guard.Positive(threads, nameof(threads));
        // Fresh buffers (and so fresh dropout workspaces) per run, so a run repeats exactly for the same seed.
        _backward = new PartitionedBackward<T>(network, batchCapacity, threads);
    }

    /// <inheritdoc />
    public T MeanGradient(INetwork<T> network, TrainingBatch<T> batch, Span<T> gradient)
        => Prepared(batch).MeanGradient(batch.Inputs, batch.Targets, batch.Count, gradient);

    /// <inheritdoc />
    T IScaledGradientObjective<T>.ScaledGradient(INetwork<T> network, TrainingBatch<T> batch, Span<T> gradient, bool gradientIsZero, out T scale)
        => Prepared(batch).ScaledGradient(batch.Inputs, batch.Targets, batch.Count, gradient, gradientIsZero, out scale);

    private PartitionedBackward<T> Prepared(TrainingBatch<T> batch)
    {
        var backward = _backward ?? throw new InvalidOperationException("Call Prepare before MeanGradient.");
        if (batch.Count > backward.Capacity)
            throw new ArgumentException($"The batch has {batch.Count} samples but Prepare was given a capacity of {backward.Capacity}.", nameof(batch));
        return backward;
    }
}

/// <summary>
/// An objective that can leave the mean's last multiplication to the training loop, which scales the gradient in the
/// pass that takes its norms instead of in a pass of its own.
/// </summary>
internal interface IScaledGradientObjective<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// <see cref="ITrainingObjective{T}.MeanGradient"/> except that <paramref name="gradient"/> times
    /// <paramref name="scale"/> is the mean gradient (1 when it already is). <paramref name="gradientIsZero"/>: the
    /// caller guarantees every element is zero already (the last SGD update cleared it), so it need not be cleared.
    /// </summary>
    T ScaledGradient(INetwork<T> network, TrainingBatch<T> batch, Span<T> gradient, bool gradientIsZero, out T scale);
}
