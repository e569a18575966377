using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticNets.Training;

// The built-in optimizers. Each update walks the spans in Vector<T> blocks and finishes the few remaining
// elements with the same formula in scalar form, so every element gets an identical update whatever the
// machine's vector width (no fused multiply-add, which would differ between the two paths) and wherever a
// range starts: the training loop updates in chunks over the worker pool (OptimizerBase.UpdateRange). Decaying
// state is flushed to zero below the smallest normal number (FlushToZero.cs says why).

/// <summary>
/// Momentum (the course's form): <c>v ← μ·v − η·g</c>, <c>θ ← θ + v</c>. State: one velocity per parameter.
/// </summary>
public sealed class Momentum<T> : OptimizerBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _mu;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="momentum">μ in [0, 1), the fraction of the velocity kept each step (default 0.9).</param>
    public Momentum(double momentum = 0.9) => _mu = T.CreateTruncating(InRange(momentum, 0, 1, nameof(momentum)));

    /// <inheritdoc />
    public override int StateSlots => 1;

    /// <inheritdoc />
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate, Span<T> state, long step)
        => UpdateWhole(parameters, gradient, learningRate, state, step);

    private protected override bool UpdatesElementwise => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void UpdateRange(Span<T> parameters, ReadOnlySpan<T> gradient, Span<T> state, Span<T> unused, int offset, T learningRate, T gradientScale)
    {
        int n = parameters.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var p = MemoryMarshal.Cast<T, Vector<T>>(parameters);
            var g = MemoryMarshal.Cast<T, Vector<T>>(gradient);
            var v = MemoryMarshal.Cast<T, Vector<T>>(state);
            Vector<T> mu = new(_mu), eta = new(learningRate), gs = new(gradientScale), tiny = new(FlushToZero<T>.Threshold);
            for (int k = 0; k < p.Length; k++)
            {
                v[k] = FlushToZero<T>.Apply(mu * v[k] - eta * (g[k] * gs), tiny);
                p[k] += v[k];
            }
            i = p.Length * Vector<T>.Count;
        }
        for (; i < n; i++)
        {
            state[i] = FlushToZero<T>.Apply(_mu * state[i] - learningRate * (gradient[i] * gradientScale), FlushToZero<T>.Threshold);
            parameters[i] += state[i];
        }
    }
}

/// <summary>
/// Nesterov momentum: <c>v ← μ·v − η·g</c>, <c>θ ← θ + μ·v − η·g</c> — the step taken from the look-ahead
/// point (Sutskever et al.'s reformulation, equivalent to PyTorch's <c>nesterov=True</c>). State: one velocity per parameter.
/// </summary>
public sealed class Nesterov<T> : OptimizerBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _mu;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="momentum">μ in [0, 1) (default 0.9).</param>
    public Nesterov(double momentum = 0.9) => _mu = T.CreateTruncating(InRange(momentum, 0, 1, nameof(momentum)));

    /// <inheritdoc />
    public override int StateSlots => 1;

    /// <inheritdoc />
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate, Span<T> state, long step)
        => UpdateWhole(parameters, gradient, learningRate, state, step);

    private protected override bool UpdatesElementwise => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void UpdateRange(Span<T> parameters, ReadOnlySpan<T> gradient, Span<T> state, Span<T> unused, int offset, T learningRate, T gradientScale)
    {
        int n = parameters.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var p = MemoryMarshal.Cast<T, Vector<T>>(parameters);
            var g = MemoryMarshal.Cast<T, Vector<T>>(gradient);
            var v = MemoryMarshal.Cast<T, Vector<T>>(state);
            Vector<T> mu = new(_mu), eta = new(learningRate), gs = new(gradientScale), tiny = new(FlushToZero<T>.Threshold);
            for (int k = 0; k < p.Length; k++)
            {
                Vector<T> step1 = eta * (g[k] * gs);
                v[k] = FlushToZero<T>.Apply(mu * v[k] - step1, tiny);
                p[k] += mu * v[k] - step1;
            }
            i = p.Length * Vector<T>.Count;
        }
        for (; i < n; i++)
        {
            T step1 = learningRate * (gradient[i] * gradientScale);
            state[i] = FlushToZero<T>.Apply(_mu * state[i] - step1, FlushToZero<T>.Threshold);
            parameters[i] += _mu * state[i] - step1;
        }
    }
}

