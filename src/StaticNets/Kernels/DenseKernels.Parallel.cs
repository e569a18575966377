using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using StaticNets.Threading;

namespace StaticNets.Kernels;

// How the batched products are split over threads. Every output element is computed by the same kernel,
// the same blocking and the same order of operations whichever chunk holds it: sample ranges start at
// multiples of four (the register block of samples), ∂W row ranges and the row ranges of a forward on few
// samples at multiples of four (the block of rows), the panel ranges of a packed forward at whole panels, the column ranges of ∂input on few samples at multiples of 64
// (the widest strip), and the kernel variant and the way of splitting are chosen once from the whole call, never
// per chunk. So any thread count gives bit-identical results, and a chunk writes only its own rows or columns: no
// reduction, no atomics.
public static unsafe partial class DenseKernels
{
    // Samples and ∂W rows are split in blocks of the register block's four.
    private const int SplitBlock = 4;

    private enum ForwardPath : byte { Scalar, Rows, Packed, Prepacked }

    private enum Isa : byte { None, V128, V256, V512 }

    // A product split into chunks of Items (samples or ∂W rows), each chunk run by Run(start, end) on whole Blocks of items.
    private interface ISplitJob
    {
        long MultiplyAdds { get; }

        nuint Items { get; }

        nuint Block { get; }

        int Chunks { get; set; }

        void Run(nuint start, nuint end);
    }

    // Forward: chunks own disjoint sample rows of z.
    private struct ForwardJob<T> : ISplitJob where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public T* W, B, X, Z, Packed;
        public T* A; // a = σ(z) when Activation is not null: fused into the packed stores where it can be, else a pass per chunk
        public nuint NIn, NOut, M;
        public ForwardPath Path;
        public Isa Isa;
        public Activation? Activation;
        public bool SplitRows; // chunks own rows of W (columns of z) instead of samples; σ is then applied after the split
        public bool SplitPanels; // packed paths: chunks own whole panels of W (the last also the rows past them) for every sample

        public readonly long MultiplyAdds => (long)M * (long)NIn * (long)NOut;

        public readonly nuint Items => SplitRows || SplitPanels ? NOut : M;

        public readonly nuint Block => SplitPanels ? PanelWidth<T>() : SplitBlock;

        public int Chunks { get; set; }

