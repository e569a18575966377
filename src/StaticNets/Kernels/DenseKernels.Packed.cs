using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;

namespace StaticNets.Kernels;

// Batched forward as an outer product over a packed panel of Wᵀ (the GEMM shape BLAS libraries use): a
// panel of `nr` outputs (four AVX-512 vectors, or two of a narrower width) is copied transposed into a
// contiguous buffer, k after k, so that one vector load per k step gives the weights of many outputs.
// Each sample's input is broadcast and multiplied into whole vectors of outputs, so there are no
// horizontal sums and every weight load feeds four samples. Blocked over inputs (KBlock) so the input
// block of the whole batch stays in L2 while every panel passes over it.
public static partial class DenseKernels
{
    // Below this many samples the packing (one transposed copy of W per call) costs more than the
    // outer-product form saves over the dot-product kernel; measured on the 784-wide layers.
    private const int PackedMinSamples = 64;

    // Inputs per block. Two candidates: 256 inputs, and the L1 rule (the panel's block, KBlock × 256 bytes, takes half
    // of the L1 data cache the OS reports: 64 inputs with 32 KiB of L1d, 96 with 48 KiB). 256 makes four times fewer
    // round trips of the partial sums through z, which a core with one 512-bit FMA per cycle can stream from L2: on
    // Zen 4, 784 → 512 at batch 256 runs 3–4 % faster with it, two-thread training steps of N2 15 % faster, and
    // nothing measured slower. The L1 rule is for a core with two 512-bit FMA ports, which consumes 32 bytes of
    // weights per cycle (about what L2 sustains) and may need them from L1; the OS does not say how many ports a
    // core has, so the first large prepacked call of the process times both on its own data and takes the L1 rule
    // only when it is clearly faster (CalibrateKBlock). The partial sums go through z between blocks, so every block
    // size gives the same bits and the choice is invisible in the results. Tests and benchmarks set KBlock, which
    // ends the choice.
    private static int s_kBlock = LargeKBlock;

    private static int s_kBlockState; // 0: to be measured, 1: being measured, 2: decided or set

    internal static int KBlock
    {
        get => Volatile.Read(ref s_kBlock);
        set
        {
            Volatile.Write(ref s_kBlockState, 2);
            Volatile.Write(ref s_kBlock, value);
        }
    }

    // Calls from this size on are long enough (≈ 40 µs and up) to time each candidate reliably; the measurement
    // costs such a call 2 × CalibrationPairs runs, once per process.
    private const long CalibrationMinMultiplyAdds = 1L << 22;

    private const int LargeKBlock = 256;

    private const int CalibrationPairs = 7;

    internal static int ChooseKBlock(int l1DataBytes) => Math.Clamp(l1DataBytes / 2 / PanelBytes / 16 * 16, 32, 512);

    // A panel row is 256 bytes of outputs (64 floats or 32 doubles) whatever the vector width, so a packed
    // copy made once stays valid when the width changes; a narrower width walks it in sub-panels.
    private const int PanelBytes = 256;

    // With prepacked panels there is no packing per call left to amortise: from one block of four samples
    // on, the outer-product form is at least as fast as the dot-product kernel.
    private const int PrepackedMinSamples = 4;

    /// <summary>Whether <see cref="ForwardBatchPacked{T, TW, TVec, TAct}"/> takes this shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UsePacked<T>(nuint nOut, nuint m) => m >= PackedMinSamples && nOut >= PanelWidth<T>();

    // The packed path on several threads splits the panels instead of the samples when a sample split would leave each
    // thread fewer than PackedMinSamples samples: split by samples every thread packs (or streams) all of W for its
    // share, and at MNIST's batch 64 on two threads that per-thread packing of 784 × 128 took as long as the products.
    // By panels each thread packs and reads only its own panels, over all the samples.
    private static bool SplitsPanels<T>(nuint nOut, nuint m, int threads)
        => threads > 1 && nOut / PanelWidth<T>() >= 2 && m < (nuint)threads * PackedMinSamples;

    // Outputs per panel row of the packed layout.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint PanelWidth<T>() => (nuint)(PanelBytes / Unsafe.SizeOf<T>());

    // With 32 vector registers (AVX-512) a 4 × 4 block of accumulators fits beside four weight vectors and
    // a broadcast; with 16 (AVX2, SSE, NEON) the block is 4 × 2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint PanelVectors<TVec>() => Unsafe.SizeOf<TVec>() == 64 ? 4u : 2u;

    /// <summary>
    /// The length of the packed copy of <c>Wᵀ</c> that <see cref="PackPanels{T}"/> writes and
    /// <see cref="ForwardBatchPrepacked{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/> reads: every whole panel of 256 bytes of outputs (64 floats,
    /// 32 doubles) times <paramref name="inputs"/>; 0 when there are fewer outputs than one panel.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="inputs">Inputs per sample, at least 1.</param>
    /// <param name="outputs">Outputs per sample, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/> or <paramref name="outputs"/> is less than 1.</exception>
    public static int PackedLength<T>(int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Positive(inputs, nameof(inputs));
        KernelGuard.Positive(outputs, nameof(outputs));
        int nr = PanelBytes / Unsafe.SizeOf<T>();
        return checked(outputs / nr * nr * inputs);
    }