/// <summary>
/// RMSProp: <c>s ← ρ·s + (1 − ρ)·g²</c>, <c>θ ← θ − η·g / (√s + ε)</c>. State: one mean square per parameter.
/// </summary>
public sealed class RmsProp<T> : OptimizerBase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _rho, _epsilon;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="rho">ρ in [0, 1), the decay of the running mean square (default 0.9).</param>
    /// <param name="epsilon">ε &gt; 0 added to the root mean square (default 1e-8).</param>
    public RmsProp(double rho = 0.9, double epsilon = 1e-8)
    {
        _rho = T.CreateTruncating(InRange(rho, 0, 1, nameof(rho)));
        _epsilon = T.CreateTruncating(InRange(epsilon, double.Epsilon, 1, nameof(epsilon), maxInclusive: true));
    }

    /// <inheritdoc />
    public override int StateSlots => 1;

    /// <inheritdoc />
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate, Span<T> state, long step)
        => UpdateWhole(parameters, gradient, learningRate, state, step);

    private protected override bool UpdatesElementwise => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void UpdateRange(Span<T> parameters, ReadOnlySpan<T> gradient, Span<T> state, Span<T> unused, int offset, T learningRate, T gradientScale)
    {
        int n = parameters.Length, i = 0;
        T oneMinusRho = T.One - _rho;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var p = MemoryMarshal.Cast<T, Vector<T>>(parameters);
            var g = MemoryMarshal.Cast<T, Vector<T>>(gradient);
            var s = MemoryMarshal.Cast<T, Vector<T>>(state);
            Vector<T> rho = new(_rho), rest = new(oneMinusRho), eta = new(learningRate), eps = new(_epsilon), gs = new(gradientScale), tiny = new(FlushToZero<T>.Threshold);
            for (int k = 0; k < p.Length; k++)
            {
                Vector<T> gk = g[k] * gs;
                s[k] = FlushToZero<T>.Apply(rho * s[k] + rest * (gk * gk), tiny);
                p[k] -= eta * gk / (Vector.SquareRoot(s[k]) + eps);
            }
            i = p.Length * Vector<T>.Count;
        }
        for (; i < n; i++)
        {
            T gi = gradient[i] * gradientScale;
            state[i] = FlushToZero<T>.Apply(_rho * state[i] + oneMinusRho * (gi * gi), FlushToZero<T>.Threshold);
            parameters[i] -= learningRate * gi / (T.Sqrt(state[i]) + _epsilon);
        }
    }
}

