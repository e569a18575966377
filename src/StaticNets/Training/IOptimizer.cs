using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets.Training;

/// <summary>
/// Updates a flat parameter span from a gradient of the same layout. Implementations keep their state
/// (velocities, moments) in arrays allocated once, so <see cref="Step"/> allocates nothing.
/// </summary>
public interface IOptimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Applies one update. <paramref name="gradient"/> is the mean gradient of the mini-batch.</summary>
    /// <param name="parameters">The network's parameters, updated in place.</param>
    /// <param name="gradient">∂C/∂θ averaged over the mini-batch, same length as <paramref name="parameters"/>.</param>
    /// <param name="learningRate">η for this step (schedules change it between steps).</param>
    void Step(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate);

    /// <summary>Forgets accumulated state, as before the first step.</summary>
    void Reset();
}

/// <summary>Plain stochastic gradient descent, the course's rule: θ ← θ − η·∇C. It keeps no state but a step counter.</summary>
public sealed class Sgd<T> : IOptimizer<T>, IOptimizerState<T>, IThreadedOptimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public int StateSlots => 0;

    /// <inheritdoc />
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public ReadOnlySpan<T> State => ReadOnlySpan<T>.Empty;

    /// <inheritdoc />
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradient, T learningRate)
    {
        Guard.Length(gradient.Length, parameters.Length, nameof(gradient));
        Threading.ParallelSpans.Axpy(-learningRate, gradient, parameters, 1);
        StepCount++;
    }

    /// <summary>The same step, its update split over up to <paramref name="threads"/> threads (each parameter updated as on one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    double IThreadedOptimizer<T>.Step(Span<T> parameters, Span<T> gradient, T learningRate, int threads, bool clearGradient, ReadOnlySpan<(int Offset, int Count)> segments, T gradientScale)
    {
        Guard.Length(gradient.Length, parameters.Length, nameof(gradient));
        double squares = 0;
        foreach (var (offset, count) in segments)
            squares += Update(parameters.Slice(offset, count), gradient.Slice(offset, count), learningRate, threads, clearGradient, gradientScale);
        StepCount++;
        return squares;
    }

    private static double Update(Span<T> parameters, Span<T> gradient, T learningRate, int threads, bool clearGradient, T gradientScale)
        => clearGradient
            ? Threading.ParallelSpans.AxpyClearThenSumOfSquares(-learningRate, gradient, parameters, threads, gradientScale)
            : Threading.ParallelSpans.AxpyThenSumOfSquares(-learningRate, gradient, parameters, threads, gradientScale);

    /// <inheritdoc />
    public void Reset() => StepCount = 0;

    /// <inheritdoc />
    public void LoadState(ReadOnlySpan<T> state, long stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (!state.IsEmpty)
            throw new ArgumentException($"Expected no state values for Sgd but got {state.Length}.", nameof(state));
        StepCount = stepCount;
    }
}

/// <summary>
/// An optimizer whose update depends on what each parameter is for — <see cref="AdamW{T}"/>'s decoupled weight decay
/// shrinks the <see cref="ParameterRole.Weight"/> blocks only. The training loop calls <see cref="BindBlocks"/> once per
/// run, before the first step; an optimizer that was never bound treats every parameter of the span alike.
/// </summary>
public interface IBlockAwareOptimizer
{
    /// <summary>Records the parameter blocks of <paramref name="info"/>, whose flat span later steps receive.</summary>
    void BindBlocks(NetworkInfo info);
}

/// <summary>An optimizer whose update can be split over the worker pool, element by element, with the same result.</summary>
internal interface IThreadedOptimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// <see cref="IOptimizer{T}.Step"/> on up to <paramref name="threads"/> threads; returns Σ θ² of the updated
    /// parameters, taken in the same pass (not finite when a parameter is not), so the training loop need not read them
    /// all again to check them. With <paramref name="clearGradient"/> the gradient is zeroed as it is consumed, ready
    /// for the next step's accumulation; otherwise it is left as it was. <paramref name="segments"/> (in order, covering
    /// the span) are split over the threads one by one, so that each thread updates the
    /// same share of every parameter block as it computed the gradient of, and the memory stays in its core's cache.
    /// The step uses <c>gradient[i]·gradientScale</c> (rounded, then the update's own formula: the same bits as scaling
    /// the gradient in a pass of its own first), so the training loop's 1/m costs no pass over memory; with
    /// <paramref name="clearGradient"/> false the gradient is left unscaled.
    /// </summary>
    double Step(Span<T> parameters, Span<T> gradient, T learningRate, int threads, bool clearGradient, ReadOnlySpan<(int Offset, int Count)> segments, T gradientScale);

    /// <summary>The step on the gradient as it is (a scale of 1).</summary>
    double Step(Span<T> parameters, Span<T> gradient, T learningRate, int threads, bool clearGradient, ReadOnlySpan<(int Offset, int Count)> segments)
        => Step(parameters, gradient, learningRate, threads, clearGradient, segments, T.One);
}
