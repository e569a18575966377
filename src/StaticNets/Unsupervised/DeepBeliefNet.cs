using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;

namespace StaticNets.Unsupervised;

/// <summary>
/// A deep belief net: a stack of RBMs, each modelling the hidden probabilities of the one below, pretrained greedily
/// layer by layer (Hinton, Osindero and Teh 2006), then unrolled into a generated network — a classifier whose first
/// layers take the RBMs' weights, or a deep autoencoder whose encoder takes <c>W</c> and decoder <c>Wᵀ</c> (Hinton and
/// Salakhutdinov 2006) — and fine-tuned there with backprop (<c>net.Fit</c>).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DeepBeliefNet<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Rbm<T>[] _rbms;

    /// <summary>Creates the stack for layer sizes <c>sizes[0]–sizes[1]–…</c>: RBM <c>l</c> joins <c>sizes[l]</c> visible and <c>sizes[l + 1]</c> hidden units.</summary>
    /// <param name="sizes">The input size, then each hidden layer's size; at least two sizes, each at least 1.</param>
    /// <param name="seed">Seeds every RBM's initial weights (each its own seed derived from this one).</param>
    /// <param name="visibleUnits">Visible units of the bottom RBM (the data); the RBMs above model probabilities and are Bernoulli.</param>
    /// <param name="topHiddenUnits">Hidden units of the top RBM: Gaussian for the linear code layer of a deep autoencoder; the layers below are Bernoulli.</param>
    /// <exception cref="ArgumentException">Fewer than two sizes, or an RBM the sizes and kinds describe is invalid.</exception>
    public DeepBeliefNet(ReadOnlySpan<int> sizes, int seed = 0, VisibleUnits visibleUnits = VisibleUnits.Bernoulli, HiddenUnits topHiddenUnits = HiddenUnits.Bernoulli)
    {
        if (sizes.Length < 2)
            throw new ArgumentException($"Expected at least two sizes (input and one hidden layer) but got {sizes.Length}.", nameof(sizes));
        var seeds = new SplitMix64(seed);
        _rbms = new Rbm<T>[sizes.Length - 1];
        for (int l = 0; l < _rbms.Length; l++)
        {
            _rbms[l] = new Rbm<T>(sizes[l], sizes[l + 1],
                l == 0 ? visibleUnits : VisibleUnits.Bernoulli,
                l == _rbms.Length - 1 ? topHiddenUnits : HiddenUnits.Bernoulli,
                unchecked((int)seeds.NextUInt64()));
        }
    }

    /// <summary>Stacks existing RBMs (for example loaded with <see cref="Rbm{T}.Load(string)"/>), bottom first.</summary>
    /// <param name="rbms">At least one RBM; each one's visible layer as large as the hidden layer of the one below.</param>
    /// <exception cref="ArgumentException">No RBMs, or two neighbours do not chain.</exception>
    public DeepBeliefNet(IEnumerable<Rbm<T>> rbms)
    {
        ArgumentNullException.ThrowIfNull(rbms);
        var list = new List<Rbm<T>>();
        foreach (var rbm in rbms)
        {
            ArgumentNullException.ThrowIfNull(rbm, nameof(rbms));
            if (list.Count > 0 && rbm.VisibleCount != list[^1].HiddenCount)
                throw new ArgumentException($"Expected RBM {list.Count} to have {list[^1].HiddenCount} visible units (the hidden units of RBM {list.Count - 1}) but it has {rbm.VisibleCount}.", nameof(rbms));
            list.Add(rbm);
        }
        if (list.Count == 0)
            throw new ArgumentException("Expected at least one RBM but got none.", nameof(rbms));
        _rbms = list.ToArray();
    }

    /// <summary>The RBMs, bottom (data side) first.</summary>
    public IReadOnlyList<Rbm<T>> Rbms => _rbms;

    /// <summary>Size of one input sample: the bottom RBM's visible units.</summary>
    public int InputSize => _rbms[0].VisibleCount;

    /// <summary>Size of the top features: the top RBM's hidden units.</summary>
    public int OutputSize => _rbms[^1].HiddenCount;

    /// <summary>
    /// Greedy layer-wise pretraining with the same options for every RBM, except that RBM <c>l</c> trains with seed
    /// <c>options.Seed + l</c> so that no two layers share their random draws.
    /// </summary>
    /// <param name="data">Training samples, row-major, <see cref="InputSize"/> values each.</param>
    /// <param name="options">The training options of every layer.</param>
    /// <returns>Each RBM's training history, bottom first.</returns>
    public IReadOnlyList<RbmHistory> Pretrain(ReadOnlySpan<T> data, RbmTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        return Pretrain(data, l => options with { Seed = unchecked(options.Seed + l) });
    }

    /// <summary>
    /// Greedy layer-wise pretraining: trains RBM 0 on <paramref name="data"/>, then each RBM above on the hidden probabilities
    /// <c>p(h | v)</c> of the trained RBM below over the whole data set. Deterministic for given options.
    /// </summary>
    /// <param name="data">Training samples, row-major, <see cref="InputSize"/> values each, at least one.</param>
    /// <param name="optionsForLayer">The options of RBM <c>l</c> (0 = bottom), asked once per layer before it trains.</param>
    /// <returns>Each RBM's training history, bottom first.</returns>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty or not a whole number of samples.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A layer's options are invalid; the message names the option.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public IReadOnlyList<RbmHistory> Pretrain(ReadOnlySpan<T> data, Func<int, RbmTrainingOptions> optionsForLayer)
    {
        ArgumentNullException.ThrowIfNull(optionsForLayer);
        int samples = Rbm<T>.Rows(data.Length, InputSize, nameof(data));
        if (samples == 0)
            throw new ArgumentException($"Expected at least one training sample of {InputSize} values but got none.", nameof(data));
        var histories = new RbmHistory[_rbms.Length];
        ReadOnlySpan<T> input = data;
        for (int l = 0; l < _rbms.Length; l++)
        {
            var options = optionsForLayer(l) ?? throw new ArgumentException($"Expected options for layer {l} but the callback returned null.", nameof(optionsForLayer));
            histories[l] = new RbmTrainer<T>(_rbms[l], options).Train(input);
            if (l + 1 < _rbms.Length)
            {
                var features = new T[(long)samples * _rbms[l].HiddenCount];
                _rbms[l].HiddenProbabilities(input, features);
                input = features;
            }
        }
        return histories;
    }

    /// <summary>Propagates samples up the whole stack with probabilities: the features the top RBM gives, <see cref="OutputSize"/> per sample.</summary>
    /// <param name="data">Samples, row-major, <see cref="InputSize"/> values each.</param>
    /// <returns>The top hidden probabilities (means for Gaussian units), row-major.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public T[] Transform(ReadOnlySpan<T> data)
    {
        int samples = Rbm<T>.Rows(data.Length, InputSize, nameof(data));
        T[] current = data.ToArray();
        foreach (var rbm in _rbms)
        {
            var next = new T[(long)samples * rbm.HiddenCount];
            rbm.HiddenProbabilities(current, next);
            current = next;
        }
        return current;
    }

    /// <summary>
    /// Generates samples: runs <paramref name="steps"/> steps of Gibbs sampling in the top RBM, then propagates its visible
    /// probabilities down through the RBMs below with <c>p(v | h)</c> (the directed, generative part of a DBN).
    /// </summary>
    /// <param name="visible">Receives <c>m × InputSize</c> generated visible probabilities.</param>
    /// <param name="steps">Gibbs steps in the top RBM, at least 0.</param>
    /// <param name="rng">The source of randomness.</param>
    /// <param name="start">Empty to start every chain from noise, or <c>m × InputSize</c> data vectors whose sampled
    /// representation at the top RBM's visible layer starts the chains (they mix faster from there).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    /// <exception cref="ArgumentException">A length is not a whole number of samples or the sample counts differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Sample(Span<T> visible, int steps, Random rng, ReadOnlySpan<T> start = default)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        int samples = Rbm<T>.Rows(visible.Length, InputSize, nameof(visible));
        if (!start.IsEmpty && start.Length != visible.Length)
            throw new ArgumentException($"Expected {visible.Length} start values ({samples} samples of {InputSize}) or none but got {start.Length}.", nameof(start));
        var top = _rbms[^1];
        var state = new T[(long)samples * top.VisibleCount];
        if (start.IsEmpty)
        {
            top.Sample(state, 0, rng);
        }
        else
        {
            T[] current = start.ToArray();
            for (int l = 0; l + 1 < _rbms.Length; l++)
            {
                var next = new T[(long)samples * _rbms[l].HiddenCount];
                _rbms[l].HiddenProbabilities(current, next);
                current = next;
            }
            current.CopyTo(state.AsSpan());
            if (_rbms.Length > 1)
                top.SampleVisible(state, state, rng);
        }
        var means = new T[state.Length];
        top.Gibbs(state, steps, rng, means);
        if (steps == 0)
            state.CopyTo(means.AsSpan());
        T[] below = means;
        for (int l = _rbms.Length - 2; l >= 0; l--)
        {
            var down = new T[(long)samples * _rbms[l].VisibleCount];
            _rbms[l].VisibleProbabilities(below, down);
            below = down;
        }
        below.AsSpan().CopyTo(visible);
    }

    /// <summary>
    /// Copies the RBMs into the first dense layers of <paramref name="network"/> (Dropout layers, which own no parameters, are
    /// skipped): dense layer <c>l</c> gets RBM <c>l</c>'s weights and hidden biases. Layers above keep their values (the
    /// classifier's output layer keeps its initialisation). The network is checked completely before anything is written.
    /// </summary>
    /// <param name="network">A network whose first <c>Rbms.Count</c> layers are dense with the RBMs' shapes and activations
    /// (sigmoid for Bernoulli hidden units, identity for Gaussian ones), e.g. <c>[Network(784, 500, 500, 2000, 10, Hidden = Activation.Sigmoid, Output = Activation.Softmax)]</c>.</param>
    /// <exception cref="ArgumentException">A layer does not match; the message names the layer with the expected and actual shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Unroll(INetwork<T> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var layers = DenseLayers(network, _rbms.Length, exact: false);
        for (int l = 0; l < _rbms.Length; l++)
            Check(network, layers[l], l, _rbms[l].VisibleCount, _rbms[l].HiddenCount, _rbms[l].HiddenActivation, $"the encoder of RBM {l}");
        using var edit = network.EditParameters();
        for (int l = 0; l < _rbms.Length; l++)
            CopyEncoder(_rbms[l], layers[l], edit.Span);
    }

    /// <summary>
    /// Unrolls the stack into a deep autoencoder with <c>2 · Rbms.Count</c> dense layers: encoder layer <c>l</c> gets RBM
    /// <c>l</c>'s <c>W</c> and hidden biases, and decoder layer <c>Rbms.Count + l</c> gets RBM <c>Rbms.Count − 1 − l</c>'s
    /// <c>Wᵀ</c> and visible biases — 784-1000-500-250-30 becomes 784-1000-500-250-30-250-500-1000-784. The network is checked
    /// completely before anything is written.
    /// </summary>
    /// <param name="network">A network of exactly <c>2 · Rbms.Count</c> dense layers (Dropout layers aside) with the mirrored
    /// shapes; encoder activations as in <see cref="Unroll"/>, decoder activations sigmoid for Bernoulli visible units and
    /// identity for Gaussian ones (so the code layer of a Gaussian top RBM is identity, and every other layer sigmoid).</param>
    /// <exception cref="ArgumentException">The layer count or a layer does not match; the message says what was expected and found.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UnrollAutoencoder(INetwork<T> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        int count = _rbms.Length;
        var layers = DenseLayers(network, 2 * count, exact: true);
        for (int l = 0; l < count; l++)
        {
            Check(network, layers[l], l, _rbms[l].VisibleCount, _rbms[l].HiddenCount, _rbms[l].HiddenActivation, $"the encoder of RBM {l}");
            var rbm = _rbms[count - 1 - l];
            Check(network, layers[count + l], count + l, rbm.HiddenCount, rbm.VisibleCount, rbm.VisibleActivation, $"the decoder of RBM {count - 1 - l}");
        }
        using var edit = network.EditParameters();
        for (int l = 0; l < count; l++)
        {
            CopyEncoder(_rbms[l], layers[l], edit.Span);
            var rbm = _rbms[count - 1 - l];
            var decoder = layers[count + l];
            DenseKernels.Transpose<T>(rbm.Weights, edit.Span.Slice(decoder.Weights!.Offset, decoder.WeightCount), rbm.VisibleCount, rbm.HiddenCount);
            rbm.VisibleBias.CopyTo(edit.Span.Slice(decoder.Biases!.Offset, decoder.BiasCount));
        }
    }

    private static void CopyEncoder(Rbm<T> rbm, LayerInfo layer, Span<T> parameters)
    {
        rbm.Weights.CopyTo(parameters.Slice(layer.Weights!.Offset, layer.WeightCount));
        rbm.HiddenBias.CopyTo(parameters.Slice(layer.Biases!.Offset, layer.BiasCount));
    }

    /// <summary>The network's layers other than Dropout; at least (or, with <paramref name="exact"/>, exactly) <paramref name="needed"/> of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<LayerInfo> DenseLayers(INetwork<T> network, int needed, bool exact)
    {
        var layers = new List<LayerInfo>();
        foreach (var layer in network.Info.Layers)
        {
            if (layer.Kind != LayerKind.Dropout)
                layers.Add(layer);
        }
        if (exact ? layers.Count != needed : layers.Count < needed)
            throw new ArgumentException($"Expected {(exact ? "exactly" : "at least")} {needed} dense layers (Dropout aside) for {needed / (exact ? 2 : 1)} RBMs but {network.Info} has {layers.Count} layers.", nameof(network));
        return layers;
    }

    private static void Check(INetwork<T> network, LayerInfo layer, int index, int inputs, int outputs, Activation activation, string role)
    {
        bool dense = layer is DenseLayerInfo { HasBias: true, Steps: 1 };
        var weights = layer.Weights?.Shape;
        bool shapes = dense && weights is { Rank: 2 } && weights[0] == outputs && weights[1] == inputs;
        if (!shapes || layer.Activation != activation)
            throw new ArgumentException(
                $"Expected layer {index} of {network.Info} to be a dense layer {inputs} → {outputs} with bias (weight {outputs}×{inputs}, {activation}) to take {role}, " +
                $"but it is {layer.Kind} {layer}{(weights is null ? " without weights" : $" with weight {weights}")} and activation {layer.Activation}.", nameof(network));
    }
}
