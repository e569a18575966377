using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// The two backward GEMMs over a whole batch. Per-sample rank-1 updates read and write the whole weight
// gradient once per sample; these kernels keep a register block of results live across every sample of
// the batch instead, so memory traffic falls by the batch size and the loops are FMA-bound.
public static partial class DenseKernels
{
    /// <summary>
    /// Adds a batch's weight and bias gradient: <c>gw[j·n_in + k] += Σ_s d[s·n_out + j]·x[s·n_in + k]</c>
    /// (δᵀ·a) and <c>gb[j] += Σ_s d[s·n_out + j]</c>. Gradients accumulate; nothing is overwritten.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="d">The deltas, <c>m × outputs</c> row-major.</param>
    /// <param name="x">The layer inputs, <c>m × inputs</c> row-major.</param>
    /// <param name="gw">The weight gradient, <c>outputs × inputs</c> row-major.</param>
    /// <param name="gb">The bias gradient, <paramref name="outputs"/> values.</param>
    /// <param name="inputs">Inputs per sample, at least 1.</param>
    /// <param name="outputs">Outputs per sample, at least 1.</param>
    /// <param name="threads">The most threads the call may use (see <see cref="Parallelism"/>); each owns whole rows of <paramref name="gw"/> and <paramref name="gb"/>, so every value is computed exactly as on one thread.</param>
    /// <remarks>
    /// Register-blocked: four gradient rows × two vectors of columns stay in eight accumulators while the
    /// kernel walks every sample, each step loading two input vectors and broadcasting four deltas.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/>, <paramref name="outputs"/> or <paramref name="threads"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A length does not match, or a gradient span overlaps an input or the other gradient span.</exception>
    public static unsafe void AccumulateGradientBatch<T>(ReadOnlySpan<T> d, ReadOnlySpan<T> x, Span<T> gw, Span<T> gb, int inputs, int outputs, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Positive(inputs, nameof(inputs));
        KernelGuard.Positive(outputs, nameof(outputs));
        KernelGuard.WholeRows(x.Length, inputs, nameof(x));
        int samples = x.Length / inputs;
        KernelGuard.Product(d.Length, samples, outputs, "samples", Outputs, nameof(d));
        KernelGuard.Product(gw.Length, outputs, inputs, Outputs, Inputs, nameof(gw));
        KernelGuard.Length(gb.Length, outputs, Outputs, nameof(gb));
        KernelGuard.NoOverlap(d, gw, nameof(d), nameof(gw));
        KernelGuard.NoOverlap(x, gw, nameof(x), nameof(gw));
        KernelGuard.NoOverlap(gb, gw, nameof(gb), nameof(gw));
        KernelGuard.NoOverlap(d, gb, nameof(d), nameof(gb));
        KernelGuard.NoOverlap(x, gb, nameof(x), nameof(gb));

        KernelGuard.Positive(threads, nameof(threads));
        if (samples == 0)
            return;
        fixed (T* pd = d, px = x, pgw = gw, pgb = gb)
        {
            var job = new GradientJob<T> { D = pd, X = px, GW = pgw, GB = pgb, NIn = (nuint)inputs, NOut = (nuint)outputs, M = (nuint)samples, Isa = IsaFor<T>((nuint)inputs) };
            RunSplit(ref job, threads);
        }
    }

    /// <summary>
    /// Propagates a batch's deltas back through the weights: <c>dx[s·n_in + k] = Σ_j d[s·n_out + j]·w[j·n_in + k]</c>
    /// (δ·W). Overwrites <paramref name="dx"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="w">The weights, <c>outputs × inputs</c> row-major.</param>
    /// <param name="d">The deltas, <c>m × outputs</c> row-major.</param>
    /// <param name="dx">Receives <c>m × inputs</c> values.</param>
    /// <param name="inputs">Inputs per sample, at least 1.</param>
    /// <param name="outputs">Outputs per sample, at least 1.</param>
    /// <param name="threads">The most threads the call may use (see <see cref="Parallelism"/>); each owns whole column strips of <paramref name="dx"/> on batches under 64 samples (whole sample rows on larger ones, or where it is under 128 columns wide), so every value is computed exactly as on one thread.</param>
    /// <remarks>
    /// Register-blocked: four samples × two vectors of columns in eight accumulators; each weight row slice
    /// loaded feeds four samples. Column blocks are the outer loop, so a block's slice of W stays in cache
    /// for the whole batch.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/>, <paramref name="outputs"/> or <paramref name="threads"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="dx"/> overlaps an input.</exception>
    public static unsafe void BackwardInputBatch<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> d, Span<T> dx, int inputs, int outputs, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Positive(inputs, nameof(inputs));
        KernelGuard.Positive(outputs, nameof(outputs));
        KernelGuard.Product(w.Length, outputs, inputs, Outputs, Inputs, nameof(w));
        KernelGuard.WholeRows(d.Length, outputs, nameof(d));
        int samples = d.Length / outputs;
        KernelGuard.Product(dx.Length, samples, inputs, "samples", Inputs, nameof(dx));
        KernelGuard.NoOverlap(w, dx, nameof(w), nameof(dx));
        KernelGuard.NoOverlap(d, dx, nameof(d), nameof(dx));

