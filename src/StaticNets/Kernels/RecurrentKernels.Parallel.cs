using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Threading;

namespace StaticNets.Kernels;

// The batched recurrent forward and backward split over the worker pool: sequences are independent, so each chunk
// runs whole sequences (every step, forward or back) of its own samples, with no synchronisation per step; the
// backward's gradient products then split the gradient rows (a gate unit each) and ∂C/∂x its step rows. Each
// product adds its terms in the same order in every row block, so the result does not depend on the split.
public static unsafe partial class RecurrentKernels
{
    private struct ForwardJob<T> where T : unmanaged
    {
        public RecurrentShape Shape;
        public T* Prepared, X, Gates, Cells, Hidden, Output;
        public int PreparedLength, Batch, Chunks;
        public bool HasCells, HasOutput;
    }

    // Sub-batches of whole sequences, by the pool's rule.
    private static int ForwardChunks(in RecurrentShape shape, int batch, int threads)
        => WorkerPool.ChunkCount(threads, batch, (long)batch * shape.Steps * RecurrentLayout.GateBlocks * shape.Units * (shape.Features + shape.Units));

    private static void ForwardSplit<T>(in RecurrentShape shape, ReadOnlySpan<T> prepared, ReadOnlySpan<T> x, Span<T> gates, Span<T> cells, Span<T> hidden, Span<T> output, int batch, int chunks, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pp = prepared, px = x, pg = gates, pc = cells, ph = hidden, po = output)
        {
            var job = new ForwardJob<T>
            {
                Shape = shape, Prepared = pp, X = px, Gates = pg, Cells = pc, Hidden = ph, Output = po,
                PreparedLength = prepared.Length, Batch = batch, Chunks = chunks, HasCells = !cells.IsEmpty, HasOutput = !output.IsEmpty,
            };
            WorkerPool.Shared.Run(&ForwardChunk<T>, Unsafe.AsPointer(ref job), chunks, threads);
        }
    }

    private static void ForwardChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref ForwardJob<T> job = ref Unsafe.AsRef<ForwardJob<T>>(state);
        RecurrentShape s = job.Shape;
        int start = (int)((long)job.Batch * chunk / job.Chunks), end = (int)((long)job.Batch * (chunk + 1) / job.Chunks), n = end - start;
        int steps = s.Steps, f = s.Features, h = s.Units, width = RecurrentLayout.GateBlocks * h;
        int cellsPerSample = (int)RecurrentLayout.CellsPerSample(s.Cell == RecurrentCell.Lstm, steps, h);
        ForwardSequences(s,
            new ReadOnlySpan<T>(job.Prepared, job.PreparedLength),
            new ReadOnlySpan<T>(job.X + (long)start * steps * f, n * steps * f),
            new Span<T>(job.Gates + (long)start * steps * width, n * steps * width),
            job.HasCells ? new Span<T>(job.Cells + (long)start * cellsPerSample, n * cellsPerSample) : default,
            new Span<T>(job.Hidden + (long)start * steps * h, n * steps * h),
            job.HasOutput ? new Span<T>(job.Output + (long)start * h, n * h) : default,
            n);
    }

    private struct BackwardJob<T> where T : unmanaged
    {
        public RecurrentShape Shape;
        public T* Parameters, X, Gates, Cells, Hidden, DOutput, Gradient, DX, Scratch;
        public int ParameterCount, Batch, Window, Chunks, ScratchLength, CellsLength, DOutputLength, DXLength;
    }

    // Sub-batches of whole sequences for the steps back: the carried ∂h's products are most of the work.
    private static int BackwardChunks(in RecurrentShape shape, int batch, int threads)
        => WorkerPool.ChunkCount(threads, batch, (long)batch * shape.Steps * RecurrentLayout.GateBlocks * shape.Units * shape.Units);

    // Chunks of the gradient products: gate units of the weight gradients (and as many ranges of ∂C/∂x's rows).
    private static int ProductChunks(in RecurrentShape shape, int batch, int threads)
        => WorkerPool.ChunkCount(threads, shape.Gates * shape.Units, (long)batch * shape.Steps * shape.Gates * shape.Units * (2L * shape.Features + shape.Units));

    private static BackwardJob<T> Job<T>(in RecurrentShape shape, T* parameters, T* x, T* gates, T* cells, T* hidden, T* dOutput, T* gradient, T* dx, T* scratch,
        int batch, int window, int chunks, int cellsLength, int dOutputLength, int dxLength, int scratchLength)
        where T : unmanaged
        => new()
        {
            Shape = shape, Parameters = parameters, X = x, Gates = gates, Cells = cells, Hidden = hidden, DOutput = dOutput, Gradient = gradient, DX = dx,
            Scratch = scratch, ParameterCount = (int)shape.ParameterCount, Batch = batch, Window = window, Chunks = chunks, CellsLength = cellsLength,
            DOutputLength = dOutputLength, DXLength = dxLength, ScratchLength = scratchLength,
        };

    private static void StepsBackSplit<T>(in RecurrentShape shape, ReadOnlySpan<T> gates, ReadOnlySpan<T> cells, ReadOnlySpan<T> hidden, ReadOnlySpan<T> dOutput,
        ReadOnlySpan<T> whh, Span<T> scratch, int batch, int window, int chunks, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pg = gates, pc = cells, ph = hidden, pd = dOutput, pw = whh, ps = scratch)
        {
            // Parameters points at W_hh here, the only weights the steps back read.
            var job = Job(shape, pw, null, pg, pc, ph, pd, null, null, ps, batch, window, chunks, cells.Length, dOutput.Length, 0, scratch.Length);
            job.ParameterCount = whh.Length;
            WorkerPool.Shared.Run(&StepsBackChunk<T>, Unsafe.AsPointer(ref job), chunks, threads);
        }
    }

    private static void StepsBackChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref BackwardJob<T> job = ref Unsafe.AsRef<BackwardJob<T>>(state);
        RecurrentShape s = job.Shape;
        int start = (int)((long)job.Batch * chunk / job.Chunks), end = (int)((long)job.Batch * (chunk + 1) / job.Chunks);
        int width = RecurrentLayout.GateBlocks * s.Units;
        StepsBack(s,
            new ReadOnlySpan<T>(job.Gates, job.Batch * s.Steps * width),
            new ReadOnlySpan<T>(job.Cells, job.CellsLength),
            new ReadOnlySpan<T>(job.Hidden, job.Batch * s.Steps * s.Units),
            new ReadOnlySpan<T>(job.DOutput, job.DOutputLength),
            new ReadOnlySpan<T>(job.Parameters, job.ParameterCount),
            new Span<T>(job.Scratch, job.ScratchLength),
            job.Batch, start, end, job.Window);
    }

    private static void ProductsSplit<T>(in RecurrentShape shape, ReadOnlySpan<T> parameters, ReadOnlySpan<T> x, ReadOnlySpan<T> hidden, Span<T> gradient, Span<T> dx,
        Span<T> scratch, int batch, int chunks, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pp = parameters, px = x, ph = hidden, pgr = gradient, pdx = dx, ps = scratch)
        {
            var job = Job(shape, pp, px, null, null, ph, null, pgr, pdx, ps, batch, 0, chunks, 0, 0, dx.Length, scratch.Length);
            WorkerPool.Shared.Run(&ProductsChunk<T>, Unsafe.AsPointer(ref job), chunks, threads);
        }
    }

    // Gate units [j0, j1) of the weight and bias gradients and, when asked for, step rows [r0, r1) of ∂C/∂x.
    private static void ProductsChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref BackwardJob<T> job = ref Unsafe.AsRef<BackwardJob<T>>(state);
        RecurrentShape s = job.Shape;
        int units = s.Gates * s.Units, stepRows = job.Batch * s.Steps;
        int j0 = (int)((long)units * chunk / job.Chunks), j1 = (int)((long)units * (chunk + 1) / job.Chunks);
        var scratch = new Span<T>(job.Scratch, job.ScratchLength);
        GradientRows(s, new ReadOnlySpan<T>(job.X, stepRows * s.Features), new ReadOnlySpan<T>(job.Hidden, stepRows * s.Units),
            new Span<T>(job.Gradient, job.ParameterCount), scratch, job.Batch, j0, j1);
        if (job.DXLength > 0)
        {
            int r0 = (int)((long)stepRows * chunk / job.Chunks), r1 = (int)((long)stepRows * (chunk + 1) / job.Chunks);
            InputRows(s, new ReadOnlySpan<T>(job.Parameters, job.ParameterCount), new Span<T>(job.DX, job.DXLength), scratch, r0, r1);
        }
    }
}
