using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace StaticNets.Kernels;

/// <summary>
/// Kernels of 2-D max and average pooling over NCHW samples, forward and backward. Allocation-free; shapes
/// are checked once on entry. No padding: every window lies inside the input, and rows and columns that no
/// window covers are ignored (and get zero gradient).
/// </summary>
/// <remarks>
/// Max pooling picks, per window, the first maximum in row-major window order; a NaN in the window wins
/// (the first NaN), so NaN propagates as in PyTorch. The chosen element's index within its sample is
/// recorded for the backward pass.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static unsafe partial class PoolKernels
{
    private const string Inputs = "inputs";
    private const string Outputs = "outputs";

    /// <summary>
    /// Max pooling: each output is the largest input of its window, and
    /// <c>argmax[n·OutputSize + i]</c> receives the index within the sample (0 … InputSize − 1) of the chosen input.
    /// Ties go to the first maximum in row-major window order; a NaN in the window wins (the first one).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="input">The inputs, a whole number of samples of <see cref="Pool2DShape.InputSize"/>.</param>
    /// <param name="output">Receives as many samples of <see cref="Pool2DShape.OutputSize"/>.</param>
    /// <param name="argmax">Receives, per output, the index of the chosen input within its sample; as long as <paramref name="output"/>.</param>
    /// <param name="threads">The most threads the call may use: the batch is split into sub-batches of whole samples, each computed exactly as on one thread.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or <paramref name="output"/> overlaps <paramref name="input"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void MaxForward<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output, Span<int> argmax, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = CheckForward(s, input, output, threads);
        KernelGuard.Length(argmax.Length, output.Length, "one per output", nameof(argmax));
        int chunks = ForwardChunks(s, batch, threads);
        if (chunks > 1)
            ForwardSplit(s, input, output, argmax, batch, chunks, threads, max: true);
        else
            MaxForwardSamples(s, input, output, argmax, batch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxForwardSamples<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output, Span<int> argmax, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T x = ref MemoryMarshal.GetReference(input);
        ref T y = ref MemoryMarshal.GetReference(output);
        ref int am = ref MemoryMarshal.GetReference(argmax);
        int inPlane = s.InHeight * s.InWidth, iw = s.InWidth, ow = s.OutWidth;
        int planes = batch * s.Channels;
        bool twoByTwo = s.WindowHeight == 2 && s.WindowWidth == 2 && s.StrideY == 2 && s.StrideX == 2;
        for (int pl = 0; pl < planes; pl++)
        {
            ref T xp = ref Unsafe.Add(ref x, (nuint)pl * (nuint)inPlane);
            int planeBase = pl % s.Channels * inPlane; // index of the plane's first element within its sample
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                int rowStart = oy * s.StrideY * iw;
                if (twoByTwo)
                {
                    // The common LeNet case: four compares per output, no inner loops.
                    ref T r0 = ref Unsafe.Add(ref xp, (nuint)rowStart);
                    ref T r1 = ref Unsafe.Add(ref r0, (nuint)iw);
                    int i0 = planeBase + rowStart;
                    if (typeof(T) == typeof(float) && MaxRow2x2Vector(ref Unsafe.As<T, float>(ref r0), iw, ref Unsafe.As<T, float>(ref y), ref am, ow, i0))
                    {
                        y = ref Unsafe.Add(ref y, (nuint)ow);
                        am = ref Unsafe.Add(ref am, (nuint)ow);
                        continue;
                    }
                    for (int ox = 0; ox < ow; ox++)
                    {
                        nuint i = (nuint)(2 * ox);
                        // Pairwise, branch-free (on random data a branch mispredicts half the time): the winner of
                        // each row pair as an offset 0/1, the values reloaded by offset rather than selected.
                        int tTop = Takes(Unsafe.Add(ref r0, i + 1), Unsafe.Add(ref r0, i)) ? 1 : 0;
                        int tBottom = Takes(Unsafe.Add(ref r1, i + 1), Unsafe.Add(ref r1, i)) ? 1 : 0;
                        int down = Takes(Unsafe.Add(ref r1, i + (nuint)tBottom), Unsafe.Add(ref r0, i + (nuint)tTop)) ? 1 : 0;
                        int offset = down * (iw + tBottom) + (1 - down) * tTop;
                        y = Unsafe.Add(ref r0, i + (nuint)offset);
                        am = i0 + (int)i + offset;
                        y = ref Unsafe.Add(ref y, 1);
                        am = ref Unsafe.Add(ref am, 1);
                    }
                }
                else
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int start = rowStart + ox * s.StrideX;
                        int best = start;
                        T v = Unsafe.Add(ref xp, (nuint)start);
                        for (int wy = 0; wy < s.WindowHeight; wy++)
                        {
                            int r = start + wy * iw;
                            for (int wx = wy == 0 ? 1 : 0; wx < s.WindowWidth; wx++)
                                Take(ref xp, r + wx, ref v, ref best);
                        }
                        y = v;
                        am = planeBase + best;
                        y = ref Unsafe.Add(ref y, 1);
                        am = ref Unsafe.Add(ref am, 1);
                    }
                }
            }
        }
    }

    // One output row of 2×2 stride-2 max pooling in float, vectorised along the row: each input row's pairs
    // are de-interleaved into even and odd columns, and the same pairwise tournament as the scalar code runs
    // lane-wise (left vs right in each row, then bottom vs top), so ties and NaNs resolve identically. The
    // ragged end is the last whole vector again, over the overlap (pure outputs, same values). Returns false,
    // having written nothing, where no vector width fits the row (or the machine has none of these).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MaxRow2x2Vector(ref float r0, int iw, ref float y, ref int am, int ow, int i0)
    {
        if (Simd512<float>.IsEnabled && Avx512F.IsSupported && ow >= Vector512<float>.Count)
            MaxRow2x2Vector512(ref r0, ref Unsafe.Add(ref r0, (nuint)iw), ref y, ref am, ow, iw, i0);
        else if (Simd256<float>.IsEnabled && Avx2.IsSupported && ow >= Vector256<float>.Count)
            MaxRow2x2Vector256(ref r0, ref Unsafe.Add(ref r0, (nuint)iw), ref y, ref am, ow, iw, i0);
        else if (Simd128<float>.IsEnabled && Sse2.IsSupported && ow >= Vector128<float>.Count)
            MaxRow2x2Vector128(ref r0, ref Unsafe.Add(ref r0, (nuint)iw), ref y, ref am, ow, iw, i0);
        else
            return false;
        return true;
    }

    // The lane-wise Takes: candidate > best, or candidate is NaN and best is not.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Takes(Vector512<float> c, Vector512<float> b)
        => Vector512.GreaterThan(c, b) | Vector512.AndNot(Vector512.Equals(b, b), Vector512.Equals(c, c));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Takes(Vector256<float> c, Vector256<float> b)
        => Vector256.GreaterThan(c, b) | Vector256.AndNot(Vector256.Equals(b, b), Vector256.Equals(c, c));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Takes(Vector128<float> c, Vector128<float> b)
        => Vector128.GreaterThan(c, b) | Vector128.AndNot(Vector128.Equals(b, b), Vector128.Equals(c, c));

    // ow ≥ 16. Two-source permutes de-interleave in natural order.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MaxRow2x2Vector512(ref float r0, ref float r1, ref float y, ref int am, int ow, int iw, int i0)
    {
        const int W = 16;
        Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> odd = even + Vector512<int>.One;
        Vector512<int> one = Vector512<int>.One, down = Vector512.Create(iw);
        for (int ox = 0; ; ox += W)
        {
            if (ox > ow - W)
                ox = ow - W;
            nuint i = (nuint)(2 * ox);
            Vector512<float> a0 = Vector512.LoadUnsafe(ref r0, i), a1 = Vector512.LoadUnsafe(ref r0, i + W);
            Vector512<float> b0 = Vector512.LoadUnsafe(ref r1, i), b1 = Vector512.LoadUnsafe(ref r1, i + W);
            Vector512<float> tl = Avx512F.PermuteVar16x32x2(a0, even, a1), tr = Avx512F.PermuteVar16x32x2(a0, odd, a1);
            Vector512<float> bl = Avx512F.PermuteVar16x32x2(b0, even, b1), br = Avx512F.PermuteVar16x32x2(b0, odd, b1);
            Vector512<float> tTake = Takes(tr, tl), bTake = Takes(br, bl);
            Vector512<float> top = Vector512.ConditionalSelect(tTake, tr, tl), bottom = Vector512.ConditionalSelect(bTake, br, bl);
            Vector512<float> dTake = Takes(bottom, top);
            Vector512.ConditionalSelect(dTake, bottom, top).StoreUnsafe(ref y, (nuint)ox);
            Vector512<int> offset = Vector512.ConditionalSelect(dTake.AsInt32(), (bTake.AsInt32() & one) + down, tTake.AsInt32() & one);
            (offset + even + Vector512.Create(i0 + 2 * ox)).StoreUnsafe(ref am, (nuint)ox);
            if (ox + W >= ow)
                break;
        }
    }

    // ow ≥ 8. vshufps de-interleaves within 128-bit halves, leaving the outputs' 64-bit pairs in the order
    // 0, 2, 1, 3; one vpermpd per result puts them back.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MaxRow2x2Vector256(ref float r0, ref float r1, ref float y, ref int am, int ow, int iw, int i0)
    {
        const int W = 8;
        const byte Even = 0b10_00_10_00, Odd = 0b11_01_11_01, Unpermute = 0b11_01_10_00;
        Vector256<int> lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        Vector256<int> one = Vector256<int>.One, down = Vector256.Create(iw);
        for (int ox = 0; ; ox += W)
        {
            if (ox > ow - W)
                ox = ow - W;
            nuint i = (nuint)(2 * ox);
            Vector256<float> a0 = Vector256.LoadUnsafe(ref r0, i), a1 = Vector256.LoadUnsafe(ref r0, i + W);
            Vector256<float> b0 = Vector256.LoadUnsafe(ref r1, i), b1 = Vector256.LoadUnsafe(ref r1, i + W);
            Vector256<float> tl = Avx.Shuffle(a0, a1, Even), tr = Avx.Shuffle(a0, a1, Odd);
            Vector256<float> bl = Avx.Shuffle(b0, b1, Even), br = Avx.Shuffle(b0, b1, Odd);
            Vector256<float> tTake = Takes(tr, tl), bTake = Takes(br, bl);
            Vector256<float> top = Vector256.ConditionalSelect(tTake, tr, tl), bottom = Vector256.ConditionalSelect(bTake, br, bl);
            Vector256<float> dTake = Takes(bottom, top);
            Vector256<float> v = Vector256.ConditionalSelect(dTake, bottom, top);
            Avx2.Permute4x64(v.AsDouble(), Unpermute).AsSingle().StoreUnsafe(ref y, (nuint)ox);
            Vector256<int> offset = Vector256.ConditionalSelect(dTake.AsInt32(), (bTake.AsInt32() & one) + down, tTake.AsInt32() & one);
            offset = Avx2.Permute4x64(offset.AsInt64(), Unpermute).AsInt32();
            (offset + lanes + Vector256.Create(i0 + 2 * ox)).StoreUnsafe(ref am, (nuint)ox);
            if (ox + W >= ow)
                break;
        }
    }

    // ow ≥ 4. shufps de-interleaves two vectors in natural order.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MaxRow2x2Vector128(ref float r0, ref float r1, ref float y, ref int am, int ow, int iw, int i0)
    {
        const int W = 4;
        const byte Even = 0b10_00_10_00, Odd = 0b11_01_11_01;
        Vector128<int> lanes = Vector128.Create(0, 2, 4, 6);
        Vector128<int> one = Vector128<int>.One, down = Vector128.Create(iw);
        for (int ox = 0; ; ox += W)
        {
            if (ox > ow - W)
                ox = ow - W;
            nuint i = (nuint)(2 * ox);
            Vector128<float> a0 = Vector128.LoadUnsafe(ref r0, i), a1 = Vector128.LoadUnsafe(ref r0, i + W);
            Vector128<float> b0 = Vector128.LoadUnsafe(ref r1, i), b1 = Vector128.LoadUnsafe(ref r1, i + W);
            Vector128<float> tl = Sse.Shuffle(a0, a1, Even), tr = Sse.Shuffle(a0, a1, Odd);
            Vector128<float> bl = Sse.Shuffle(b0, b1, Even), br = Sse.Shuffle(b0, b1, Odd);
            Vector128<float> tTake = Takes(tr, tl), bTake = Takes(br, bl);
            Vector128<float> top = Vector128.ConditionalSelect(tTake, tr, tl), bottom = Vector128.ConditionalSelect(bTake, br, bl);
            Vector128<float> dTake = Takes(bottom, top);
            Vector128.ConditionalSelect(dTake, bottom, top).StoreUnsafe(ref y, (nuint)ox);
            Vector128<int> offset = Vector128.ConditionalSelect(dTake.AsInt32(), (bTake.AsInt32() & one) + down, tTake.AsInt32() & one);
            (offset + lanes + Vector128.Create(i0 + 2 * ox)).StoreUnsafe(ref am, (nuint)ox);
            if (ox + W >= ow)
                break;
        }
    }

    // Whether a later candidate replaces the running maximum: it is larger, or it is the first NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Takes<T>(T candidate, T best)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (candidate > best) | (T.IsNaN(candidate) & !T.IsNaN(best));

    // Replaces the running maximum when the candidate is larger, or is the first NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take<T>(ref T plane, int index, ref T best, ref int bestIndex)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Branch-free: on random data a branch here mispredicts about half the time.
        T v = Unsafe.Add(ref plane, (nuint)index);
        bool take = Takes(v, best);
        bestIndex = take ? index : bestIndex;
        best = take ? v : best;
    }

    /// <summary>
    /// The backward pass of <see cref="MaxForward{T}"/>: OVERWRITES <paramref name="inputDelta"/>, zero except where
    /// <paramref name="argmax"/> points; each output delta is added at its sample's argmax index, so overlapping
    /// windows that chose the same input add up.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="outputDelta">∂C/∂output, a whole number of samples of <see cref="Pool2DShape.OutputSize"/>.</param>
    /// <param name="argmax">The indices <see cref="MaxForward{T}"/> recorded, as long as <paramref name="outputDelta"/>; each in 0 … InputSize − 1.</param>
    /// <param name="inputDelta">Receives ∂C/∂input, as many samples of <see cref="Pool2DShape.InputSize"/>.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or <paramref name="inputDelta"/> overlaps <paramref name="outputDelta"/>.</exception>
    /// <param name="threads">The most threads the call may use: sub-batches of whole samples, each computed exactly as on one thread.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index in <paramref name="argmax"/> lies outside its sample, or <paramref name="threads"/> is less than 1.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxBackward<T>(in Pool2DShape s, ReadOnlySpan<T> outputDelta, ReadOnlySpan<int> argmax, Span<T> inputDelta, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = CheckBackward(s, outputDelta, inputDelta);
        KernelGuard.Length(argmax.Length, outputDelta.Length, "one per output", nameof(argmax));
        KernelGuard.Positive(threads, nameof(threads));
        int chunks = threads > 1 ? ForwardChunks(s, batch, threads) : 1;
        if (chunks > 1)
        {
            BackwardSplit(s, outputDelta, argmax, inputDelta, batch, chunks, threads, max: true);
            return;
        }

        inputDelta.Clear();
        ref T d = ref MemoryMarshal.GetReference(outputDelta);
        ref int am = ref MemoryMarshal.GetReference(argmax);
        ref T dx = ref MemoryMarshal.GetReference(inputDelta);
        int inSize = s.InputSize, outSize = s.OutputSize;
        if (typeof(T) == typeof(float) && s.WindowHeight == 2 && s.WindowWidth == 2 && s.StrideY == 2 && s.StrideX == 2
            && MaxBackward2x2Vector(s, batch, ref Unsafe.As<T, float>(ref d), ref am, ref Unsafe.As<T, float>(ref dx)))
            return;
        for (int n = 0; n < batch; n++)
        {
            ref T dxn = ref Unsafe.Add(ref dx, (nuint)n * (nuint)inSize);
            for (int i = 0; i < outSize; i++)
            {
                int at = am;
                if ((uint)at >= (uint)inSize)
                    ThrowIndex(at, inSize);
                Unsafe.Add(ref dxn, (nuint)at) += d;
                d = ref Unsafe.Add(ref d, 1);
                am = ref Unsafe.Add(ref am, 1);
            }
        }
    }

    // 2×2 stride 2 in float: the windows do not overlap, so each input element receives at most one delta and the
    // two input rows under a row of windows can be written whole, two vectors per vector of outputs: each delta
    // and its argmax offset within the window (0, 1, InWidth, InWidth + 1) duplicated into adjacent lanes, kept
    // in the lane whose column (even/odd) and row match the offset. The ragged end is the last whole vector again
    // (same values into the same places). Every argmax is checked to lie in its own window; if one does not (argmax
    // not from MaxForward of this shape) the scalar path reruns the whole call, which adds at any in-sample index.
    // Returns false, having written nothing beyond the cleared inputDelta, where no vector width fits well.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool MaxBackward2x2Vector(in Pool2DShape s, int batch, ref float d, ref int am, ref float dx)
    {
        int ow = s.OutWidth, iw = s.InWidth, inPlane = s.InHeight * iw, c = s.Channels;
        bool wide = Simd256<float>.IsEnabled && Avx2.IsSupported && ow >= Vector256<float>.Count;
        // At 128 bits, rows of fewer than two vectors (LeNet's second pooling: five outputs) scatter faster.
        if (!wide && !(Simd128<float>.IsEnabled && Sse2.IsSupported && ow >= 2 * Vector128<float>.Count))
            return false;
        bool ok = true;
        int planes = batch * c;
        for (int pl = 0; pl < planes; pl++)
        {
            ref float dxp = ref Unsafe.Add(ref dx, (nuint)pl * (nuint)inPlane);
            int planeBase = pl % c * inPlane;
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                ref float r0 = ref Unsafe.Add(ref dxp, (nuint)(2 * oy * iw));
                int rowBase = planeBase + 2 * oy * iw;
                ok &= wide ? MaxBackwardRow256(ref d, ref am, ref r0, ow, iw, rowBase) : MaxBackwardRow128(ref d, ref am, ref r0, ow, iw, rowBase);
                d = ref Unsafe.Add(ref d, (nuint)ow);
                am = ref Unsafe.Add(ref am, (nuint)ow);
            }
        }
        if (ok)
            return true;
        MemoryMarshal.CreateSpan(ref dx, batch * s.InputSize).Clear();
        return false;
    }

    // ow ≥ 8. Returns whether every argmax of the row lay in its window.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static bool MaxBackwardRow256(ref float d, ref int am, ref float r0, int ow, int iw, int rowBase)
    {
        const int W = 8;
        Vector256<int> lowHalf = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3), highHalf = Vector256.Create(4, 4, 5, 5, 6, 6, 7, 7);
        Vector256<int> column = Vector256.Create(0, 1, 0, 1, 0, 1, 0, 1), lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        Vector256<int> below = column + Vector256.Create(iw), bad = Vector256<int>.Zero;
        ref float r1 = ref Unsafe.Add(ref r0, (nuint)iw);
        for (int ox = 0; ; ox += W)
        {
            if (ox > ow - W)
                ox = ow - W;
            Vector256<float> g = Vector256.LoadUnsafe(ref d, (nuint)ox);
            Vector256<int> offset = Vector256.LoadUnsafe(ref am, (nuint)ox) - (lanes + Vector256.Create(rowBase + 2 * ox));
            Vector256<float> g0 = Avx2.PermuteVar8x32(g, lowHalf), g1 = Avx2.PermuteVar8x32(g, highHalf);
            Vector256<int> o0 = Avx2.PermuteVar8x32(offset, lowHalf), o1 = Avx2.PermuteVar8x32(offset, highHalf);
            Vector256<int> t0 = Vector256.Equals(o0, column), t1 = Vector256.Equals(o1, column);
            Vector256<int> b0 = Vector256.Equals(o0, below), b1 = Vector256.Equals(o1, below);
            // Each output's pair of lanes holds exactly one hit, top or bottom, when the argmax lies in its window.
            bad |= ~(t0 | b0 | Avx2.Shuffle(t0 | b0, 0b10_11_00_01)) | ~(t1 | b1 | Avx2.Shuffle(t1 | b1, 0b10_11_00_01));
            nuint i = (nuint)(2 * ox);
            (g0 & t0.AsSingle()).StoreUnsafe(ref r0, i);
            (g1 & t1.AsSingle()).StoreUnsafe(ref r0, i + W);
            (g0 & b0.AsSingle()).StoreUnsafe(ref r1, i);
            (g1 & b1.AsSingle()).StoreUnsafe(ref r1, i + W);
            if (ox + W >= ow)
                break;
        }
        return bad == Vector256<int>.Zero;
    }

    // ow ≥ 4. As above; unpacking a vector with itself duplicates lanes in natural order.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static bool MaxBackwardRow128(ref float d, ref int am, ref float r0, int ow, int iw, int rowBase)
    {
        const int W = 4;
        Vector128<int> column = Vector128.Create(0, 1, 0, 1), lanes = Vector128.Create(0, 2, 4, 6);
        Vector128<int> below = column + Vector128.Create(iw), bad = Vector128<int>.Zero;
        ref float r1 = ref Unsafe.Add(ref r0, (nuint)iw);
        for (int ox = 0; ; ox += W)
        {
            if (ox > ow - W)
                ox = ow - W;
            Vector128<float> g = Vector128.LoadUnsafe(ref d, (nuint)ox);
            Vector128<int> offset = Vector128.LoadUnsafe(ref am, (nuint)ox) - (lanes + Vector128.Create(rowBase + 2 * ox));
            Vector128<float> g0 = Sse.UnpackLow(g, g), g1 = Sse.UnpackHigh(g, g);
            Vector128<int> o0 = Sse2.UnpackLow(offset, offset), o1 = Sse2.UnpackHigh(offset, offset);
            Vector128<int> t0 = Vector128.Equals(o0, column), t1 = Vector128.Equals(o1, column);
            Vector128<int> b0 = Vector128.Equals(o0, below), b1 = Vector128.Equals(o1, below);
            bad |= ~(t0 | b0 | Sse2.Shuffle(t0 | b0, 0b10_11_00_01)) | ~(t1 | b1 | Sse2.Shuffle(t1 | b1, 0b10_11_00_01));
            nuint i = (nuint)(2 * ox);
            (g0 & t0.AsSingle()).StoreUnsafe(ref r0, i);
            (g1 & t1.AsSingle()).StoreUnsafe(ref r0, i + W);
            (g0 & b0.AsSingle()).StoreUnsafe(ref r1, i);
            (g1 & b1.AsSingle()).StoreUnsafe(ref r1, i + W);
            if (ox + W >= ow)
                break;
        }
        return bad == Vector128<int>.Zero;
    }

    /// <summary>Average pooling: each output is the mean of its window.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="input">The inputs, a whole number of samples of <see cref="Pool2DShape.InputSize"/>.</param>
    /// <param name="output">Receives as many samples of <see cref="Pool2DShape.OutputSize"/>.</param>
    /// <param name="threads">The most threads the call may use: the batch is split into sub-batches of whole samples, each computed exactly as on one thread.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or <paramref name="output"/> overlaps <paramref name="input"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void AvgForward<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = CheckForward(s, input, output, threads);
        int chunks = ForwardChunks(s, batch, threads);
        if (chunks > 1)
            ForwardSplit(s, input, output, default, batch, chunks, threads, max: false);
        else
            AvgForwardSamples(s, input, output, batch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AvgForwardSamples<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T x = ref MemoryMarshal.GetReference(input);
        ref T y = ref MemoryMarshal.GetReference(output);
        int inPlane = s.InHeight * s.InWidth, iw = s.InWidth, ow = s.OutWidth;
        int planes = batch * s.Channels;
        T scale = T.One / T.CreateTruncating(s.WindowHeight * s.WindowWidth);
        bool twoByTwo = s.WindowHeight == 2 && s.WindowWidth == 2 && s.StrideY == 2 && s.StrideX == 2;
        for (int pl = 0; pl < planes; pl++)
        {
            ref T xp = ref Unsafe.Add(ref x, (nuint)pl * (nuint)inPlane);
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                int rowStart = oy * s.StrideY * iw;
                if (twoByTwo)
                {
                    ref T r0 = ref Unsafe.Add(ref xp, (nuint)rowStart);
                    ref T r1 = ref Unsafe.Add(ref r0, (nuint)iw);
                    for (int ox = 0; ox < ow; ox++)
                    {
                        nuint i = (nuint)(2 * ox);
                        y = (Unsafe.Add(ref r0, i) + Unsafe.Add(ref r0, i + 1) + (Unsafe.Add(ref r1, i) + Unsafe.Add(ref r1, i + 1))) * scale;
                        y = ref Unsafe.Add(ref y, 1);
                    }
                }
                else
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        ref T start = ref Unsafe.Add(ref xp, (nuint)(rowStart + ox * s.StrideX));
                        T sum = T.Zero;
                        for (int wy = 0; wy < s.WindowHeight; wy++)
                        {
                            ref T r = ref Unsafe.Add(ref start, (nuint)(wy * iw));
                            for (int wx = 0; wx < s.WindowWidth; wx++)
                                sum += Unsafe.Add(ref r, (nuint)wx);
                        }
                        y = sum * scale;
                        y = ref Unsafe.Add(ref y, 1);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The backward pass of <see cref="AvgForward{T}"/>: OVERWRITES <paramref name="inputDelta"/>; each output delta,
    /// divided by the window size, is added to every input of its window (overlapping windows add up;
    /// inputs no window covers get zero).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="outputDelta">∂C/∂output, a whole number of samples of <see cref="Pool2DShape.OutputSize"/>.</param>
    /// <param name="inputDelta">Receives ∂C/∂input, as many samples of <see cref="Pool2DShape.InputSize"/>.</param>
    /// <param name="threads">The most threads the call may use: sub-batches of whole samples, each computed exactly as on one thread.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or <paramref name="inputDelta"/> overlaps <paramref name="outputDelta"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvgBackward<T>(in Pool2DShape s, ReadOnlySpan<T> outputDelta, Span<T> inputDelta, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = CheckBackward(s, outputDelta, inputDelta);
        KernelGuard.Positive(threads, nameof(threads));
        int chunks = threads > 1 ? ForwardChunks(s, batch, threads) : 1;
        if (chunks > 1)
        {
            BackwardSplit(s, outputDelta, default, inputDelta, batch, chunks, threads, max: false);
            return;
        }
        inputDelta.Clear();
        ref T d = ref MemoryMarshal.GetReference(outputDelta);
        ref T dx = ref MemoryMarshal.GetReference(inputDelta);
        int inPlane = s.InHeight * s.InWidth, iw = s.InWidth, ow = s.OutWidth;
        int planes = batch * s.Channels;
        T scale = T.One / T.CreateTruncating(s.WindowHeight * s.WindowWidth);
        for (int pl = 0; pl < planes; pl++)
        {
            ref T dp = ref Unsafe.Add(ref dx, (nuint)pl * (nuint)inPlane);
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                int rowStart = oy * s.StrideY * iw;
                for (int ox = 0; ox < ow; ox++)
                {
                    T g = d * scale;
                    d = ref Unsafe.Add(ref d, 1);
                    ref T start = ref Unsafe.Add(ref dp, (nuint)(rowStart + ox * s.StrideX));
                    for (int wy = 0; wy < s.WindowHeight; wy++)
                    {
                        ref T r = ref Unsafe.Add(ref start, (nuint)(wy * iw));
                        for (int wx = 0; wx < s.WindowWidth; wx++)
                            Unsafe.Add(ref r, (nuint)wx) += g;
                    }
                }
            }
        }
    }

    private static int CheckForward<T>(in Pool2DShape s, ReadOnlySpan<T> input, Span<T> output, int threads)
    {
        s.Validate();
        KernelGuard.Positive(threads, nameof(threads));
        KernelGuard.WholeSamples(input.Length, s.InputSize, Inputs, nameof(input));
        int batch = input.Length / s.InputSize;
        KernelGuard.Samples(output.Length, batch, s.OutputSize, Outputs, nameof(output));
        KernelGuard.NoOverlap(input, output, nameof(input), nameof(output));
        return batch;
    }

    private static int CheckBackward<T>(in Pool2DShape s, ReadOnlySpan<T> outputDelta, Span<T> inputDelta)
    {
        s.Validate();
        KernelGuard.WholeSamples(outputDelta.Length, s.OutputSize, Outputs, nameof(outputDelta));
        int batch = outputDelta.Length / s.OutputSize;
        KernelGuard.Samples(inputDelta.Length, batch, s.InputSize, Inputs, nameof(inputDelta));
        KernelGuard.NoOverlap(outputDelta, inputDelta, nameof(outputDelta), nameof(inputDelta));
        return batch;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowIndex(int index, int inputSize)
        => throw new ArgumentOutOfRangeException("argmax", index, $"Expected indices within a sample of {inputSize} inputs.");
}
