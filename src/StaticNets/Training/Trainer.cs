using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Threading;
using StaticNets.Kernels;

namespace StaticNets.Training;

/// <summary>
/// Mini-batch stochastic gradient descent: each epoch shuffles the samples (seeded), splits them into
/// mini-batches, back-propagates each batch and lets the optimizer step with the batch's mean gradient.
/// All buffers are allocated once per <see cref="Fit"/>, so the steps themselves allocate nothing.
/// </summary>
/// <remarks>
/// <para><b>Threads.</b> A mini-batch is cut into a fixed number of contiguous partitions that depends only
/// on the batch size (one per <see cref="MinPartitionSamples"/> samples, at most <see cref="MaxPartitions"/>).
/// Each partition back-propagates into its own gradient buffer and the buffers are summed in partition
/// order, so the weights are bit-identical whatever <see cref="TrainerOptions.Threads"/> is; the threads only
/// decide how many partitions run at once. Batches whose work would not pay for waking a thread run on the
/// calling thread.</para>
/// </remarks>
public sealed class Trainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Fewest samples in one partition of a mini-batch: smaller pieces lose more to blocking than threads win.</summary>
    public const int MinPartitionSamples = PartitionedBackward<T>.MinPartitionSamples;

    /// <summary>Most partitions one mini-batch is cut into (and so the most threads one step uses).</summary>
    public const int MaxPartitions = PartitionedBackward<T>.MaxPartitions;

    private readonly INetwork<T> _network;
    private readonly IOptimizer<T> _optimizer;
    private StepState? _batchState;

    /// <summary>Creates a trainer for <paramref name="network"/>; the optimizer defaults to plain <see cref="Sgd{T}"/>.</summary>
    public Trainer(INetwork<T> network, IOptimizer<T>? optimizer = null)
    {
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _optimizer = optimizer ?? new Sgd<T>();
    }

    /// <summary>The network being trained.</summary>
    public INetwork<T> Network => _network;

    /// <summary>Trains for <see cref="TrainerOptions.Epochs"/> epochs and returns one report per epoch.</summary>
    /// <param name="train">Training data; its input and target sizes must match the network.</param>
    /// <param name="options">Epochs, batch size, learning rate, seed, threads.</param>
    /// <param name="validation">Optional data evaluated after every epoch.</param>
    /// <param name="onEpoch">Called after every epoch with its report (progress display).</param>
    /// <param name="cancellationToken">Checked between mini-batches.</param>
    public IReadOnlyList<EpochReport> Fit(Dataset<T> train, TrainerOptions options, Dataset<T>? validation = null,
        Action<EpochReport>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckShape(train, nameof(train));
        if (validation is not null)
            CheckShape(validation, nameof(validation));

        int batchSize = Math.Min(options.BatchSize, train.Count);
        var state = new StepState(_network, batchSize, options.Threads);
        int[] order = new int[train.Count];
        Shuffle.Identity(order);
        var rng = new SplitMix64(options.Seed);
        var reports = new List<EpochReport>(options.Epochs);
        T learningRate = T.CreateTruncating(options.LearningRate);

        // Networks with dropout drop while this trains (their masks seeded from the same seed) and are put back
        // as they were afterwards; evaluation runs the batched Forward, which never drops.
        var dropout = _network as IDropoutNetwork;
        bool wasTraining = dropout?.Training ?? false;
        if (dropout is not null)
        {
            dropout.DropoutSeed = unchecked((ulong)options.Seed * 0x9E3779B97F4A7C15UL + 1);
            dropout.Training = true;
        }
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                if (options.Shuffle)
                    Shuffle.FisherYates(order, rng);
                double lossSum = 0;
                for (int start = 0; start < train.Count; start += batchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int count = Math.Min(batchSize, train.Count - start);
                    Span<T> inputs = state.Inputs.AsSpan(0, count * train.InputSize);
                    Span<T> targets = state.Targets.AsSpan(0, count * train.TargetSize);
                    train.CopyBatch(order.AsSpan(start, count), inputs, targets);
                    lossSum += double.CreateTruncating(Step(state, inputs, targets, count, learningRate));
                }
                var validationResult = validation is null ? null : Evaluator.Evaluate(_network, validation);
                var report = new EpochReport(epoch, lossSum / train.Count, validationResult, clock.Elapsed);
                reports.Add(report);
                onEpoch?.Invoke(report);
            }
        }
        finally
        {
            if (dropout is not null)
                dropout.Training = wasTraining;
        }
        return reports;
    }

    /// <summary>
    /// One optimizer step on one mini-batch given by the caller: back-propagation of the batch (split over
    /// <see cref="TrainerOptions.Threads"/> threads), the mean gradient, and the optimizer's update.
    /// Buffers are kept between calls, so repeated calls with batches no larger than the first allocate nothing.
    /// </summary>
    /// <param name="inputs">A whole number of samples, row-major.</param>
    /// <param name="targets">One target row per sample.</param>
    /// <param name="options">Only <see cref="TrainerOptions.LearningRate"/> and <see cref="TrainerOptions.Threads"/> are used.</param>
    /// <returns>The summed cost of the batch before the step.</returns>
    public T TrainBatch(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (inputs.Length == 0 || inputs.Length % _network.InputSize != 0)
            throw new ArgumentException($"Expected a whole, non-zero number of samples of {_network.InputSize} inputs but got {inputs.Length} values.", nameof(inputs));
        int count = inputs.Length / _network.InputSize;
        Guard.Length(targets.Length, count * _network.OutputSize, nameof(targets));
        if (_batchState is null || _batchState.Capacity < count || _batchState.Threads != options.Threads)
            _batchState = new StepState(_network, count, options.Threads);
        return Step(_batchState, inputs, targets, count, T.CreateTruncating(options.LearningRate));
    }

    /// <summary>One mini-batch step: mean gradient (partitioned, see <see cref="PartitionedBackward{T}"/>), then the optimizer's update. Returns the summed cost.</summary>
    private T Step(StepState state, ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, T learningRate)
    {
        T loss = state.Backward.MeanGradient(inputs, targets, count, state.Gradient);
        using (var edit = _network.EditParameters())
            _optimizer.Step(edit.Span, state.Gradient, learningRate);
        return loss;
    }

    /// <summary>How many partitions a batch of <paramref name="count"/> samples is cut into; depends on nothing else.</summary>
    internal static int PartitionCount(int count) => PartitionedBackward<T>.PartitionCount(count);

    private void CheckShape(Dataset<T> data, string paramName)
    {
        if (data.InputSize != _network.InputSize)
            throw new ArgumentException($"Expected samples of {_network.InputSize} inputs for {_network.Info.Name} ({_network.Info}) but the data set has {data.InputSize}.", paramName);
        if (data.TargetSize != _network.OutputSize)
            throw new ArgumentException($"Expected targets of {_network.OutputSize} values for {_network.Info.Name} ({_network.Info}) but the data set has {data.TargetSize}.", paramName);
    }

    /// <summary>Everything a step reuses: batch buffers, the gradient and the partitioned back-propagation.</summary>
    private sealed class StepState
    {
        public StepState(INetwork<T> network, int capacity, int threads)
        {
            Capacity = capacity;
            Threads = threads;
            Inputs = new T[capacity * network.InputSize];
            Targets = new T[capacity * network.OutputSize];
            Gradient = new T[network.ParameterCount];
            Backward = new PartitionedBackward<T>(network, capacity, threads);
        }

        public int Capacity { get; }
        public int Threads { get; }
        public T[] Inputs { get; }
        public T[] Targets { get; }
        public T[] Gradient { get; }
        public PartitionedBackward<T> Backward { get; }
    }
}
