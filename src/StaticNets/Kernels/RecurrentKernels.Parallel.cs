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
}
