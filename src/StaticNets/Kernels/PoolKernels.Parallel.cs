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
    // One sub-batch job for either direction: the input side (x, or ∂C/∂x) and the output side (y and the arg-max, or
    // ∂C/∂y) of whole samples.
    private struct SplitJob<T> where T : unmanaged
    {
        public Pool2DShape Shape;
        public T* InputSide, OutputSide;
        public int* ArgMax;
        public int Batch, Chunks;
        public bool Max, Backward;
    }

    // One comparison or addition per window element: the "multiply-adds" that decide whether a hand-off pays.
    private static int ForwardChunks(in Pool2DShape s, int batch, int threads)
        => WorkerPool.ChunkCount(threads, batch, (long)batch * s.OutputSize * s.WindowHeight * s.WindowWidth);

    private static void ForwardSplit<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output, Span<int> argmax, int batch, int chunks, int threads, bool max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* px = input, py = output)
        fixed (int* pa = argmax)
            Split(s, px, py, pa, batch, chunks, threads, max, backward: false);
    }

    private static void BackwardSplit<T>(in Pool2DShape s, ReadOnlySpan<T> outputDelta, ReadOnlySpan<int> argmax, Span<T> inputDelta, int batch, int chunks, int threads, bool max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pdx = inputDelta, pd = outputDelta)
        fixed (int* pa = argmax)
            Split(s, pdx, pd, pa, batch, chunks, threads, max, backward: true);
    }

    private static void Split<T>(in Pool2DShape s, T* inputSide, T* outputSide, int* argmax, int batch, int chunks, int threads, bool max, bool backward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var job = new SplitJob<T> { Shape = s, InputSide = inputSide, OutputSide = outputSide, ArgMax = argmax, Batch = batch, Chunks = chunks, Max = max, Backward = backward };
        WorkerPool.Shared.Run(&SplitChunk<T>, Unsafe.AsPointer(ref job), chunks, threads);
    }

    private static void SplitChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref SplitJob<T> job = ref Unsafe.AsRef<SplitJob<T>>(state);
        int start = (int)((long)job.Batch * chunk / job.Chunks), end = (int)((long)job.Batch * (chunk + 1) / job.Chunks);
        int inSize = job.Shape.InputSize, outSize = job.Shape.OutputSize, count = end - start;
        var inputSide = new Span<T>(job.InputSide + (long)start * inSize, count * inSize);
        var outputSide = new Span<T>(job.OutputSide + (long)start * outSize, count * outSize);
        var argmax = job.Max ? new Span<int>(job.ArgMax + (long)start * outSize, count * outSize) : default;
        if (job.Backward && job.Max)
            MaxBackward(job.Shape, outputSide, argmax, inputSide);
        else if (job.Backward)
            AvgBackward(job.Shape, outputSide, inputSide);
        else if (job.Max)
            MaxForwardSamples(job.Shape, inputSide, outputSide, argmax, count);
        else
            AvgForwardSamples(job.Shape, inputSide, outputSide, count);
    }
}
