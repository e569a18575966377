using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;
using StaticNets.Threading;

namespace StaticNets.Training;

/// <summary>
/// The one training step every entry point runs (<see cref="NetworkFit.Fit{T}"/>, <see cref="Trainer{T}.Fit"/>,
/// <see cref="Trainer{T}.TrainBatch"/>): the objective's mean gradient, per-layer norms that double as the NaN/∞
/// check, L2 on the Weight blocks, clipping by global norm over all blocks, the optimizer step and a check that
/// the new parameters are finite. Every buffer is allocated in the constructor; a step allocates nothing.
/// </summary>
internal sealed class TrainingLoop<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly INetwork<T> _network;
    private readonly IOptimizer<T> _optimizer;
    private readonly ITrainingObjective<T> _objective;
    private readonly T _l2;
    private readonly double? _clip;
    // Only layers with trainable parameters take part: their index in the network, kind, trainable blocks, and which blocks measure them.
    private readonly int[] _layerIndex;
    private readonly LayerKind[] _kinds;
    private readonly ParameterBlock[][] _blocks;
    private readonly ParameterBlock[] _weights;     // trainable Weight blocks: L2 applies
    private readonly ParameterBlock[] _frozen;      // non-trainable blocks: their gradient is zeroed
    private readonly bool _blocksCoverAll;
    private readonly (int Offset, int Count)[] _segments;  // the update's pieces: every block in order, or the whole span
    private readonly bool _clearsInUpdate;  // the optimizer's update zeroes the gradient, and the objective is told so
    // Nothing but the update reads the mean gradient (no L2 term to add to it, no clipping to rescale it): the norms then
    // only read the gradient, each value times the 1/m as the scaling pass would store it, and the update applies the
    // same 1/m as it loads each value — the same bits, and one pass less that writes the whole gradient.
    private readonly bool _scalesInUpdate;
    private bool _gradientIsZero;

    /// <summary>Buffers for batches of up to <paramref name="capacity"/> samples; prepares the objective and binds block-aware optimizers.</summary>
    public TrainingLoop(INetwork<T> network, IOptimizer<T> optimizer, ITrainingObjective<T> objective, int capacity, int threads, double l2, double? clip)
    {
        _network = network;
        _optimizer = optimizer;
        _objective = objective;
        _l2 = T.CreateTruncating(l2);
        _clip = clip;
        Capacity = capacity;
        Threads = threads;
        var layerIndex = new List<int>();
        var blocks = new List<ParameterBlock[]>();
        var weights = new List<ParameterBlock>();
        var frozen = new List<ParameterBlock>();
        var layers = network.Info.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            // Non-trainable blocks (Normalize's statistics) get their gradient zeroed and take no part in the
            // norms, L2 or clipping; a layer with no trainable block is left out of the per-layer norms altogether.
            var own = new List<ParameterBlock>();
            foreach (var block in layers[l].Blocks)
            {
                if (!block.Trainable)
                {
                    frozen.Add(block);
                    continue;
                }
                own.Add(block);
                if (block.Role == ParameterRole.Weight)
                    weights.Add(block);
            }
            if (own.Count == 0)
                continue;
            layerIndex.Add(l);
            blocks.Add(own.ToArray());
        }
        _layerIndex = layerIndex.ToArray();
        _blocks = blocks.ToArray();
        _kinds = new LayerKind[_layerIndex.Length];
        for (int i = 0; i < _kinds.Length; i++)
            _kinds[i] = layers[_layerIndex[i]].Kind;
        _weights = weights.ToArray();
        _frozen = frozen.ToArray();
        // Every parameter in exactly one block (frozen, or of a layer with trainable blocks): then scaling the blocks
        // one by one scales the whole gradient.
        long covered = 0;
        foreach (var own in _blocks)
            foreach (var block in own)
                covered += block.Count;
        foreach (var block in _frozen)
            covered += block.Count;
        _blocksCoverAll = covered == network.ParameterCount;
        // The update goes block by block, each split over the threads as the products that computed its gradient were.
        _segments = Segments(network.Info);
        _clearsInUpdate = _blocksCoverAll && objective is IScaledGradientObjective<T> && optimizer is IThreadedOptimizer<T>;
        _scalesInUpdate = _clearsInUpdate && l2 == 0 && clip is null;
        GradientNormSums = new double[_layerIndex.Length];
        // On 64-byte lines, as the network's parameters and workspaces are: the batch is the first layer's x, and the
        // gradient the rows ∂W is written to and the update reads.
        _inputs = new AlignedArray<T>(checked(capacity * network.InputSize));
        _targets = new AlignedArray<T>(checked(capacity * network.OutputSize));
        _gradient = new AlignedArray<T>(network.ParameterCount);
        objective.Prepare(network, capacity, threads);
        if (optimizer is IBlockAwareOptimizer aware)
            aware.BindBlocks(network.Info);
    }

    /// <summary>The largest batch.</summary>
    public int Capacity { get; }

    /// <summary>Threads the objective was prepared for.</summary>
    public int Threads { get; }

    private readonly AlignedArray<T> _inputs, _targets, _gradient;

    /// <summary>Room for one batch of inputs.</summary>
    public Span<T> Inputs => _inputs.Span;

    /// <summary>Room for one batch of targets.</summary>
    public Span<T> Targets => _targets.Span;

    /// <summary>The step's gradient buffer: the mean gradient (after L2 and clipping) until the update, which may zero it as it reads it.</summary>
    public Span<T> Gradient => _gradient.Span;

    /// <summary>Per layer with parameters: the sum of its weight-gradient norms over the steps since the last <see cref="ResetNorms"/>.</summary>
    public double[] GradientNormSums { get; }

    /// <summary>Steps whose gradient was clipped since the last <see cref="ResetNorms"/>.</summary>
    public int Clipped { get; private set; }

    /// <summary>Number of layers with parameters.</summary>
    public int LayerCount => _layerIndex.Length;

    /// <summary>Clears <see cref="GradientNormSums"/> and <see cref="Clipped"/> (start of an epoch).</summary>
    public void ResetNorms()
    {
        Array.Clear(GradientNormSums);
        Clipped = 0;
    }

    /// <summary>One step on <paramref name="count"/> samples; returns the batch's summed loss (without the L2 penalty).</summary>
    /// <exception cref="TrainingDivergedException">The loss, a gradient or the new parameters are NaN or infinite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Step(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, double rate, int epoch, int batch)
    {
        Span<T> gradient = Gradient;
        var trainingBatch = new TrainingBatch<T>(inputs, targets, count);
        // Where the objective can leave the mean's 1/m to us and the blocks cover every parameter, the norms' pass
        // applies it (the same bits as scaling first): one pass over the gradient instead of two.
        T scale = T.One;
        // Cleared by the last step's update only if that step finished; anything else leaves the flag false.
        bool gradientIsZero = _gradientIsZero;
        _gradientIsZero = false;
        double loss = _blocksCoverAll && _objective is IScaledGradientObjective<T> scaled
            ? double.CreateTruncating(scaled.ScaledGradient(_network, trainingBatch, gradient, gradientIsZero, out scale))
            : double.CreateTruncating(_objective.MeanGradient(_network, trainingBatch, gradient));
        foreach (var block in _frozen)
            gradient.Slice(block.Offset, block.Count).Clear();

        T updateScale = _scalesInUpdate ? scale : T.One;

        // Per-layer norms double as the NaN/∞ check, so a diverging run is caught at the layer where it starts.
        double total = 0;
        for (int i = 0; i < _blocks.Length; i++)
        {
            double measured = LayerSums(gradient, _scalesInUpdate ? default : gradient, i, out double all, scale);
            if (!double.IsFinite(all))
                throw Diverged(epoch, batch, i, "gradient");
            GradientNormSums[i] += Math.Sqrt(measured);
            total += all;
        }
        if (!double.IsFinite(loss))
            throw Diverged(epoch, batch, _blocks.Length - 1, "loss");

        if (_l2 != T.Zero)
        {
            ReadOnlySpan<T> parameters = _network.Parameters;
            foreach (var block in _weights)
                VectorMath.Axpy(_l2, parameters.Slice(block.Offset, block.Count), gradient.Slice(block.Offset, block.Count));
            total = 0;
            for (int i = 0; i < _blocks.Length; i++)
            {
                LayerSums(gradient, i, out double all);
                total += all;
            }
        }

        if (_clip is double clip)
        {
            double norm = Math.Sqrt(total);
            if (norm > clip)
            {
                VectorMath.Scale(T.CreateTruncating(clip / norm), gradient);
                Clipped++;
            }
        }

        // NaN until a pass has looked at the new parameters: then the layer-by-layer check below runs.
        double squares = double.NaN;
        using (var edit = _network.EditParameters())
        {
            // The update zeroes the gradient as it reads it (for an objective that then skips its own clearing pass).
            if (_optimizer is IThreadedOptimizer<T> threaded)
                squares = threaded.Step(edit.Span, gradient, T.CreateTruncating(rate), Threads, _clearsInUpdate, _segments, updateScale);
            else
                _optimizer.Step(edit.Span, gradient, T.CreateTruncating(rate));
        }
        // The update's own pass already summed the new parameters' squares; only when that is not finite are they
        // read again, layer by layer, to name the layer where the run diverged.
        if (!double.IsFinite(squares))
            CheckParameters(epoch, batch);
        _gradientIsZero = _clearsInUpdate;
        return loss;
    }

    // Every block of every layer, by offset, when they tile the parameters without gap or overlap; otherwise the whole span.
    private static (int Offset, int Count)[] Segments(NetworkInfo info)
    {
        var blocks = new List<(int Offset, int Count)>();
        foreach (var layer in info.Layers)
            foreach (var block in layer.Blocks)
                blocks.Add((block.Offset, block.Count));
        blocks.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        int next = 0;
        foreach (var (offset, count) in blocks)
        {
            if (offset != next)
                return new[] { (0, info.ParameterCount) };
            next += count;
        }
        return next == info.ParameterCount ? blocks.ToArray() : new[] { (0, info.ParameterCount) };
    }

    /// <summary>Throws when a layer's parameters are no longer finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CheckParameters(int epoch, int batch)
    {
        ReadOnlySpan<T> parameters = _network.Parameters;
        for (int i = 0; i < _blocks.Length; i++)
        {
            LayerSums(parameters, i, out double all);
            if (!double.IsFinite(all))
                throw Diverged(epoch, batch, i, "weights");
        }
    }

    /// <summary>Per layer with parameters: its index in the network, kind, ‖∂C/∂W‖ averaged over <paramref name="steps"/> steps, and ‖W‖ now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public LayerNorms[] EpochNorms(int steps)
    {
        var result = new LayerNorms[_blocks.Length];
        ReadOnlySpan<T> parameters = _network.Parameters;
        for (int i = 0; i < result.Length; i++)
            result[i] = new LayerNorms(_layerIndex[i], _kinds[i], GradientNormSums[i] / Math.Max(1, steps), Math.Sqrt(LayerSums(parameters, i, out _)));
        return result;
    }

    /// <summary>The sum of squares over layer <paramref name="i"/>'s Weight blocks (all its blocks when it has none), and over all its blocks.</summary>
    private double LayerSums(ReadOnlySpan<T> values, int i, out double all) => LayerSums(values, default, i, out all, T.One);

    // The sums of values times scale, each product rounded as a scaling pass stores it: with scaled (the same span as
    // values) that pass runs in place, block by block, in the same pass as the sums; with scaled empty values is only
    // read (the same bits either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double LayerSums(ReadOnlySpan<T> values, Span<T> scaled, int i, out double all, T scale)
    {
        double weights = 0;
        all = 0;
        bool hasWeights = false;
        foreach (var block in _blocks[i])
        {
            double s = scale == T.One
                ? ParallelSpans.SumOfSquares<T>(values.Slice(block.Offset, block.Count), Threads)
                : scaled.IsEmpty
                    ? ParallelSpans.ScaledSumOfSquares<T>(scale, values.Slice(block.Offset, block.Count), Threads)
                    : ParallelSpans.ScaleThenSumOfSquares<T>(scale, scaled.Slice(block.Offset, block.Count), Threads);
            all += s;
            if (block.Role == ParameterRole.Weight)
            {
                weights += s;
                hasWeights = true;
            }
        }
        return hasWeights ? weights : all;
    }

    private TrainingDivergedException Diverged(int epoch, int batch, int i, string quantity)
        => i < 0
            ? new TrainingDivergedException(epoch, batch, _network.Info.Layers.Count - 1, _network.Info.Layers[^1].Kind, quantity)
            : new TrainingDivergedException(epoch, batch, _layerIndex[i], _kinds[i], quantity);
}
