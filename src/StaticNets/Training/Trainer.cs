using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.ExceptionServices;
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
    public const int MinPartitionSamples = 16;

    /// <summary>Most partitions one mini-batch is cut into (and so the most threads one step uses).</summary>
    public const int MaxPartitions = 8;

    // Below about this many floating-point operations per partition a thread-pool hand-off (a few
    // microseconds) costs more than it saves.
    private const double MinFlopsPerThread = 4e6;

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

    /// <summary>One mini-batch step: gradient of the summed cost, scaled to the mean, then the optimizer's update. Returns the summed cost.</summary>
    private unsafe T Step(StepState state, ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, T learningRate)
    {
        Span<T> gradient = state.Gradients[0];
        int partitions = PartitionCount(count);
        T scale = T.One / T.CreateTruncating(count);
        T loss;
        if (partitions == 1)
        {
            gradient.Clear();
            loss = _network.Backward(inputs, targets, gradient, state.Workspaces[0]);
            VectorMath.Scale(scale, gradient);
        }
        else
        {
            fixed (T* x = inputs)
            fixed (T* y = targets)
            {
                state.Begin(x, y, count, partitions);
                int threads = Math.Min(state.Threads, partitions);
                double flopsPerThread = 6.0 * _network.ParameterCount * count / threads;
                if (threads > 1 && flopsPerThread >= MinFlopsPerThread)
                    state.RunParallel(threads);
                else
                    state.RunPartitions(0, 1);
            }
            loss = T.Zero;
            for (int p = 0; p < partitions; p++)
                loss += state.Losses[p];
            // Partition order is fixed, so the sum is the same for any number of threads. The last
            // reduction also scales to the mean; every buffer is left zeroed for the next step.
            for (int p = 1; p < partitions; p++)
                GradientKernels.AddScaleAndClear<T>(gradient, state.Gradients[p], p == partitions - 1 ? scale : T.One);
        }
        _optimizer.Step(_network.Parameters, gradient, learningRate);
        return loss;
    }

    /// <summary>How many partitions a batch of <paramref name="count"/> samples is cut into; depends on nothing else.</summary>
    internal static int PartitionCount(int count) => Math.Clamp(count / MinPartitionSamples, 1, MaxPartitions);

    private void CheckShape(Dataset<T> data, string paramName)
    {
        if (data.InputSize != _network.InputSize)
            throw new ArgumentException($"Expected samples of {_network.InputSize} inputs for {_network.Info.Name} ({_network.Info}) but the data set has {data.InputSize}.", paramName);
        if (data.TargetSize != _network.OutputSize)
            throw new ArgumentException($"Expected targets of {_network.OutputSize} values for {_network.Info.Name} ({_network.Info}) but the data set has {data.TargetSize}.", paramName);
    }

    /// <summary>
    /// Everything a step reuses: batch buffers, one workspace and gradient buffer per partition, and the
    /// thread-pool work items (reused, so queueing them allocates nothing).
    /// </summary>
    private sealed unsafe class StepState
    {
        private readonly INetwork<T> _network;
        private readonly Worker[] _workers;
        private readonly ManualResetEventSlim _done = new(false);
        private int _pending;
        private ExceptionDispatchInfo? _failure;
        private T* _x, _y;
        private int _count, _partitions, _stride;

        public StepState(INetwork<T> network, int capacity, int threads)
        {
            _network = network;
            Capacity = capacity;
            Threads = threads;
            int partitions = PartitionCount(capacity);
            // A smaller batch may have fewer partitions, each possibly larger than capacity / partitions.
            int largest = 1;
            for (int count = 1; count <= capacity; count++)
                largest = Math.Max(largest, (count + PartitionCount(count) - 1) / PartitionCount(count));
            Inputs = new T[capacity * network.InputSize];
            Targets = new T[capacity * network.OutputSize];
            Gradients = new T[partitions][];
            Workspaces = new INetworkWorkspace<T>[partitions];
            Losses = new T[partitions];
            for (int p = 0; p < partitions; p++)
            {
                Gradients[p] = new T[network.ParameterCount];
                Workspaces[p] = network.CreateWorkspace(largest);
            }
            _workers = new Worker[Math.Max(0, Math.Min(threads, partitions) - 1)];
            for (int i = 0; i < _workers.Length; i++)
                _workers[i] = new Worker(this, i + 1);
        }

        public int Capacity { get; }
        public int Threads { get; }
        public T[] Inputs { get; }
        public T[] Targets { get; }
        public T[][] Gradients { get; }
        public INetworkWorkspace<T>[] Workspaces { get; }
        public T[] Losses { get; }

        public void Begin(T* x, T* y, int count, int partitions)
        {
            _x = x;
            _y = y;
            _count = count;
            _partitions = partitions;
            // The batch being trained may be smaller than the capacity: partitions follow its own size.
            Gradients[0].AsSpan().Clear();
        }

        /// <summary>Partitions first, first + stride, … on the calling thread.</summary>
        public void RunPartitions(int first, int stride)
        {
            for (int p = first; p < _partitions; p += stride)
            {
                int start = (int)((long)_count * p / _partitions), end = (int)((long)_count * (p + 1) / _partitions);
                int nIn = _network.InputSize, nOut = _network.OutputSize;
                var x = new ReadOnlySpan<T>(_x + (long)start * nIn, (end - start) * nIn);
                var y = new ReadOnlySpan<T>(_y + (long)start * nOut, (end - start) * nOut);
                Losses[p] = _network.Backward(x, y, Gradients[p], Workspaces[p]);
            }
        }

        public void RunParallel(int threads)
        {
            _stride = threads;
            _failure = null;
            _done.Reset();
            Volatile.Write(ref _pending, threads - 1);
            for (int i = 0; i < threads - 1; i++)
                ThreadPool.UnsafeQueueUserWorkItem(_workers[i], preferLocal: false);
            try
            {
                RunPartitions(0, threads);
            }
            finally
            {
                _done.Wait();
            }
            _failure?.Throw();
        }

        private void RunWorker(int index)
        {
            try
            {
                RunPartitions(index, _stride);
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                    _done.Set();
            }
        }

        private sealed class Worker(StepState state, int index) : IThreadPoolWorkItem
        {
            public void Execute() => state.RunWorker(index);
        }
    }
}
