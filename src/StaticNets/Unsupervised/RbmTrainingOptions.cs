using System;
using System.Collections.Generic;
using System.Threading;

namespace StaticNets.Unsupervised;

/// <summary>
/// How <see cref="RbmTrainer{T}"/> trains an RBM: contrastive divergence (CD-k) or persistent CD on shuffled mini-batches,
/// with momentum, L2 weight decay and a sparsity target. The defaults are those of Hinton's "A Practical Guide to
/// Training Restricted Boltzmann Machines" (2010) for binary data.
/// </summary>
public sealed record RbmTrainingOptions
{
    /// <summary>Passes over the training data (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per mini-batch (default 100, the guide's §3); the last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Learning rate for the mean gradient of a batch (default 0.1; the guide suggests 0.001 for Gaussian visible units).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Momentum of the first <see cref="MomentumSwitchEpoch"/> epochs (default 0.5, the guide's §9).</summary>
    public double InitialMomentum { get; init; } = 0.5;

    /// <summary>Momentum from epoch <see cref="MomentumSwitchEpoch"/> + 1 on (default 0.9).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Epochs run with <see cref="InitialMomentum"/> before switching to <see cref="Momentum"/> (default 5).</summary>
    public int MomentumSwitchEpoch { get; init; } = 5;

    /// <summary>L2 weight-decay coefficient on the weights, not the biases (default 0.0002, the guide's §10).</summary>
    public double WeightDecay { get; init; } = 0.0002;

    /// <summary>Gibbs steps of the negative phase, the k of CD-k (default 1).</summary>
    public int GibbsSteps { get; init; } = 1;

    /// <summary>
    /// Persistent contrastive divergence (Tieleman 2008): the negative phase continues one persistent chain per batch slot
    /// from where the previous update left it instead of restarting at the data (default false).
    /// </summary>
    public bool Persistent { get; init; }

    /// <summary>
    /// Whether the last visible reconstruction of the negative phase is sampled rather than left as probabilities
    /// (default false). Probabilities (the guide's §3) give less noisy statistics; sampled states make the negative statistics
    /// an unbiased estimate of the model's expectation as <see cref="GibbsSteps"/> grows. Earlier steps always sample, and so
    /// does the last one of <see cref="Persistent"/> training, whose chains continue from it.
    /// </summary>
    public bool SampleVisibleStates { get; init; }

    /// <summary>Target mean activation of each hidden unit, in (0, 1); used when <see cref="SparsityCost"/> is positive (default 0.05).</summary>
    public double SparsityTarget { get; init; } = 0.05;

    /// <summary>
    /// Weight of the sparsity penalty (default 0, off): the cross-entropy between <see cref="SparsityTarget"/> and each hidden
    /// unit's running mean activation <c>q</c>, whose gradient <c>q − target</c> (the guide's §11) is subtracted from the
    /// hidden bias and, times the batch's mean visible vector, from the unit's weights.
    /// </summary>
    public double SparsityCost { get; init; }

    /// <summary>Decay of the running mean activation <c>q ← λ q + (1 − λ) q_batch</c> (default 0.95).</summary>
    public double SparsityDecay { get; init; } = 0.95;

    /// <summary>Seed of the shuffling, the Gibbs sampling and the monitoring draws; equal seeds give bit-identical training.</summary>
    public int Seed { get; init; }

    /// <summary>Whether the data is shuffled before every epoch (default true).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Threads the products of one CD step may use (default <see cref="Parallelism.DefaultThreads"/>): they split by rows
    /// over StaticNets' worker pool, so any value gives bit-identical training.
    /// </summary>
    public int Threads { get; init; } = Parallelism.DefaultThreads;

    /// <summary>
    /// How many training samples (a fixed random subset) and validation samples (the first ones) the per-epoch free energy and
    /// pseudo-log-likelihood are measured on (default 1000; 0 turns both off).
    /// </summary>
    public int MonitorSamples { get; init; } = 1000;

    /// <summary>Whether each epoch reports the pseudo-log-likelihood (Bernoulli visible units only; default true).</summary>
    public bool PseudoLikelihood { get; init; } = true;

    /// <summary>Called after every mini-batch (for progress bars).</summary>
    public Action<RbmBatch>? OnBatch { get; init; }

