using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;

namespace StaticNets.Threading;

/// <summary>
/// The memory-bound passes of a training step over every parameter (zeroing and scaling the gradient, the
/// norms, the SGD update) split over the worker pool. Spans are cut into chunks whose size depends only on
/// the length, never on the threads, so a reduction adds the same partial sums in the same order on any
/// thread count, and an element-wise pass computes each element as on one thread.
/// </summary>
internal static unsafe class ParallelSpans
{
    // 16 Ki elements (64 KiB of float): big enough that claiming one (a compare-and-swap on the thread's own
    // ticket) costs a few per cent of its pass, small enough that the pool's contiguous ranges of a block's chunks
    // end within a few rows of where the products that wrote it split the block's rows, so each thread finds the
    // gradient it computed in its own cache.
    private const int ChunkElements = 1 << 14;

    // At most this many partial sums, on the stack.
    private const int MaxChunks = 256;

    private enum Operation : byte { Clear, Scale, Axpy, SumOfSquares, AxpySumOfSquares, AxpyClearSumOfSquares, ScaleSumOfSquares, ScaledSumOfSquares }

    private struct Job<T> where T : unmanaged
    {
        public T* X, Y;
        public double* Partials;
        public int Length, ChunkSize, Chunks;
        public T Alpha, Beta;
        public Operation Operation;
    }

