using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets.Training;

/// <summary>
/// The training entry point, Keras-style in one call: <c>net.Fit(train, new FitOptions&lt;float&gt; { Epochs = 10,
/// BatchSize = 64, Optimizer = new Adam&lt;float&gt;(), ValidationSplit = 0.1 })</c> returns a <see cref="FitHistory"/>.
/// <see cref="Trainer{T}"/> is a thin wrapper over the same loop.
/// </summary>
/// <remarks>
/// <para>Each step: copy the shuffled mini-batch into one buffer; ask the objective (<see cref="FitOptions{T}.Objective"/>,
/// by default <see cref="SupervisedObjective{T}"/>: partitioned back-propagation on <see cref="FitOptions{T}.Threads"/>
/// threads) for the mean gradient; record per-layer norms and stop on NaN/∞; add the L2 term to the Weight blocks;
/// clip by global norm over all blocks; let the optimizer step with the schedule's η; check the new parameters are
/// finite. Buffers are allocated once per call, so the steps allocate nothing, and a seed gives bit-identical
/// weights for any thread count.</para>
/// <para>Only layers with parameter blocks appear in the diagnostics (<see cref="EpochMetrics.Layers"/>, warnings).
/// Networks implementing <see cref="IDropoutNetwork"/> are switched to training mode for the steps and back to
/// inference mode for evaluation.</para>
/// </remarks>
public static class NetworkFit
{
    /// <summary>Trains <paramref name="network"/> on <paramref name="train"/> and returns the history of metrics.</summary>
    /// <param name="network">Any generated network; its parameters are updated in place.</param>
    /// <param name="train">Training data whose input and target sizes match the network.</param>
    /// <param name="options">Epochs, batch size, optimizer, schedule, validation, regularisation, callbacks; defaults when null.</param>
    /// <exception cref="ArgumentException">The data does not fit the network, or early stopping has no validation data.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or weight became NaN or infinite (names the epoch, batch, layer and its kind).</exception>
    /// <exception cref="OperationCanceledException"><see cref="FitOptions{T}.CancellationToken"/> was cancelled.</exception>
    public static FitHistory Fit<T>(this INetwork<T> network, Dataset<T> train, FitOptions<T>? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new FitOptions<T>();
        options.Validate();
        CheckShape(network, train, nameof(train));
        var validation = options.Validation;
        if (validation is not null)
            CheckShape(network, validation, nameof(options));
        else if (options.ValidationSplit > 0)
            (train, validation) = train.Split(1 - options.ValidationSplit, options.Seed);
        if (options.EarlyStopping is not null && validation is null)
            throw new ArgumentException("Early stopping watches the validation loss; set Validation or ValidationSplit.", nameof(options));

        return new Run<T>(network, train, validation, options).Execute();
    }