/// <summary>
/// Adam: <c>m ← β₁m + (1 − β₁)g</c>, <c>v ← β₂v + (1 − β₂)g²</c>, <c>θ ← θ − η·m̂ / (√v̂ + ε)</c> with the
/// bias-corrected <c>m̂ = m / (1 − β₁ᵗ)</c>, <c>v̂ = v / (1 − β₂ᵗ)</c>. With a weight decay λ it is AdamW:
/// each step first shrinks the weights by <c>θ ← θ − η·λ·θ</c> (decoupled weight decay, as PyTorch's
/// <c>AdamW</c>): only the <see cref="ParameterRole.Weight"/> blocks once bound to a network's blocks (the training
/// loop does it, see <see cref="IBlockAwareOptimizer"/>), every parameter when used unbound. State: m then v, one block each.
/// </summary>
public class Adam<T> : OptimizerBase<T>, IBlockAwareOptimizer where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly double _beta1, _beta2;
    private readonly T _epsilon, _weightDecay;
    private (int Offset, int Count)[]? _decayed;
    private T _alpha, _epsHat, _shrink;  // this step's, from BeginUpdate
    private int _length;                 // the whole span's: a bound block beyond it is not decayed

    /// <summary>Creates the optimizer.</summary>
    /// <param name="beta1">β₁ in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂ in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε &gt; 0 (default 1e-8).</param>
    public Adam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : this(beta1, beta2, epsilon, 0)
    {
    }

    /// <summary>For <see cref="AdamW{T}"/>: Adam plus decoupled weight decay.</summary>
    private protected Adam(double beta1, double beta2, double epsilon, double weightDecay)
    {
        _beta1 = InRange(beta1, 0, 1, nameof(beta1));
        _beta2 = InRange(beta2, 0, 1, nameof(beta2));
        _epsilon = T.CreateTruncating(InRange(epsilon, double.Epsilon, 1, nameof(epsilon), maxInclusive: true));
        _weightDecay = T.CreateTruncating(InRange(weightDecay, 0, 1, nameof(weightDecay), maxInclusive: true));
    }

    /// <inheritdoc />
    public override int StateSlots => 2;

    /// <summary>Limits the decoupled weight decay to the trainable <see cref="ParameterRole.Weight"/> blocks of <paramref name="info"/> (biases are not decayed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BindBlocks(NetworkInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var ranges = new System.Collections.Generic.List<(int, int)>();
        foreach (var layer in info.Layers)
        {
            foreach (var block in layer.Blocks)
            {
                if (block.Role == ParameterRole.Weight && block.Trainable)
                    ranges.Add((block.Offset, block.Count));
            }
        }
        _decayed = ranges.ToArray();
    }

    /// <inheritdoc />
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate, Span<T> state, long step)
        => UpdateWhole(parameters, gradient, learningRate, state, step);

    private protected override bool UpdatesElementwise => true;

    private protected override void BeginUpdate(T learningRate, long step, int length)
    {
        _length = length;
        // The bias corrections fold into the step size and ε: η·m̂/(√v̂ + ε) = α·m/(√v + ε̂) with
        // α = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and ε̂ = ε·√(1 − β₂ᵗ).
        double correction1 = 1 - Math.Pow(_beta1, step), correction2 = Math.Sqrt(1 - Math.Pow(_beta2, step));
        _alpha = T.CreateTruncating(double.CreateTruncating(learningRate) * correction2 / correction1);
        _epsHat = _epsilon * T.CreateTruncating(correction2);
        _shrink = T.One - learningRate * _weightDecay;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void UpdateRange(Span<T> parameters, ReadOnlySpan<T> gradient, Span<T> mState, Span<T> vState, int offset, T learningRate, T gradientScale)
    {
        int n = parameters.Length, i = 0;
        T b1 = T.CreateTruncating(_beta1), b2 = T.CreateTruncating(_beta2);
        T c1 = T.One - b1, c2 = T.One - b2;
        T alpha = _alpha, epsHat = _epsHat, shrink = _shrink;
        bool decay = _weightDecay != T.Zero;
        if (decay && _decayed is not null)
        {
            // Bound to blocks: shrink the weights of this range first (the same rounding as the fused form), then a plain Adam step.
            foreach (var (blockOffset, count) in _decayed)
            {
                if (blockOffset + count > _length)
                    continue;
                int start = Math.Max(blockOffset, offset), end = Math.Min(blockOffset + count, offset + n);
                if (start < end)
                    Kernels.VectorMath.Scale(shrink, parameters.Slice(start - offset, end - start));
            }
            decay = false;
        }
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var p = MemoryMarshal.Cast<T, Vector<T>>(parameters);
            var g = MemoryMarshal.Cast<T, Vector<T>>(gradient);
            var m = MemoryMarshal.Cast<T, Vector<T>>(mState);
            var v = MemoryMarshal.Cast<T, Vector<T>>(vState);
            Vector<T> vb1 = new(b1), vb2 = new(b2), vc1 = new(c1), vc2 = new(c2), va = new(alpha), ve = new(epsHat), vs = new(shrink), gs = new(gradientScale), tiny = new(FlushToZero<T>.Threshold);
            for (int k = 0; k < p.Length; k++)
            {
                Vector<T> gk = g[k] * gs;
                m[k] = FlushToZero<T>.Apply(vb1 * m[k] + vc1 * gk, tiny);
                v[k] = FlushToZero<T>.Apply(vb2 * v[k] + vc2 * (gk * gk), tiny);
                Vector<T> pk = decay ? p[k] * vs : p[k];
                p[k] = pk - va * m[k] / (Vector.SquareRoot(v[k]) + ve);
            }
            i = p.Length * Vector<T>.Count;
        }
        for (; i < n; i++)
        {
            T gi = gradient[i] * gradientScale;
            mState[i] = FlushToZero<T>.Apply(b1 * mState[i] + c1 * gi, FlushToZero<T>.Threshold);
            vState[i] = FlushToZero<T>.Apply(b2 * vState[i] + c2 * (gi * gi), FlushToZero<T>.Threshold);
            T pi = decay ? parameters[i] * shrink : parameters[i];
            parameters[i] = pi - alpha * mState[i] / (T.Sqrt(vState[i]) + epsHat);
        }
    }
}

/// <summary>
/// AdamW: <see cref="Adam{T}"/> with decoupled weight decay — every step first multiplies each parameter
/// by <c>1 − η·λ</c>, then takes the Adam step. Unlike an L2 term in the gradient, the decay is not
/// rescaled by Adam's per-parameter step sizes.
/// </summary>
public sealed class AdamW<T> : Adam<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="weightDecay">λ in [0, 1] (default 0.01, as PyTorch).</param>
    /// <param name="beta1">β₁ in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂ in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε &gt; 0 (default 1e-8).</param>
    public AdamW(double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : base(beta1, beta2, epsilon, weightDecay)
    {
    }
}