        KernelGuard.Positive(threads, nameof(threads));
        if (samples == 0)
            return;
        fixed (T* pw = w, pd = d, pdx = dx)
        {
            var job = new InputJob<T> { W = pw, D = pd, DX = pdx, NIn = (nuint)inputs, NOut = (nuint)outputs, M = (nuint)samples, Isa = IsaFor<T>((nuint)inputs) };
            // Few samples (as where the forward splits W's rows): by columns, so each thread reads its own part of W,
            // which the forward left in its core's cache. Many: by samples, where every thread reading all of W is cheap
            // beside its FMAs and a strip's worth of columns left over (784 = 12 strips and 16) would not be shared.
            job.SplitColumns = SplitsInputByColumns && threads > 1 && samples < PackedMinSamples && ColumnStrips(job.NIn) > 1;
            RunSplit(ref job, threads);
        }
    }

    // nIn ≥ TW.Count; nOut rows of gw, whose deltas are dStride apart per sample. Returns the number of
    // leading columns handled (whole vectors). Blocked over samples so that a block's input rows stay in L2 while
    // every block of gradient rows passes over them: each block of four rows reads the whole of x, column strip
    // after column strip, and 256 samples of 784 inputs (800 KiB) streamed from L3 once per block of rows held
    // the AVX2 path to about half of peak. Each gradient still sums its samples in order (the partial sum goes
    // through gw between sample blocks), so the blocking changes no bit.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint GradientBatch<T, TW, TVec>(ref T d, ref T x, ref T gw, nuint nIn, nuint nOut, nuint dStride, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint block = (nuint)GradientSampleBlockBytes / (nIn * (nuint)Unsafe.SizeOf<T>());
        block = block < 4 ? 4 : block - block % 4;
        nuint done = nIn - nIn % (nuint)TW.Count;
        for (nuint s0 = 0; s0 < m; s0 += block)
            GradientBatchBlock<T, TW, TVec>(ref Unsafe.Add(ref d, s0 * dStride), ref Unsafe.Add(ref x, s0 * nIn), ref gw, nIn, nOut, dStride, m - s0 < block ? m - s0 : block);
        return done;
    }

    // Input rows per sample block of ∂W: an eighth of the L2 the OS reports, so the block's column strips of x and the
    // rows of δ they meet stay in L1 and L2 (a quarter and a half measured no better on Zen 4's AVX2 path, an eighth
    // 5–12 points of peak better, and the same with AVX-512). Tests set other values (any gives the same bits).
    internal static int GradientSampleBlockBytes = CacheSizes.L2 / 8;

    // Tests turn the packing of ∂W and ∂input off to check that it changes no bit.
    internal static bool BackwardPacks = true;

    // ∂input on few samples split over threads by column strips (see InputJob); tests and the benchmarks' A/B turn it
    // off to split by samples, which gives the same bits.
    internal static bool SplitsInputByColumns = true;

    // Bytes of W's packed strip per band of ∂input rows: a quarter of L2. Tests set smaller ones (any gives the same bits).
    internal static int InputBandBytes = CacheSizes.L2 / 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint GradientBatchBlock<T, TW, TVec>(ref T d, ref T x, ref T gw, nuint nIn, nuint nOut, nuint dStride, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint full = nIn - nIn % c;
        bool wide = Unsafe.SizeOf<TVec>() == 64;
        // With sixteen registers the block's strips of x and each block of rows' deltas are copied to contiguous,
        // line-aligned panels (the strip of StripWidth columns at column k as m × width values from px[k·m]). Read in
        // place, a strip's rows lie nIn apart and the deltas nOut apart; at 512 (2 KiB, a power of two) those lines
        // share two L1 sets, so the deltas, meant to stay in L1 across the strips, came from L2 and misaligned rows of
        // x straddled lines: the AVX2 path ran 512-wide shapes at 62–77 % of peak, packed at 86–89 %. Each copy pays
        // off only when read again: x by a second block of rows, the deltas by a second strip.
        // With 32 registers the strips are copied once ahead of the row blocks when rows of x lie a multiple of 1 KiB
        // apart (a strip's lines then share a few L1 sets; 512 floats: two), and, on cores that copy wide strips (see
        // CopiesWideStrips), whenever two six-row blocks will read them.
        bool packWide = BackwardPacks && wide && (nOut >= 8 && nIn * (nuint)Unsafe.SizeOf<T>() % 1024 == 0 || CopiesWideStrips && SixBlocksBackward && nOut >= 12);
        bool packX = BackwardPacks && (!wide && nOut >= 12 || packWide);
        bool packD = BackwardPacks && !wide && full >= 4 * c;
        nuint line = 64 / (nuint)Unsafe.SizeOf<T>();
        nuint deltasAt = packX ? (full * m + line - 1) / line * line : 0;
        ref T deltas = ref Unsafe.NullRef<T>();
        ref T px = ref Unsafe.NullRef<T>();
        if (packX || packD)
        {
            px = ref GradientPanel<T>.Get((int)(deltasAt + (packD ? 6 * m : 0)));
            deltas = ref Unsafe.Add(ref px, deltasAt);
        }
        if (packWide)
        {
            for (nuint k = 0; k < full;)
            {
                nuint w = StripWidth(k, full, c, true);
                ref T strip = ref Unsafe.Add(ref px, k * m);
                for (nuint s = 0; s < m; s++)
                    for (nuint v = 0; v < w; v += c)
                        TW.Store(TW.Load(ref x, s * nIn + k + v), ref strip, s * w + v);
                k += w;
            }
        }
        nuint j = 0;
        // With sixteen vector registers, six rows × two vectors: twelve accumulators. Four × two (eight) is exactly
        // the FMA latency times two ports, so any stall showed (the AVX2 path ran ∂W at 50–65 % of peak).
        if (!wide)
        {
            // An even number of six-row blocks leaves a multiple of four rows for the four-row blocks whenever nOut is one.
            for (nuint end = (nOut / 6 & ~(nuint)1) * 6; j < end; j += 6)
            {
                ref T g0 = ref Unsafe.Add(ref gw, j * nIn);
                ref T dp = ref Unsafe.Add(ref d, j);
                nuint dps = dStride;
                if (packD)
                {
                    dp = ref PackDeltas(ref dp, dStride, 6, m, ref deltas);
                    dps = 6;
                }
                // The first block of rows reads x in place and copies it to the panel as it goes (a pass of its own
                // ahead of the kernels would load with no FMAs to hide the misses).
                bool copying = packX && j == 0, fromPanel = packX && !copying;
                for (nuint k = 0; k < full;)
                {
                    nuint w = StripWidth(k, full, c, false);
                    ref T strip = ref Unsafe.Add(ref px, k * m);
                    ref T xs = ref fromPanel ? ref strip : ref Unsafe.Add(ref x, k);
                    nuint xStride = fromPanel ? w : nIn;
                    if (w == 2 * c)
                    {
                        if (copying)
                            GradientBlock6x2<T, TW, TVec>(ref dp, dps, ref xs, xStride, ref Unsafe.Add(ref g0, k), nIn, m, ref strip, true);
                        else
                            GradientBlock6x2<T, TW, TVec>(ref dp, dps, ref xs, xStride, ref Unsafe.Add(ref g0, k), nIn, m, ref strip, false);
                    }
                    else
                    {
                        nuint r = 0;
                        if (copying)
                        {
                            GradientBlock1x1<T, TW, TVec>(ref dp, dps, ref xs, xStride, ref Unsafe.Add(ref g0, k), m, ref strip, true);
                            xs = ref strip;
                            xStride = w;
                            r = 1;
                        }
                        for (; r < 6; r++)
                            GradientBlock1x1<T, TW, TVec>(ref Unsafe.Add(ref dp, r), dps, ref xs, xStride, ref Unsafe.Add(ref g0, r * nIn + k), m, ref strip, false);
                    }
                    k += w;
                }
            }
        }
        // With 32 registers, six rows × four vectors first: twenty-four accumulators, so each strip of x loaded feeds six
        // rows instead of four (a core with two 512-bit FMA ports consumes the strips faster than L2 delivers them).
        if (wide && SixBlocksBackward && StripsOuter)
        {
            // Strips outer, six-row blocks inner: a strip of x (m × 4 vectors, 8 KiB at 32 samples) stays in L1 while
            // every block of rows passes over it, and only the blocks' deltas (a line per sample) are re-read; rows
            // outer read the whole of x again from L2 for every six rows (96 KiB at 784 inputs). Each gradient still
            // sums its samples in order within one block, so the order of the blocks changes no bit.
            nuint end = (nOut / 6 & ~(nuint)1) * 6;
            for (nuint k = 0; k < full && end > 0;)
            {
                nuint w = StripWidth(k, full, c, true);
                ref T xs = ref packX ? ref Unsafe.Add(ref px, k * m) : ref Unsafe.Add(ref x, k);
                nuint xStride = packX ? w : nIn;
                for (nuint r = 0; r < end; r += 6)
                {
                    ref T g0 = ref Unsafe.Add(ref gw, r * nIn + k);
                    // The block after this one: the same strip of the next six rows, else the next strip's first rows.
                    ref T next = ref r + 6 < end ? ref Unsafe.Add(ref g0, 6 * nIn) : ref k + w < full ? ref Unsafe.Add(ref gw, k + w) : ref Unsafe.NullRef<T>();
                    GradientBlock6<T, TW, TVec>(w, ref Unsafe.Add(ref d, r), dStride, ref xs, xStride, ref g0, nIn, m, ref next);
                }
                k += w;
            }
            j = end;
        }
        else if (wide && SixBlocksBackward)
        {
            for (nuint end = (nOut / 6 & ~(nuint)1) * 6; j < end; j += 6)
            {
                ref T g0 = ref Unsafe.Add(ref gw, j * nIn);
                ref T dp = ref Unsafe.Add(ref d, j);
                for (nuint k = 0; k < full;)
                {
                    nuint w = StripWidth(k, full, c, true);
                    ref T xs = ref packX ? ref Unsafe.Add(ref px, k * m) : ref Unsafe.Add(ref x, k);
                    nuint xStride = packX ? w : nIn;
                    // The block after this one: the next strip of the same rows, else the next six rows' first strip.
                    ref T next = ref k + w < full ? ref Unsafe.Add(ref g0, k + w) : ref j + 6 < end ? ref Unsafe.Add(ref g0, 6 * nIn) : ref Unsafe.NullRef<T>();
                    GradientBlock6<T, TW, TVec>(w, ref dp, dStride, ref xs, xStride, ref Unsafe.Add(ref g0, k), nIn, m, ref next);
                    k += w;
                }
            }
        }
        for (; j + 4 <= nOut; j += 4)
        {
            ref T g0 = ref Unsafe.Add(ref gw, j * nIn);
            ref T dp = ref Unsafe.Add(ref d, j);
            nuint dps = dStride;
            if (packD)
            {
                dp = ref PackDeltas(ref dp, dStride, 4, m, ref deltas);
                dps = 4;
            }
            for (nuint k = 0; k < full;)
            {
                nuint w = StripWidth(k, full, c, wide);
                ref T xs = ref packX ? ref Unsafe.Add(ref px, k * m) : ref Unsafe.Add(ref x, k);
                nuint xStride = packX ? w : nIn;
                // With 32 vector registers (AVX-512) four rows × four vectors fit: sixteen accumulators, enough
                // independent FMAs for two FMA ports, and eight loads per sixteen FMAs. Every value still sums its
                // samples in order, so the blocks agree with the narrower ones bit for bit.
                if (w == 4 * c)
                    GradientBlock4x4<T, TW, TVec>(ref dp, dps, ref xs, xStride, ref Unsafe.Add(ref g0, k), nIn, m);
                else if (w == 2 * c)
                    GradientBlock4x2<T, TW, TVec>(ref dp, dps, ref xs, xStride, ref Unsafe.Add(ref g0, k), nIn, m);
                else
                    GradientBlock4x1<T, TW, TVec>(ref dp, dps, ref xs, xStride, ref Unsafe.Add(ref g0, k), nIn, m);
                k += w;
            }
        }
        for (; j < nOut; j++)
        {
            ref T g = ref Unsafe.Add(ref gw, j * nIn);
            for (nuint k = 0; k < full;)
            {
                nuint w = StripWidth(k, full, c, wide);
                ref T xs = ref packX ? ref Unsafe.Add(ref px, k * m) : ref Unsafe.Add(ref x, k);
                nuint xStride = packX ? w : nIn;
                nuint v = 0;
                for (; v + 2 * c <= w; v += 2 * c)
                    GradientBlock1x2<T, TW, TVec>(ref Unsafe.Add(ref d, j), dStride, ref Unsafe.Add(ref xs, v), xStride, ref Unsafe.Add(ref g, k + v), m);
                if (v < w)
                    GradientBlock1x1<T, TW, TVec>(ref Unsafe.Add(ref d, j), dStride, ref Unsafe.Add(ref xs, v), xStride, ref Unsafe.Add(ref g, k + v), m, ref Unsafe.NullRef<T>(), false);
                k += w;
            }
        }
        return full;
    }

    // Six gradient rows × one strip of w columns (four, two or one vectors) with the AVX-512 kernel of that width; `next`
    // (the partial sums the caller will read after these, null for none) is prefetched by the four-vector kernel only.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientBlock6<T, TW, TVec>(nuint w, ref T dp, nuint dStride, ref T xs, nuint xStride, ref T g0, nuint nIn, nuint m, ref T next)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        if (w == 4 * c)
            GradientBlock6x4<T, TW, TVec>(ref dp, dStride, ref xs, xStride, ref g0, nIn, m, ref next);
        else if (w == 2 * c)
            GradientBlock6x2<T, TW, TVec>(ref dp, dStride, ref xs, xStride, ref g0, nIn, m, ref Unsafe.NullRef<T>(), false);
        else
            GradientBlock6x1<T, TW, TVec>(ref dp, dStride, ref xs, xStride, ref g0, nIn, m);
    }

    // The columns of the block of gradient rows starting at k: four vectors where the AVX-512 kernel takes them, else
    // two, else the last one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint StripWidth(nuint k, nuint full, nuint c, bool wide)
        => wide && k + 4 * c <= full ? 4 * c : k + 2 * c <= full ? 2 * c : c;

    // Copies the deltas of `rows` gradient rows, sample after sample (ds[s·dStride + r] to p[s·rows + r]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ref T PackDeltas<T>(ref T ds, nuint dStride, nuint rows, nuint m, ref T p)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (nuint s = 0; s < m; s++)
            for (nuint r = 0; r < rows; r++)
                Unsafe.Add(ref p, s * rows + r) = Unsafe.Add(ref ds, s * dStride + r);
        return ref p;
    }

    // The per-thread buffer the packed operands of ∂W and ∂input are copied to: grown once to the largest size asked
    // for (so a warm call allocates nothing), pinned, and used from its first cache-line boundary so that no vector
    // load from it straddles two lines, whatever the alignment of the caller's arrays.
    private static class GradientPanel<T> where T : unmanaged
    {
        [ThreadStatic]
        private static T[]? buffer;

        internal static unsafe ref T Get(int length)
        {
            const int Line = 64;
            T[]? current = buffer;
            if (current is null || current.Length < length + Line / sizeof(T))
                buffer = current = GC.AllocateUninitializedArray<T>(length + Line / sizeof(T), pinned: true);
            ref T first = ref MemoryMarshal.GetArrayDataReference(current);
            nuint misalign = (nuint)Unsafe.AsPointer(ref first) % Line;
            return ref Unsafe.Add(ref first, misalign == 0 ? 0 : (Line - (int)misalign) / sizeof(T));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientBlock4x2<T, TW, TVec>(ref T ds, nuint dStride, ref T xs, nuint xStride, ref T g0, nuint gStride, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        ref T g1 = ref Unsafe.Add(ref g0, gStride);
        ref T g2 = ref Unsafe.Add(ref g1, gStride);
        ref T g3 = ref Unsafe.Add(ref g2, gStride);
        // aRV: gradient row R, vector V of the column pair.
        TVec a00 = TW.Load(ref g0, 0), a01 = TW.Load(ref g0, c);
        TVec a10 = TW.Load(ref g1, 0), a11 = TW.Load(ref g1, c);
        TVec a20 = TW.Load(ref g2, 0), a21 = TW.Load(ref g2, c);
        TVec a30 = TW.Load(ref g3, 0), a31 = TW.Load(ref g3, c);
        for (nuint s = 0; s < m; s++)
        {
            TVec u = TW.Load(ref xs, 0), v = TW.Load(ref xs, c);
            TVec e = TW.Create(ds);
            a00 = TW.MultiplyAdd(u, e, a00);
            a01 = TW.MultiplyAdd(v, e, a01);
            e = TW.Create(Unsafe.Add(ref ds, 1));
            a10 = TW.MultiplyAdd(u, e, a10);
            a11 = TW.MultiplyAdd(v, e, a11);
            e = TW.Create(Unsafe.Add(ref ds, 2));
            a20 = TW.MultiplyAdd(u, e, a20);
            a21 = TW.MultiplyAdd(v, e, a21);
            e = TW.Create(Unsafe.Add(ref ds, 3));
            a30 = TW.MultiplyAdd(u, e, a30);
            a31 = TW.MultiplyAdd(v, e, a31);
            xs = ref Unsafe.Add(ref xs, xStride);
            ds = ref Unsafe.Add(ref ds, dStride);
        }
        TW.Store(a00, ref g0, 0); TW.Store(a01, ref g0, c);
        TW.Store(a10, ref g1, 0); TW.Store(a11, ref g1, c);
        TW.Store(a20, ref g2, 0); TW.Store(a21, ref g2, c);
        TW.Store(a30, ref g3, 0); TW.Store(a31, ref g3, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientBlock4x1<T, TW, TVec>(ref T ds, nuint dStride, ref T xs, nuint xStride, ref T g0, nuint gStride, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        ref T g1 = ref Unsafe.Add(ref g0, gStride);
        ref T g2 = ref Unsafe.Add(ref g1, gStride);
        ref T g3 = ref Unsafe.Add(ref g2, gStride);
        TVec a0 = TW.Load(ref g0, 0), a1 = TW.Load(ref g1, 0), a2 = TW.Load(ref g2, 0), a3 = TW.Load(ref g3, 0);
        for (nuint s = 0; s < m; s++)
        {
            TVec u = TW.Load(ref xs, 0);
            a0 = TW.MultiplyAdd(u, TW.Create(ds), a0);
            a1 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref ds, 1)), a1);
            a2 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref ds, 2)), a2);
            a3 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref ds, 3)), a3);
            xs = ref Unsafe.Add(ref xs, xStride);
            ds = ref Unsafe.Add(ref ds, dStride);
        }
        TW.Store(a0, ref g0, 0); TW.Store(a1, ref g1, 0); TW.Store(a2, ref g2, 0); TW.Store(a3, ref g3, 0);
    }

    // The last vector of columns of six rows (784 inputs: 12 strips of four vectors and one): six chains instead of the
    // one per row that left each row's sum waiting on the FMA latency, sample after sample.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientBlock6x1<T, TW, TVec>(ref T ds, nuint dStride, ref T xs, nuint xStride, ref T g0, nuint gStride, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        ref T g1 = ref Unsafe.Add(ref g0, gStride);
        ref T g2 = ref Unsafe.Add(ref g1, gStride);
        ref T g3 = ref Unsafe.Add(ref g2, gStride);
        ref T g4 = ref Unsafe.Add(ref g3, gStride);
        ref T g5 = ref Unsafe.Add(ref g4, gStride);
        TVec a0 = TW.Load(ref g0, 0), a1 = TW.Load(ref g1, 0), a2 = TW.Load(ref g2, 0), a3 = TW.Load(ref g3, 0), a4 = TW.Load(ref g4, 0), a5 = TW.Load(ref g5, 0);
        for (nuint s = 0; s < m; s++)
        {
            TVec u = TW.Load(ref xs, 0);
            a0 = TW.MultiplyAdd(u, TW.Create(ds), a0);
            a1 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref ds, 1)), a1);
            a2 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref ds, 2)), a2);
            a3 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref ds, 3)), a3);
            a4 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref ds, 4)), a4);
            a5 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref ds, 5)), a5);
            xs = ref Unsafe.Add(ref xs, xStride);
            ds = ref Unsafe.Add(ref ds, dStride);
        }
        TW.Store(a0, ref g0, 0); TW.Store(a1, ref g1, 0); TW.Store(a2, ref g2, 0); TW.Store(a3, ref g3, 0); TW.Store(a4, ref g4, 0); TW.Store(a5, ref g5, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientBlock1x2<T, TW, TVec>(ref T ds, nuint dStride, ref T xs, nuint xStride, ref T g, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        TVec a0 = TW.Load(ref g, 0), a1 = TW.Load(ref g, c);
        for (nuint s = 0; s < m; s++)
        {
            TVec e = TW.Create(ds);
            a0 = TW.MultiplyAdd(TW.Load(ref xs, 0), e, a0);
            a1 = TW.MultiplyAdd(TW.Load(ref xs, c), e, a1);
            xs = ref Unsafe.Add(ref xs, xStride);
            ds = ref Unsafe.Add(ref ds, dStride);
        }
        TW.Store(a0, ref g, 0); TW.Store(a1, ref g, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientBlock1x1<T, TW, TVec>(ref T ds, nuint dStride, ref T xs, nuint xStride, ref T g, nuint m, ref T copy, bool copies)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        TVec a0 = TW.Load(ref g, 0);
        for (nuint s = 0; s < m; s++)
        {
            TVec u = TW.Load(ref xs, 0);
            a0 = TW.MultiplyAdd(u, TW.Create(ds), a0);
            if (copies)
            {
                TW.Store(u, ref copy, 0);
                copy = ref Unsafe.Add(ref copy, (nuint)TW.Count);
            }
            xs = ref Unsafe.Add(ref xs, xStride);
            ds = ref Unsafe.Add(ref ds, dStride);
        }
        TW.Store(a0, ref g, 0);
    }

    // Six samples' dx, columns 0 … 2c − 1 (w, d and dx already offset to the block).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void InputBlock6x2<T, TW, TVec>(ref T row, nuint wStride, ref T d0, nuint dStride, ref T o, nuint oStride, nuint n, bool accumulate, ref T copy, bool copies)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        // aSV: sample S, vector V.
        TVec a00 = TW.Zero, a01 = TW.Zero, a10 = TW.Zero, a11 = TW.Zero, a20 = TW.Zero, a21 = TW.Zero;
        TVec a30 = TW.Zero, a31 = TW.Zero, a40 = TW.Zero, a41 = TW.Zero, a50 = TW.Zero, a51 = TW.Zero;
        if (accumulate)
        {
            ref T p = ref o;
            a00 = TW.Load(ref p, 0); a01 = TW.Load(ref p, c);
            p = ref Unsafe.Add(ref p, oStride);
            a10 = TW.Load(ref p, 0); a11 = TW.Load(ref p, c);
            p = ref Unsafe.Add(ref p, oStride);
            a20 = TW.Load(ref p, 0); a21 = TW.Load(ref p, c);
            p = ref Unsafe.Add(ref p, oStride);
            a30 = TW.Load(ref p, 0); a31 = TW.Load(ref p, c);
            p = ref Unsafe.Add(ref p, oStride);
            a40 = TW.Load(ref p, 0); a41 = TW.Load(ref p, c);
            p = ref Unsafe.Add(ref p, oStride);
            a50 = TW.Load(ref p, 0); a51 = TW.Load(ref p, c);
        }
        // Six rows of d from two bases and one row distance: with sixteen general registers six separate row
        // pointers left one to five of them reloaded from the stack every step (AVX2).
        nuint dRow = dStride * (nuint)Unsafe.SizeOf<T>();
        ref byte da = ref Unsafe.As<T, byte>(ref d0);
        ref byte db = ref Unsafe.AddByteOffset(ref da, 3 * dRow);
        for (nuint j = n; j != 0; j--)
        {
            TVec u = TW.Load(ref row, 0), v = TW.Load(ref row, c);
            TVec e = TW.Create(Unsafe.As<byte, T>(ref da));
            a00 = TW.MultiplyAdd(u, e, a00); a01 = TW.MultiplyAdd(v, e, a01);
            e = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref da, dRow)));
            a10 = TW.MultiplyAdd(u, e, a10); a11 = TW.MultiplyAdd(v, e, a11);
            e = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref da, 2 * dRow)));
            a20 = TW.MultiplyAdd(u, e, a20); a21 = TW.MultiplyAdd(v, e, a21);
            e = TW.Create(Unsafe.As<byte, T>(ref db));
            a30 = TW.MultiplyAdd(u, e, a30); a31 = TW.MultiplyAdd(v, e, a31);
            e = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref db, dRow)));
            a40 = TW.MultiplyAdd(u, e, a40); a41 = TW.MultiplyAdd(v, e, a41);
            e = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref db, 2 * dRow)));
            a50 = TW.MultiplyAdd(u, e, a50); a51 = TW.MultiplyAdd(v, e, a51);
            da = ref Unsafe.AddByteOffset(ref da, (nuint)Unsafe.SizeOf<T>());
            db = ref Unsafe.AddByteOffset(ref db, (nuint)Unsafe.SizeOf<T>());
            if (copies)
            {
                TW.Store(u, ref copy, 0);
                TW.Store(v, ref copy, c);
                copy = ref Unsafe.Add(ref copy, 2 * c);
            }
            row = ref Unsafe.Add(ref row, wStride);
        }
        TW.Store(a00, ref o, 0); TW.Store(a01, ref o, c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a10, ref o, 0); TW.Store(a11, ref o, c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a20, ref o, 0); TW.Store(a21, ref o, c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a30, ref o, 0); TW.Store(a31, ref o, c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a40, ref o, 0); TW.Store(a41, ref o, c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a50, ref o, 0); TW.Store(a51, ref o, c);
    }

    // Rows g0 … g0 + 5·nIn, columns 0 … 2c − 1 (g0 and xs already offset to the column block).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientBlock6x2<T, TW, TVec>(ref T ds, nuint dStride, ref T xs, nuint xStride, ref T g0, nuint gStride, nuint m, ref T copy, bool copies)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        ref T g1 = ref Unsafe.Add(ref g0, gStride);
        ref T g2 = ref Unsafe.Add(ref g1, gStride);
        ref T g3 = ref Unsafe.Add(ref g2, gStride);
        ref T g4 = ref Unsafe.Add(ref g3, gStride);
        ref T g5 = ref Unsafe.Add(ref g4, gStride);
        // aRV: gradient row R, vector V.
        TVec a00 = TW.Load(ref g0, 0), a01 = TW.Load(ref g0, c);
        TVec a10 = TW.Load(ref g1, 0), a11 = TW.Load(ref g1, c);
        TVec a20 = TW.Load(ref g2, 0), a21 = TW.Load(ref g2, c);
        TVec a30 = TW.Load(ref g3, 0), a31 = TW.Load(ref g3, c);
        TVec a40 = TW.Load(ref g4, 0), a41 = TW.Load(ref g4, c);
        TVec a50 = TW.Load(ref g5, 0), a51 = TW.Load(ref g5, c);
        for (nuint s = 0; s < m; s++)
        {
            TVec u = TW.Load(ref xs, 0), v = TW.Load(ref xs, c);
            TVec e = TW.Create(ds);
            a00 = TW.MultiplyAdd(u, e, a00); a01 = TW.MultiplyAdd(v, e, a01);
            e = TW.Create(Unsafe.Add(ref ds, 1));
            a10 = TW.MultiplyAdd(u, e, a10); a11 = TW.MultiplyAdd(v, e, a11);
            e = TW.Create(Unsafe.Add(ref ds, 2));
            a20 = TW.MultiplyAdd(u, e, a20); a21 = TW.MultiplyAdd(v, e, a21);
            e = TW.Create(Unsafe.Add(ref ds, 3));
            a30 = TW.MultiplyAdd(u, e, a30); a31 = TW.MultiplyAdd(v, e, a31);
            e = TW.Create(Unsafe.Add(ref ds, 4));
            a40 = TW.MultiplyAdd(u, e, a40); a41 = TW.MultiplyAdd(v, e, a41);
            e = TW.Create(Unsafe.Add(ref ds, 5));
            a50 = TW.MultiplyAdd(u, e, a50); a51 = TW.MultiplyAdd(v, e, a51);
            if (copies)
            {
                TW.Store(u, ref copy, 0);
                TW.Store(v, ref copy, c);
                copy = ref Unsafe.Add(ref copy, 2 * c);
            }
            xs = ref Unsafe.Add(ref xs, xStride);
            ds = ref Unsafe.Add(ref ds, dStride);
        }
        TW.Store(a00, ref g0, 0); TW.Store(a01, ref g0, c);
        TW.Store(a10, ref g1, 0); TW.Store(a11, ref g1, c);
        TW.Store(a20, ref g2, 0); TW.Store(a21, ref g2, c);
        TW.Store(a30, ref g3, 0); TW.Store(a31, ref g3, c);
        TW.Store(a40, ref g4, 0); TW.Store(a41, ref g4, c);
        TW.Store(a50, ref g5, 0); TW.Store(a51, ref g5, c);
    }

    // Tests and benchmarks turn the six-row and six-sample blocks of the AVX-512 backward off (the bits are the same).
    internal static bool SixBlocksBackward = true;

    // The six-row ∂W blocks walk the strips of x in the outer loop (see GradientBatchBlock); tests and the benchmarks' A/B
    // turn it off for rows outer, which gives the same bits.
    internal static bool StripsOuter = true;

    // Whether the AVX-512 backward copies strips of x (∂W) and W (∂input) that it would read in place at the caller's
    // alignment into line-aligned panels. Read in place, every 64-byte load of a strip straddles two lines. On a
    // 48 KiB-L1 Xeon (two 512-bit FMA ports, full-width loads) the copies took ∂W from 46–48 % to 49–54 % of peak
    // and ∂input at batch 256 from 52–59 % to 62–66 %; on Zen 4 (32 KiB L1, 512-bit loads in two halves) copying
    // the 784-wide ∂W strips measured 4 points slower (round 9). The OS reports neither the load width nor the FMA
    // ports, only the L1 size, which separates those two kinds of core; tests set both values (the bits are the same).
    internal static bool CopiesWideStrips = CacheSizes.L1Data >= 48 * 1024;

    // Rows g0 … g0 + 5·nIn, columns 0 … 4c − 1 (g0 and xs already offset to the column block). The 24 lines of the next
    // block's partial sums (`next`, the same place in its rows; null for none) are prefetched first: each block starts by
    // loading its sums, and in training a wide network's gradient and parameters do not fit L2 together (N3: 5 MB), so
    // every block began with a wait on L3 that the out-of-order window is too short to hide (a block at batch 32 is
    // ~1,300 instructions). N3's training step measured 1–6 % faster with it in four alternated pairs (round 14). A
    // prefetch is only a hint: it never faults and changes no bit.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void GradientBlock6x4<T, TW, TVec>(ref T ds, nuint dStride, ref T xs, nuint xStride, ref T g0, nuint gStride, nuint m, ref T next)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported && !Unsafe.IsNullRef(ref next))
        {
            byte* p = (byte*)Unsafe.AsPointer(ref next);
            nuint rowBytes = gStride * (nuint)Unsafe.SizeOf<T>();
            for (int r = 0; r < 6; r++, p += rowBytes)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p);
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + 64);
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + 128);
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + 192);
            }
        }
        ref T g = ref g0;
        // aRV: gradient row R, vector V.
        TVec a00 = TW.Load(ref g, 0), a01 = TW.Load(ref g, c), a02 = TW.Load(ref g, 2 * c), a03 = TW.Load(ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TVec a10 = TW.Load(ref g, 0), a11 = TW.Load(ref g, c), a12 = TW.Load(ref g, 2 * c), a13 = TW.Load(ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TVec a20 = TW.Load(ref g, 0), a21 = TW.Load(ref g, c), a22 = TW.Load(ref g, 2 * c), a23 = TW.Load(ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TVec a30 = TW.Load(ref g, 0), a31 = TW.Load(ref g, c), a32 = TW.Load(ref g, 2 * c), a33 = TW.Load(ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TVec a40 = TW.Load(ref g, 0), a41 = TW.Load(ref g, c), a42 = TW.Load(ref g, 2 * c), a43 = TW.Load(ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TVec a50 = TW.Load(ref g, 0), a51 = TW.Load(ref g, c), a52 = TW.Load(ref g, 2 * c), a53 = TW.Load(ref g, 3 * c);
        for (nuint s = m; s != 0; s--)
        {
            TVec u0 = TW.Load(ref xs, 0), u1 = TW.Load(ref xs, c), u2 = TW.Load(ref xs, 2 * c), u3 = TW.Load(ref xs, 3 * c);
            TVec e = TW.Create(ds);
            a00 = TW.MultiplyAdd(u0, e, a00); a01 = TW.MultiplyAdd(u1, e, a01); a02 = TW.MultiplyAdd(u2, e, a02); a03 = TW.MultiplyAdd(u3, e, a03);
            e = TW.Create(Unsafe.Add(ref ds, 1));
            a10 = TW.MultiplyAdd(u0, e, a10); a11 = TW.MultiplyAdd(u1, e, a11); a12 = TW.MultiplyAdd(u2, e, a12); a13 = TW.MultiplyAdd(u3, e, a13);
            e = TW.Create(Unsafe.Add(ref ds, 2));
            a20 = TW.MultiplyAdd(u0, e, a20); a21 = TW.MultiplyAdd(u1, e, a21); a22 = TW.MultiplyAdd(u2, e, a22); a23 = TW.MultiplyAdd(u3, e, a23);
            e = TW.Create(Unsafe.Add(ref ds, 3));
            a30 = TW.MultiplyAdd(u0, e, a30); a31 = TW.MultiplyAdd(u1, e, a31); a32 = TW.MultiplyAdd(u2, e, a32); a33 = TW.MultiplyAdd(u3, e, a33);
            e = TW.Create(Unsafe.Add(ref ds, 4));
            a40 = TW.MultiplyAdd(u0, e, a40); a41 = TW.MultiplyAdd(u1, e, a41); a42 = TW.MultiplyAdd(u2, e, a42); a43 = TW.MultiplyAdd(u3, e, a43);
            e = TW.Create(Unsafe.Add(ref ds, 5));
            a50 = TW.MultiplyAdd(u0, e, a50); a51 = TW.MultiplyAdd(u1, e, a51); a52 = TW.MultiplyAdd(u2, e, a52); a53 = TW.MultiplyAdd(u3, e, a53);
            xs = ref Unsafe.Add(ref xs, xStride);
            ds = ref Unsafe.Add(ref ds, dStride);
        }
        g = ref g0;
        TW.Store(a00, ref g, 0); TW.Store(a01, ref g, c); TW.Store(a02, ref g, 2 * c); TW.Store(a03, ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TW.Store(a10, ref g, 0); TW.Store(a11, ref g, c); TW.Store(a12, ref g, 2 * c); TW.Store(a13, ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TW.Store(a20, ref g, 0); TW.Store(a21, ref g, c); TW.Store(a22, ref g, 2 * c); TW.Store(a23, ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TW.Store(a30, ref g, 0); TW.Store(a31, ref g, c); TW.Store(a32, ref g, 2 * c); TW.Store(a33, ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TW.Store(a40, ref g, 0); TW.Store(a41, ref g, c); TW.Store(a42, ref g, 2 * c); TW.Store(a43, ref g, 3 * c);
        g = ref Unsafe.Add(ref g, gStride);
        TW.Store(a50, ref g, 0); TW.Store(a51, ref g, c); TW.Store(a52, ref g, 2 * c); TW.Store(a53, ref g, 3 * c);
    }

    // Rows g0 … g0 + 3·nIn, columns 0 … 4c − 1 (g0 and xs already offset to the column block).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientBlock4x4<T, TW, TVec>(ref T ds, nuint dStride, ref T xs, nuint xStride, ref T g0, nuint gStride, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        ref T g1 = ref Unsafe.Add(ref g0, gStride);
        ref T g2 = ref Unsafe.Add(ref g1, gStride);
        ref T g3 = ref Unsafe.Add(ref g2, gStride);
        // aRV: gradient row R, vector V.
        TVec a00 = TW.Load(ref g0, 0), a01 = TW.Load(ref g0, c), a02 = TW.Load(ref g0, 2 * c), a03 = TW.Load(ref g0, 3 * c);
        TVec a10 = TW.Load(ref g1, 0), a11 = TW.Load(ref g1, c), a12 = TW.Load(ref g1, 2 * c), a13 = TW.Load(ref g1, 3 * c);
        TVec a20 = TW.Load(ref g2, 0), a21 = TW.Load(ref g2, c), a22 = TW.Load(ref g2, 2 * c), a23 = TW.Load(ref g2, 3 * c);
        TVec a30 = TW.Load(ref g3, 0), a31 = TW.Load(ref g3, c), a32 = TW.Load(ref g3, 2 * c), a33 = TW.Load(ref g3, 3 * c);
        for (nuint s = 0; s < m; s++)
        {
            TVec u0 = TW.Load(ref xs, 0), u1 = TW.Load(ref xs, c), u2 = TW.Load(ref xs, 2 * c), u3 = TW.Load(ref xs, 3 * c);
            TVec e = TW.Create(ds);
            a00 = TW.MultiplyAdd(u0, e, a00); a01 = TW.MultiplyAdd(u1, e, a01); a02 = TW.MultiplyAdd(u2, e, a02); a03 = TW.MultiplyAdd(u3, e, a03);
            e = TW.Create(Unsafe.Add(ref ds, 1));
            a10 = TW.MultiplyAdd(u0, e, a10); a11 = TW.MultiplyAdd(u1, e, a11); a12 = TW.MultiplyAdd(u2, e, a12); a13 = TW.MultiplyAdd(u3, e, a13);
            e = TW.Create(Unsafe.Add(ref ds, 2));
            a20 = TW.MultiplyAdd(u0, e, a20); a21 = TW.MultiplyAdd(u1, e, a21); a22 = TW.MultiplyAdd(u2, e, a22); a23 = TW.MultiplyAdd(u3, e, a23);
            e = TW.Create(Unsafe.Add(ref ds, 3));
            a30 = TW.MultiplyAdd(u0, e, a30); a31 = TW.MultiplyAdd(u1, e, a31); a32 = TW.MultiplyAdd(u2, e, a32); a33 = TW.MultiplyAdd(u3, e, a33);
            xs = ref Unsafe.Add(ref xs, xStride);
            ds = ref Unsafe.Add(ref ds, dStride);
        }
        TW.Store(a00, ref g0, 0); TW.Store(a01, ref g0, c); TW.Store(a02, ref g0, 2 * c); TW.Store(a03, ref g0, 3 * c);
        TW.Store(a10, ref g1, 0); TW.Store(a11, ref g1, c); TW.Store(a12, ref g1, 2 * c); TW.Store(a13, ref g1, 3 * c);
        TW.Store(a20, ref g2, 0); TW.Store(a21, ref g2, c); TW.Store(a22, ref g2, 2 * c); TW.Store(a23, ref g2, 3 * c);
        TW.Store(a30, ref g3, 0); TW.Store(a31, ref g3, c); TW.Store(a32, ref g3, 2 * c); TW.Store(a33, ref g3, 3 * c);
    }

    // nIn ≥ TW.Count. dx is pure output, so the ragged end is the last whole vector, recomputed over the
    // overlap with the previous block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputBatch<T, TW, TVec>(ref T w, ref T d, ref T dx, nuint nIn, nuint nOut, nuint m, nuint k0, nuint k1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint k = k0;
        // Four vectors of columns with AVX-512's 32 registers (sixteen accumulators); each value sums over j in
        // order in every block width, so they agree bit for bit.
        if (Unsafe.SizeOf<TVec>() == 64)
        {
            for (; k + 4 * c <= k1; k += 4 * c)
                InputBatchColumns4<T, TW, TVec>(ref w, ref d, ref dx, nIn, nOut, m, k);
        }
        // With sixteen registers, the first block of samples copies each strip of W, as it reads it, to a contiguous,
        // line-aligned panel that the other blocks then read. In place its rows lie nIn apart, and at 512 inputs (2 KiB,
        // a power of two) the strip's lines share two L1 sets and came from L2 for every block: the AVX2 path ran
        // 512-output shapes at 70–80 % of peak, 93–95 % packed at batch 256. A separate copy pass before the first
        // block cost batch 32 more than it gained (its loads miss with no FMAs to hide them); copied in the first
        // block, batch 32 gains 6–10 points too. Rows beyond a quarter of L2 are taken in bands, the partial sums going
        // through dx, which changes no bit (the sum over j stays in order).
        if (BackwardPacks && Unsafe.SizeOf<TVec>() != 64 && k + 2 * c <= k1 && m >= 12)
        {
            nuint rows = (nuint)InputBandBytes / (2 * c * (nuint)Unsafe.SizeOf<T>());
            rows = rows < 1 ? 1 : rows < nOut ? rows : nOut;
            ref T panel = ref GradientPanel<T>.Get((int)(2 * c * rows));
            for (; k + 2 * c <= k1; k += 2 * c)
            {
                for (nuint j0 = 0; j0 < nOut; j0 += rows)
                {
                    nuint n = nOut - j0 < rows ? nOut - j0 : rows;
                    InputBatchColumns2<T, TW, TVec>(ref Unsafe.Add(ref w, j0 * nIn + k), nIn, ref Unsafe.Add(ref d, j0), nOut, ref Unsafe.Add(ref dx, k), nIn, n, m, j0 > 0, ref panel);
                }
            }
        }
        for (; k + 2 * c <= k1; k += 2 * c)
            InputBatchColumns2<T, TW, TVec>(ref Unsafe.Add(ref w, k), nIn, ref d, nOut, ref Unsafe.Add(ref dx, k), nIn, nOut, m, false, ref Unsafe.NullRef<T>());
        for (; k + c <= k1; k += c)
            InputBatchColumns1<T, TW, TVec>(ref w, ref d, ref dx, nIn, nOut, m, k);
        if (k < k1)
            InputBatchColumns1<T, TW, TVec>(ref w, ref d, ref dx, nIn, nOut, m, k1 - c);
    }

    // Columns k … k + 4c − 1 of every sample's dx: four samples × four vectors.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputBatchColumns4<T, TW, TVec>(ref T w, ref T d, ref T dx, nuint nIn, nuint nOut, nuint m, nuint k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint s = 0;
        // From 64 samples on (ten six-sample blocks; at 32 the copy cost more than it saved), the strip of W is first copied to a contiguous, line-aligned panel: in place its
        // rows lie nIn apart and start anywhere in a line, so every 64-byte load of it straddled two lines (a load a
        // core with two FMA ports pays twice for), and every block of samples read it again.
        ref T strip = ref Unsafe.Add(ref w, k);
        nuint stripStride = nIn;
        if (BackwardPacks && CopiesWideStrips && SixBlocksBackward && m >= 64)
        {
            ref T panel = ref GradientPanel<T>.Get((int)(nOut * 4 * c));
            for (nuint j = 0; j < nOut; j++)
                for (nuint v = 0; v < 4 * c; v += c)
                    TW.Store(TW.Load(ref strip, j * nIn + v), ref panel, j * 4 * c + v);
            strip = ref panel;
            stripStride = 4 * c;
        }
        // Six samples first: each slice of W loaded feeds six samples instead of four.
        if (SixBlocksBackward)
        {
            for (nuint end = (m / 6 & ~(nuint)1) * 6; s < end; s += 6)
                InputBlock6x4<T, TW, TVec>(ref strip, stripStride, ref Unsafe.Add(ref d, s * nOut), nOut, ref Unsafe.Add(ref dx, s * nIn + k), nIn, nOut);
        }
        for (; s + 4 <= m; s += 4)
            InputBlock4x4<T, TW, TVec>(ref strip, stripStride, ref Unsafe.Add(ref d, s * nOut), nOut, ref Unsafe.Add(ref dx, s * nIn + k), nIn, nOut);
        // The remaining samples one at a time, as InputBatchColumns2 does, two vectors at a time.
        if (s < m)
        {
            InputBatchColumns2<T, TW, TVec>(ref Unsafe.Add(ref w, k), nIn, ref Unsafe.Add(ref d, s * nOut), nOut, ref Unsafe.Add(ref dx, s * nIn + k), nIn, nOut, m - s, false, ref Unsafe.NullRef<T>());
            InputBatchColumns2<T, TW, TVec>(ref Unsafe.Add(ref w, k + 2 * c), nIn, ref Unsafe.Add(ref d, s * nOut), nOut, ref Unsafe.Add(ref dx, s * nIn + k + 2 * c), nIn, nOut, m - s, false, ref Unsafe.NullRef<T>());
        }
    }

    // Four samples' dx, columns 0 … 4c − 1 (the rest after the six-sample blocks: a quarter of a batch of 32). A method of its
    // own, as InputBlock6x4: inlined into the strip loop, the row stride was kept on the stack and stored and reloaded
    // every step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputBlock4x4<T, TW, TVec>(ref T row, nuint wStride, ref T d0, nuint dStride, ref T o, nuint oStride, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        ref T d1 = ref Unsafe.Add(ref d0, dStride);
        ref T d2 = ref Unsafe.Add(ref d1, dStride);
        ref T d3 = ref Unsafe.Add(ref d2, dStride);
        // aSV: sample S, vector V.
        TVec a00 = TW.Zero, a01 = TW.Zero, a02 = TW.Zero, a03 = TW.Zero;
        TVec a10 = TW.Zero, a11 = TW.Zero, a12 = TW.Zero, a13 = TW.Zero;
        TVec a20 = TW.Zero, a21 = TW.Zero, a22 = TW.Zero, a23 = TW.Zero;
        TVec a30 = TW.Zero, a31 = TW.Zero, a32 = TW.Zero, a33 = TW.Zero;
        for (nuint j = 0; j < n; j++)
        {
            TVec u0 = TW.Load(ref row, 0), u1 = TW.Load(ref row, c), u2 = TW.Load(ref row, 2 * c), u3 = TW.Load(ref row, 3 * c);
            TVec e = TW.Create(Unsafe.Add(ref d0, j));
            a00 = TW.MultiplyAdd(u0, e, a00); a01 = TW.MultiplyAdd(u1, e, a01); a02 = TW.MultiplyAdd(u2, e, a02); a03 = TW.MultiplyAdd(u3, e, a03);
            e = TW.Create(Unsafe.Add(ref d1, j));
            a10 = TW.MultiplyAdd(u0, e, a10); a11 = TW.MultiplyAdd(u1, e, a11); a12 = TW.MultiplyAdd(u2, e, a12); a13 = TW.MultiplyAdd(u3, e, a13);
            e = TW.Create(Unsafe.Add(ref d2, j));
            a20 = TW.MultiplyAdd(u0, e, a20); a21 = TW.MultiplyAdd(u1, e, a21); a22 = TW.MultiplyAdd(u2, e, a22); a23 = TW.MultiplyAdd(u3, e, a23);
            e = TW.Create(Unsafe.Add(ref d3, j));
            a30 = TW.MultiplyAdd(u0, e, a30); a31 = TW.MultiplyAdd(u1, e, a31); a32 = TW.MultiplyAdd(u2, e, a32); a33 = TW.MultiplyAdd(u3, e, a33);
            row = ref Unsafe.Add(ref row, wStride);
        }
        TW.Store(a00, ref o, 0); TW.Store(a01, ref o, c); TW.Store(a02, ref o, 2 * c); TW.Store(a03, ref o, 3 * c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a10, ref o, 0); TW.Store(a11, ref o, c); TW.Store(a12, ref o, 2 * c); TW.Store(a13, ref o, 3 * c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a20, ref o, 0); TW.Store(a21, ref o, c); TW.Store(a22, ref o, 2 * c); TW.Store(a23, ref o, 3 * c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a30, ref o, 0); TW.Store(a31, ref o, c); TW.Store(a32, ref o, 2 * c); TW.Store(a33, ref o, 3 * c);
    }

    // Six samples' dx, columns 0 … 4c − 1, summing n rows of w from zero (w, d and dx already offset to the block). The
    // six delta rows come from two bases and one row distance, so the loop keeps its pointers in registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputBlock6x4<T, TW, TVec>(ref T row, nuint wStride, ref T d0, nuint dStride, ref T o, nuint oStride, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        // aSV: sample S, vector V.
        TVec a00 = TW.Zero, a01 = TW.Zero, a02 = TW.Zero, a03 = TW.Zero;
        TVec a10 = TW.Zero, a11 = TW.Zero, a12 = TW.Zero, a13 = TW.Zero;
        TVec a20 = TW.Zero, a21 = TW.Zero, a22 = TW.Zero, a23 = TW.Zero;
        TVec a30 = TW.Zero, a31 = TW.Zero, a32 = TW.Zero, a33 = TW.Zero;
        TVec a40 = TW.Zero, a41 = TW.Zero, a42 = TW.Zero, a43 = TW.Zero;
        TVec a50 = TW.Zero, a51 = TW.Zero, a52 = TW.Zero, a53 = TW.Zero;
        nuint dRow = dStride * (nuint)Unsafe.SizeOf<T>();
        ref byte da = ref Unsafe.As<T, byte>(ref d0);
        ref byte db = ref Unsafe.AddByteOffset(ref da, 3 * dRow);
        for (nuint j = n; j != 0; j--)
        {
            TVec u0 = TW.Load(ref row, 0), u1 = TW.Load(ref row, c), u2 = TW.Load(ref row, 2 * c), u3 = TW.Load(ref row, 3 * c);
            TVec e = TW.Create(Unsafe.As<byte, T>(ref da));
            a00 = TW.MultiplyAdd(u0, e, a00); a01 = TW.MultiplyAdd(u1, e, a01); a02 = TW.MultiplyAdd(u2, e, a02); a03 = TW.MultiplyAdd(u3, e, a03);
            e = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref da, dRow)));
            a10 = TW.MultiplyAdd(u0, e, a10); a11 = TW.MultiplyAdd(u1, e, a11); a12 = TW.MultiplyAdd(u2, e, a12); a13 = TW.MultiplyAdd(u3, e, a13);
            e = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref da, 2 * dRow)));
            a20 = TW.MultiplyAdd(u0, e, a20); a21 = TW.MultiplyAdd(u1, e, a21); a22 = TW.MultiplyAdd(u2, e, a22); a23 = TW.MultiplyAdd(u3, e, a23);
            e = TW.Create(Unsafe.As<byte, T>(ref db));
            a30 = TW.MultiplyAdd(u0, e, a30); a31 = TW.MultiplyAdd(u1, e, a31); a32 = TW.MultiplyAdd(u2, e, a32); a33 = TW.MultiplyAdd(u3, e, a33);
            e = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref db, dRow)));
            a40 = TW.MultiplyAdd(u0, e, a40); a41 = TW.MultiplyAdd(u1, e, a41); a42 = TW.MultiplyAdd(u2, e, a42); a43 = TW.MultiplyAdd(u3, e, a43);
            e = TW.Create(Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref db, 2 * dRow)));
            a50 = TW.MultiplyAdd(u0, e, a50); a51 = TW.MultiplyAdd(u1, e, a51); a52 = TW.MultiplyAdd(u2, e, a52); a53 = TW.MultiplyAdd(u3, e, a53);
            row = ref Unsafe.Add(ref row, wStride);
            da = ref Unsafe.AddByteOffset(ref da, (nuint)Unsafe.SizeOf<T>());
            db = ref Unsafe.AddByteOffset(ref db, (nuint)Unsafe.SizeOf<T>());
        }
        TW.Store(a00, ref o, 0); TW.Store(a01, ref o, c); TW.Store(a02, ref o, 2 * c); TW.Store(a03, ref o, 3 * c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a10, ref o, 0); TW.Store(a11, ref o, c); TW.Store(a12, ref o, 2 * c); TW.Store(a13, ref o, 3 * c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a20, ref o, 0); TW.Store(a21, ref o, c); TW.Store(a22, ref o, 2 * c); TW.Store(a23, ref o, 3 * c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a30, ref o, 0); TW.Store(a31, ref o, c); TW.Store(a32, ref o, 2 * c); TW.Store(a33, ref o, 3 * c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a40, ref o, 0); TW.Store(a41, ref o, c); TW.Store(a42, ref o, 2 * c); TW.Store(a43, ref o, 3 * c);
        o = ref Unsafe.Add(ref o, oStride);
        TW.Store(a50, ref o, 0); TW.Store(a51, ref o, c); TW.Store(a52, ref o, 2 * c); TW.Store(a53, ref o, 3 * c);
    }

    // Two vectors of columns of every sample's dx, summing n rows of w (w, d and dx already offset to the block):
    // from zero, or on from the partial sums in dx when accumulate.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputBatchColumns2<T, TW, TVec>(ref T w, nuint wStride, ref T d, nuint dStride, ref T dx, nuint dxStride, nuint n, nuint m, bool accumulate, ref T panel)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint s = 0;
        // With sixteen registers, six samples × two vectors (twelve accumulators) first: four × two is exactly the
        // FMA latency times two ports, and the AVX2 path ran ∂input at 68–83 % of peak with it.
        if (Unsafe.SizeOf<TVec>() != 64)
        {
            // An even number of six-blocks leaves a multiple of four for the four-blocks whenever m is one.
            nuint end = (m / 6 & ~(nuint)1) * 6;
            if (!Unsafe.IsNullRef(ref panel) && end > 0)
            {
                InputBlock6x2<T, TW, TVec>(ref w, wStride, ref d, dStride, ref dx, dxStride, n, accumulate, ref panel, true);
                w = ref panel;
                wStride = 2 * c;
                s = 6;
            }
            for (; s < end; s += 6)
                InputBlock6x2<T, TW, TVec>(ref w, wStride, ref Unsafe.Add(ref d, s * dStride), dStride, ref Unsafe.Add(ref dx, s * dxStride), dxStride, n, accumulate, ref panel, false);
        }
        for (; s + 4 <= m; s += 4)
        {
            ref T d0 = ref Unsafe.Add(ref d, s * dStride);
            ref T d1 = ref Unsafe.Add(ref d0, dStride);
            ref T d2 = ref Unsafe.Add(ref d1, dStride);
            ref T d3 = ref Unsafe.Add(ref d2, dStride);
            ref T o = ref Unsafe.Add(ref dx, s * dxStride);
            TVec a00 = TW.Zero, a01 = TW.Zero, a10 = TW.Zero, a11 = TW.Zero;
            TVec a20 = TW.Zero, a21 = TW.Zero, a30 = TW.Zero, a31 = TW.Zero;
            if (accumulate)
            {
                ref T p = ref o;
                a00 = TW.Load(ref p, 0); a01 = TW.Load(ref p, c);
                p = ref Unsafe.Add(ref p, dxStride);
                a10 = TW.Load(ref p, 0); a11 = TW.Load(ref p, c);
                p = ref Unsafe.Add(ref p, dxStride);
                a20 = TW.Load(ref p, 0); a21 = TW.Load(ref p, c);
                p = ref Unsafe.Add(ref p, dxStride);
                a30 = TW.Load(ref p, 0); a31 = TW.Load(ref p, c);
            }
            ref T row = ref w;
            for (nuint j = 0; j < n; j++)
            {
                TVec u = TW.Load(ref row, 0), v = TW.Load(ref row, c);
                TVec e = TW.Create(Unsafe.Add(ref d0, j));
                a00 = TW.MultiplyAdd(u, e, a00);
                a01 = TW.MultiplyAdd(v, e, a01);
                e = TW.Create(Unsafe.Add(ref d1, j));
                a10 = TW.MultiplyAdd(u, e, a10);
                a11 = TW.MultiplyAdd(v, e, a11);
                e = TW.Create(Unsafe.Add(ref d2, j));
                a20 = TW.MultiplyAdd(u, e, a20);
                a21 = TW.MultiplyAdd(v, e, a21);
                e = TW.Create(Unsafe.Add(ref d3, j));
                a30 = TW.MultiplyAdd(u, e, a30);
                a31 = TW.MultiplyAdd(v, e, a31);
                row = ref Unsafe.Add(ref row, wStride);
            }
            TW.Store(a00, ref o, 0); TW.Store(a01, ref o, c);
            o = ref Unsafe.Add(ref o, dxStride);
            TW.Store(a10, ref o, 0); TW.Store(a11, ref o, c);
            o = ref Unsafe.Add(ref o, dxStride);
            TW.Store(a20, ref o, 0); TW.Store(a21, ref o, c);
            o = ref Unsafe.Add(ref o, dxStride);
            TW.Store(a30, ref o, 0); TW.Store(a31, ref o, c);
        }
        for (; s < m; s++)
        {
            ref T ds = ref Unsafe.Add(ref d, s * dStride);
            ref T o = ref Unsafe.Add(ref dx, s * dxStride);
            TVec a0 = accumulate ? TW.Load(ref o, 0) : TW.Zero, a1 = accumulate ? TW.Load(ref o, c) : TW.Zero;
            ref T row = ref w;
            for (nuint j = 0; j < n; j++)
            {
                TVec e = TW.Create(Unsafe.Add(ref ds, j));
                a0 = TW.MultiplyAdd(TW.Load(ref row, 0), e, a0);
                a1 = TW.MultiplyAdd(TW.Load(ref row, c), e, a1);
                row = ref Unsafe.Add(ref row, wStride);
            }
            TW.Store(a0, ref o, 0);
            TW.Store(a1, ref o, c);
        }
    }

    // Columns k … k + c − 1 of every sample's dx.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputBatchColumns1<T, TW, TVec>(ref T w, ref T d, ref T dx, nuint nIn, nuint nOut, nuint m, nuint k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint s = 0;
        for (; s + 4 <= m; s += 4)
        {
            ref T d0 = ref Unsafe.Add(ref d, s * nOut);
            ref T d1 = ref Unsafe.Add(ref d0, nOut);
            ref T d2 = ref Unsafe.Add(ref d1, nOut);
            ref T d3 = ref Unsafe.Add(ref d2, nOut);
            TVec a0 = TW.Zero, a1 = TW.Zero, a2 = TW.Zero, a3 = TW.Zero;
            ref T row = ref Unsafe.Add(ref w, k);
            for (nuint j = 0; j < nOut; j++)
            {
                TVec u = TW.Load(ref row, 0);
                a0 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref d0, j)), a0);
                a1 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref d1, j)), a1);
                a2 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref d2, j)), a2);
                a3 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref d3, j)), a3);
                row = ref Unsafe.Add(ref row, nIn);
            }
            TW.Store(a0, ref dx, s * nIn + k);
            TW.Store(a1, ref dx, (s + 1) * nIn + k);
            TW.Store(a2, ref dx, (s + 2) * nIn + k);
            TW.Store(a3, ref dx, (s + 3) * nIn + k);
        }
        for (; s < m; s++)
        {
            ref T ds = ref Unsafe.Add(ref d, s * nOut);
            TVec a0 = TW.Zero;
            ref T row = ref Unsafe.Add(ref w, k);
            for (nuint j = 0; j < nOut; j++)
            {
                a0 = TW.MultiplyAdd(TW.Load(ref row, 0), TW.Create(Unsafe.Add(ref ds, j)), a0);
                row = ref Unsafe.Add(ref row, nIn);
            }
            TW.Store(a0, ref dx, s * nIn + k);
        }
    }
}