    /// <summary>Zeroes <paramref name="x"/>.</summary>
    public static void Clear<T>(Span<T> x, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Chunks(x.Length) == 1 || threads == 1)
        {
            x.Clear();
            return;
        }
        fixed (T* px = x)
            Run(new Job<T> { X = px, Length = x.Length, Operation = Operation.Clear }, threads);
    }

    /// <summary><c>x[i] ← alpha·x[i]</c>.</summary>
    public static void Scale<T>(T alpha, Span<T> x, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Chunks(x.Length) == 1 || threads == 1)
        {
            VectorMath.Scale(alpha, x);
            return;
        }
        fixed (T* px = x)
            Run(new Job<T> { X = px, Length = x.Length, Alpha = alpha, Operation = Operation.Scale }, threads);
    }

    /// <summary><c>y[i] ← y[i] + alpha·x[i]</c>; <paramref name="x"/> and <paramref name="y"/> do not overlap.</summary>
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Chunks(x.Length) == 1 || threads == 1)
        {
            VectorMath.Axpy(alpha, x, y);
            return;
        }
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        KernelGuard.NoPartialOverlap(x, y, nameof(x), nameof(y));
        fixed (T* px = x, py = y)
            Run(new Job<T> { X = px, Y = py, Length = x.Length, Alpha = alpha, Operation = Operation.Axpy }, threads);
    }

    /// <summary><see cref="AxpyThenSumOfSquares{T}(T, ReadOnlySpan{T}, Span{T}, int, T)"/> with beta = 1: <c>y[i] ← y[i] + alpha·x[i]</c>.</summary>
    public static double AxpyThenSumOfSquares<T>(T alpha, ReadOnlySpan<T> x, Span<T> y, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => AxpyThenSumOfSquares(alpha, x, y, threads, T.One);

    /// <summary><see cref="AxpyClearThenSumOfSquares{T}(T, Span{T}, Span{T}, int, T)"/> with beta = 1.</summary>
    public static double AxpyClearThenSumOfSquares<T>(T alpha, Span<T> x, Span<T> y, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => AxpyClearThenSumOfSquares(alpha, x, y, threads, T.One);

    /// <summary>
    /// <c>y[i] ← y[i] + alpha·(x[i]·beta)</c>, then Σ y[i]² of the result, each chunk's sum taken while the chunk is
    /// still in cache: the SGD update and the finite check of the new parameters in one pass over memory instead of two.
    /// With <paramref name="beta"/> ≠ 1 the product x·beta is rounded first, so the bits are those of scaling x in a
    /// pass of its own before the update (<see cref="GradientKernels.ScaledAxpy{T}"/>); x is not written.
    /// </summary>
    public static double AxpyThenSumOfSquares<T>(T alpha, ReadOnlySpan<T> x, Span<T> y, int threads, T beta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        KernelGuard.NoPartialOverlap(x, y, nameof(x), nameof(y));
        fixed (T* px = x, py = y)
            return ThenSumOfSquares(new Job<T> { X = px, Y = py, Length = x.Length, Alpha = alpha, Beta = beta, Operation = Operation.AxpySumOfSquares }, threads);
    }

    /// <summary>
    /// <see cref="AxpyThenSumOfSquares{T}(T, ReadOnlySpan{T}, Span{T}, int, T)"/>, and <paramref name="x"/> zeroed once read: the SGD update also clears the
    /// gradient for the next step's accumulation, on lines it has just loaded, instead of a pass of its own.
    /// </summary>
    public static double AxpyClearThenSumOfSquares<T>(T alpha, Span<T> x, Span<T> y, int threads, T beta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        KernelGuard.NoOverlap(x, y, nameof(x), nameof(y));
        fixed (T* px = x, py = y)
            return ThenSumOfSquares(new Job<T> { X = px, Y = py, Length = x.Length, Alpha = alpha, Beta = beta, Operation = Operation.AxpyClearSumOfSquares }, threads);
    }

    /// <summary>
    /// <c>x[i] ← alpha·x[i]</c>, then Σ x[i]² of the result: the same bits as <see cref="Scale{T}"/> followed by
    /// <see cref="SumOfSquares{T}"/> (the same chunks, summed in the same order), in one pass over memory.
    /// </summary>
    public static double ScaleThenSumOfSquares<T>(T alpha, Span<T> x, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* px = x)
            return ThenSumOfSquares(new Job<T> { X = px, Length = x.Length, Alpha = alpha, Operation = Operation.ScaleSumOfSquares }, threads);
    }

    /// <summary>
    /// Σ (alpha·x[i])² as <see cref="ScaleThenSumOfSquares{T}"/> returns it — the same chunks, products and order, so
    /// the same bits — without writing <paramref name="x"/>: the training loop's norms when the update applies the
    /// scale itself, one pass that only reads.
    /// </summary>
    public static double ScaledSumOfSquares<T>(T alpha, ReadOnlySpan<T> x, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* px = x)
            return ThenSumOfSquares(new Job<T> { X = px, Length = x.Length, Alpha = alpha, Operation = Operation.ScaledSumOfSquares }, threads);
    }

    // An element-wise pass and the sum of squares of what it wrote, per chunk, the partial sums added in chunk order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ThenSumOfSquares<T>(Job<T> job, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int chunks = Chunks(job.Length);
        double* partials = stackalloc double[chunks];
        job.Partials = partials;
        if (chunks == 1 || threads == 1)
        {
            job.ChunkSize = ChunkSize(job.Length);
            for (int c = 0; c < chunks; c++)
                RunChunk<T>(Unsafe.AsPointer(ref job), c);
        }
        else
        {
            Run(job, threads);
        }
        double sum = 0;
        for (int c = 0; c < chunks; c++)
            sum += partials[c];
        return sum;
    }

    /// <summary>Σ x[i]², summed per chunk in <typeparamref name="T"/> and over chunks in double, in chunk order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquares<T>(ReadOnlySpan<T> x, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int chunks = Chunks(x.Length);
        if (chunks == 1)
            return double.CreateTruncating(VectorMath.SumOfSquares(x));
        double* partials = stackalloc double[chunks];
        fixed (T* px = x)
            Run(new Job<T> { X = px, Partials = partials, Length = x.Length, Operation = Operation.SumOfSquares }, threads);
        double sum = 0;
        for (int c = 0; c < chunks; c++)
            sum += partials[c];
        return sum;
    }

    /// <summary>Elements per chunk of a span of <paramref name="length"/> (the last chunk may be shorter): the length decides, never the threads.</summary>
    internal static int ChunkSize(int length) => Math.Max(ChunkElements, (length + MaxChunks - 1) / MaxChunks);

    /// <summary>Chunks a span of <paramref name="length"/> is cut into: at least 1, at most 256.</summary>
    internal static int Chunks(int length) => Math.Max(1, (length + ChunkSize(length) - 1) / ChunkSize(length));

    private static void Run<T>(Job<T> job, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        job.ChunkSize = ChunkSize(job.Length);
        job.Chunks = Chunks(job.Length);
        WorkerPool.Shared.Run(&RunChunk<T>, Unsafe.AsPointer(ref job), job.Chunks, threads);
    }

    private static void RunChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref Job<T> job = ref Unsafe.AsRef<Job<T>>(state);
        int start = chunk * job.ChunkSize, count = Math.Min(job.ChunkSize, job.Length - start);
        var x = new Span<T>(job.X + start, count);
        switch (job.Operation)
        {
            case Operation.Clear:
                x.Clear();
                break;
            case Operation.Scale:
                VectorMath.Scale(job.Alpha, x);
                break;
            case Operation.Axpy:
                VectorMath.Axpy(job.Alpha, x, new Span<T>(job.Y + start, count));
                break;
            case Operation.SumOfSquares:
                job.Partials[chunk] = double.CreateTruncating(VectorMath.SumOfSquares<T>(x));
                break;
            case Operation.AxpySumOfSquares:
            case Operation.AxpyClearSumOfSquares:
                var y = new Span<T>(job.Y + start, count);
                if (job.Beta == T.One)
                    VectorMath.Axpy(job.Alpha, x, y);
                else
                    GradientKernels.ScaledAxpy(job.Alpha, job.Beta, x, y);
                if (job.Operation == Operation.AxpyClearSumOfSquares)
                    x.Clear();
                job.Partials[chunk] = double.CreateTruncating(VectorMath.SumOfSquares<T>(y));
                break;
            case Operation.ScaleSumOfSquares:
                VectorMath.Scale(job.Alpha, x);
                job.Partials[chunk] = double.CreateTruncating(VectorMath.SumOfSquares<T>(x));
                break;
            case Operation.ScaledSumOfSquares:
                job.Partials[chunk] = double.CreateTruncating(Reductions.ScaledSumOfSquares<T>(x, job.Alpha));
                break;
        }
    }
}
