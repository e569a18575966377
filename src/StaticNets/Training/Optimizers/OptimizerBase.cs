using System;
using System.Numerics;

namespace StaticNets.Training;

/// <summary>
/// An optimizer whose state (velocities, moment estimates) can be read and restored, so that training can
/// stop and resume exactly where it was.
/// </summary>
public interface IOptimizerState<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Number of state values kept per parameter (0 for SGD, 1 for momentum and RMSProp, 2 for Adam).</summary>
    int StateSlots { get; }

    /// <summary>Steps taken since construction or <see cref="IOptimizer{T}.Reset"/>.</summary>
    long StepCount { get; }

    /// <summary>
    /// The state as one flat span: <see cref="StateSlots"/> blocks of one value per parameter, in the
    /// parameters' layout. Empty until the first step (or <see cref="LoadState"/>).
    /// </summary>
    ReadOnlySpan<T> State { get; }

    /// <summary>Restores state previously read from <see cref="State"/> and <see cref="StepCount"/>.</summary>
    /// <param name="state"><see cref="StateSlots"/> × parameter-count values.</param>
    /// <param name="stepCount">The step counter that went with it (Adam's bias correction needs it).</param>
    /// <exception cref="ArgumentException">The length is not a whole number of slots.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepCount"/> is negative.</exception>
    void LoadState(ReadOnlySpan<T> state, long stepCount);
}

/// <summary>
/// Shared plumbing of the built-in optimizers: state arrays allocated on the first step (or when the
/// parameter count changes), a step counter, argument checks. <see cref="Step"/> allocates nothing after
/// the first call.
/// </summary>
public abstract class OptimizerBase<T> : IOptimizer<T>, IOptimizerState<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[] _state = Array.Empty<T>();
    private int _parameterCount;

    /// <inheritdoc />
    public abstract int StateSlots { get; }

    /// <inheritdoc />
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public ReadOnlySpan<T> State => _state;

    /// <inheritdoc />
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate)
    {
        Guard.Length(gradient.Length, parameters.Length, nameof(gradient));
        if (!T.IsFinite(learningRate) || learningRate < T.Zero)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"Expected a finite learning rate ≥ 0 but got {learningRate}.");
        if (_parameterCount != parameters.Length || _state.Length != StateSlots * parameters.Length)
        {
            if (StepCount > 0 || _state.Length != 0)
                throw new ArgumentException($"Expected {_parameterCount} parameters, as in earlier steps, but got {parameters.Length}; call Reset() before using the optimizer on another network.", nameof(parameters));
            _parameterCount = parameters.Length;
            _state = new T[StateSlots * parameters.Length];
        }
        StepCount++;
        Update(parameters, gradient, learningRate, _state, StepCount);
    }

    /// <inheritdoc />
    public void Reset()
    {
        _state = Array.Empty<T>();
        _parameterCount = 0;
        StepCount = 0;
    }

    /// <inheritdoc />
    public void LoadState(ReadOnlySpan<T> state, long stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (StateSlots == 0)
        {
            if (!state.IsEmpty)
                throw new ArgumentException($"Expected no state values for {GetType().Name} but got {state.Length}.", nameof(state));
            StepCount = stepCount;
            return;
        }
        if (state.IsEmpty || state.Length % StateSlots != 0)
            throw new ArgumentException($"Expected a positive multiple of {StateSlots} state values but got {state.Length}.", nameof(state));
        _state = state.ToArray();
        _parameterCount = state.Length / StateSlots;
        StepCount = stepCount;
    }

    /// <summary>Applies one update; <paramref name="state"/> holds <see cref="StateSlots"/> blocks of <c>parameters.Length</c>.</summary>
    /// <param name="parameters">Updated in place.</param>
    /// <param name="gradient">The mean mini-batch gradient.</param>
    /// <param name="learningRate">η for this step.</param>
    /// <param name="state">This optimizer's state, updated in place.</param>
    /// <param name="step">1-based number of this step.</param>
    protected abstract void Update(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate, Span<T> state, long step);

    /// <summary>Throws unless <paramref name="value"/> lies in [<paramref name="min"/>, <paramref name="max"/>) (or ≤ max when <paramref name="maxInclusive"/>).</summary>
    private protected static double InRange(double value, double min, double max, string paramName, bool maxInclusive = false)
    {
        bool ok = value >= min && (maxInclusive ? value <= max : value < max) && double.IsFinite(value);
        if (!ok)
            throw new ArgumentOutOfRangeException(paramName, value, $"Expected {paramName} in [{min}, {max}{(maxInclusive ? "]" : ")")} but got {value}.");
        return value;
    }
}
