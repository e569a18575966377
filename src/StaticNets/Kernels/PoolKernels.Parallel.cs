using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Threading;

namespace StaticNets.Kernels;

// The batched pooling forward and backward split over the worker pool: sub-batches of whole samples. A window never
// crosses a sample and the arg-max is an index within its sample, so each sample's outputs (and its input delta) are
// what one thread computes.
public static unsafe partial class PoolKernels
{
    private struct ForwardJob<T> where T : unmanaged
    {
        public Pool2DShape Shape;
        public T* Input, Output;
        public int* ArgMax;
        public int Batch, Chunks;
        public bool Max;
    }

    // One comparison or addition per window element: the "multiply-adds" that decide whether a hand-off pays.
    private static int ForwardChunks(in Pool2DShape s, int batch, int threads)
        => WorkerPool.ChunkCount(threads, batch, (long)batch * s.OutputSize * s.WindowHeight * s.WindowWidth);

    private static void ForwardSplit<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output, Span<int> argmax, int batch, int chunks, int threads, bool max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* px = input, py = output)
        fixed (int* pa = argmax)
        {
            var job = new ForwardJob<T> { Shape = s, Input = px, Output = py, ArgMax = pa, Batch = batch, Chunks = chunks, Max = max };
            WorkerPool.Shared.Run(&ForwardChunk<T>, Unsafe.AsPointer(ref job), chunks, threads);
        }
    }

    private static void ForwardChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref ForwardJob<T> job = ref Unsafe.AsRef<ForwardJob<T>>(state);
        int start = (int)((long)job.Batch * chunk / job.Chunks), end = (int)((long)job.Batch * (chunk + 1) / job.Chunks);
        int inSize = job.Shape.InputSize, outSize = job.Shape.OutputSize, count = end - start;
        var input = new ReadOnlySpan<T>(job.Input + (long)start * inSize, count * inSize);
        var output = new Span<T>(job.Output + (long)start * outSize, count * outSize);
        if (job.Max)
            MaxForwardSamples(job.Shape, input, output, new Span<int>(job.ArgMax + (long)start * outSize, count * outSize), count);
        else
            AvgForwardSamples(job.Shape, input, output, count);
    }

    private static void BackwardSplit<T>(in Pool2DShape s, ReadOnlySpan<T> outputDelta, ReadOnlySpan<int> argmax, Span<T> inputDelta, int batch, int chunks, int threads, bool max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pd = outputDelta, pdx = inputDelta)
        fixed (int* pa = argmax)
        {
            // Input holds ∂C/∂output here and Output ∂C/∂input: the backward reads the outputs' side and writes the inputs'.
            var job = new ForwardJob<T> { Shape = s, Input = pd, Output = pdx, ArgMax = pa, Batch = batch, Chunks = chunks, Max = max };
            WorkerPool.Shared.Run(&BackwardChunk<T>, Unsafe.AsPointer(ref job), chunks, threads);
        }
    }

    private static void BackwardChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref ForwardJob<T> job = ref Unsafe.AsRef<ForwardJob<T>>(state);
        int start = (int)((long)job.Batch * chunk / job.Chunks), end = (int)((long)job.Batch * (chunk + 1) / job.Chunks);
        int inSize = job.Shape.InputSize, outSize = job.Shape.OutputSize, count = end - start;
        var delta = new ReadOnlySpan<T>(job.Input + (long)start * outSize, count * outSize);
        var inputDelta = new Span<T>(job.Output + (long)start * inSize, count * inSize);
        if (job.Max)
            MaxBackward(job.Shape, delta, new ReadOnlySpan<int>(job.ArgMax + (long)start * outSize, count * outSize), inputDelta);
        else
            AvgBackward(job.Shape, delta, inputDelta);
    }
}
