using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using StaticNets.Kernels;

namespace StaticNets.Training;

/// <summary>
/// Keras-style training in one call: <c>net.Fit(train, new FitOptions&lt;float&gt; { Epochs = 10, BatchSize = 64,
/// Optimizer = new Adam&lt;float&gt;(), ValidationSplit = 0.1 })</c> returns a <see cref="FitHistory"/>.
/// </summary>
/// <remarks>
/// Each step: copy the shuffled mini-batch into one buffer, back-propagate it (<see cref="INetwork{T}.Backward(System.ReadOnlySpan{T}, System.ReadOnlySpan{T}, System.Span{T}, INetworkWorkspace{T})"/>),
/// scale the summed gradient to the mean, record per-layer norms and stop on NaN/∞, add the L2 term, clip by
/// global norm, and let the optimizer step with the schedule's η. Buffers are allocated once per call, so the
/// steps allocate nothing. Networks implementing <see cref="IDropoutNetwork"/> are switched to training mode for
/// back-propagation and back to inference mode for evaluation.
/// </remarks>
public static class NetworkFit
{
    /// <summary>Trains <paramref name="network"/> on <paramref name="train"/> and returns the history of metrics.</summary>
    /// <param name="network">Any generated network; its parameters are updated in place.</param>
    /// <param name="train">Training data whose input and target sizes match the network.</param>
    /// <param name="options">Epochs, batch size, optimizer, schedule, validation, regularisation, callbacks; defaults when null.</param>
    /// <exception cref="ArgumentException">The data does not fit the network, or early stopping has no validation data.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or weight became NaN or infinite (names the epoch, batch and layer).</exception>
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
        if (data.InputSize != network.InputSize)
            throw new ArgumentException($"Expected samples of {network.InputSize} inputs for {network.Info} but the data set has {data.InputSize}.", paramName);
        if (data.TargetSize != network.OutputSize)
            throw new ArgumentException($"Expected targets of {network.OutputSize} values for {network.Info} but the data set has {data.TargetSize}.", paramName);
    }

    /// <summary>One Fit call's buffers and loop.</summary>
    private sealed class Run<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly INetwork<T> _network;
        private readonly Dataset<T> _train;
        private readonly Dataset<T>? _validation;
        private readonly FitOptions<T> _options;
        private readonly IOptimizer<T> _optimizer;
        private readonly LearningRateSchedule _schedule;
        private readonly IDropoutNetwork? _dropout;
        private readonly IReadOnlyList<LayerInfo> _layers;
        private readonly PartitionedBackward<T> _backward;
        private readonly T[] _inputs, _targets, _gradient;
        private readonly int[] _order;
        private readonly double[] _gradientNormSums;
        private readonly int _batchSize, _batchesPerEpoch;

        public Run(INetwork<T> network, Dataset<T> train, Dataset<T>? validation, FitOptions<T> options)
        {
            _network = network;
            _train = train;
            _validation = validation;
            _options = options;
            _optimizer = options.Optimizer ?? new Adam<T>();
            _schedule = options.Schedule ?? new ConstantSchedule(options.LearningRate);
            _dropout = network as IDropoutNetwork;
            _layers = network.Info.Layers;
            _batchSize = Math.Min(options.BatchSize, train.Count);
            _batchesPerEpoch = (train.Count + _batchSize - 1) / _batchSize;
            _backward = new PartitionedBackward<T>(network, _batchSize, threads: 1);
            _inputs = new T[_batchSize * network.InputSize];
            _targets = new T[_batchSize * network.OutputSize];
            _gradient = new T[network.ParameterCount];
            _order = new int[train.Count];
            Shuffle.Identity(_order);
            _gradientNormSums = new double[_layers.Count];
        }

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
            try
            {
                for (int epoch = 1; epoch <= _options.Epochs; epoch++)
                {
                    var clock = Stopwatch.StartNew();
                    if (_options.Shuffle)
                        StaticNets.Shuffle.FisherYates(_order, rng);
                    Array.Clear(_gradientNormSums);
                    double lossSum = 0, rate = 0;
                    int clipped = 0;
                    SetTraining(true);
                    for (int b = 0; b < _batchesPerEpoch; b++)
                    {
                        _options.CancellationToken.ThrowIfCancellationRequested();
                        int start = b * _batchSize, count = Math.Min(_batchSize, _train.Count - start);
                        rate = _schedule.Rate(step, epoch - 1 + (double)b / _batchesPerEpoch);
                        double loss = Step(epoch, b + 1, _order.AsSpan(start, count), rate, ref clipped);
                        lossSum += loss;
                        step++;
                        _options.OnBatch?.Invoke(new FitBatch(epoch, b + 1, _batchesPerEpoch, loss / count, rate));
                    }
                    SetTraining(false);

                    var layers = new LayerNorms[_layers.Count];
                    for (int l = 0; l < layers.Length; l++)
                    {
                        var w = _network.Parameters.Slice(_layers[l].WeightOffset, _layers[l].WeightCount);
                        double weightNorm = Math.Sqrt(double.CreateTruncating(VectorMath.SumOfSquares<T>(w)));
                        if (!double.IsFinite(weightNorm))
                            throw new TrainingDivergedException(epoch, _batchesPerEpoch, l, "weights");
                        layers[l] = new LayerNorms(l, _gradientNormSums[l] / _batchesPerEpoch, weightNorm);
                    }
                    var trainResult = _options.EvaluateTraining ? Evaluator.Evaluate(_network, _train) : null;
                    var validationResult = _validation is null ? null : Evaluator.Evaluate(_network, _validation);
                    var metrics = new EpochMetrics(epoch, lossSum / _train.Count, trainResult?.Accuracy, validationResult?.Loss,
                        validationResult?.Accuracy, rate, layers, clipped, clock.Elapsed);
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
                SetTraining(false);
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

        /// <summary>One mini-batch: mean gradient, diagnostics, L2, clipping, optimizer step. Returns the summed cost.</summary>
        private double Step(int epoch, int batch, ReadOnlySpan<int> indices, double rate, ref int clipped)
        {
            int n = indices.Length;
            Span<T> inputs = _inputs.AsSpan(0, n * _train.InputSize);
            Span<T> targets = _targets.AsSpan(0, n * _train.TargetSize);
            _train.CopyBatch(indices, inputs, targets);
            Span<T> gradient = _gradient;
            // The same partitioned mean gradient as Trainer, so both give bit-identical weights.
            double loss = double.CreateTruncating(_backward.MeanGradient(inputs, targets, n, gradient));

            // Per-layer norms double as the NaN/∞ check, so a diverging run is caught at the layer where it starts.
            double total = 0;
            for (int l = 0; l < _layers.Count; l++)
            {
                var layer = _layers[l];
                double weights = double.CreateTruncating(VectorMath.SumOfSquares<T>(gradient.Slice(layer.WeightOffset, layer.WeightCount)));
                double biases = double.CreateTruncating(VectorMath.SumOfSquares<T>(gradient.Slice(layer.BiasOffset, layer.Outputs)));
                if (!double.IsFinite(weights + biases))
                    throw new TrainingDivergedException(epoch, batch, l, "gradient");
                _gradientNormSums[l] += Math.Sqrt(weights);
                total += weights + biases;
            }
            if (!double.IsFinite(loss))
                throw new TrainingDivergedException(epoch, batch, _layers.Count - 1, "loss");

            if (_options.L2 > 0)
            {
                T lambda = T.CreateTruncating(_options.L2);
                ReadOnlySpan<T> parameters = _network.Parameters;
                total = 0;
                foreach (var layer in _layers)
                {
                    VectorMath.Axpy(lambda, parameters.Slice(layer.WeightOffset, layer.WeightCount), gradient.Slice(layer.WeightOffset, layer.WeightCount));
                    total += double.CreateTruncating(VectorMath.SumOfSquares<T>(gradient.Slice(layer.WeightOffset, layer.WeightCount)))
                           + double.CreateTruncating(VectorMath.SumOfSquares<T>(gradient.Slice(layer.BiasOffset, layer.Outputs)));
                }
            }

            if (_options.ClipGradientNorm is double clip)
            {
                double norm = Math.Sqrt(total);
                if (norm > clip)
                {
                    VectorMath.Scale(T.CreateTruncating(clip / norm), gradient);
                    clipped++;
                }
            }

            using (var edit = _network.EditParameters())
                _optimizer.Step(edit.Span, gradient, T.CreateTruncating(rate));
            return loss;
        }

        private void SetTraining(bool training)
        {
            if (_dropout is not null)
                _dropout.Training = training;
        }
    }
}