    /// <summary>
    /// Packs the weights for <see cref="ForwardBatchPrepacked{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/>: each panel of 256 bytes of outputs is
    /// stored transposed, input after input, so one load per input gives the weights of a whole panel.
    /// Rows past the last whole panel are not packed (the forward reads them from <paramref name="w"/>).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="w">The weights, <c>outputs × inputs</c> row-major.</param>
    /// <param name="packed">Exactly <see cref="PackedLength{T}"/> values; overwritten.</param>
    /// <param name="inputs">Inputs per sample, at least 1.</param>
    /// <param name="outputs">Outputs per sample, at least 1.</param>
    /// <param name="threads">The most threads the copy may use; panels are split between them.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/>, <paramref name="outputs"/> or <paramref name="threads"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="packed"/> overlaps <paramref name="w"/>.</exception>
    public static unsafe void PackPanels<T>(ReadOnlySpan<T> w, Span<T> packed, int inputs, int outputs, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int length = PackedLength<T>(inputs, outputs);
        KernelGuard.Product(w.Length, outputs, inputs, Outputs, Inputs, nameof(w));
        KernelGuard.Length(packed.Length, length, "PackedLength(inputs, outputs)", nameof(packed));
        KernelGuard.NoOverlap(w, packed, nameof(w), nameof(packed));
        KernelGuard.Positive(threads, nameof(threads));
        nuint nIn = (nuint)inputs, nr = PanelWidth<T>(), panels = (nuint)outputs / nr;
        if (panels == 0)
            return;
        fixed (T* pw = w, pp = packed)
        {
            var job = new PackJob<T> { W = pw, Packed = pp, NIn = nIn, Panels = panels };
            // A copy is memory-bound: one chunk per 64 Ki elements at least.
            job.Chunks = (int)Math.Min(Math.Min((nuint)threads, panels), Math.Max(1, panels * nr * nIn / (1u << 16)));
            if (job.Chunks == 1)
                PackPanelRange(ref job, 0, panels);
            else
                Threading.WorkerPool.Shared.Run(&PackChunk<T>, Unsafe.AsPointer(ref job), job.Chunks, threads);
        }
    }

    private unsafe struct PackJob<T> where T : unmanaged
    {
        public T* W, Packed;
        public nuint NIn, Panels;
        public int Chunks;
    }

    private static unsafe void PackChunk<T>(void* state, int chunk) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref PackJob<T> job = ref Unsafe.AsRef<PackJob<T>>(state);
        nuint start = job.Panels * (nuint)chunk / (nuint)job.Chunks, end = job.Panels * (nuint)(chunk + 1) / (nuint)job.Chunks;
        PackPanelRange(ref job, start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackPanelRange<T>(ref PackJob<T> job, nuint start, nuint end) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint nIn = job.NIn, nr = PanelWidth<T>();
        for (nuint p = start; p < end; p++)
            Pack(ref *(job.W + p * nr * nIn), ref *(job.Packed + p * nr * nIn), nIn, nr, nIn);
    }

    /// <summary>
    /// <see cref="ForwardBatch{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/> with the panels of <c>Wᵀ</c> already packed by
    /// <see cref="PackPanels{T}"/>: <c>z[s·outputs + j] = b[j] + Σ_k w[j·inputs + k]·x[s·inputs + k]</c> for
    /// every sample s. From four samples on, whole panels are an outer product over <paramref name="packed"/>
    /// with no copying per call; rows past the last whole panel, and smaller batches, use the dot-product
    /// kernel on <paramref name="w"/>. <paramref name="packed"/> must hold the packing of this
    /// <paramref name="w"/>; the result is the same as <see cref="ForwardBatch{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/> gives.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="packed">The packed panels, <see cref="PackedLength{T}"/> values.</param>
    /// <param name="w">The weights, <c>outputs × inputs</c> row-major.</param>
    /// <param name="b">The <paramref name="outputs"/> biases.</param>
    /// <param name="x">The input rows, sample after sample; a whole number <c>m</c> of rows.</param>
    /// <param name="z">Receives <c>m × outputs</c> weighted inputs, sample after sample.</param>
    /// <param name="inputs">Inputs per sample, at least 1.</param>
    /// <param name="outputs">Outputs per sample, at least 1.</param>
    /// <param name="threads">The most threads the call may use (see <see cref="Parallelism"/>); ranges of samples are split over the worker pool, every value computed exactly as on one thread.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/>, <paramref name="outputs"/> or <paramref name="threads"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="z"/> overlaps an input.</exception>
    public static void ForwardBatchPrepacked<T>(ReadOnlySpan<T> packed, ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z, int inputs, int outputs, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ForwardBatchPrepacked(packed, w, b, x, z, z, inputs, outputs, null, threads);

    /// <summary>
    /// <see cref="ForwardBatchPrepacked{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/>
    /// followed by <c>a = σ(z)</c>: z and a are the values <see cref="ActivationKernels.Apply{T}"/> would give after the
    /// product, bit for bit. ReLU and leaky ReLU are applied by the micro-kernels as they store the last input block
    /// (the accumulators are still in registers), other activations over each thread's rows right after its product.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="packed">The packed panels, <see cref="PackedLength{T}"/> values.</param>
    /// <param name="w">The weights, <c>outputs × inputs</c> row-major.</param>
    /// <param name="b">The <paramref name="outputs"/> biases.</param>
    /// <param name="x">The input rows, sample after sample; a whole number <c>m</c> of rows.</param>
    /// <param name="z">Receives <c>m × outputs</c> weighted inputs, sample after sample.</param>
    /// <param name="a">Receives <c>σ(z)</c>, as long as <paramref name="z"/>; may be <paramref name="z"/> itself (then z is not kept).</param>
    /// <param name="inputs">Inputs per sample, at least 1.</param>
    /// <param name="outputs">Outputs per sample, at least 1.</param>
    /// <param name="activation">σ: any element-wise activation (not <see cref="Activation.Softmax"/>, which couples a sample's outputs).</param>
    /// <param name="threads">The most threads the call may use (see <see cref="Parallelism"/>); every value computed exactly as on one thread.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/>, <paramref name="outputs"/> or <paramref name="threads"/> is less than 1, or <paramref name="activation"/> is not a defined element-wise activation.</exception>
    /// <exception cref="ArgumentException">A length does not match, or an output overlaps an input or the other output.</exception>
    public static void ForwardBatchPrepacked<T>(ReadOnlySpan<T> packed, ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z, Span<T> a, int inputs, int outputs, Activation activation, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckActivationOutput<T>(activation, w, b, x, z, a);
        KernelGuard.NoOverlap(packed, a, nameof(packed), nameof(a));
        ForwardBatchPrepacked(packed, w, b, x, z, a, inputs, outputs, (Activation?)activation, threads);
    }

    private static unsafe void ForwardBatchPrepacked<T>(ReadOnlySpan<T> packed, ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z, Span<T> a, int inputs, int outputs, Activation? activation, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int length = PackedLength<T>(inputs, outputs);
        KernelGuard.Length(packed.Length, length, "PackedLength(inputs, outputs)", nameof(packed));
        KernelGuard.NoOverlap(packed, z, nameof(packed), nameof(z));
        int samples = x.Length / inputs;
        nuint nIn = (nuint)inputs, nOut = (nuint)outputs, m = (nuint)samples;
        Isa isa = IsaFor<T>(nIn);
        if (length == 0 || samples < PrepackedMinSamples || isa == Isa.None)
        {
            ForwardBatch(w, b, x, z, inputs, outputs, threads);
            if (activation is { } act)
                ActivationKernels.Apply<T>(act, z, a);
            return;
        }
        KernelGuard.Product(w.Length, outputs, inputs, Outputs, Inputs, nameof(w));
        KernelGuard.Length(b.Length, outputs, Outputs, nameof(b));
        KernelGuard.WholeRows(x.Length, inputs, nameof(x));
        KernelGuard.Product(z.Length, samples, outputs, "samples", Outputs, nameof(z));
        KernelGuard.NoOverlap(w, z, nameof(w), nameof(z));
        KernelGuard.NoOverlap(b, z, nameof(b), nameof(z));
        KernelGuard.NoOverlap(x, z, nameof(x), nameof(z));
        KernelGuard.Positive(threads, nameof(threads));

        fixed (T* pp = packed, pw = w, pb = b, px = x, pz = z, pa = a)
        {
            var job = new ForwardJob<T> { W = pw, B = pb, X = px, Z = pz, A = activation is null ? null : pa, Activation = activation, Packed = pp, NIn = nIn, NOut = nOut, M = m, Isa = isa, Path = ForwardPath.Prepacked };
            job.SplitPanels = SplitsPanels<T>(nOut, m, threads);
            if (!(Volatile.Read(ref s_kBlockState) == 0 && job.MultiplyAdds >= CalibrationMinMultiplyAdds && CalibrateKBlock(ref job, threads)))
                RunSplit(ref job, threads);
            ApplyAfterPanels(ref job, z, a);
        }
    }

    // Runs the call seven times with each k-block candidate, keeps the choice for the process and returns true (the last
    // run's z and a are the call's result, the same bits as any other block gives); false when another thread is
    // measuring or the candidates coincide.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool CalibrateKBlock<T>(ref ForwardJob<T> job, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Interlocked.CompareExchange(ref s_kBlockState, 1, 0) != 0)
            return false;
        int small = ChooseKBlock(CacheSizes.L1Data);
        if (small == LargeKBlock)
        {
            Interlocked.CompareExchange(ref s_kBlockState, 2, 1);
            return false;
        }
        // Adjacent pairs, the order swapped each round, and the median of their ratios: a host that shares its cores
        // slows whole stretches of runs (±15 % on the 2-core VMs measured), which a pair sees on both sides and the
        // median ignores where it hits one. Three runs of each, best of each, chose the wrong block two times in three
        // on a 48 KiB-L1 Xeon where the L1 rule is 4–12 % faster on one thread.
        Span<double> ratios = stackalloc double[CalibrationPairs];
        for (int round = 0; round < CalibrationPairs; round++)
        {
            bool smallFirst = round % 2 == 0;
            long first = TimeWithKBlock(ref job, threads, smallFirst ? small : LargeKBlock);
            long second = TimeWithKBlock(ref job, threads, smallFirst ? LargeKBlock : small);
            ratios[round] = smallFirst ? (double)first / second : (double)second / first;
        }
        ratios.Sort();
        // The L1 block must win by more than the noise left in the median (on two threads of that Xeon the two blocks
        // are within 2 %, and on Zen 4 the large one is 3–4 % faster); a value set meanwhile (tests, benchmarks) wins
        // over the measurement.
        int chosen = ratios[CalibrationPairs / 2] < 0.99 ? small : LargeKBlock;
        if (Interlocked.CompareExchange(ref s_kBlockState, 2, 1) == 1)
            Volatile.Write(ref s_kBlock, chosen);
        return true;
    }

