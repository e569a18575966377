using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Threading;

namespace StaticNets.Kernels;

// The batched recurrent forward split over the worker pool: sequences are independent, so each chunk runs
// whole sequences (every step) of its own samples, with no synchronisation per step. Each sample's products
// add their terms in the same order in every row block, so the result does not depend on the split.
public static unsafe partial class RecurrentKernels
{
    private struct ForwardJob<T> where T : unmanaged
    {
        public RecurrentShape Shape;
        public T* Prepared, X, Gates, Cells, Hidden, Output;
        public int PreparedLength, Batch, Chunks;
        public bool HasCells, HasOutput;
    }

    // Sub-batches worth a thread: as for the dense products, at least 64 Ki multiply-adds each.
    private static int ForwardChunks(in RecurrentShape shape, int inputLength, int threads)
    {
        int perSample = shape.Steps * shape.Features;
        if (threads <= 1 || perSample == 0 || inputLength % perSample != 0)
            return 1;
        int batch = inputLength / perSample;
        if (batch < 2)
            return 1;
        long work = (long)batch * shape.Steps * RecurrentLayout.GateBlocks * shape.Units * (shape.Features + shape.Units);
        long chunks = Math.Min(Math.Min(threads, batch), work / DenseKernels.MinMultiplyAddsPerChunk);
        return (int)Math.Max(1, chunks);
    }

    private static void ForwardSplit<T>(in RecurrentShape shape, ReadOnlySpan<T> prepared, ReadOnlySpan<T> x, Span<T> gates, Span<T> cells, Span<T> hidden, Span<T> output, int chunks, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // The whole call's shapes are checked first, so a bad argument fails the same way on any thread count.
        int batch = Samples(shape, x.Length, nameof(x));
        int steps = shape.Steps, h = shape.Units, width = RecurrentLayout.GateBlocks * h;
        bool lstm = shape.Cell == RecurrentCell.Lstm;
        KernelGuard.Length(prepared.Length, PreparedLength<T>(shape), "PreparedLength(shape)", nameof(prepared));
        KernelGuard.Length(gates.Length, (long)batch * steps * width, "batch × steps × 4·units", nameof(gates));
        KernelGuard.Length(cells.Length, batch * RecurrentLayout.CellsPerSample(lstm, steps, h), lstm ? "batch × steps × units" : "0 (a GRU keeps no cells)", nameof(cells));
        KernelGuard.Length(hidden.Length, (long)batch * steps * h, "batch × steps × units", nameof(hidden));
        KernelGuard.Length(output.Length, shape.ReturnSequences ? 0 : (long)batch * h, shape.ReturnSequences ? "0 (the hidden sequence is the output)" : "batch × units", nameof(output));
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
            job.HasOutput ? new Span<T>(job.Output + (long)start * h, n * h) : default);
    }
}
