using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;

namespace StaticNets.Unsupervised;

/// <summary>
/// Trains an <see cref="Rbm{T}"/> by contrastive divergence (CD-k) or persistent CD, with momentum, weight decay and a
/// sparsity penalty (<see cref="RbmTrainingOptions"/>). All scratch memory is allocated by the constructor, so
/// <see cref="Step"/> allocates nothing.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>One update on a batch <c>v⁰</c> of <c>m</c> samples (Hinton's practical guide, §3): the positive phase computes
/// <c>p(h | v⁰)</c> and samples binary states <c>h⁰</c> from it; <c>h⁰</c> (or, for PCD, the persistent chain's hidden state)
/// drives <c>k</c> steps of Gibbs sampling to <c>vᵏ</c>, whose hidden probabilities are <c>p(h | vᵏ)</c>. The weight update is
/// <c>ΔW = μ ΔW + η (⟨p(h|v⁰) v⁰ᵀ⟩ − ⟨p(h|vᵏ) vᵏᵀ⟩ − λ W)</c>, with averages over the batch; probabilities, not states, enter
/// the statistics. Both products are <see cref="DenseKernels.AccumulateGradientBatch{T}"/>, the dense layers' weight-gradient GEMM.</para>
/// <para>Deterministic: for a seed, the same data and options give bit-identical parameters. Monitoring (free energy,
/// pseudo-likelihood) draws from its own generator, so turning it on or off does not change the training.</para>
/// </remarks>
public sealed class RbmTrainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Rbm<T> _rbm;
    private readonly int _visible, _hidden, _capacity;
    private readonly SplitMix64 _rng;
    private readonly SplitMix64 _monitorRng;

    // Per batch slot: data copy, p(h|v⁰), sampled driving states, reconstruction vᵏ, p(h|vᵏ), v⁰ − vᵏ, persistent chains.
    private readonly T[] _v0, _h0, _hs, _vk, _hk, _diff, _chain;
    private readonly T[] _gradW, _gradHidden, _gradVisible;
    private readonly T[] _velocityW, _velocityHidden, _velocityVisible;
    // Sparsity: running mean activation q, this batch's mean, the batch's summed visible vector.
    private readonly T[] _q, _qBatch, _visibleSum;
    private readonly T[] _energies, _flippedEnergies;
    private bool _chainStarted, _qStarted;

    /// <summary>Creates a trainer for <paramref name="rbm"/> and allocates everything its updates need.</summary>
    /// <param name="rbm">The RBM whose parameters the trainer updates.</param>
    /// <param name="options">The training options; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public RbmTrainer(Rbm<T> rbm, RbmTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rbm);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        _rbm = rbm;
        Options = options;
        _visible = rbm.VisibleCount;
        _hidden = rbm.HiddenCount;
        _capacity = options.BatchSize;
        _rng = new SplitMix64(options.Seed);
        _monitorRng = new SplitMix64(unchecked((ulong)options.Seed ^ 0x6D6F6E69746F72UL));
        int bv = checked(_capacity * _visible), bh = checked(_capacity * _hidden);
        _v0 = new T[bv];
        _vk = new T[bv];
        _diff = new T[bv];
        _h0 = new T[bh];
        _hs = new T[bh];
        _hk = new T[bh];
        _chain = options.Persistent ? new T[bh] : Array.Empty<T>();
        _gradW = new T[rbm.Weights.Length];
        _velocityW = new T[rbm.Weights.Length];
        _gradHidden = new T[_hidden];
        _velocityHidden = new T[_hidden];
        _gradVisible = new T[_visible];
        _velocityVisible = new T[_visible];
        bool sparse = options.SparsityCost > 0;
        _q = sparse ? new T[_hidden] : Array.Empty<T>();
        _qBatch = sparse ? new T[_hidden] : Array.Empty<T>();
        _visibleSum = sparse ? new T[_visible] : Array.Empty<T>();
        _energies = new T[_capacity];
        _flippedEnergies = new T[_capacity];
    }

    /// <summary>The RBM being trained.</summary>
    public Rbm<T> Rbm => _rbm;

    /// <summary>The options the trainer was created with.</summary>
    public RbmTrainingOptions Options { get; }

    /// <summary>Epochs completed by <see cref="Train"/> so far; decides the momentum of the next updates.</summary>
    public int CompletedEpochs { get; private set; }

    /// <summary>The momentum the next update uses: <see cref="RbmTrainingOptions.InitialMomentum"/> until <see cref="RbmTrainingOptions.MomentumSwitchEpoch"/> epochs have completed, then <see cref="RbmTrainingOptions.Momentum"/>.</summary>
    public double CurrentMomentum => CompletedEpochs < Options.MomentumSwitchEpoch ? Options.InitialMomentum : Options.Momentum;

    /// <summary>
    /// One CD-k (or PCD) update on a mini-batch; allocates nothing. Returns the batch's summed squared reconstruction error
    /// <c>Σ_s Σ_i (v⁰_si − v̂_si)²</c>, measured before the update: <c>v̂ = vᵏ</c> for CD; for PCD, whose <c>vᵏ</c> belongs to
    /// the persistent chains, the one-step reconstruction <c>p(v | h⁰)</c> (one more <c>h·W</c> product per step).
    /// </summary>
    /// <param name="batch">1 to <see cref="RbmTrainingOptions.BatchSize"/> samples, row-major; must not be a span of this trainer.</param>
    /// <exception cref="ArgumentException"><paramref name="batch"/> is not a whole number of samples or holds none or too many.</exception>
    public T Step(ReadOnlySpan<T> batch)
    {
        int m = Rbm<T>.Rows(batch.Length, _visible, nameof(batch));
        if (m < 1 || m > _capacity)
            throw new ArgumentException($"Expected 1 to {_capacity} samples of {_visible} values (the batch size) but got {m}.", nameof(batch));
        return StepUnchecked(batch, m);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private T StepUnchecked(ReadOnlySpan<T> v0, int m)
    {
        var rbm = _rbm;
        int nv = m * _visible, nh = m * _hidden;
        var h0 = _h0.AsSpan(0, nh);
        var hs = _hs.AsSpan(0, nh);
        var vk = _vk.AsSpan(0, nv);
        var hk = _hk.AsSpan(0, nh);

        // Positive phase: probabilities for the statistics, sampled states to drive the chain.
        int threads = Options.Threads;
        rbm.HiddenMeans(v0, h0, threads);
        rbm.SampleHidden(h0, hs, _rng);
        Span<T> driver = hs;
        if (Options.Persistent)
        {
            if (!_chainStarted)
            {
                // Each chain starts at the hidden state of a training sample (cycling if the first batch is short).
                for (int slot = 0; slot < _capacity; slot++)
                    hs.Slice(slot % m * _hidden, _hidden).CopyTo(_chain.AsSpan(slot * _hidden, _hidden));
                _chainStarted = true;
            }
            driver = _chain.AsSpan(0, nh);
        }

        // Negative phase: k steps of Gibbs sampling. Intermediate states are sampled; the last reconstruction stays a
        // probability unless asked otherwise or a persistent chain continues from it (a chain stepped through
        // probabilities would no longer sample the model), and the last hidden sample only continues a persistent chain.
        int k = Options.GibbsSteps;
        bool sampleLast = Options.SampleVisibleStates || Options.Persistent;
        for (int t = 1; t <= k; t++)
        {
            rbm.VisibleMeans(driver, vk, threads);
            if (t < k || sampleLast)
                rbm.SampleVisible(vk, vk, _rng);
            rbm.HiddenMeans(vk, hk, threads);
            if (t < k || Options.Persistent)
                rbm.SampleHidden(hk, driver, _rng);
        }

        // Statistics: ⟨h⁰ v⁰ᵀ⟩ − ⟨hᵏ vᵏᵀ⟩ through the dense weight-gradient GEMM, the second with negated probabilities.
        var gradW = _gradW.AsSpan();
        var gradHidden = _gradHidden.AsSpan();
        var gradVisible = _gradVisible.AsSpan();
        gradW.Clear();
        gradHidden.Clear();
        DenseKernels.AccumulateGradientBatch<T>(h0, v0, gradW, gradHidden, _visible, _hidden, threads);
        VectorMath.Scale(-T.One, hk);
        DenseKernels.AccumulateGradientBatch<T>(hk, vk, gradW, gradHidden, _visible, _hidden, threads);
        var diff = _diff.AsSpan(0, nv);
        VectorMath.Subtract(v0, vk, diff);
        gradVisible.Clear();
        for (int s = 0; s < nv; s += _visible)
            VectorMath.AddInPlace(gradVisible, diff.Slice(s, _visible));
        T error;
        if (Options.Persistent)
        {
            // vᵏ belongs to the persistent chains, not to this batch: reconstruct the batch from h⁰ for the report.
            rbm.VisibleMeans(hs, diff);
            VectorMath.Subtract(v0, diff, diff);
            error = VectorMath.SumOfSquares<T>(diff);
        }
        else
        {
            error = VectorMath.SumOfSquares<T>(diff);
        }

        if (Options.SparsityCost > 0)
            AddSparsityGradient(v0, h0, m);

        // Momentum update: velocity ← μ velocity + η (gradient / m − λ W); parameters += velocity.
        T momentum = T.CreateChecked(CurrentMomentum);
        T rate = T.CreateChecked(Options.LearningRate);
        T scale = rate / T.CreateChecked(m);
        var weights = rbm.Weights;
        Update(_velocityW, gradW, momentum, scale);
        if (Options.WeightDecay > 0)
            VectorMath.Axpy(-rate * T.CreateChecked(Options.WeightDecay), weights, _velocityW);
        VectorMath.AddInPlace(weights, _velocityW);
        Update(_velocityHidden, gradHidden, momentum, scale);
        VectorMath.AddInPlace(rbm.HiddenBias, _velocityHidden);
        Update(_velocityVisible, gradVisible, momentum, scale);
        VectorMath.AddInPlace(rbm.VisibleBias, _velocityVisible);
        return error;
    }

    private static void Update(Span<T> velocity, ReadOnlySpan<T> gradient, T momentum, T scale)
    {
        VectorMath.Scale(momentum, velocity);
        VectorMath.Axpy(scale, gradient, velocity);
    }

    // The guide's §11: the gradient of the cross-entropy between the target p and the running mean q of each hidden unit
    // with respect to its total input is q − p; it is applied to the bias and, through the batch's visible vectors, the weights.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddSparsityGradient(ReadOnlySpan<T> v0, ReadOnlySpan<T> h0, int m)
    {
        var qBatch = _qBatch.AsSpan();
        qBatch.Clear();
        for (int s = 0; s < m; s++)
            VectorMath.AddInPlace(qBatch, h0.Slice(s * _hidden, _hidden));
        VectorMath.Scale(T.One / T.CreateChecked(m), qBatch);
        var q = _q.AsSpan();
        if (!_qStarted)
        {
            qBatch.CopyTo(q);
            _qStarted = true;
        }
        else
        {
            T decay = T.CreateChecked(Options.SparsityDecay);
            VectorMath.Scale(decay, q);
            VectorMath.Axpy(T.One - decay, qBatch, q);
        }
        var visibleSum = _visibleSum.AsSpan();
        visibleSum.Clear();
        for (int s = 0; s < m; s++)
            VectorMath.AddInPlace(visibleSum, v0.Slice(s * _visible, _visible));
        T cost = T.CreateChecked(Options.SparsityCost), target = T.CreateChecked(Options.SparsityTarget), samples = T.CreateChecked(m);
        var gradW = _gradW.AsSpan();
        for (int j = 0; j < _hidden; j++)
        {
            T penalty = cost * (q[j] - target);
            _gradHidden[j] -= samples * penalty;
            VectorMath.Axpy(-penalty, visibleSum, gradW.Slice(j * _visible, _visible));
        }
    }

    /// <summary>
    /// Trains for <see cref="RbmTrainingOptions.Epochs"/> epochs of shuffled mini-batches over <paramref name="data"/> and
    /// reports each epoch (<see cref="RbmTrainingOptions.OnEpoch"/>): reconstruction error, mean free energy of training and
    /// validation samples, pseudo-log-likelihood. Allocates the shuffle order and the monitored subset once per call.
    /// </summary>
    /// <param name="data">Training samples, row-major, at least one.</param>
    /// <param name="validation">Optional validation samples (row-major) for the free-energy gap; empty for none.</param>
    /// <exception cref="ArgumentException">A span is not a whole number of samples, or <paramref name="data"/> is empty.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public RbmHistory Train(ReadOnlySpan<T> data, ReadOnlySpan<T> validation = default)
    {
        int count = Rbm<T>.Rows(data.Length, _visible, nameof(data));
        if (count == 0)
            throw new ArgumentException($"Expected at least one training sample of {_visible} values but got none.", nameof(data));
        int validationCount = Rbm<T>.Rows(validation.Length, _visible, nameof(validation));

        var order = new int[count];
        Shuffle.Identity(order);
        int monitored = Math.Min(Options.MonitorSamples, count);
        T[] monitorData = new T[monitored * _visible];
        if (monitored > 0)
        {
            // A fixed random subset, so that epochs are compared on the same samples whatever the data's order.
            int[] pick = Shuffle.Permutation(count, new SplitMix64(unchecked(Options.Seed * 31 + 17)));
            for (int s = 0; s < monitored; s++)
                data.Slice(pick[s] * _visible, _visible).CopyTo(monitorData.AsSpan(s * _visible, _visible));
        }
        var validationData = validation.Slice(0, Math.Min(Options.MonitorSamples, validationCount) * _visible);

        int batches = (count + _capacity - 1) / _capacity;
        var epochs = new List<RbmEpochMetrics>(Options.Epochs);
        var clock = new Stopwatch();
        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            Options.CancellationToken.ThrowIfCancellationRequested();
            clock.Restart();
            double momentum = CurrentMomentum;
            if (Options.Shuffle)
                Shuffle.FisherYates(order.AsSpan(), _rng);
            double error = 0;
            for (int b = 0; b < batches; b++)
            {
                Options.CancellationToken.ThrowIfCancellationRequested();
                int start = b * _capacity, m = Math.Min(_capacity, count - start);
                var batch = _v0.AsSpan(0, m * _visible);
                for (int s = 0; s < m; s++)
                    data.Slice(order[start + s] * _visible, _visible).CopyTo(batch.Slice(s * _visible, _visible));
                error += double.CreateChecked(StepUnchecked(batch, m));
                Options.OnBatch?.Invoke(new RbmBatch(epoch, b + 1, batches));
            }
            CompletedEpochs++;
            double? freeEnergy = monitored > 0 ? MeanFreeEnergy(monitorData) : null;
            double? validationEnergy = validationData.IsEmpty ? null : MeanFreeEnergy(validationData);
            double? pll = monitored > 0 && Options.PseudoLikelihood && _rbm.VisibleUnits == VisibleUnits.Bernoulli ? PseudoLogLikelihood(monitorData) : null;
            var metrics = new RbmEpochMetrics(epoch, error / count, freeEnergy, validationEnergy, pll, momentum, clock.Elapsed);
            epochs.Add(metrics);
            Options.OnEpoch?.Invoke(metrics);
        }
        return new RbmHistory(epochs);
    }

    /// <summary>Mean free energy of the samples in <paramref name="samples"/>, in chunks of the batch size through the trainer's scratch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double MeanFreeEnergy(ReadOnlySpan<T> samples)
    {
        int count = samples.Length / _visible;
        double total = 0;
        for (int s = 0; s < count; s += _capacity)
        {
            int m = Math.Min(_capacity, count - s);
            var energies = _energies.AsSpan(0, m);
            _rbm.FreeEnergies(samples.Slice(s * _visible, m * _visible), energies, _hk.AsSpan(0, m * _hidden));
            total += double.CreateChecked(VectorMath.Sum<T>(energies));
        }
        return total / count;
    }

    /// <summary>
    /// The stochastic pseudo-log-likelihood: for each sample one random component <c>i</c> is flipped (<c>1 − v_i</c>) and
    /// <c>n · log p(v_i | v_−i) = n · log σ(F(ṽ) − F(v))</c> estimates <c>Σ_i log p(v_i | v_−i)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double PseudoLogLikelihood(ReadOnlySpan<T> samples)
    {
        int count = samples.Length / _visible;
        double total = 0;
        for (int s = 0; s < count; s += _capacity)
        {
            int m = Math.Min(_capacity, count - s);
            var rows = samples.Slice(s * _visible, m * _visible);
            var flipped = _vk.AsSpan(0, m * _visible);
            rows.CopyTo(flipped);
            for (int r = 0; r < m; r++)
            {
                int i = r * _visible + _monitorRng.Next(_visible);
                flipped[i] = T.One - flipped[i];
            }
            var energies = _energies.AsSpan(0, m);
            var flippedEnergies = _flippedEnergies.AsSpan(0, m);
            _rbm.FreeEnergies(rows, energies, _hk.AsSpan(0, m * _hidden));
            _rbm.FreeEnergies(flipped, flippedEnergies, _hk.AsSpan(0, m * _hidden));
            for (int r = 0; r < m; r++)
            {
                // log σ(x) = −softplus(−x), stable for either sign.
                double x = double.CreateChecked(flippedEnergies[r] - energies[r]);
                total -= Math.Max(-x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            }
        }
        return _visible * total / count;
    }
}