        public void Run(nuint start, nuint end)
        {
            if (SplitRows)
                ForwardRows(ref this, start, end);
            else if (SplitPanels)
                ForwardPanels(ref this, start, end);
            else
                ForwardSamples(ref this, start, end);
        }
    }

    // ∂W: chunks own disjoint rows of gw (and of gb).
    private struct GradientJob<T> : ISplitJob where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public T* D, X, GW, GB;
        public nuint NIn, NOut, M;
        public Isa Isa;

        public readonly long MultiplyAdds => (long)M * (long)NIn * (long)NOut;

        public readonly nuint Items => NOut;

        public readonly nuint Block => SplitBlock;

        public int Chunks { get; set; }

        public void Run(nuint start, nuint end) => GradientRows(ref this, start, end);
    }

    // ∂input: chunks own disjoint column strips of dx (every sample) on few samples, else disjoint sample rows. By
    // columns each thread reads only its strips of W: split by samples every thread streamed all of W, and at the
    // training batches' 16 samples per thread that read cost as much as the FMAs (512 × 512 at batch 32 took as long on
    // two threads as on one).
    private struct InputJob<T> : ISplitJob where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public T* W, D, DX;
        public nuint NIn, NOut, M;
        public Isa Isa;
        public bool SplitColumns;

        public readonly long MultiplyAdds => (long)M * (long)NIn * (long)NOut;

        public readonly nuint Items => SplitColumns ? ColumnStrips(NIn) : M;

        public readonly nuint Block => SplitBlock;

        public int Chunks { get; set; }

        public void Run(nuint start, nuint end)
        {
            if (SplitColumns)
                InputColumns(ref this, start, end);
            else
                InputSamples(ref this, start, end);
        }
    }

    // Column strips ∂input splits into: whole strips of the widest block (four 512-bit vectors, 64 floats), the last also
    // taking the columns beyond the last whole strip, so every chunk is at least a vector wide.
    private const int InputStripColumns = 64;

    private static nuint ColumnStrips(nuint nIn) => nIn < InputStripColumns ? 1 : nIn / InputStripColumns;

    // The widest enabled vector that fits `width` elements at least once.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Isa IsaFor<T>(nuint width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Simd512<T>.IsEnabled && width >= (nuint)Vector512<T>.Count ? Isa.V512
        : Simd256<T>.IsEnabled && width >= (nuint)Vector256<T>.Count ? Isa.V256
        : Simd128<T>.IsEnabled && width >= (nuint)Vector128<T>.Count ? Isa.V128
        : Isa.None;

    // Chunks of a product over `items` splittable items, split in whole blocks of `block`.
    private static int ChunkCount(int threads, long multiplyAdds, nuint items, nuint block)
        => WorkerPool.ChunkCount(threads, (long)((items + block - 1) / block), multiplyAdds);

    // Items [start, end) of chunk `chunk`: whole blocks, the last chunk taking the remainder.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ChunkRange(nuint items, nuint block, int chunks, int chunk, out nuint start, out nuint end)
    {
        nuint units = (items + block - 1) / block;
        start = units * (nuint)chunk / (nuint)chunks * block;
        end = chunk == chunks - 1 ? items : units * (nuint)(chunk + 1) / (nuint)chunks * block;
    }

    // Runs the job on the calling thread, or in chunks over the worker pool when it is large enough.
    private static void RunSplit<TJob>(ref TJob job, int threads) where TJob : struct, ISplitJob
    {
        int chunks = ChunkCount(threads, job.MultiplyAdds, job.Items, job.Block);
        job.Chunks = chunks;
        if (chunks == 1)
            job.Run(0, job.Items);
        else
            WorkerPool.Shared.Run(&SplitChunk<TJob>, Unsafe.AsPointer(ref job), chunks, threads);
    }

    private static void SplitChunk<TJob>(void* state, int chunk) where TJob : struct, ISplitJob
    {
        ref TJob job = ref Unsafe.AsRef<TJob>(state);
        ChunkRange(job.Items, job.Block, job.Chunks, chunk, out nuint start, out nuint end);
        job.Run(start, end);
    }

    // Rows [start, end) of W for every sample: the dot-product kernel on a few samples, where splitting the samples
    // would have every thread stream all of W.
    private static void ForwardRows<T>(ref ForwardJob<T> job, nuint start, nuint end) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint nIn = job.NIn, nOut = job.NOut, rows = end - start;
        ref T w = ref *(job.W + start * nIn);
        ref T b = ref *(job.B + start);
        ref T x = ref *job.X;
        ref T z = ref *(job.Z + start);
        switch (job.Isa)
        {
            case Isa.V512:
                ForwardBatchRows<T, Simd512<T>, Vector512<T>>(ref w, ref b, ref x, ref z, nIn, rows, nOut, job.M);
                break;
            case Isa.V256:
                ForwardBatchRows<T, Simd256<T>, Vector256<T>>(ref w, ref b, ref x, ref z, nIn, rows, nOut, job.M);
                break;
            default:
                ForwardBatchRows<T, Simd128<T>, Vector128<T>>(ref w, ref b, ref x, ref z, nIn, rows, nOut, job.M);
                break;
        }
    }

    // Outputs [start, end) (whole panels, the last chunk also the rows past them) for every sample, on the packed path.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPanels<T>(ref ForwardJob<T> job, nuint start, nuint end) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint nIn = job.NIn, nOut = job.NOut, m = job.M, rows = end - start;
        ref T w = ref *(job.W + start * nIn);
        ref T b = ref *(job.B + start);
        ref T x = ref *job.X;
        ref T z = ref *(job.Z + start);
        ref T a = ref job.A is null ? ref z : ref *(job.A + start);
        // Panel p of the packed copy starts at p·nr·nIn, and start is a whole number of panels: start·nIn.
        ref T packed = ref job.Path == ForwardPath.Prepacked ? ref *(job.Packed + start * nIn) : ref w;
        Activation? fused = FusedActivation<T>(job.Path, job.Activation, nOut);
        switch (job.Isa)
        {
            case Isa.V512:
                ForwardPacked<T, Simd512<T>, Vector512<T>>(job.Path, ref w, ref b, ref x, ref z, ref a, nIn, rows, nOut, m, ref packed, fused);
                break;
            case Isa.V256:
                ForwardPacked<T, Simd256<T>, Vector256<T>>(job.Path, ref w, ref b, ref x, ref z, ref a, nIn, rows, nOut, m, ref packed, fused);
                break;
            default:
                ForwardPacked<T, Simd128<T>, Vector128<T>>(job.Path, ref w, ref b, ref x, ref z, ref a, nIn, rows, nOut, m, ref packed, fused);
                break;
        }
        // Any other σ is applied by the caller over the whole batch (ApplyAfterPanels): its vector and scalar paths may
        // differ in the last bit, so a chunk's columns alone would not give the bits of one thread.
    }

    // After a panel split: σ over all of z when the micro-kernels did not apply it.
    private static void ApplyAfterPanels<T>(ref ForwardJob<T> job, Span<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (job.SplitPanels && job.Activation is { } act && FusedActivation<T>(job.Path, act, job.NOut) is null)
            ActivationKernels.Apply<T>(act, z, a);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSamples<T>(ref ForwardJob<T> job, nuint start, nuint end) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint nIn = job.NIn, nOut = job.NOut, m = end - start;
        ref T w = ref *job.W;
        ref T b = ref *job.B;
        ref T x = ref *(job.X + start * nIn);
        ref T z = ref *(job.Z + start * nOut);
        ref T a = ref job.A is null ? ref z : ref *(job.A + start * nOut);
        ref T packed = ref job.Path == ForwardPath.Prepacked ? ref *job.Packed : ref w;
        Activation? activation = job.Activation;
        switch (job.Isa)
        {
            case Isa.V512:
                ForwardSamples<T, Simd512<T>, Vector512<T>>(job.Path, ref w, ref b, ref x, ref z, ref a, nIn, nOut, m, ref packed, activation);
                break;
            case Isa.V256:
                ForwardSamples<T, Simd256<T>, Vector256<T>>(job.Path, ref w, ref b, ref x, ref z, ref a, nIn, nOut, m, ref packed, activation);
                break;
            case Isa.V128:
                ForwardSamples<T, Simd128<T>, Vector128<T>>(job.Path, ref w, ref b, ref x, ref z, ref a, nIn, nOut, m, ref packed, activation);
                break;
            default:
                for (nuint s = 0; s < m; s++)
                    ForwardScalar(ref w, ref b, ref Unsafe.Add(ref x, s * nIn), ref Unsafe.Add(ref z, s * nOut), nIn, nOut);
                break;
        }
        // The chunk's rows are still in cache: σ over them here rather than over the whole batch afterwards.
        if (activation is { } act && !(job.Isa != Isa.None && FusesActivation<T>(job.Path, act, nOut)))
            ActivationKernels.Apply<T>(act, new ReadOnlySpan<T>(job.Z + start * nOut, (int)(m * nOut)), new Span<T>(job.A + start * nOut, (int)(m * nOut)));
    }

    // Whether the packed micro-kernels write a = σ(z) themselves: for the activations that are one cheap vector
    // operation, when every output lies in a whole panel (the rows past it go through the dot-product kernel).
    private static bool FusesActivation<T>(ForwardPath path, Activation activation, nuint nOut) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => path is ForwardPath.Packed or ForwardPath.Prepacked
        && activation is Activation.ReLU or Activation.LeakyReLU
        && nOut % PanelWidth<T>() == 0;

    // The activation the micro-kernels apply themselves, or null when σ is left to a pass of its own.
    private static Activation? FusedActivation<T>(ForwardPath path, Activation? activation, nuint nOut) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => activation is { } act && FusesActivation<T>(path, act, nOut) ? activation : null;

    private static void ForwardSamples<T, TW, TVec>(ForwardPath path, ref T w, ref T b, ref T x, ref T z, ref T a, nuint nIn, nuint nOut, nuint m, ref T packed, Activation? activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        if (path == ForwardPath.Rows)
            ForwardBatchRows<T, TW, TVec>(ref w, ref b, ref x, ref z, nIn, nOut, nOut, m);
        else
            ForwardPacked<T, TW, TVec>(path, ref w, ref b, ref x, ref z, ref a, nIn, nOut, nOut, m, ref packed, FusedActivation<T>(path, activation, nOut));
    }

    // The packed product of nOut outputs whose rows of z and a are ldz apart; `fused` is ReLU or leaky ReLU to apply in
    // the stores, or null.
    private static void ForwardPacked<T, TW, TVec>(ForwardPath path, ref T w, ref T b, ref T x, ref T z, ref T a, nuint nIn, nuint nOut, nuint ldz, nuint m, ref T packed, Activation? fused)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        bool isPrepacked = path == ForwardPath.Prepacked;
        if (fused == Activation.ReLU)
            ForwardBatchPacked<T, TW, TVec, ReLUOperator<T>>(ref w, ref b, ref x, ref z, ref a, nIn, nOut, ldz, m, ref packed, isPrepacked, activate: true);
        else if (fused == Activation.LeakyReLU)
            ForwardBatchPacked<T, TW, TVec, LeakyReLUOperator<T>>(ref w, ref b, ref x, ref z, ref a, nIn, nOut, ldz, m, ref packed, isPrepacked, activate: true);
        else
            ForwardBatchPacked<T, TW, TVec, ReLUOperator<T>>(ref w, ref b, ref x, ref z, ref z, nIn, nOut, ldz, m, ref packed, isPrepacked, activate: false);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientRows<T>(ref GradientJob<T> job, nuint start, nuint end) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint nIn = job.NIn, nOut = job.NOut, m = job.M, rows = end - start;
        ref T d = ref *(job.D + start);
        ref T x = ref *job.X;
        ref T gw = ref *(job.GW + start * nIn);
        nuint done = job.Isa switch
        {
            Isa.V512 => GradientBatch<T, Simd512<T>, Vector512<T>>(ref d, ref x, ref gw, nIn, rows, nOut, m),
            Isa.V256 => GradientBatch<T, Simd256<T>, Vector256<T>>(ref d, ref x, ref gw, nIn, rows, nOut, m),
            Isa.V128 => GradientBatch<T, Simd128<T>, Vector128<T>>(ref d, ref x, ref gw, nIn, rows, nOut, m),
            _ => 0,
        };
        // Columns no whole vector covered: gw accumulates, so an overlapping last vector would count twice.
        for (nuint j = 0; j < rows; j++)
        {
            for (nuint k = done; k < nIn; k++)
            {
                T sum = Unsafe.Add(ref gw, j * nIn + k);
                for (nuint s = 0; s < m; s++)
                    sum += Unsafe.Add(ref d, s * nOut + j) * Unsafe.Add(ref x, s * nIn + k);
                Unsafe.Add(ref gw, j * nIn + k) = sum;
            }
        }
        var gb = new Span<T>(job.GB + start, (int)rows);
        for (nuint s = 0; s < m; s++)
            ElementwiseDrivers.Binary<T, AddOperator<T>>(gb, new ReadOnlySpan<T>(job.D + s * nOut + start, (int)rows), gb, T.Zero);
    }

    private static void InputSamples<T>(ref InputJob<T> job, nuint start, nuint end) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => InputRange(ref job, start, end, 0, job.NIn);

    // Every sample's columns [strip start, strip end) of dx, the last strip running to the last column.
    private static void InputColumns<T>(ref InputJob<T> job, nuint start, nuint end) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => InputRange(ref job, 0, job.M, start * InputStripColumns, end == ColumnStrips(job.NIn) ? job.NIn : end * InputStripColumns);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputRange<T>(ref InputJob<T> job, nuint start, nuint end, nuint k0, nuint k1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint nIn = job.NIn, nOut = job.NOut, m = end - start;
        ref T w = ref *job.W;
        ref T d = ref *(job.D + start * nOut);
        ref T dx = ref *(job.DX + start * nIn);
        switch (job.Isa)
        {
            case Isa.V512:
                InputBatch<T, Simd512<T>, Vector512<T>>(ref w, ref d, ref dx, nIn, nOut, m, k0, k1);
                break;
            case Isa.V256:
                InputBatch<T, Simd256<T>, Vector256<T>>(ref w, ref d, ref dx, nIn, nOut, m, k0, k1);
                break;
            case Isa.V128:
                InputBatch<T, Simd128<T>, Vector128<T>>(ref w, ref d, ref dx, nIn, nOut, m, k0, k1);
                break;
            default:
                for (nuint s = 0; s < m; s++)
                {
                    for (nuint k = k0; k < k1; k++)
                    {
                        T sum = T.Zero;
                        for (nuint j = 0; j < nOut; j++)
                            sum += Unsafe.Add(ref d, s * nOut + j) * Unsafe.Add(ref w, j * nIn + k);
                        Unsafe.Add(ref dx, s * nIn + k) = sum;
                    }
                }
                break;
        }
    }
}
