using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;

namespace StaticNets.Unsupervised;

/// <summary>
/// A restricted Boltzmann machine: a layer of visible units and a layer of hidden units joined by symmetric weights,
/// with no connections inside a layer, so each layer is conditionally independent given the other. Bernoulli or
/// Gaussian visible units, Bernoulli or Gaussian hidden units (not both Gaussian).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para><b>Energy.</b> With weights <c>W</c> (<see cref="HiddenCount"/> × <see cref="VisibleCount"/>), visible bias <c>a</c> and
/// hidden bias <c>b</c>: <c>E(v, h) = −a·v − b·h − hᵀWv</c> for Bernoulli units; a Gaussian visible layer replaces <c>−a·v</c> by
/// <c>Σ_i (v_i − a_i)²/2</c>, a Gaussian hidden layer adds <c>Σ_j h_j²/2</c> (unit variances, not learned).</para>
/// <para><b>Layout.</b> <see cref="Weights"/> is row-major <c>[hidden, visible]</c>, PyTorch's <c>[out, in]</c>: row <c>j</c> holds the
/// weights into hidden unit <c>j</c>, exactly the weight block of a dense layer from the visible to the hidden layer, so an RBM
/// unrolls into a dense layer by copying <see cref="Weights"/> and <see cref="HiddenBias"/>. <see cref="Parameters"/> is
/// <see cref="Weights"/>, then <see cref="HiddenBias"/>, then <see cref="VisibleBias"/>, contiguous.</para>
/// <para><b>Batches.</b> Every method taking visible or hidden values takes a whole number of samples, row-major. The products
/// <c>v·Wᵀ</c> and <c>h·W</c> run on the dense layers' batched kernels (<see cref="DenseKernels.ForwardBatch{T}(System.ReadOnlySpan{T}, System.ReadOnlySpan{T}, System.ReadOnlySpan{T}, System.Span{T}, int, int, int)"/>,
/// <see cref="DenseKernels.BackwardInputBatch{T}"/>). Train with <see cref="RbmTrainer{T}"/>.</para>
/// </remarks>
public sealed partial class Rbm<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _parameters;
    private readonly int _weightCount;

    /// <summary>Creates an RBM and initialises it from <paramref name="seed"/> (see <see cref="Initialize"/>).</summary>
    /// <param name="visible">Number of visible units, at least 1.</param>
    /// <param name="hidden">Number of hidden units, at least 1.</param>
    /// <param name="visibleUnits">The kind of the visible units.</param>
    /// <param name="hiddenUnits">The kind of the hidden units.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1 or a unit kind is undefined.</exception>
    /// <exception cref="ArgumentException">Both layers are Gaussian, or the parameters would not fit in one array.</exception>
    public Rbm(int visible, int hidden, VisibleUnits visibleUnits = VisibleUnits.Bernoulli, HiddenUnits hiddenUnits = HiddenUnits.Bernoulli, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(visible, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        if (!Enum.IsDefined(visibleUnits))
            throw new ArgumentOutOfRangeException(nameof(visibleUnits), visibleUnits, $"Expected {VisibleUnits.Bernoulli} or {VisibleUnits.Gaussian} but got {(int)visibleUnits}.");
        if (!Enum.IsDefined(hiddenUnits))
            throw new ArgumentOutOfRangeException(nameof(hiddenUnits), hiddenUnits, $"Expected {HiddenUnits.Bernoulli} or {HiddenUnits.Gaussian} but got {(int)hiddenUnits}.");
        if (visibleUnits == VisibleUnits.Gaussian && hiddenUnits == HiddenUnits.Gaussian)
            throw new ArgumentException("Expected Bernoulli hidden units with Gaussian visible units (or Bernoulli visible units with Gaussian hidden units) but got both Gaussian, whose energy is unbounded below.", nameof(hiddenUnits));
        long count = (long)visible * hidden + visible + hidden;
        if (count > Array.MaxLength)
            throw new ArgumentException($"Expected at most {Array.MaxLength} parameters but {visible} visible × {hidden} hidden units need {count}.", nameof(hidden));
        VisibleCount = visible;
        HiddenCount = hidden;
        VisibleUnits = visibleUnits;
        HiddenUnits = hiddenUnits;
        _weightCount = visible * hidden;
        _parameters = new T[count];
        Initialize(seed);
    }

    /// <summary>Number of visible units.</summary>
    public int VisibleCount { get; }

    /// <summary>Number of hidden units.</summary>
    public int HiddenCount { get; }

    /// <summary>The kind of the visible units.</summary>
    public VisibleUnits VisibleUnits { get; }

    /// <summary>The kind of the hidden units.</summary>
    public HiddenUnits HiddenUnits { get; }

    /// <summary>The activation of the dense layer this RBM unrolls into: sigmoid for Bernoulli hidden units, identity for Gaussian ones.</summary>
    public Activation HiddenActivation => HiddenUnits == HiddenUnits.Bernoulli ? Activation.Sigmoid : Activation.Identity;

    /// <summary>The activation of the decoder layer of an unrolled autoencoder (<c>h·W</c> + visible bias): sigmoid for Bernoulli visible units, identity for Gaussian ones.</summary>
    public Activation VisibleActivation => VisibleUnits == VisibleUnits.Bernoulli ? Activation.Sigmoid : Activation.Identity;

    /// <summary>All parameters: <see cref="Weights"/>, <see cref="HiddenBias"/>, <see cref="VisibleBias"/>, contiguous.</summary>
    public ReadOnlySpan<T> Parameters => _parameters;

    /// <summary>The weights, <see cref="HiddenCount"/> rows of <see cref="VisibleCount"/>: <c>Weights[j·visible + i]</c> joins visible unit <c>i</c> and hidden unit <c>j</c>. Writable.</summary>
    public Span<T> Weights => _parameters.AsSpan(0, _weightCount);

    /// <summary>The hidden biases <c>b</c>, <see cref="HiddenCount"/> of them. Writable.</summary>
    public Span<T> HiddenBias => _parameters.AsSpan(_weightCount, HiddenCount);

    /// <summary>The visible biases <c>a</c>, <see cref="VisibleCount"/> of them. Writable.</summary>
    public Span<T> VisibleBias => _parameters.AsSpan(_weightCount + HiddenCount, VisibleCount);

    /// <summary>The weights and hidden biases: the parameter span of the dense layer visible → hidden.</summary>
    internal ReadOnlySpan<T> DenseParameters => _parameters.AsSpan(0, _weightCount + HiddenCount);

    /// <summary>Re-initialises the weights from N(0, 0.01²) (Hinton's practical guide, §8) and sets both biases to zero.</summary>
    /// <param name="seed">Equal seeds give bit-identical weights.</param>
    public void Initialize(int seed)
    {
        var weights = Weights;
        weights.Clear();
        RbmSampling.AddGaussianNoise(weights, new SplitMix64(seed));
        VectorMath.Scale(T.CreateChecked(0.01), weights);
        _parameters.AsSpan(_weightCount).Clear();
    }

    /// <summary>
    /// Sets the visible biases from training data, as the practical guide (§8) suggests: <c>log(p_i / (1 − p_i))</c> for
    /// Bernoulli units, where <c>p_i</c> is the mean of component <c>i</c> clamped to [0.001, 0.999]; the mean itself for Gaussian units.
    /// </summary>
    /// <param name="data">Training samples, row-major, at least one.</param>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty or not a whole number of rows of <see cref="VisibleCount"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InitializeVisibleBias(ReadOnlySpan<T> data)
    {
        int samples = Rows(data.Length, VisibleCount, nameof(data));
        if (samples == 0)
            throw new ArgumentException($"Expected at least one sample of {VisibleCount} values but got none.", nameof(data));
        var bias = VisibleBias;
        bias.Clear();
        for (int s = 0; s < samples; s++)
            VectorMath.AddInPlace(bias, data.Slice(s * VisibleCount, VisibleCount));
        VectorMath.Scale(T.One / T.CreateChecked(samples), bias);
        if (VisibleUnits == VisibleUnits.Gaussian)
            return;
        T low = T.CreateChecked(0.001), high = T.One - low;
        for (int i = 0; i < bias.Length; i++)
        {
            T p = T.Clamp(bias[i], low, high);
            bias[i] = T.Log(p / (T.One - p));
        }
    }

    /// <summary>
    /// Computes <c>p(h_j = 1 | v) = σ(b_j + Σ_i w_ji v_i)</c> for every sample (for Gaussian hidden units, the mean
    /// <c>b_j + Σ_i w_ji v_i</c>): the features an RBM gives the layer above, and the output of the unrolled dense layer.
    /// </summary>
    /// <param name="visible">Visible vectors, <c>m × VisibleCount</c>.</param>
    /// <param name="hidden">Receives <c>m × HiddenCount</c> values; must not overlap <paramref name="visible"/>.</param>
    /// <exception cref="ArgumentException">A length is not a whole number of samples, the sample counts differ, or the spans overlap.</exception>
    public void HiddenProbabilities(ReadOnlySpan<T> visible, Span<T> hidden)
    {
        int samples = Rows(visible.Length, VisibleCount, nameof(visible));
        Expect(hidden.Length, samples, HiddenCount, nameof(hidden));
        if (samples > 0)
            HiddenMeans(visible, hidden);
    }

    /// <summary>
    /// Computes <c>p(v_i = 1 | h) = σ(a_i + Σ_j h_j w_ji)</c> for every sample (for Gaussian visible units, the mean
    /// <c>a_i + Σ_j h_j w_ji</c>): the reconstruction, and the output of the unrolled decoder layer.
    /// </summary>
    /// <param name="hidden">Hidden vectors, <c>m × HiddenCount</c>.</param>
    /// <param name="visible">Receives <c>m × VisibleCount</c> values; must not overlap <paramref name="hidden"/>.</param>
    /// <exception cref="ArgumentException">A length is not a whole number of samples, the sample counts differ, or the spans overlap.</exception>
    public void VisibleProbabilities(ReadOnlySpan<T> hidden, Span<T> visible)
    {
        int samples = Rows(hidden.Length, HiddenCount, nameof(hidden));
        Expect(visible.Length, samples, VisibleCount, nameof(visible));
        if (samples > 0)
            VisibleMeans(hidden, visible);
    }

    /// <summary>
    /// The free energy <c>F(v) = −log Σ_h e^(−E(v, h))</c> (an integral over <c>h</c> for Gaussian hidden units), so that
    /// <c>p(v) = e^(−F(v)) / Z</c>: <c>−a·v − Σ_j softplus(b_j + w_j·v)</c> for Bernoulli units.
    /// </summary>
    /// <param name="visible">One visible vector of <see cref="VisibleCount"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="visible"/> has another length.</exception>
    public T FreeEnergy(ReadOnlySpan<T> visible)
    {
        Expect(visible.Length, 1, VisibleCount, nameof(visible));
        Span<T> energy = stackalloc T[1];
        T[] scratch = ArrayPool<T>.Shared.Rent(HiddenCount);
        try
        {
            FreeEnergies(visible, energy, scratch.AsSpan(0, HiddenCount));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
        return energy[0];
    }

    /// <summary>The free energy of every sample (see <see cref="FreeEnergy"/>).</summary>
    /// <param name="visible">Visible vectors, <c>m × VisibleCount</c>.</param>
    /// <param name="energies">Receives the <c>m</c> free energies.</param>
    /// <exception cref="ArgumentException">A length is not a whole number of samples or the sample counts differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FreeEnergies(ReadOnlySpan<T> visible, Span<T> energies)
    {
        int samples = Rows(visible.Length, VisibleCount, nameof(visible));
        Expect(energies.Length, samples, 1, nameof(energies));
        int chunk = Math.Max(1, Math.Min(samples, 256));
        T[] scratch = ArrayPool<T>.Shared.Rent(chunk * HiddenCount);
        try
        {
            for (int s = 0; s < samples; s += chunk)
            {
                int m = Math.Min(chunk, samples - s);
                FreeEnergies(visible.Slice(s * VisibleCount, m * VisibleCount), energies.Slice(s, m), scratch.AsSpan(0, m * HiddenCount));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Runs <paramref name="steps"/> steps of block Gibbs sampling from the given visible vectors, in place: each step samples
    /// <c>h ~ p(h | v)</c>, then <c>v ~ p(v | h)</c>. Every sample is an independent chain.
    /// </summary>
    /// <param name="visible">The chains' start states, <c>m × VisibleCount</c>; overwritten with their states after the last step.</param>
    /// <param name="steps">Number of steps, at least 0.</param>
    /// <param name="rng">The source of randomness; a <see cref="SplitMix64"/> makes the result reproducible.</param>
    /// <param name="means">Empty, or <c>m × VisibleCount</c> values receiving the last step's <c>p(v | h)</c> (the mean, less noisy
    /// than the sampled states, to display). Left untouched when <paramref name="steps"/> is 0.</param>
    /// <remarks>Rents its scratch memory from <see cref="ArrayPool{T}.Shared"/> for the call.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    /// <exception cref="ArgumentException">A length is not a whole number of samples or the sample counts differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Gibbs(Span<T> visible, int steps, Random rng, Span<T> means = default)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        int samples = Rows(visible.Length, VisibleCount, nameof(visible));
        if (!means.IsEmpty)
            Expect(means.Length, samples, VisibleCount, nameof(means));
        if (samples == 0 || steps == 0)
            return;
        T[] hidden = ArrayPool<T>.Shared.Rent(samples * HiddenCount);
        T[] mean = ArrayPool<T>.Shared.Rent(samples * VisibleCount);
        try
        {
            var h = hidden.AsSpan(0, samples * HiddenCount);
            var vm = mean.AsSpan(0, samples * VisibleCount);
            for (int t = 0; t < steps; t++)
            {
                HiddenMeans(visible, h);
                SampleHidden(h, h, rng);
                VisibleMeans(h, vm);
                SampleVisible(vm, visible, rng);
            }
            if (!means.IsEmpty)
                vm.CopyTo(means);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(hidden);
            ArrayPool<T>.Shared.Return(mean);
        }
    }

    /// <summary>
    /// Draws visible vectors from the model: starts every chain from noise (fair coin flips for Bernoulli units,
    /// <c>N(a, 1)</c> for Gaussian ones) and runs <see cref="Gibbs"/> for <paramref name="steps"/> steps.
    /// </summary>
    /// <param name="visible">Receives <c>m × VisibleCount</c> sampled states.</param>
    /// <param name="steps">Number of Gibbs steps, at least 0; the samples approach the model's distribution as it grows.</param>
    /// <param name="rng">The source of randomness.</param>
    /// <param name="means">Empty, or <c>m × VisibleCount</c> values receiving the last step's <c>p(v | h)</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    /// <exception cref="ArgumentException">A length is not a whole number of samples or the sample counts differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Sample(Span<T> visible, int steps, Random rng, Span<T> means = default)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        int samples = Rows(visible.Length, VisibleCount, nameof(visible));
        if (VisibleUnits == VisibleUnits.Bernoulli)
        {
            visible.Fill(T.CreateChecked(0.5));
            RbmSampling.Bernoulli<T>(visible, visible, rng);
        }
        else
        {
            for (int s = 0; s < samples; s++)
                VisibleBias.CopyTo(visible.Slice(s * VisibleCount, VisibleCount));
            RbmSampling.AddGaussianNoise(visible, rng);
        }
        Gibbs(visible, steps, rng, means);
    }

    // ---- Shape-checked by the callers -------------------------------------------------------------------------

    /// <summary>p(h | v) or E[h | v] of <c>m</c> samples into <paramref name="hidden"/> (<c>m × HiddenCount</c>).</summary>
    internal void HiddenMeans(ReadOnlySpan<T> visible, Span<T> hidden, int threads = 1)
    {
        DenseKernels.ForwardBatch<T>(Weights, HiddenBias, visible, hidden, VisibleCount, HiddenCount, threads);
        if (HiddenUnits == HiddenUnits.Bernoulli)
            ActivationKernels.Sigmoid<T>(hidden, hidden);
    }

    /// <summary>p(v | h) or E[v | h] of <c>m</c> samples into <paramref name="visible"/> (<c>m × VisibleCount</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void VisibleMeans(ReadOnlySpan<T> hidden, Span<T> visible, int threads = 1)
    {
        DenseKernels.BackwardInputBatch<T>(Weights, hidden, visible, VisibleCount, HiddenCount, threads);
        ReadOnlySpan<T> bias = VisibleBias;
        for (int s = 0; s < visible.Length; s += VisibleCount)
            VectorMath.AddInPlace(visible.Slice(s, VisibleCount), bias);
        if (VisibleUnits == VisibleUnits.Bernoulli)
            ActivationKernels.Sigmoid<T>(visible, visible);
    }

    /// <summary>Samples hidden states from their means (Bernoulli draws, or mean + N(0, 1)); may work in place.</summary>
    internal void SampleHidden(ReadOnlySpan<T> means, Span<T> states, Random rng)
    {
        if (HiddenUnits == HiddenUnits.Bernoulli)
        {
            RbmSampling.Bernoulli(means, states, rng);
        }
        else
        {
            means.CopyTo(states);
            RbmSampling.AddGaussianNoise(states, rng);
        }
    }

    /// <summary>Samples visible states from their means; may work in place.</summary>
    internal void SampleVisible(ReadOnlySpan<T> means, Span<T> states, Random rng)
    {
        if (VisibleUnits == VisibleUnits.Bernoulli)
        {
            RbmSampling.Bernoulli(means, states, rng);
        }
        else
        {
            means.CopyTo(states);
            RbmSampling.AddGaussianNoise(states, rng);
        }
    }

    /// <summary>Free energies of <c>m</c> samples, using <paramref name="scratch"/> (<c>m × HiddenCount</c>) for the hidden inputs. Allocation-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void FreeEnergies(ReadOnlySpan<T> visible, Span<T> energies, Span<T> scratch)
    {
        int v = VisibleCount, h = HiddenCount;
        if (energies.IsEmpty)
            return;
        DenseKernels.ForwardBatch<T>(Weights, HiddenBias, visible, scratch, v, h);
        ReadOnlySpan<T> a = VisibleBias;
        T half = T.CreateChecked(0.5);
        T biasSquares = VisibleUnits == VisibleUnits.Gaussian ? VectorMath.SumOfSquares(a) : T.Zero;
        // ∫ e^(x h − h²/2) dh = √(2π) e^(x²/2) for each Gaussian hidden unit.
        T gaussianConstant = T.CreateChecked(0.5 * h * Math.Log(2 * Math.PI));
        for (int s = 0; s < energies.Length; s++)
        {
            var x = scratch.Slice(s * h, h);
            var row = visible.Slice(s * v, v);
            T hiddenTerm;
            if (HiddenUnits == HiddenUnits.Bernoulli)
            {
                ActivationKernels.Softplus<T>(x, x);
                hiddenTerm = VectorMath.Sum<T>(x);
            }
            else
            {
                hiddenTerm = half * VectorMath.SumOfSquares<T>(x) + gaussianConstant;
            }
            T visibleTerm = VisibleUnits == VisibleUnits.Bernoulli
                ? -VectorMath.Dot(a, row)
                : half * (VectorMath.SumOfSquares(row) + biasSquares) - VectorMath.Dot(a, row);
            energies[s] = visibleTerm - hiddenTerm;
        }
    }

    /// <summary>The number of samples in <paramref name="length"/> values, or an exception naming the argument.</summary>
    internal static int Rows(int length, int rowSize, string paramName)
    {
        if (length % rowSize != 0)
            throw new ArgumentException($"Expected a whole number of samples of {rowSize} values but got {length} values ({length / rowSize} samples and {length % rowSize} left over).", paramName);
        return length / rowSize;
    }

    private static void Expect(int length, int samples, int rowSize, string paramName)
    {
        if (length != (long)samples * rowSize)
            throw new ArgumentException($"Expected {samples} × {rowSize} = {(long)samples * rowSize} values but got {length}.", paramName);
    }
}
