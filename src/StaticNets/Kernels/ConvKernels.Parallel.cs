using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Threading;

namespace StaticNets.Kernels;

// The batched convolution forward split over the worker pool: sub-batches of whole samples, each with its
// own slice of the scratch (so there are at most as many as the scratch holds unrolled inputs: a workspace's
// scratch has room for up to eight). Every scheme computes each sample on its own, so the result does not
// depend on the split. The backward splits in two hand-offs: the weight and bias gradients by output channel (by
// tap where the scheme vectorises over channels), then ∂C/∂input by sample; each chunk runs the one-thread code on
// its range, with a per-thread scratch as long as the caller's, so it meets the same blocks in the same order.
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

    private struct BackwardJob<T> where T : unmanaged
    {
        public Conv2DShape Shape;
        public T* Weights, Input, Delta, WeightGradient, BiasGradient, InputDelta;
        public int Batch, ScratchLength, BiasLength, Units, Chunks, RowLanes, DeltaChunk;
        public ConvScheme Scheme;
    }

    // Output channels per unit of the weight gradient's split: the GEMMs' register block of rows (eight), the direct
    // scheme's block of three channels; taps per unit where the scheme vectorises over channels: twelve, so that its
    // four- and six-tap blocks start where they start on one thread.
    private const int GemmRowUnit = 8, DirectChannelUnit = 3, TapUnit = 12;

    // Runs the backward split over the pool; false where it would not split (then the caller runs it on one thread).
    private static bool BackwardSplit<T>(in Conv2DShape s, ReadOnlySpan<T> weights, ReadOnlySpan<T> input, ReadOnlySpan<T> outputDelta,
        Span<T> weightGradient, Span<T> biasGradient, Span<T> inputDelta, int scratchLength, ConvScheme scheme, int rowLanes, int deltaChunk, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = input.Length / s.InputSize;
        long multiplyAdds = (long)batch * s.OutputSize * s.PatchSize;
        int unit = WeightUnit(scheme), end = WeightRange(s, scheme);
        // Taps in whole units only (the last chunk takes the rest); channels in units, the last one partial.
        int weightUnits = scheme == ConvScheme.OutChannels ? Math.Max(1, end / unit) : (end + unit - 1) / unit;
        int weightChunks = WorkerPool.ChunkCount(threads, weightUnits, multiplyAdds);
        int inputUnits = (batch + deltaChunk - 1) / deltaChunk;
        int inputChunks = inputDelta.IsEmpty ? 1 : WorkerPool.ChunkCount(threads, inputUnits, multiplyAdds);
        if (weightChunks == 1 && inputChunks == 1)
            return false;
        fixed (T* pw = weights, px = input, pd = outputDelta, pgw = weightGradient, pgb = biasGradient, pdx = inputDelta)
        {
            var job = new BackwardJob<T>
            {
                Shape = s, Weights = pw, Input = px, Delta = pd, WeightGradient = pgw, BiasGradient = pgb, InputDelta = pdx,
                Batch = batch, ScratchLength = scratchLength, BiasLength = biasGradient.Length, Units = weightUnits, Chunks = weightChunks,
                RowLanes = rowLanes, DeltaChunk = deltaChunk, Scheme = scheme,
            };
            WorkerPool.Shared.Run(&WeightGradientChunk<T>, Unsafe.AsPointer(ref job), weightChunks, threads);
            if (!inputDelta.IsEmpty)
            {
                job.Units = inputUnits;
                job.Chunks = inputChunks;
                WorkerPool.Shared.Run(&InputDeltaChunk<T>, Unsafe.AsPointer(ref job), inputChunks, threads);
            }
        }
        return true;
    }

    // What the weight gradient's split cuts (taps where the scheme vectorises over channels, else output channels),
    // how many of them, and in what unit.
    private static int WeightUnit(ConvScheme scheme)
        => scheme == ConvScheme.OutChannels ? TapUnit : scheme == ConvScheme.Direct ? DirectChannelUnit : GemmRowUnit;

    private static int WeightRange(in Conv2DShape s, ConvScheme scheme) => scheme == ConvScheme.OutChannels ? s.PatchSize : s.OutChannels;

    // Units [u0, u1) of chunk `chunk` of `units` split into `chunks`.
    private static void UnitRange(int units, int chunks, int chunk, out int u0, out int u1)
    {
        u0 = (int)((long)units * chunk / chunks);
        u1 = (int)((long)units * (chunk + 1) / chunks);
    }

    private static void WeightGradientChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref BackwardJob<T> job = ref Unsafe.AsRef<BackwardJob<T>>(state);
        Conv2DShape s = job.Shape;
        int batch = job.Batch, oc = s.OutChannels;
        var input = new ReadOnlySpan<T>(job.Input, batch * s.InputSize);
        var delta = new ReadOnlySpan<T>(job.Delta, batch * s.OutputSize);
        UnitRange(job.Units, job.Chunks, chunk, out int u0, out int u1);
        int unit = WeightUnit(job.Scheme), end = WeightRange(s, job.Scheme);
        // The last chunk takes what is left past its last whole unit (taps: the units are whole twelves only).
        WeightGradients(s, job.Scheme, input, delta, new Span<T>(job.WeightGradient, s.WeightCount), ChunkScratch<T>.Get(job.ScratchLength),
            u0 * unit, u1 == job.Units ? end : Math.Min(end, u1 * unit));
        if (job.BiasLength > 0)
        {
            UnitRange(oc, job.Chunks, chunk, out int b0, out int b1);
            BiasGradients(s, delta, new Span<T>(job.BiasGradient, job.BiasLength), b0, b1);
        }
    }

    private static void InputDeltaChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref BackwardJob<T> job = ref Unsafe.AsRef<BackwardJob<T>>(state);
        Conv2DShape s = job.Shape;
        int inSize = s.InputSize, outSize = s.OutputSize;
        UnitRange(job.Units, job.Chunks, chunk, out int u0, out int u1);
        int n0 = u0 * job.DeltaChunk, n1 = Math.Min(job.Batch, u1 * job.DeltaChunk);
        if (n1 <= n0)
            return;
        // Its own samples' rows only: the last sample's row fold keeps its spare lanes inside them.
        InputDeltas(s, job.RowLanes, job.DeltaChunk, new ReadOnlySpan<T>(job.Weights, s.WeightCount),
            new ReadOnlySpan<T>(job.Delta + (long)n0 * outSize, (n1 - n0) * outSize), ChunkScratch<T>.Get(job.ScratchLength),
            new Span<T>(job.InputDelta + (long)n0 * inSize, (n1 - n0) * inSize));
    }

    // The scratch of a chunk of a split backward: per thread, as long as the caller's, grown once to the longest asked
    // for (so a warm call allocates nothing), on 64-byte lines like a workspace's.
    private static class ChunkScratch<T> where T : unmanaged
    {
        [ThreadStatic]
        private static AlignedArray<T>? buffer;

        internal static Span<T> Get(int length)
        {
            AlignedArray<T>? current = buffer;
            if (current is null || current.Length < length)
                buffer = current = new AlignedArray<T>(length);
            return current.Span.Slice(0, length);
        }
    }
}