    internal static void CheckShape<T>(INetwork<T> network, Dataset<T> data, string paramName) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (data.IsAutoencoding && network.InputSize != network.OutputSize)
            throw new ArgumentException(
                $"An unlabelled data set's targets are its inputs, so the network must output as many values as it takes: expected OutputSize == InputSize ({network.InputSize}) for {network.Info}, actual OutputSize {network.OutputSize}.",
                paramName);
        if (data.InputSize != network.InputSize)
            throw new ArgumentException($"Expected samples of {network.InputSize} inputs for {network.Info} but the data set has {data.InputSize}.", paramName);
        if (data.TargetSize != network.OutputSize)
            throw new ArgumentException($"Expected targets of {network.OutputSize} values for {network.Info} but the data set has {data.TargetSize}.", paramName);
    }

    /// <summary>One Fit call: the epoch loop around <see cref="TrainingLoop{T}"/>.</summary>
    private sealed class Run<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly INetwork<T> _network;
        private readonly Dataset<T> _train;
        private readonly Dataset<T>? _validation;
        private readonly FitOptions<T> _options;
        private readonly LearningRateSchedule _schedule;
        private readonly IDropoutNetwork? _dropout;
        private readonly TrainingLoop<T> _loop;
        private readonly int[] _order;
        private readonly int _batchSize, _batchesPerEpoch;

        public Run(INetwork<T> network, Dataset<T> train, Dataset<T>? validation, FitOptions<T> options)
        {
            _network = network;
            _train = train;
            _validation = validation;
            _options = options;
            _schedule = options.Schedule ?? new ConstantSchedule(options.LearningRate);
            _dropout = network as IDropoutNetwork;
            _batchSize = Math.Min(options.BatchSize, train.Count);
            _batchesPerEpoch = (train.Count + _batchSize - 1) / _batchSize;
            _loop = new TrainingLoop<T>(network, options.Optimizer ?? new Adam<T>(), options.Objective ?? new SupervisedObjective<T>(),
                _batchSize, options.Threads, options.L2, options.ClipGradientNorm);
            _order = new int[train.Count];
            Shuffle.Identity(_order);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public FitHistory Execute()
        {
            var rng = new SplitMix64(_options.Seed);
            if (_dropout is not null)
                _dropout.DropoutSeed = unchecked((ulong)_options.Seed * 0x9E3779B97F4A7C15UL + 1);
            var epochs = new List<EpochMetrics>(_options.Epochs);
            var warnings = new List<GradientWarning>();
            var early = _options.EarlyStopping;
            T[]? best = early is { RestoreBestWeights: true } ? new T[_network.ParameterCount] : null;
            double bestLoss = double.PositiveInfinity;
            int? bestEpoch = null;
            int sinceBest = 0;
            bool stoppedEarly = false;
            long step = 0;
            bool wasTraining = _dropout?.Training ?? false;
            try
            {
                for (int epoch = 1; epoch <= _options.Epochs; epoch++)
                {
                    var clock = Stopwatch.StartNew();
                    if (_options.Shuffle)
                        StaticNets.Shuffle.FisherYates(_order, rng);
                    _loop.ResetNorms();
                    double lossSum = 0, rate = 0;
                    SetTraining(true);
                    for (int b = 0; b < _batchesPerEpoch; b++)
                    {
                        _options.CancellationToken.ThrowIfCancellationRequested();
                        int start = b * _batchSize, count = Math.Min(_batchSize, _train.Count - start);
                        rate = _schedule.Rate(step, epoch - 1 + (double)b / _batchesPerEpoch);
                        Span<T> inputs = _loop.Inputs.Slice(0, count * _train.InputSize);
                        Span<T> targets = _loop.Targets.Slice(0, count * _train.TargetSize);
                        _train.CopyBatch(_order.AsSpan(start, count), inputs, targets);
                        // Denoising: corrupt the batch's copy of the inputs only; the targets were copied clean.
                        _options.InputNoise?.Apply(inputs, _options.Seed, step);
                        double loss = _loop.Step(inputs, targets, count, rate, epoch, b + 1);
                        lossSum += loss;
                        step++;
                        _options.OnBatch?.Invoke(new FitBatch(epoch, b + 1, _batchesPerEpoch, loss / count, rate));
                    }
                    SetTraining(false);

                    var layers = _loop.EpochNorms(_batchesPerEpoch);
                    var trainResult = _options.EvaluateTraining ? Evaluator.Evaluate(_network, _train) : null;
                    var validationResult = _validation is null ? null : Evaluator.Evaluate(_network, _validation);
                    var metrics = new EpochMetrics(epoch, lossSum / _train.Count, trainResult?.Accuracy, validationResult?.Loss,
                        validationResult?.Accuracy, rate, layers, _loop.Clipped, clock.Elapsed) { ValidationResult = validationResult };
                    epochs.Add(metrics);

                    foreach (var warning in GradientDiagnostics.Check(epoch, layers, _options.VanishingGradientRatio, _options.ExplodingGradientNorm))
                    {
                        warnings.Add(warning);
                        _options.OnWarning?.Invoke(warning);
                    }

                    if (validationResult is not null)
                    {
                        if (validationResult.Loss < bestLoss - (early?.MinDelta ?? 0))
                        {
                            bestLoss = validationResult.Loss;
                            bestEpoch = epoch;
                            sinceBest = 0;
                            if (best is not null)
                                _network.Parameters.CopyTo(best);
                        }
                        else
                        {
                            sinceBest++;
                        }
                    }
                    _options.OnEpoch?.Invoke(metrics);
                    if (early is not null && sinceBest >= early.Patience && epoch < _options.Epochs)
                    {
                        stoppedEarly = true;
                        break;
                    }
                }
            }
            finally
            {
                if (_dropout is not null)
                    _dropout.Training = wasTraining;
            }

            bool restored = false;
            if (best is not null && bestEpoch is not null && bestEpoch != epochs[^1].Epoch)
            {
                using (var edit = _network.EditParameters())
                    best.CopyTo(edit.Span);
                restored = true;
            }
            return new FitHistory(epochs, warnings, stoppedEarly, bestEpoch, restored);
        }

        private void SetTraining(bool training)
        {
            if (_dropout is not null)
                _dropout.Training = training;
        }
    }
}
