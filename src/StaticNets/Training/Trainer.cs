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
public sealed class Trainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly INetwork<T> _network;
    private readonly IOptimizer<T> _optimizer;

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
    /// <param name="options">Epochs, batch size, learning rate, seed.</param>
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
        var state = new State(_network, batchSize, train.Count);
        var rng = new SplitMix64(options.Seed);
        var reports = new List<EpochReport>(options.Epochs);
        T learningRate = T.CreateTruncating(options.LearningRate);

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            if (options.Shuffle)
                Shuffle.FisherYates(state.Order, rng);
            double lossSum = 0;
            for (int start = 0; start < train.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(batchSize, train.Count - start);
                lossSum += double.CreateTruncating(Step(train, state, state.Order.AsSpan(start, count), learningRate));
            }
            var validationResult = validation is null ? null : Evaluator.Evaluate(_network, validation);
            var report = new EpochReport(epoch, lossSum / train.Count, validationResult, clock.Elapsed);
            reports.Add(report);
            onEpoch?.Invoke(report);
        }
        return reports;
    }

    /// <summary>One mini-batch step: gradient of the summed cost, scaled to the mean, then the optimizer's update. Returns the summed cost.</summary>
    private T Step(Dataset<T> data, State state, ReadOnlySpan<int> indices, T learningRate)
    {
        int n = indices.Length;
        Span<T> inputs = state.Inputs.AsSpan(0, n * data.InputSize);
        Span<T> targets = state.Targets.AsSpan(0, n * data.TargetSize);
        data.CopyBatch(indices, inputs, targets);
        Span<T> gradient = state.Gradient;
        gradient.Clear();
        T loss = _network.Backward(inputs, targets, gradient, state.Workspace);
        VectorMath.Scale(T.One / T.CreateTruncating(n), gradient);
        _optimizer.Step(_network.Parameters, gradient, learningRate);
        return loss;
    }

    private void CheckShape(Dataset<T> data, string paramName)
    {
        if (data.InputSize != _network.InputSize)
            throw new ArgumentException($"Expected samples of {_network.InputSize} inputs for {_network.Info.Name} ({_network.Info}) but the data set has {data.InputSize}.", paramName);
        if (data.TargetSize != _network.OutputSize)
            throw new ArgumentException($"Expected targets of {_network.OutputSize} values for {_network.Info.Name} ({_network.Info}) but the data set has {data.TargetSize}.", paramName);
    }

    /// <summary>Everything one <see cref="Fit"/> reuses across steps.</summary>
    private sealed class State
    {
        public State(INetwork<T> network, int batchSize, int count)
        {
            Workspace = network.CreateWorkspace(batchSize);
            Inputs = new T[batchSize * network.InputSize];
            Targets = new T[batchSize * network.OutputSize];
            Gradient = new T[network.ParameterCount];
            Order = new int[count];
            Shuffle.Identity(Order);
        }

        public INetworkWorkspace<T> Workspace { get; }
        public T[] Inputs { get; }
        public T[] Targets { get; }
        public T[] Gradient { get; }
        public int[] Order { get; }
    }
}
