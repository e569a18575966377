using System;

namespace StaticNets.Training;

/// <summary>
/// η as a function of training progress. <see cref="Rate"/> receives the 0-based optimizer step and the
/// epoch position at that step (epochs completed, fractional: 2.5 is half-way through the third epoch), so
/// a schedule may decay per epoch or smoothly per step.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the step about to be taken.</summary>
    /// <param name="step">0-based optimizer step since training began.</param>
    /// <param name="epoch">Epochs completed when this step starts (≥ 0, fractional within an epoch).</param>
    public abstract double Rate(long step, double epoch);

    /// <summary>A constant η.</summary>
    public static LearningRateSchedule Constant(double rate) => new ConstantSchedule(rate);

    /// <summary>η₀·factor^⌊epoch / every⌋: multiply by <paramref name="factor"/> every <paramref name="everyEpochs"/> epochs.</summary>
    public static LearningRateSchedule StepDecay(double initial, double factor, int everyEpochs) => new StepDecaySchedule(initial, factor, everyEpochs);

    /// <summary>η₀·γ^⌊epoch⌋: multiply by <paramref name="gamma"/> after every epoch.</summary>
    public static LearningRateSchedule Exponential(double initial, double gamma) => new ExponentialSchedule(initial, gamma);

    /// <summary>Cosine annealing from η₀ to <paramref name="minimum"/> over <paramref name="epochs"/> epochs, smoothly per step; <paramref name="minimum"/> afterwards.</summary>
    public static LearningRateSchedule Cosine(double initial, int epochs, double minimum = 0) => new CosineSchedule(initial, epochs, minimum);

    /// <summary>Scales this schedule linearly from 1/<paramref name="steps"/> up to 1 over the first <paramref name="steps"/> steps, then follows it unchanged.</summary>
    public LearningRateSchedule WithWarmup(long steps) => new LinearWarmupSchedule(this, steps);

    /// <summary>Checks that <paramref name="value"/> is a positive, finite rate.</summary>
    private protected static double PositiveRate(double value, string paramName)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(paramName, value, $"Expected a positive, finite learning rate but got {value}.");
        return value;
    }

    /// <summary>Checks that <paramref name="value"/> lies in (0, 1].</summary>
    private protected static double Fraction(double value, string paramName)
    {
        if (!(value > 0 && value <= 1))
            throw new ArgumentOutOfRangeException(paramName, value, $"Expected a factor in (0, 1] but got {value}.");
        return value;
    }
}

/// <summary>η(t) = η.</summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    private readonly double _rate;

    /// <summary>Creates the schedule.</summary>
    /// <param name="rate">η &gt; 0.</param>
    public ConstantSchedule(double rate) => _rate = PositiveRate(rate, nameof(rate));

    /// <inheritdoc />
    public override double Rate(long step, double epoch) => _rate;

    /// <inheritdoc />
    public override string ToString() => $"constant {_rate}";
}

/// <summary>η = η₀·factor^⌊epoch / every⌋ (Keras' staircase decay, PyTorch's <c>StepLR</c>).</summary>
public sealed class StepDecaySchedule : LearningRateSchedule
{
    private readonly double _initial, _factor;
    private readonly int _every;

    /// <summary>Creates the schedule.</summary>
    /// <param name="initial">η₀ &gt; 0.</param>
    /// <param name="factor">Multiplier in (0, 1] applied every <paramref name="everyEpochs"/> epochs.</param>
    /// <param name="everyEpochs">Epochs between decays, ≥ 1.</param>
    public StepDecaySchedule(double initial, double factor, int everyEpochs)
    {
        _initial = PositiveRate(initial, nameof(initial));
        _factor = Fraction(factor, nameof(factor));
        Guard.Positive(everyEpochs, nameof(everyEpochs));
        _every = everyEpochs;
    }

    /// <inheritdoc />
    public override double Rate(long step, double epoch) => _initial * Math.Pow(_factor, Math.Floor(Math.Max(0, epoch) / _every));

    /// <inheritdoc />
    public override string ToString() => $"step decay {_initial} × {_factor} every {_every} epoch(s)";
}

/// <summary>η = η₀·γ^⌊epoch⌋ (PyTorch's <c>ExponentialLR</c>, stepped once per epoch).</summary>
public sealed class ExponentialSchedule : LearningRateSchedule
{
    private readonly double _initial, _gamma;

    /// <summary>Creates the schedule.</summary>
    /// <param name="initial">η₀ &gt; 0.</param>
    /// <param name="gamma">γ in (0, 1].</param>
    public ExponentialSchedule(double initial, double gamma)
    {
        _initial = PositiveRate(initial, nameof(initial));
        _gamma = Fraction(gamma, nameof(gamma));
    }

    /// <inheritdoc />
    public override double Rate(long step, double epoch) => _initial * Math.Pow(_gamma, Math.Floor(Math.Max(0, epoch)));

    /// <inheritdoc />
    public override string ToString() => $"exponential {_initial} × {_gamma}^epoch";
}

/// <summary>η = η_min + ½(η₀ − η_min)(1 + cos(π·epoch / E)) for epoch ≤ E, η_min afterwards (SGDR without restarts).</summary>
public sealed class CosineSchedule : LearningRateSchedule
{
    private readonly double _initial, _minimum;
    private readonly int _epochs;

    /// <summary>Creates the schedule.</summary>
    /// <param name="initial">η₀ &gt; 0.</param>
    /// <param name="epochs">E ≥ 1, the length of the anneal.</param>
    /// <param name="minimum">η_min in [0, η₀].</param>
    public CosineSchedule(double initial, int epochs, double minimum = 0)
    {
        _initial = PositiveRate(initial, nameof(initial));
        Guard.Positive(epochs, nameof(epochs));
        if (!(minimum >= 0 && minimum <= initial))
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"Expected a minimum in [0, {initial}] but got {minimum}.");
        _epochs = epochs;
        _minimum = minimum;
    }

    /// <inheritdoc />
    public override double Rate(long step, double epoch)
    {
        double progress = Math.Clamp(epoch / _epochs, 0, 1);
        return _minimum + 0.5 * (_initial - _minimum) * (1 + Math.Cos(Math.PI * progress));
    }

    /// <inheritdoc />
    public override string ToString() => $"cosine {_initial} → {_minimum} over {_epochs} epoch(s)";
}

/// <summary>Linear warm-up: η = inner(t)·min(1, (t + 1)/W) for the 0-based step t, so the first step uses inner/W.</summary>
public sealed class LinearWarmupSchedule : LearningRateSchedule
{
    private readonly LearningRateSchedule _inner;
    private readonly long _steps;

    /// <summary>Creates the schedule.</summary>
    /// <param name="inner">The schedule followed after warm-up.</param>
    /// <param name="steps">W ≥ 1 warm-up steps.</param>
    public LinearWarmupSchedule(LearningRateSchedule inner, long steps)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        _steps = steps;
    }

    /// <inheritdoc />
    public override double Rate(long step, double epoch)
        => _inner.Rate(step, epoch) * Math.Min(1.0, (double)(Math.Max(0, step) + 1) / _steps);

    /// <inheritdoc />
    public override string ToString() => $"{_inner} after {_steps} warm-up step(s)";
}
