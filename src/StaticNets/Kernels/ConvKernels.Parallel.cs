using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Threading;

namespace StaticNets.Kernels;

// The batched convolution forward split over the worker pool: sub-batches of whole samples, each with its
// own slice of the scratch (so there are at most as many as the scratch holds unrolled inputs: a workspace's
// scratch has room for up to eight). Every scheme computes each sample on its own, so the result does not
// depend on the split.
public static unsafe partial class ConvKernels
{
    private struct ForwardJob<T> where T : unmanaged
    {
        public Conv2DShape Shape;
        public T* Prepared, Weights, Bias, Input, Output, Scratch;
        public int PreparedLength, BiasLength, Batch, ColumnLength, Chunks;
    }

    private static int ForwardChunks(in Conv2DShape s, int batch, int columnLength, int scratchLength, int threads)
    {
        int chunks = WorkerPool.ChunkCount(threads, batch, (long)batch * s.OutputSize * s.PatchSize);
        return columnLength > 0 ? Math.Max(1, Math.Min(chunks, scratchLength / columnLength)) : chunks;
    }

    private static void ForwardSplit<T>(in Conv2DShape s, ReadOnlySpan<T> prepared, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, int columnLength, int chunks, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pp = prepared, pw = weights, pb = bias, px = input, pz = output, ps = scratch)
        {
            var job = new ForwardJob<T>
            {
                Shape = s, Prepared = pp, Weights = pw, Bias = pb, Input = px, Output = pz, Scratch = ps,
                PreparedLength = prepared.Length, BiasLength = bias.Length, Batch = input.Length / s.InputSize,
                ColumnLength = columnLength, Chunks = chunks,
            };
            WorkerPool.Shared.Run(&ForwardChunk<T>, Unsafe.AsPointer(ref job), chunks, threads);
        }
    }

    private static void ForwardChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref ForwardJob<T> job = ref Unsafe.AsRef<ForwardJob<T>>(state);
        int start = (int)((long)job.Batch * chunk / job.Chunks), end = (int)((long)job.Batch * (chunk + 1) / job.Chunks);
        int inSize = job.Shape.InputSize, outSize = job.Shape.OutputSize;
        ForwardSamples(job.Shape,
            new ReadOnlySpan<T>(job.Prepared, job.PreparedLength),
            new ReadOnlySpan<T>(job.Weights, job.Shape.WeightCount),
            new ReadOnlySpan<T>(job.Bias, job.BiasLength),
            new ReadOnlySpan<T>(job.Input + (long)start * inSize, (end - start) * inSize),
            new Span<T>(job.Output + (long)start * outSize, (end - start) * outSize),
            new Span<T>(job.Scratch + (long)chunk * job.ColumnLength, job.ColumnLength));
    }
}