    /// <summary>Called after every epoch with its metrics.</summary>
    public Action<RbmEpochMetrics>? OnEpoch { get; init; }

    /// <summary>Stops training between mini-batches; the RBM keeps the updates made so far.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (parameter <paramref name="paramName"/>) naming the first invalid option, with the expected and actual values.</summary>
    internal void Validate(string paramName)
    {
        static void Fail(string paramName, string option, string expected, object actual)
            => throw new ArgumentOutOfRangeException(paramName, actual, $"Expected {nameof(RbmTrainingOptions)}.{option} {expected} but got {actual}.");

        if (Epochs < 0)
            Fail(paramName, nameof(Epochs), "≥ 0", Epochs);
        if (BatchSize < 1)
            Fail(paramName, nameof(BatchSize), "≥ 1", BatchSize);
        if (Threads < 1)
            Fail(paramName, nameof(Threads), "≥ 1", Threads);
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            Fail(paramName, nameof(LearningRate), "finite and > 0", LearningRate);
        if (!(InitialMomentum >= 0 && InitialMomentum < 1))
            Fail(paramName, nameof(InitialMomentum), "in [0, 1)", InitialMomentum);
        if (!(Momentum >= 0 && Momentum < 1))
            Fail(paramName, nameof(Momentum), "in [0, 1)", Momentum);
        if (MomentumSwitchEpoch < 0)
            Fail(paramName, nameof(MomentumSwitchEpoch), "≥ 0", MomentumSwitchEpoch);
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            Fail(paramName, nameof(WeightDecay), "finite and ≥ 0", WeightDecay);
        if (GibbsSteps < 1)
            Fail(paramName, nameof(GibbsSteps), "≥ 1", GibbsSteps);
        if (!(SparsityTarget > 0 && SparsityTarget < 1))
            Fail(paramName, nameof(SparsityTarget), "in (0, 1)", SparsityTarget);
        if (!(SparsityCost >= 0) || double.IsInfinity(SparsityCost))
            Fail(paramName, nameof(SparsityCost), "finite and ≥ 0", SparsityCost);
        if (!(SparsityDecay >= 0 && SparsityDecay < 1))
            Fail(paramName, nameof(SparsityDecay), "in [0, 1)", SparsityDecay);
        if (MonitorSamples < 0)
            Fail(paramName, nameof(MonitorSamples), "≥ 0", MonitorSamples);
    }
}

/// <summary>Progress within an epoch, for <see cref="RbmTrainingOptions.OnBatch"/>.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">1-based mini-batch within the epoch.</param>
/// <param name="BatchesPerEpoch">Mini-batches per epoch.</param>
public readonly record struct RbmBatch(int Epoch, int Batch, int BatchesPerEpoch);

/// <summary>What one epoch of RBM training measured.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="ReconstructionError">Mean over the epoch's samples of <c>Σ_i (v_i − v̂_i)²</c>, the squared distance between a
/// batch and its reconstruction by the negative phase (taken before each update). Easy to read, but not what CD optimises (the guide's §5).</param>
/// <param name="FreeEnergy">Mean free energy of the monitored training samples after the epoch; null when monitoring is off.</param>
/// <param name="ValidationFreeEnergy">Mean free energy of as many validation samples; its gap to <paramref name="FreeEnergy"/> growing means overfitting (the guide's §6). Null without validation data.</param>
/// <param name="PseudoLogLikelihood">Stochastic pseudo-log-likelihood per sample, <c>n · log σ(F(ṽ) − F(v))</c> with one random bit of
/// each monitored training sample flipped in <c>ṽ</c> (meaningful for binary data); null for Gaussian visible units or when off.</param>
/// <param name="Momentum">The momentum the epoch used.</param>
/// <param name="Elapsed">Wall time of the epoch, monitoring included.</param>
public sealed record RbmEpochMetrics(int Epoch, double ReconstructionError, double? FreeEnergy, double? ValidationFreeEnergy, double? PseudoLogLikelihood, double Momentum, TimeSpan Elapsed);

/// <summary>The metrics of every epoch of one <see cref="RbmTrainer{T}.Train"/> call.</summary>
/// <param name="Epochs">One entry per epoch, in order.</param>
public sealed record RbmHistory(IReadOnlyList<RbmEpochMetrics> Epochs);