    private static long TimeWithKBlock<T>(ref ForwardJob<T> job, int threads, int kBlock) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Volatile.Write(ref s_kBlock, kBlock);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        RunSplit(ref job, threads);
        return System.Diagnostics.Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Back to the state of a fresh process: 256 inputs, the L1 rule to be measured against it on the next large call (tests).</summary>
    internal static void ResetKBlockChoice()
    {
        Volatile.Write(ref s_kBlock, LargeKBlock);
        Volatile.Write(ref s_kBlockState, 0);
    }

    /// <summary>The k-block the packed forward uses now, and how it was chosen; for benchmark reports.</summary>
    internal static string DescribeKBlock() => Volatile.Read(ref s_kBlockState) switch
    {
        0 => $"k-block {KBlock} (the L1 rule's {ChooseKBlock(CacheSizes.L1Data)} not yet measured against it)",
        1 => $"k-block being measured",
        _ => $"k-block {KBlock}",
    };

    // Either packs each panel's input block per call into a per-thread buffer, or (prepacked) reads it from
    // the caller's packed copy, where panel p's input k starts at (p·nIn + k)·nr.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    // With `activate`, the stores of each panel's last input block also write a = TAct(z): the accumulators are
    // still in registers, so σ costs one operation per vector instead of a pass over the whole batch.
    // Rows of z and a are ldz apart: nOut for a whole product, the full width when a thread computes a range of panels.
    private static void ForwardBatchPacked<T, TW, TVec, TAct>(ref T w, ref T b, ref T x, ref T z, ref T a, nuint nIn, nuint nOut, nuint ldz, nuint m, ref T prepacked, bool isPrepacked, bool activate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
        where TAct : IUnaryOperator<T>
    {
        nuint nr = PanelWidth<T>();
        nuint sub = PanelVectors<TVec>() * (nuint)TW.Count;
        nuint panels = nOut / nr;
        nuint kc = (nuint)KBlock;
        ref T buffer = ref isPrepacked ? ref prepacked : ref PackBuffer<T>.Get((int)(kc * nr))[0];

        for (nuint k0 = 0; k0 < nIn; k0 += kc)
        {
            nuint kn = nIn - k0 < kc ? nIn - k0 : kc;
            bool first = k0 == 0;
            bool store = activate && k0 + kn == nIn;
            for (nuint p = 0; p < panels; p++)
            {
                nuint j0 = p * nr;
                ref T pack = ref buffer;
                if (isPrepacked)
                    pack = ref Unsafe.Add(ref prepacked, (p * nIn + k0) * nr);
                else
                    Pack(ref Unsafe.Add(ref w, j0 * nIn + k0), ref pack, nIn, nr, kn);
                // A narrower width walks the panel in sub-panels of its own block width.
                for (nuint q = 0; q < nr; q += sub)
                {
                    ref T pq = ref Unsafe.Add(ref pack, q);
                    ref T bj = ref Unsafe.Add(ref b, j0 + q);
                    nuint s = 0;
                    if (PanelVectors<TVec>() == 4)
                    {
                        if (SixSampleBlocks)
                        {
                            for (nuint end = (m / 6 & ~(nuint)1) * 6; s < end; s += 6)
                                Micro6x4<T, TW, TVec, TAct>(ref pq, ref Unsafe.Add(ref x, s * nIn + k0), ref bj, ref Unsafe.Add(ref z, s * ldz + j0 + q), ref Unsafe.Add(ref a, s * ldz + j0 + q), nIn, ldz, kn, first, store);
                        }
                        for (; s + 4 <= m; s += 4)
                            Micro4x4<T, TW, TVec, TAct>(ref pq, ref Unsafe.Add(ref x, s * nIn + k0), ref bj, ref Unsafe.Add(ref z, s * ldz + j0 + q), ref Unsafe.Add(ref a, s * ldz + j0 + q), nIn, ldz, kn, first, store);
                    }
                    else
                    {
                        // An even number of six-sample blocks leaves a multiple of four for the four-sample blocks.
                        for (nuint end = (m / 6 & ~(nuint)1) * 6; s < end; s += 6)
                            Micro6x2<T, TW, TVec, TAct>(ref pq, ref Unsafe.Add(ref x, s * nIn + k0), ref bj, ref Unsafe.Add(ref z, s * ldz + j0 + q), ref Unsafe.Add(ref a, s * ldz + j0 + q), nIn, ldz, kn, first, store);
                        for (; s + 4 <= m; s += 4)
                            Micro4x2<T, TW, TVec, TAct>(ref pq, ref Unsafe.Add(ref x, s * nIn + k0), ref bj, ref Unsafe.Add(ref z, s * ldz + j0 + q), ref Unsafe.Add(ref a, s * ldz + j0 + q), nIn, ldz, kn, first, store);
                    }
                    for (; s < m; s++)
                        Micro1<T, TW, TVec, TAct>(ref pq, ref Unsafe.Add(ref x, s * nIn + k0), ref bj, ref Unsafe.Add(ref z, s * ldz + j0 + q), ref Unsafe.Add(ref a, s * ldz + j0 + q), sub, kn, first, store);
                }
            }
        }

        // The rows past the last whole panel (fewer than nr) go through the dot-product kernel.
        nuint done = panels * nr;
        if (done < nOut)
            ForwardBatch<T, TW, TVec>(ref Unsafe.Add(ref w, done * nIn), ref Unsafe.Add(ref b, done), ref x, ref Unsafe.Add(ref z, done), nIn, nOut - done, ldz, m);
    }

    // pack[kk·nr + jj] = w[jj·nIn + kk] for kk < kn, jj < nr. With AVX, 8 × 8 float (4 × 4 double) tiles are
    // transposed in registers: eight row loads, 24 shuffles, eight column stores, where element copies take
    // about two cycles each (the per-step repack of a training step was a fifth of its time). The inputs past
    // the last whole tile, and machines without AVX, copy elements in tiles of 16 inputs, so each row's cache
    // line is read whole as soon as it arrives and the destination tile stays in L1. (Walking one k at a time
    // across the nr rows thrashes L1 when nIn is a multiple of 512: every row maps to the same sets.)
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Pack<T>(ref T w, ref T pack, nuint nIn, nuint nr, nuint kn)
    {
        nuint done = 0;
        if (System.Runtime.Intrinsics.X86.Avx.IsSupported && typeof(T) == typeof(float))
            done = PackTiles8(ref Unsafe.As<T, float>(ref w), ref Unsafe.As<T, float>(ref pack), nIn, nr, kn);
        else if (System.Runtime.Intrinsics.X86.Avx.IsSupported && typeof(T) == typeof(double))
            done = PackTiles4(ref Unsafe.As<T, double>(ref w), ref Unsafe.As<T, double>(ref pack), nIn, nr, kn);
        const int Tile = 16;
        for (nuint k0 = done; k0 < kn; k0 += Tile)
        {
            nuint kEnd = kn - k0 < Tile ? kn : k0 + Tile;
            for (nuint jj = 0; jj < nr; jj++)
            {
                ref T row = ref Unsafe.Add(ref w, jj * nIn);
                ref T column = ref Unsafe.Add(ref pack, jj);
                for (nuint kk = k0; kk < kEnd; kk++)
                    Unsafe.Add(ref column, kk * nr) = Unsafe.Add(ref row, kk);
            }
        }
    }

    // Whole 8 × 8 tiles of a float panel (nr a multiple of 8); returns the inputs done.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint PackTiles8(ref float w, ref float pack, nuint nIn, nuint nr, nuint kn)
    {
        nuint whole = kn - kn % 8;
        for (nuint k = 0; k < whole; k += 8)
        {
            for (nuint j = 0; j < nr; j += 8)
            {
                ref float r = ref Unsafe.Add(ref w, j * nIn + k);
                var r0 = Vector256.LoadUnsafe(ref r);
                var r1 = Vector256.LoadUnsafe(ref r, nIn);
                var r2 = Vector256.LoadUnsafe(ref r, 2 * nIn);
                var r3 = Vector256.LoadUnsafe(ref r, 3 * nIn);
                var r4 = Vector256.LoadUnsafe(ref r, 4 * nIn);
                var r5 = Vector256.LoadUnsafe(ref r, 5 * nIn);
                var r6 = Vector256.LoadUnsafe(ref r, 6 * nIn);
                var r7 = Vector256.LoadUnsafe(ref r, 7 * nIn);
                var t0 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r0, r1);
                var t1 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r0, r1);
                var t2 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r2, r3);
                var t3 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r2, r3);
                var t4 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r4, r5);
                var t5 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r4, r5);
                var t6 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r6, r7);
                var t7 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r6, r7);
                var u0 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t0, t2, 0x44);
                var u1 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t0, t2, 0xEE);
                var u2 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t1, t3, 0x44);
                var u3 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t1, t3, 0xEE);
                var u4 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t4, t6, 0x44);
                var u5 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t4, t6, 0xEE);
                var u6 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t5, t7, 0x44);
                var u7 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t5, t7, 0xEE);
                ref float o = ref Unsafe.Add(ref pack, k * nr + j);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref o);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref o, nr);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref o, 2 * nr);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref o, 3 * nr);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref o, 4 * nr);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref o, 5 * nr);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref o, 6 * nr);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref o, 7 * nr);
            }
        }
        return whole;
    }

    // Whole 4 × 4 tiles of a double panel (nr a multiple of 4); returns the inputs done.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint PackTiles4(ref double w, ref double pack, nuint nIn, nuint nr, nuint kn)
    {
        nuint whole = kn - kn % 4;
        for (nuint k = 0; k < whole; k += 4)
        {
            for (nuint j = 0; j < nr; j += 4)
            {
                ref double r = ref Unsafe.Add(ref w, j * nIn + k);
                var r0 = Vector256.LoadUnsafe(ref r);
                var r1 = Vector256.LoadUnsafe(ref r, nIn);
                var r2 = Vector256.LoadUnsafe(ref r, 2 * nIn);
                var r3 = Vector256.LoadUnsafe(ref r, 3 * nIn);
                var t0 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r0, r1);
                var t1 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r0, r1);
                var t2 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r2, r3);
                var t3 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r2, r3);
                ref double o = ref Unsafe.Add(ref pack, k * nr + j);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref o);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref o, nr);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref o, 2 * nr);
                System.Runtime.Intrinsics.X86.Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref o, 3 * nr);
            }
        }
        return whole;
    }

    // Four samples × four vectors of outputs: sixteen accumulators. On the first input block they start at
    // the biases, on later ones at the partial sums already in z.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro4x4<T, TW, TVec, TAct>(ref T pack, ref T x0, ref T b, ref T z0, ref T o0, nuint nIn, nuint nOut, nuint kn, bool first, bool activate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
        where TAct : IUnaryOperator<T>
    {
        nuint c = (nuint)TW.Count;
        ref T x1 = ref Unsafe.Add(ref x0, nIn);
        ref T x2 = ref Unsafe.Add(ref x1, nIn);
        ref T x3 = ref Unsafe.Add(ref x2, nIn);
        ref T z1 = ref Unsafe.Add(ref z0, nOut);
        ref T z2 = ref Unsafe.Add(ref z1, nOut);
        ref T z3 = ref Unsafe.Add(ref z2, nOut);
        ref T s0 = ref first ? ref b : ref z0;
        ref T s1 = ref first ? ref b : ref z1;
        ref T s2 = ref first ? ref b : ref z2;
        ref T s3 = ref first ? ref b : ref z3;
        // aSV: sample S, output vector V.
        TVec a00 = TW.Load(ref s0, 0), a01 = TW.Load(ref s0, c), a02 = TW.Load(ref s0, 2 * c), a03 = TW.Load(ref s0, 3 * c);
        TVec a10 = TW.Load(ref s1, 0), a11 = TW.Load(ref s1, c), a12 = TW.Load(ref s1, 2 * c), a13 = TW.Load(ref s1, 3 * c);
        TVec a20 = TW.Load(ref s2, 0), a21 = TW.Load(ref s2, c), a22 = TW.Load(ref s2, 2 * c), a23 = TW.Load(ref s2, 3 * c);
        TVec a30 = TW.Load(ref s3, 0), a31 = TW.Load(ref s3, c), a32 = TW.Load(ref s3, 2 * c), a33 = TW.Load(ref s3, 3 * c);
        ref T p = ref pack;
        for (nuint k = 0; k < kn; k++)
        {
            TVec u0 = TW.Load(ref p, 0), u1 = TW.Load(ref p, c), u2 = TW.Load(ref p, 2 * c), u3 = TW.Load(ref p, 3 * c);
            TVec t = TW.Create(Unsafe.Add(ref x0, k));
            a00 = TW.MultiplyAdd(u0, t, a00); a01 = TW.MultiplyAdd(u1, t, a01); a02 = TW.MultiplyAdd(u2, t, a02); a03 = TW.MultiplyAdd(u3, t, a03);
            t = TW.Create(Unsafe.Add(ref x1, k));
            a10 = TW.MultiplyAdd(u0, t, a10); a11 = TW.MultiplyAdd(u1, t, a11); a12 = TW.MultiplyAdd(u2, t, a12); a13 = TW.MultiplyAdd(u3, t, a13);
            t = TW.Create(Unsafe.Add(ref x2, k));
            a20 = TW.MultiplyAdd(u0, t, a20); a21 = TW.MultiplyAdd(u1, t, a21); a22 = TW.MultiplyAdd(u2, t, a22); a23 = TW.MultiplyAdd(u3, t, a23);
            t = TW.Create(Unsafe.Add(ref x3, k));
            a30 = TW.MultiplyAdd(u0, t, a30); a31 = TW.MultiplyAdd(u1, t, a31); a32 = TW.MultiplyAdd(u2, t, a32); a33 = TW.MultiplyAdd(u3, t, a33);
            p = ref Unsafe.Add(ref p, PanelWidth<T>());
        }
        TW.Store(a00, ref z0, 0); TW.Store(a01, ref z0, c); TW.Store(a02, ref z0, 2 * c); TW.Store(a03, ref z0, 3 * c);
        TW.Store(a10, ref z1, 0); TW.Store(a11, ref z1, c); TW.Store(a12, ref z1, 2 * c); TW.Store(a13, ref z1, 3 * c);
        TW.Store(a20, ref z2, 0); TW.Store(a21, ref z2, c); TW.Store(a22, ref z2, 2 * c); TW.Store(a23, ref z2, 3 * c);
        TW.Store(a30, ref z3, 0); TW.Store(a31, ref z3, c); TW.Store(a32, ref z3, 2 * c); TW.Store(a33, ref z3, 3 * c);
        if (activate)
        {
            TVec none = TW.Create(T.Zero);
            ref T o1 = ref Unsafe.Add(ref o0, nOut);
            ref T o2 = ref Unsafe.Add(ref o1, nOut);
            ref T o3 = ref Unsafe.Add(ref o2, nOut);
            TW.Store(TW.Unary<TAct>(a00, none), ref o0, 0); TW.Store(TW.Unary<TAct>(a01, none), ref o0, c); TW.Store(TW.Unary<TAct>(a02, none), ref o0, 2 * c); TW.Store(TW.Unary<TAct>(a03, none), ref o0, 3 * c);
            TW.Store(TW.Unary<TAct>(a10, none), ref o1, 0); TW.Store(TW.Unary<TAct>(a11, none), ref o1, c); TW.Store(TW.Unary<TAct>(a12, none), ref o1, 2 * c); TW.Store(TW.Unary<TAct>(a13, none), ref o1, 3 * c);
            TW.Store(TW.Unary<TAct>(a20, none), ref o2, 0); TW.Store(TW.Unary<TAct>(a21, none), ref o2, c); TW.Store(TW.Unary<TAct>(a22, none), ref o2, 2 * c); TW.Store(TW.Unary<TAct>(a23, none), ref o2, 3 * c);
            TW.Store(TW.Unary<TAct>(a30, none), ref o3, 0); TW.Store(TW.Unary<TAct>(a31, none), ref o3, c); TW.Store(TW.Unary<TAct>(a32, none), ref o3, 2 * c); TW.Store(TW.Unary<TAct>(a33, none), ref o3, 3 * c);
        }
    }

    internal static bool SixSampleBlocks = true;

    // Six samples × four vectors of outputs: twenty-four accumulators, four weight vectors and a broadcast in 29 of
    // AVX-512's 32 registers. Each weight vector loaded feeds six samples instead of four.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro6x4<T, TW, TVec, TAct>(ref T pack, ref T x0, ref T b, ref T z0, ref T o0, nuint nIn, nuint nOut, nuint kn, bool first, bool activate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
        where TAct : IUnaryOperator<T>
    {
        nuint c = (nuint)TW.Count;
        ref T s0 = ref first ? ref b : ref z0;
        nuint sStride = first ? 0 : nOut;
        // aSV: sample S, output vector V.
        TVec a00 = TW.Load(ref s0, 0), a01 = TW.Load(ref s0, c), a02 = TW.Load(ref s0, 2 * c), a03 = TW.Load(ref s0, 3 * c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a10 = TW.Load(ref s0, 0), a11 = TW.Load(ref s0, c), a12 = TW.Load(ref s0, 2 * c), a13 = TW.Load(ref s0, 3 * c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a20 = TW.Load(ref s0, 0), a21 = TW.Load(ref s0, c), a22 = TW.Load(ref s0, 2 * c), a23 = TW.Load(ref s0, 3 * c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a30 = TW.Load(ref s0, 0), a31 = TW.Load(ref s0, c), a32 = TW.Load(ref s0, 2 * c), a33 = TW.Load(ref s0, 3 * c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a40 = TW.Load(ref s0, 0), a41 = TW.Load(ref s0, c), a42 = TW.Load(ref s0, 2 * c), a43 = TW.Load(ref s0, 3 * c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a50 = TW.Load(ref s0, 0), a51 = TW.Load(ref s0, c), a52 = TW.Load(ref s0, 2 * c), a53 = TW.Load(ref s0, 3 * c);
        // Six rows of x from two bases and one row distance, and the panel's constant stride: the loop needs five
        // general registers besides its counter, so the JIT keeps every one of them out of memory.
        nuint row = nIn * (nuint)Unsafe.SizeOf<T>();
        ref byte xa = ref Unsafe.As<T, byte>(ref x0);
        ref byte xb = ref Unsafe.AddByteOffset(ref xa, 3 * row);
        ref T p = ref pack;
        for (nuint k = kn; k != 0; k--)
        {
            TVec u0 = TW.Load(ref p, 0), u1 = TW.Load(ref p, c), u2 = TW.Load(ref p, 2 * c), u3 = TW.Load(ref p, 3 * c);
            TVec t = TW.Create(Unsafe.As<byte, T>(ref xa));
            a00 = TW.MultiplyAdd(u0, t, a00); a01 = TW.MultiplyAdd(u1, t, a01); a02 = TW.MultiplyAdd(u2, t, a02); a03 = TW.MultiplyAdd(u3, t, a03);
            t = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xa, row)));
            a10 = TW.MultiplyAdd(u0, t, a10); a11 = TW.MultiplyAdd(u1, t, a11); a12 = TW.MultiplyAdd(u2, t, a12); a13 = TW.MultiplyAdd(u3, t, a13);
            t = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xa, 2 * row)));
            a20 = TW.MultiplyAdd(u0, t, a20); a21 = TW.MultiplyAdd(u1, t, a21); a22 = TW.MultiplyAdd(u2, t, a22); a23 = TW.MultiplyAdd(u3, t, a23);
            t = TW.Create(Unsafe.As<byte, T>(ref xb));
            a30 = TW.MultiplyAdd(u0, t, a30); a31 = TW.MultiplyAdd(u1, t, a31); a32 = TW.MultiplyAdd(u2, t, a32); a33 = TW.MultiplyAdd(u3, t, a33);
            t = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xb, row)));
            a40 = TW.MultiplyAdd(u0, t, a40); a41 = TW.MultiplyAdd(u1, t, a41); a42 = TW.MultiplyAdd(u2, t, a42); a43 = TW.MultiplyAdd(u3, t, a43);
            t = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xb, 2 * row)));
            a50 = TW.MultiplyAdd(u0, t, a50); a51 = TW.MultiplyAdd(u1, t, a51); a52 = TW.MultiplyAdd(u2, t, a52); a53 = TW.MultiplyAdd(u3, t, a53);
            xa = ref Unsafe.AddByteOffset(ref xa, (nuint)Unsafe.SizeOf<T>());
            xb = ref Unsafe.AddByteOffset(ref xb, (nuint)Unsafe.SizeOf<T>());
            p = ref Unsafe.Add(ref p, PanelWidth<T>());
        }
        ref T z = ref z0;
        TW.Store(a00, ref z, 0); TW.Store(a01, ref z, c); TW.Store(a02, ref z, 2 * c); TW.Store(a03, ref z, 3 * c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a10, ref z, 0); TW.Store(a11, ref z, c); TW.Store(a12, ref z, 2 * c); TW.Store(a13, ref z, 3 * c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a20, ref z, 0); TW.Store(a21, ref z, c); TW.Store(a22, ref z, 2 * c); TW.Store(a23, ref z, 3 * c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a30, ref z, 0); TW.Store(a31, ref z, c); TW.Store(a32, ref z, 2 * c); TW.Store(a33, ref z, 3 * c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a40, ref z, 0); TW.Store(a41, ref z, c); TW.Store(a42, ref z, 2 * c); TW.Store(a43, ref z, 3 * c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a50, ref z, 0); TW.Store(a51, ref z, c); TW.Store(a52, ref z, 2 * c); TW.Store(a53, ref z, 3 * c);
        if (activate)
        {
            TVec none = TW.Create(T.Zero);
            ref T o = ref o0;
            TW.Store(TW.Unary<TAct>(a00, none), ref o, 0); TW.Store(TW.Unary<TAct>(a01, none), ref o, c); TW.Store(TW.Unary<TAct>(a02, none), ref o, 2 * c); TW.Store(TW.Unary<TAct>(a03, none), ref o, 3 * c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a10, none), ref o, 0); TW.Store(TW.Unary<TAct>(a11, none), ref o, c); TW.Store(TW.Unary<TAct>(a12, none), ref o, 2 * c); TW.Store(TW.Unary<TAct>(a13, none), ref o, 3 * c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a20, none), ref o, 0); TW.Store(TW.Unary<TAct>(a21, none), ref o, c); TW.Store(TW.Unary<TAct>(a22, none), ref o, 2 * c); TW.Store(TW.Unary<TAct>(a23, none), ref o, 3 * c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a30, none), ref o, 0); TW.Store(TW.Unary<TAct>(a31, none), ref o, c); TW.Store(TW.Unary<TAct>(a32, none), ref o, 2 * c); TW.Store(TW.Unary<TAct>(a33, none), ref o, 3 * c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a40, none), ref o, 0); TW.Store(TW.Unary<TAct>(a41, none), ref o, c); TW.Store(TW.Unary<TAct>(a42, none), ref o, 2 * c); TW.Store(TW.Unary<TAct>(a43, none), ref o, 3 * c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a50, none), ref o, 0); TW.Store(TW.Unary<TAct>(a51, none), ref o, c); TW.Store(TW.Unary<TAct>(a52, none), ref o, 2 * c); TW.Store(TW.Unary<TAct>(a53, none), ref o, 3 * c);
        }
    }

    // Six samples × two vectors of outputs: twelve accumulators, for widths with sixteen registers (eight, the
    // four-sample block's, is exactly the FMA latency times two ports, and the AVX2 path ran at 77–86 % of peak).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro6x2<T, TW, TVec, TAct>(ref T pack, ref T x0, ref T b, ref T z0, ref T o0, nuint nIn, nuint nOut, nuint kn, bool first, bool activate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
        where TAct : IUnaryOperator<T>
    {
        nuint c = (nuint)TW.Count;
        ref T s0 = ref first ? ref b : ref z0;
        nuint sStride = first ? 0 : nOut;
        TVec a00 = TW.Load(ref s0, 0), a01 = TW.Load(ref s0, c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a10 = TW.Load(ref s0, 0), a11 = TW.Load(ref s0, c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a20 = TW.Load(ref s0, 0), a21 = TW.Load(ref s0, c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a30 = TW.Load(ref s0, 0), a31 = TW.Load(ref s0, c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a40 = TW.Load(ref s0, 0), a41 = TW.Load(ref s0, c);
        s0 = ref Unsafe.Add(ref s0, sStride);
        TVec a50 = TW.Load(ref s0, 0), a51 = TW.Load(ref s0, c);
        // As in the 6 × 4 block: six rows from two bases and one row distance, so that with sixteen general registers
        // the JIT keeps all of them out of memory (six separate row pointers cost three stack reloads per step).
        nuint row = nIn * (nuint)Unsafe.SizeOf<T>();
        ref byte xa = ref Unsafe.As<T, byte>(ref x0);
        ref byte xb = ref Unsafe.AddByteOffset(ref xa, 3 * row);
        ref T p = ref pack;
        for (nuint k = kn; k != 0; k--)
        {
            TVec u0 = TW.Load(ref p, 0), u1 = TW.Load(ref p, c);
            TVec t = TW.Create(Unsafe.As<byte, T>(ref xa));
            a00 = TW.MultiplyAdd(u0, t, a00); a01 = TW.MultiplyAdd(u1, t, a01);
            t = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xa, row)));
            a10 = TW.MultiplyAdd(u0, t, a10); a11 = TW.MultiplyAdd(u1, t, a11);
            t = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xa, 2 * row)));
            a20 = TW.MultiplyAdd(u0, t, a20); a21 = TW.MultiplyAdd(u1, t, a21);
            t = TW.Create(Unsafe.As<byte, T>(ref xb));
            a30 = TW.MultiplyAdd(u0, t, a30); a31 = TW.MultiplyAdd(u1, t, a31);
            t = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xb, row)));
            a40 = TW.MultiplyAdd(u0, t, a40); a41 = TW.MultiplyAdd(u1, t, a41);
            t = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xb, 2 * row)));
            a50 = TW.MultiplyAdd(u0, t, a50); a51 = TW.MultiplyAdd(u1, t, a51);
            xa = ref Unsafe.AddByteOffset(ref xa, (nuint)Unsafe.SizeOf<T>());
            xb = ref Unsafe.AddByteOffset(ref xb, (nuint)Unsafe.SizeOf<T>());
            p = ref Unsafe.Add(ref p, PanelWidth<T>());
        }
        ref T z = ref z0;
        TW.Store(a00, ref z, 0); TW.Store(a01, ref z, c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a10, ref z, 0); TW.Store(a11, ref z, c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a20, ref z, 0); TW.Store(a21, ref z, c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a30, ref z, 0); TW.Store(a31, ref z, c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a40, ref z, 0); TW.Store(a41, ref z, c);
        z = ref Unsafe.Add(ref z, nOut);
        TW.Store(a50, ref z, 0); TW.Store(a51, ref z, c);
        if (activate)
        {
            TVec none = TW.Create(T.Zero);
            ref T o = ref o0;
            TW.Store(TW.Unary<TAct>(a00, none), ref o, 0); TW.Store(TW.Unary<TAct>(a01, none), ref o, c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a10, none), ref o, 0); TW.Store(TW.Unary<TAct>(a11, none), ref o, c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a20, none), ref o, 0); TW.Store(TW.Unary<TAct>(a21, none), ref o, c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a30, none), ref o, 0); TW.Store(TW.Unary<TAct>(a31, none), ref o, c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a40, none), ref o, 0); TW.Store(TW.Unary<TAct>(a41, none), ref o, c);
            o = ref Unsafe.Add(ref o, nOut);
            TW.Store(TW.Unary<TAct>(a50, none), ref o, 0); TW.Store(TW.Unary<TAct>(a51, none), ref o, c);
        }
    }

    // Four samples × two vectors of outputs: eight accumulators, for widths with sixteen registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro4x2<T, TW, TVec, TAct>(ref T pack, ref T x0, ref T b, ref T z0, ref T o0, nuint nIn, nuint nOut, nuint kn, bool first, bool activate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
        where TAct : IUnaryOperator<T>
    {
        nuint c = (nuint)TW.Count;
        ref T x1 = ref Unsafe.Add(ref x0, nIn);
        ref T x2 = ref Unsafe.Add(ref x1, nIn);
        ref T x3 = ref Unsafe.Add(ref x2, nIn);
        ref T z1 = ref Unsafe.Add(ref z0, nOut);
        ref T z2 = ref Unsafe.Add(ref z1, nOut);
        ref T z3 = ref Unsafe.Add(ref z2, nOut);
        ref T s0 = ref first ? ref b : ref z0;
        ref T s1 = ref first ? ref b : ref z1;
        ref T s2 = ref first ? ref b : ref z2;
        ref T s3 = ref first ? ref b : ref z3;
        TVec a00 = TW.Load(ref s0, 0), a01 = TW.Load(ref s0, c);
        TVec a10 = TW.Load(ref s1, 0), a11 = TW.Load(ref s1, c);
        TVec a20 = TW.Load(ref s2, 0), a21 = TW.Load(ref s2, c);
        TVec a30 = TW.Load(ref s3, 0), a31 = TW.Load(ref s3, c);
        ref T p = ref pack;
        for (nuint k = 0; k < kn; k++)
        {
            TVec u0 = TW.Load(ref p, 0), u1 = TW.Load(ref p, c);
            TVec t = TW.Create(Unsafe.Add(ref x0, k));
            a00 = TW.MultiplyAdd(u0, t, a00); a01 = TW.MultiplyAdd(u1, t, a01);
            t = TW.Create(Unsafe.Add(ref x1, k));
            a10 = TW.MultiplyAdd(u0, t, a10); a11 = TW.MultiplyAdd(u1, t, a11);
            t = TW.Create(Unsafe.Add(ref x2, k));
            a20 = TW.MultiplyAdd(u0, t, a20); a21 = TW.MultiplyAdd(u1, t, a21);
            t = TW.Create(Unsafe.Add(ref x3, k));
            a30 = TW.MultiplyAdd(u0, t, a30); a31 = TW.MultiplyAdd(u1, t, a31);
            p = ref Unsafe.Add(ref p, PanelWidth<T>());
        }
        TW.Store(a00, ref z0, 0); TW.Store(a01, ref z0, c);
        TW.Store(a10, ref z1, 0); TW.Store(a11, ref z1, c);
        TW.Store(a20, ref z2, 0); TW.Store(a21, ref z2, c);
        TW.Store(a30, ref z3, 0); TW.Store(a31, ref z3, c);
        if (activate)
        {
            TVec none = TW.Create(T.Zero);
            ref T o1 = ref Unsafe.Add(ref o0, nOut);
            ref T o2 = ref Unsafe.Add(ref o1, nOut);
            ref T o3 = ref Unsafe.Add(ref o2, nOut);
            TW.Store(TW.Unary<TAct>(a00, none), ref o0, 0); TW.Store(TW.Unary<TAct>(a01, none), ref o0, c);
            TW.Store(TW.Unary<TAct>(a10, none), ref o1, 0); TW.Store(TW.Unary<TAct>(a11, none), ref o1, c);
            TW.Store(TW.Unary<TAct>(a20, none), ref o2, 0); TW.Store(TW.Unary<TAct>(a21, none), ref o2, c);
            TW.Store(TW.Unary<TAct>(a30, none), ref o3, 0); TW.Store(TW.Unary<TAct>(a31, none), ref o3, c);
        }
    }

    // One sample against the whole panel, a vector at a time; the same operations per lane, in the same
    // order, as the four-sample blocks, so a sample's outputs do not depend on where it sits in the batch.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro1<T, TW, TVec, TAct>(ref T pack, ref T x, ref T b, ref T z, ref T o, nuint width, nuint kn, bool first, bool activate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
        where TAct : IUnaryOperator<T>
    {
        nuint c = (nuint)TW.Count;
        ref T start = ref first ? ref b : ref z;
        for (nuint v = 0; v < width; v += c)
        {
            TVec a = TW.Load(ref start, v);
            ref T p = ref Unsafe.Add(ref pack, v);
            for (nuint k = 0; k < kn; k++)
            {
                a = TW.MultiplyAdd(TW.Load(ref p, 0), TW.Create(Unsafe.Add(ref x, k)), a);
                p = ref Unsafe.Add(ref p, PanelWidth<T>());
            }
            TW.Store(a, ref z, v);
            if (activate)
                TW.Store(TW.Unary<TAct>(a, TW.Create(T.Zero)), ref o, v);
        }
    }

    // The packed panel: one per thread and element type, grown once to the largest panel asked for, so
    // the forward pass allocates nothing after its first call on a thread.
    private static class PackBuffer<T>
    {
        [ThreadStatic]
        private static T[]? buffer;

        internal static T[] Get(int length)
        {
            T[]? current = buffer;
            if (current is null || current.Length < length)
                buffer = current = new T[length];
            return current;
        }
    }
}
