using System;
using System.Numerics;
using System.Runtime.CompilerServices;

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
public abstract class OptimizerBase<T> : IOptimizer<T>, IOptimizerState<T>, IThreadedOptimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[] _state = Array.Empty<T>();
    private int _parameterCount;
    private ChunkedUpdate? _chunked;

    /// <inheritdoc />
    public abstract int StateSlots { get; }

    /// <inheritdoc />
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public ReadOnlySpan<T> State => _state;

    /// <inheritdoc />
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate)
    {
        BeginStep(parameters, gradient, learningRate);
        Update(parameters, gradient, learningRate, _state, StepCount);
    }

    /// <summary>
    /// The training loop's step: the built-in optimizers update chunk by chunk over the worker pool (each element as
    /// on one thread, so any thread count gives the same bits) and, while a chunk is in cache, zero its gradient and
    /// sum its new parameters' squares. An optimizer derived elsewhere runs its <see cref="Update"/> on the whole span.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    double IThreadedOptimizer<T>.Step(Span<T> parameters, Span<T> gradient, T learningRate, int threads, bool clearGradient, ReadOnlySpan<(int Offset, int Count)> segments, T gradientScale)
    {
        BeginStep(parameters, gradient, learningRate);
        if (!UpdatesElementwise)
        {
            // An optimizer derived elsewhere sees the scaled gradient, as it always did.
            if (gradientScale != T.One)
                Threading.ParallelSpans.Scale(gradientScale, gradient, threads);
            Update(parameters, gradient, learningRate, _state, StepCount);
            if (clearGradient)
                Threading.ParallelSpans.Clear(gradient, threads);
            return Threading.ParallelSpans.SumOfSquares<T>(parameters, threads);
        }
        BeginUpdate(learningRate, StepCount, parameters.Length);
        _chunked ??= new ChunkedUpdate(this);
        double squares = 0;
        foreach (var (offset, count) in segments)
            squares += _chunked.Run(parameters, gradient, _state, offset, count, learningRate, threads, clearGradient, gradientScale);
        return squares;
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

    /// <summary>
    /// True for the built-in optimizers, whose update of an element reads only that element's parameter, gradient and
    /// state (and per-step constants from <see cref="BeginUpdate"/>): then <see cref="UpdateRange"/> may run on any
    /// slice, on any thread.
    /// </summary>
    private protected virtual bool UpdatesElementwise => false;

    /// <summary>Computes the constants of step <paramref name="step"/> over <paramref name="length"/> parameters (bias corrections, say) once, before any range is updated.</summary>
    private protected virtual void BeginUpdate(T learningRate, long step, int length)
    {
    }

    /// <summary>
    /// Updates the elements <paramref name="offset"/> … <paramref name="offset"/> + <c>parameters.Length</c> − 1 of the
    /// whole span; <paramref name="slot0"/> and <paramref name="slot1"/> are the same elements of the first two state
    /// slots (empty where the optimizer has fewer). Each gradient is used times <paramref name="gradientScale"/>, the
    /// product rounded before the formula (× 1 is exact, so 1 leaves every bit as it was).
    /// </summary>
    private protected virtual void UpdateRange(Span<T> parameters, ReadOnlySpan<T> gradient, Span<T> slot0, Span<T> slot1, int offset, T learningRate, T gradientScale)
        => throw new NotSupportedException();

    /// <summary><see cref="Update"/> of an element-wise optimizer: its step's constants, then the whole span as one range.</summary>
    private protected void UpdateWhole(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate, Span<T> state, long step)
    {
        BeginUpdate(learningRate, step, parameters.Length);
        int n = parameters.Length;
        UpdateRange(parameters, gradient, Slot(state, 0, n), Slot(state, 1, n), 0, learningRate, T.One);
    }

    private Span<T> Slot(Span<T> state, int slot, int n) => slot < StateSlots ? state.Slice(slot * n, n) : Span<T>.Empty;

    // Checks the arguments, allocates the state on the first step, counts the step.
    private void BeginStep(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate)
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
    }

    /// <summary>Throws unless <paramref name="value"/> lies in [<paramref name="min"/>, <paramref name="max"/>) (or ≤ max when <paramref name="maxInclusive"/>).</summary>
    private protected static double InRange(double value, double min, double max, string paramName, bool maxInclusive = false)
    {
        bool ok = value >= min && (maxInclusive ? value <= max : value < max) && double.IsFinite(value);
        if (!ok)
            throw new ArgumentOutOfRangeException(paramName, value, $"Expected {paramName} in [{min}, {max}{(maxInclusive ? "]" : ")")} but got {value}.");
        return value;
    }

    /// <summary>
    /// One step of an element-wise optimizer as a reusable job for the worker pool, in <see cref="Threading.ParallelSpans"/>'
    /// chunks (their size depends on the length only): each chunk updates its elements, zeroes their gradient if asked
    /// and sums the new parameters' squares; the partial sums are added in chunk order. Running it allocates nothing.
    /// </summary>
    private sealed unsafe class ChunkedUpdate(OptimizerBase<T> owner) : Threading.IParallelJob
    {
        private T* _parameters, _gradient, _state;
        private double* _partials;
        private int _length, _offset, _chunkSize, _count;
        private T _learningRate, _gradientScale;
        private bool _clear;

        // Elements offset … offset + count − 1 of the whole span, in ParallelSpans' chunks of that segment.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double Run(Span<T> parameters, Span<T> gradient, T[] state, int offset, int count, T learningRate, int threads, bool clearGradient, T gradientScale)
        {
            if (offset < 0 || count < 0 || (long)offset + count > parameters.Length)
                throw new ArgumentOutOfRangeException(nameof(count), $"Expected a segment within the {parameters.Length} parameters but got {count} from {offset}.");
            if (count == 0)
                return 0;
            int chunks = Threading.ParallelSpans.Chunks(count);
            double* partials = stackalloc double[chunks];
            fixed (T* p = parameters, g = gradient, s = state)
            {
                _parameters = p;
                _gradient = g;
                _state = s;
                _partials = partials;
                _length = parameters.Length;
                _offset = offset;
                _count = count;
                _chunkSize = Threading.ParallelSpans.ChunkSize(count);
                _learningRate = learningRate;
                _gradientScale = gradientScale;
                _clear = clearGradient;
                try
                {
                    Threading.WorkerPool.Shared.Run(this, chunks, threads);
                }
                finally
                {
                    _parameters = _gradient = _state = null;
                    _partials = null;
                }
            }
            double sum = 0;
            for (int c = 0; c < chunks; c++)
                sum += partials[c];
            return sum;
        }

        public void Run(int chunk)
        {
            int start = _offset + chunk * _chunkSize, count = Math.Min(_chunkSize, _offset + _count - start);
            var parameters = new Span<T>(_parameters + start, count);
            var gradient = new Span<T>(_gradient + start, count);
            owner.UpdateRange(parameters, gradient, Slot(0, start, count), Slot(1, start, count), start, _learningRate, _gradientScale);
            if (_clear)
                gradient.Clear();
            _partials[chunk] = double.CreateTruncating(Kernels.VectorMath.SumOfSquares<T>(parameters));
        }

        private Span<T> Slot(int slot, int start, int count)
            => slot < owner.StateSlots ? new Span<T>(_state + (long)slot * _length + start, count) : Span<T>.Empty;
    }
}
