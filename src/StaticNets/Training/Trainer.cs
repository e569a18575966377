using System;
using System.Collections.Generic;
using System.Numerics;
using System.Threading;

namespace StaticNets.Training;

/// <summary>
/// The course's mini-batch SGD as a thin wrapper over the one training loop (<see cref="NetworkFit.Fit{T}"/>):
/// <see cref="Fit"/> is <c>network.Fit(train, options)</c> with the trainer's optimizer (plain <see cref="Sgd{T}"/>
/// by default), a constant learning rate, no regularisation and no gradient warnings; <see cref="TrainBatch"/>
/// runs the loop's step on one batch the caller gives. Everything else — the partitioned, thread-count independent
/// back-propagation, the divergence check (<see cref="TrainingDivergedException"/>), allocation-free steps — is the loop's.
/// </summary>
/// <remarks>
/// <para><b>Threads.</b> Chains of large dense layers keep a mini-batch whole and split every product by output
/// rows over StaticNets' worker pool. Other networks cut a mini-batch into a fixed number of contiguous partitions
/// that depends only on the batch size (one per <see cref="MinPartitionSamples"/> samples, at most
/// <see cref="MaxPartitions"/>; see <see cref="PartitionCount"/>); each partition back-propagates into its own
/// gradient buffer and the buffers are summed in partition order. Either way the weights are bit-identical
/// whatever <see cref="TrainerOptions.Threads"/> is.</para>
/// </remarks>
public sealed class Trainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Fewest samples in one partition of a mini-batch: smaller pieces lose more to blocking than threads win.</summary>
    public const int MinPartitionSamples = PartitionedBackward<T>.MinPartitionSamples;

    /// <summary>Most partitions one mini-batch is cut into (and so the most threads one step uses).</summary>
    public const int MaxPartitions = PartitionedBackward<T>.MaxPartitions;

    private readonly INetwork<T> _network;
    private readonly IOptimizer<T> _optimizer;
    private TrainingLoop<T>? _batchLoop;
    private int _batchCalls;

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
    /// <exception cref="TrainingDivergedException">A loss, gradient or weight became NaN or infinite.</exception>
    public IReadOnlyList<EpochReport> Fit(Dataset<T> train, TrainerOptions options, Dataset<T>? validation = null,
        Action<EpochReport>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (validation is not null)
            NetworkFit.CheckShape(_network, validation, nameof(validation));
        var reports = new List<EpochReport>(options.Epochs);
        _network.Fit(train, ToFitOptions(options) with
        {
            Validation = validation,
            CancellationToken = cancellationToken,
            OnEpoch = metrics =>
            {
                var report = new EpochReport(metrics.Epoch, metrics.TrainLoss, metrics.ValidationResult, metrics.Elapsed);
                reports.Add(report);
                onEpoch?.Invoke(report);
            },
        });
        return reports;
    }

    /// <summary>
    /// One optimizer step on one mini-batch given by the caller: the loop's step (partitioned back-propagation over
    /// <see cref="TrainerOptions.Threads"/> threads, the mean gradient, the divergence check, the optimizer's update).
    /// Buffers are kept between calls, so repeated calls with batches no larger than the first allocate nothing.
    /// </summary>
    /// <param name="inputs">A whole number of samples, row-major.</param>
    /// <param name="targets">One target row per sample.</param>
    /// <param name="options">Only <see cref="TrainerOptions.LearningRate"/> and <see cref="TrainerOptions.Threads"/> are used.</param>
    /// <returns>The summed cost of the batch before the step.</returns>
    /// <exception cref="TrainingDivergedException">The loss, gradient or new weights are NaN or infinite (epoch 0, batch = the call's number).</exception>
    public T TrainBatch(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (inputs.Length == 0 || inputs.Length % _network.InputSize != 0)
            throw new ArgumentException($"Expected a whole, non-zero number of samples of {_network.InputSize} inputs but got {inputs.Length} values.", nameof(inputs));
        int count = inputs.Length / _network.InputSize;
        Guard.Length(targets.Length, count * _network.OutputSize, nameof(targets));
        if (_batchLoop is null || _batchLoop.Capacity < count || _batchLoop.Threads != options.Threads)
            _batchLoop = new TrainingLoop<T>(_network, _optimizer, new SupervisedObjective<T>(), count, options.Threads, l2: 0, clip: null);
        return T.CreateTruncating(_batchLoop.Step(inputs, targets, count, options.LearningRate, epoch: 0, ++_batchCalls));
    }

    /// <summary>The <see cref="FitOptions{T}"/> that <see cref="Fit"/> runs for <paramref name="options"/>: the same epochs, batches, rate, seed and threads, this trainer's optimizer, no warnings.</summary>
    public FitOptions<T> ToFitOptions(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new FitOptions<T>
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            LearningRate = options.LearningRate,
            Seed = options.Seed,
            Shuffle = options.Shuffle,
            Threads = options.Threads,
            Optimizer = _optimizer,
            VanishingGradientRatio = null,
            ExplodingGradientNorm = null,
        };
    }

    /// <summary>
    /// How many partitions a batch of <paramref name="count"/> samples of <paramref name="network"/> is cut into; depends
    /// on nothing else. Chains of large dense layers take the batch whole (1) and split their products by rows instead.
    /// </summary>
    public static int PartitionCount(NetworkInfo network, int count) => PartitionedBackward<T>.PartitionCount(network, count);
}
