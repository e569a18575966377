using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// The channel-vectorised scheme, for small output planes whose output channels fill at least one vector (LeNet's
// second layer: 16 channels, a 10 × 10 plane). Vectors run along the output channels, padded with zeros to a whole
// number of vectors (VL = V·lanes), so nothing is unrolled and nothing is ragged along the vector:
//
//   layout:  the input is read in place where no window leaves it (no padding, StrideX 1), else copied once per
//            sample into a zero-padded, phase-split plane per channel, xq[ic, r, φ, c] = x[ic, r − PadTop,
//            c·StrideX + φ − PadLeft], so that tap (ic, ky, kx) of output (oy, ox) is xq at
//            tapOffset(ic, ky, kx) + oy·StrideY·rowPitch + ox: consecutive output columns are consecutive elements at
//            every stride. A table of the tap offsets lives on the stack.
//   forward: wT[t, oc] (the weights transposed once per call into scratch); blocks of output positions × channel
//            vectors, one vector load of wT per tap and one broadcast input per position: two rows × five columns for
//            a single vector, one row × five columns for a pair; rows and columns clamped at the ragged ends
//            (recomputed, same values into the same place), into yT[p, oc], transposed into NCHW once per sample.
//   weight gradient: δ of a sample transposed to δT[p, oc]; blocks of six taps (one vector) or four taps × two
//            vectors, each tap's own pointer, accumulated over the sample's positions into gT[t, oc] (scratch, the
//            whole batch), added into the weight gradient transposed back once per call.
//   input delta and bias gradient: as the im2col scheme (Wᵀ·δ, col2im; sums along δ's planes).
public static partial class ConvKernels
{
    /// <summary>Lanes the channel scheme would use for <paramref name="outChannels"/> at the current vector width, or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ChannelLanes<T>(int outChannels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && outChannels >= Vector512<T>.Count)
            return Vector512<T>.Count;
        if (Simd256<T>.IsEnabled && outChannels >= Vector256<T>.Count)
            return Vector256<T>.Count;
        if (Simd128<T>.IsEnabled && outChannels >= Vector128<T>.Count)
            return Vector128<T>.Count;
        return 0;
    }

    /// <summary>The scheme that runs for this shape at the current vector width (the rule: <see cref="ConvSchemes.Choose"/>).</summary>
    private static ConvScheme SchemeOf<T>(in Conv2DShape s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => VectorWidth.ForceChannelScheme && !IsPointwise(s) && ChannelLanes<T>(s.OutChannels) > 0
            && ConvSchemes.ChannelCost(s.InChannels, s.KernelHeight, s.KernelWidth, s.StrideY, s.StrideX, s.OutChannels, s.OutHeight, s.OutWidth, ChannelLanes<T>(s.OutChannels)) >= 0
        ? ConvScheme.OutChannels
        : ConvSchemes.Choose(s.InChannels, s.KernelHeight, s.KernelWidth, s.StrideY, s.StrideX, IsPointwise(s),
            s.OutChannels, s.OutHeight, s.OutWidth, DirectLanes<T>(s.OutWidth), GemmLanes<T>(s.OutPlane), ChannelLanes<T>(s.OutChannels));

    /// <summary>Whether the channel scheme may run for this shape at some vector width (so that the scratch covers it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ChannelSchemePossible<T>(in Conv2DShape s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (IsPointwise(s))
            return false;
        int bytes = Unsafe.SizeOf<T>();
        if (VectorWidth.ForceChannelScheme)
            return ConvSchemes.ChannelCost(s.InChannels, s.KernelHeight, s.KernelWidth, s.StrideY, s.StrideX, s.OutChannels, s.OutHeight, s.OutWidth, 16 / bytes) >= 0;
        for (int bits = 512; bits >= 128; bits /= 2)
        {
            int lanes = bits / 8 / bytes;
            int rowLanes = ConvSchemes.Lanes(s.OutWidth, bytes, bits >= 512, bits >= 256, true);
            int planeLanes = ConvSchemes.Lanes(s.OutPlane, bytes, bits >= 512, bits >= 256, true);
            int channelLanes = ConvSchemes.Lanes(s.OutChannels, bytes, bits >= 512, bits >= 256, true);
            if (lanes > 0 && ConvSchemes.Choose(s.InChannels, s.KernelHeight, s.KernelWidth, s.StrideY, s.StrideX, false,
                    s.OutChannels, s.OutHeight, s.OutWidth, rowLanes, planeLanes, channelLanes) == ConvScheme.OutChannels)
                return true;
        }
        return false;
    }

    // Channels padded to a whole number of vectors of any width (at most 16 lanes).
    private static int MaxChannelStride(in Conv2DShape s) => (s.OutChannels + 15) / 16 * 16;

    private static bool ReadsInPlace(in Conv2DShape s)
        => s.StrideX == 1 && s.PadTop == 0 && s.PadLeft == 0
        && PaddedHeight(s) <= s.InHeight && s.OutWidth + s.KernelWidth - 1 <= s.InWidth;

    private static int PhaseWidth(in Conv2DShape s) => s.OutWidth + (s.KernelWidth - 1) / s.StrideX;

    private static int PhasedLength(in Conv2DShape s) => ReadsInPlace(s) ? 0 : s.InChannels * PaddedHeight(s) * s.StrideX * PhaseWidth(s);

    // Scratch of the channel scheme: [col (the input delta's Wᵀ·δ) | wT or gT | bias | xq | yT or δT].
    private static int ChannelLength(in Conv2DShape s)
    {
        int vl = MaxChannelStride(s);
        return s.PatchSize * s.OutPlane + s.PatchSize * vl + vl + PhasedLength(s) + s.OutPlane * vl;
    }

    // tap[(ic·KH + ky)·KW + kx] = ic·planePitch + ky·rowPitch + (kx mod sx)·phaseWidth + kx div sx.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TapOffsets(in Conv2DShape s, Span<int> tap, int rowPitch, int planePitch)
    {
        int pw = PhaseWidth(s), t = 0;
        for (int ic = 0; ic < s.InChannels; ic++)
            for (int ky = 0; ky < s.KernelHeight; ky++)
                for (int kx = 0; kx < s.KernelWidth; kx++)
                    tap[t++] = ic * planePitch + ky * rowPitch + kx % s.StrideX * pw + kx / s.StrideX;
    }

    private static void Pitches(in Conv2DShape s, out int rowPitch, out int planePitch)
    {
        if (ReadsInPlace(s))
        {
            rowPitch = s.InWidth;
            planePitch = s.InHeight * s.InWidth;
        }
        else
        {
            rowPitch = s.StrideX * PhaseWidth(s);
            planePitch = PaddedHeight(s) * rowPitch;
        }
    }

    // xq[ic, r, φ, c] = x[ic, r − PadTop, c·sx + φ − PadLeft], or 0 outside the input.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PhaseInput<T>(in Conv2DShape s, ref T x, ref T xq)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int ph = PaddedHeight(s), pw = PhaseWidth(s), sx = s.StrideX, ih = s.InHeight, iw = s.InWidth, pl = s.PadLeft;
        ref T dst = ref xq;
        for (int ic = 0; ic < s.InChannels; ic++)
        {
            ref T xc = ref Unsafe.Add(ref x, (nuint)(ic * ih * iw));
            for (int r = 0; r < ph; r++)
            {
                int iy = r - s.PadTop;
                if ((uint)iy >= (uint)ih)
                {
                    MemoryMarshal.CreateSpan(ref dst, sx * pw).Clear();
                    dst = ref Unsafe.Add(ref dst, (nuint)(sx * pw));
                    continue;
                }
                ref T xr = ref Unsafe.Add(ref xc, (nuint)(iy * iw));
                for (int phase = 0; phase < sx; phase++)
                {
                    // Columns c with 0 ≤ c·sx + phase − pl < iw.
                    int lo = phase >= pl ? 0 : (pl - phase + sx - 1) / sx;
                    int last = iw - 1 + pl - phase; // c·sx ≤ last
                    int end = last < 0 ? 0 : Math.Min(pw, last / sx + 1);
                    if (lo > end)
                        lo = end;
                    for (int c = 0; c < lo; c++)
                        Unsafe.Add(ref dst, (nuint)c) = T.Zero;
                    if (sx == 1)
                    {
                        CopyShort(ref Unsafe.Add(ref xr, (nuint)(lo - pl)), ref Unsafe.Add(ref dst, (nuint)lo), end - lo);
                    }
                    else
                    {
                        for (int c = lo, ix = lo * sx + phase - pl; c < end; c++, ix += sx)
                            Unsafe.Add(ref dst, (nuint)c) = Unsafe.Add(ref xr, (nuint)ix);
                    }
                    for (int c = end; c < pw; c++)
                        Unsafe.Add(ref dst, (nuint)c) = T.Zero;
                    dst = ref Unsafe.Add(ref dst, (nuint)pw);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ChannelForward<T>(in Conv2DShape s, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, ReadOnlySpan<T> prepared = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && s.OutChannels >= Vector512<T>.Count)
            ChannelForward<T, Simd512<T>, Vector512<T>>(s, weights, bias, input, output, scratch, prepared);
        else if (Simd256<T>.IsEnabled && s.OutChannels >= Vector256<T>.Count)
            ChannelForward<T, Simd256<T>, Vector256<T>>(s, weights, bias, input, output, scratch, prepared);
        else
            ChannelForward<T, Simd128<T>, Vector128<T>>(s, weights, bias, input, output, scratch, prepared);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ChannelWeightGradient<T>(in Conv2DShape s, ReadOnlySpan<T> input, ReadOnlySpan<T> outputDelta, Span<T> weightGradient, Span<T> scratch, int tapStart, int tapEnd)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && s.OutChannels >= Vector512<T>.Count)
            ChannelWeightGradient<T, Simd512<T>, Vector512<T>>(s, input, outputDelta, weightGradient, scratch, tapStart, tapEnd);
        else if (Simd256<T>.IsEnabled && s.OutChannels >= Vector256<T>.Count)
            ChannelWeightGradient<T, Simd256<T>, Vector256<T>>(s, input, outputDelta, weightGradient, scratch, tapStart, tapEnd);
        else
            ChannelWeightGradient<T, Simd128<T>, Vector128<T>>(s, input, outputDelta, weightGradient, scratch, tapStart, tapEnd);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChannelForward<T, TW, TVec>(in Conv2DShape s, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, ReadOnlySpan<T> prepared)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int lanes = TW.Count, oc = s.OutChannels, patch = s.PatchSize, plane = s.OutPlane;
        int vl = (oc + lanes - 1) / lanes * lanes, inSize = s.InputSize, outSize = s.OutputSize;
        int batch = input.Length / inSize;
        Span<T> rest = scratch.Slice(patch * plane);
        Span<T> wT = rest.Slice(0, patch * vl), bT = rest.Slice(patch * vl, vl);
        rest = rest.Slice(patch * MaxChannelStride(s) + MaxChannelStride(s));
        int phased = PhasedLength(s);
        Span<T> xq = rest.Slice(0, phased), yT = rest.Slice(phased, plane * vl);
        Pitches(s, out int rowPitch, out int planePitch);
        Span<int> tap = stackalloc int[patch];
        TapOffsets(s, tap, rowPitch, planePitch);

        // Weights kept prepared by the caller (a network's weight cache, PrepareWeights) skip the transpose.
        if (prepared.Length == patch * vl + vl)
        {
            prepared.Slice(0, patch * vl).CopyTo(wT);
            prepared.Slice(patch * vl, vl).CopyTo(bT);
        }
        else
        {
            TransposeChannelWeights(weights, bias, oc, patch, vl, wT, bT);
        }

        ref T w = ref MemoryMarshal.GetReference(wT);
        ref T b = ref MemoryMarshal.GetReference(bT);
        ref int tp = ref MemoryMarshal.GetReference(tap);
        ref T y = ref MemoryMarshal.GetReference(yT);
        bool inPlace = phased == 0;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<T> xn = input.Slice(n * inSize, inSize);
            if (!inPlace)
                PhaseInput(s, ref MemoryMarshal.GetReference(xn), ref MemoryMarshal.GetReference(xq));
            ref T x = ref inPlace ? ref MemoryMarshal.GetReference(xn) : ref MemoryMarshal.GetReference(xq);
            int cv = 0;
            for (; cv + 2 * lanes <= vl; cv += 2 * lanes)
                ForwardPairs<T, TW, TVec>(s, ref Unsafe.Add(ref w, (nuint)cv), ref Unsafe.Add(ref b, (nuint)cv), (nuint)vl, patch, ref tp, ref x, rowPitch, ref Unsafe.Add(ref y, (nuint)cv));
            if (cv < vl)
                ForwardSingles<T, TW, TVec>(s, ref Unsafe.Add(ref w, (nuint)cv), ref Unsafe.Add(ref b, (nuint)cv), (nuint)vl, patch, ref tp, ref x, rowPitch, ref Unsafe.Add(ref y, (nuint)cv));
            // yT[p, c] → z[c, p].
            ref T z = ref MemoryMarshal.GetReference(output.Slice(n * outSize, outSize));
            for (int c = 0; c < oc; c++)
            {
                ref T zc = ref Unsafe.Add(ref z, (nuint)(c * plane));
                ref T yc = ref Unsafe.Add(ref y, (nuint)c);
                for (int p = 0; p < plane; p++)
                    Unsafe.Add(ref zc, (nuint)p) = Unsafe.Add(ref yc, (nuint)(p * vl));
            }
        }
    }

    /// <summary>wT[t, c] = w[c, t] with channels padded to <paramref name="vl"/> (zeros), and the padded biases.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeChannelWeights<T>(ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, int oc, int patch, int vl, Span<T> wT, Span<T> bT)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        wT.Clear();
        for (int c = 0; c < oc; c++)
        {
            ReadOnlySpan<T> row = weights.Slice(c * patch, patch);
            for (int t = 0; t < patch; t++)
                wT[t * vl + c] = row[t];
        }
        bT.Clear();
        if (!bias.IsEmpty)
            bias.CopyTo(bT);
    }

    // One channel vector: blocks of two output rows × five columns (rows and columns clamped at the ends; for one
    // output row both rows are the same). OutWidth ≥ 5.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSingles<T, TW, TVec>(in Conv2DShape s, ref T w, ref T bias, nuint vl, int patch, ref int tap, ref T x, int rowPitch, ref T y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int oh = s.OutHeight, ow = s.OutWidth, step = s.StrideY * rowPitch;
        TVec bv = TW.Load(ref bias, 0);
        for (int oy = 0; oy < oh; oy += 2)
        {
            int ya = Math.Max(0, Math.Min(oy, oh - 2)), yb = Math.Min(ya + 1, oh - 1);
            for (int ox = 0; ; ox += 5)
            {
                int oxa = Math.Min(ox, ow - 5);
                ref T ra = ref Unsafe.Add(ref x, (nuint)(ya * step + oxa));
                ref T rb = ref Unsafe.Add(ref x, (nuint)(yb * step + oxa));
                TVec a0 = bv, a1 = bv, a2 = bv, a3 = bv, a4 = bv, b0 = bv, b1 = bv, b2 = bv, b3 = bv, b4 = bv;
                ref T wt = ref w;
                for (int t = 0; t < patch; t++, wt = ref Unsafe.Add(ref wt, vl))
                {
                    nuint k = (nuint)Unsafe.Add(ref tap, t);
                    TVec e = TW.Load(ref wt, 0);
                    ref T pa = ref Unsafe.Add(ref ra, k);
                    ref T pb = ref Unsafe.Add(ref rb, k);
                    a0 = TW.MultiplyAdd(e, TW.Create(pa), a0);
                    a1 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref pa, 1)), a1);
                    a2 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref pa, 2)), a2);
                    a3 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref pa, 3)), a3);
                    a4 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref pa, 4)), a4);
                    b0 = TW.MultiplyAdd(e, TW.Create(pb), b0);
                    b1 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref pb, 1)), b1);
                    b2 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref pb, 2)), b2);
                    b3 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref pb, 3)), b3);
                    b4 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref pb, 4)), b4);
                }
                ref T yb0 = ref Unsafe.Add(ref y, (nuint)(yb * ow + oxa) * vl);
                TW.Store(b0, ref yb0, 0); TW.Store(b1, ref yb0, vl); TW.Store(b2, ref yb0, 2 * vl); TW.Store(b3, ref yb0, 3 * vl); TW.Store(b4, ref yb0, 4 * vl);
                ref T ya0 = ref Unsafe.Add(ref y, (nuint)(ya * ow + oxa) * vl);
                TW.Store(a0, ref ya0, 0); TW.Store(a1, ref ya0, vl); TW.Store(a2, ref ya0, 2 * vl); TW.Store(a3, ref ya0, 3 * vl); TW.Store(a4, ref ya0, 4 * vl);
                if (ox + 5 >= ow)
                    break;
            }
        }
    }

    // Two channel vectors: blocks of one output row × five columns (columns clamped at the end). OutWidth ≥ 5.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPairs<T, TW, TVec>(in Conv2DShape s, ref T w, ref T bias, nuint vl, int patch, ref int tap, ref T x, int rowPitch, ref T y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int oh = s.OutHeight, ow = s.OutWidth, step = s.StrideY * rowPitch;
        nuint l = (nuint)TW.Count;
        TVec bv = TW.Load(ref bias, 0), bu = TW.Load(ref bias, l);
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ; ox += 5)
            {
                int oxa = Math.Min(ox, ow - 5);
                ref T ra = ref Unsafe.Add(ref x, (nuint)(oy * step + oxa));
                TVec a0 = bv, a1 = bv, a2 = bv, a3 = bv, a4 = bv, b0 = bu, b1 = bu, b2 = bu, b3 = bu, b4 = bu;
                ref T wt = ref w;
                for (int t = 0; t < patch; t++, wt = ref Unsafe.Add(ref wt, vl))
                {
                    ref T pa = ref Unsafe.Add(ref ra, (nuint)Unsafe.Add(ref tap, t));
                    TVec e = TW.Load(ref wt, 0), f = TW.Load(ref wt, l);
                    TVec u = TW.Create(pa);
                    a0 = TW.MultiplyAdd(e, u, a0); b0 = TW.MultiplyAdd(f, u, b0);
                    u = TW.Create(Unsafe.Add(ref pa, 1));
                    a1 = TW.MultiplyAdd(e, u, a1); b1 = TW.MultiplyAdd(f, u, b1);
                    u = TW.Create(Unsafe.Add(ref pa, 2));
                    a2 = TW.MultiplyAdd(e, u, a2); b2 = TW.MultiplyAdd(f, u, b2);
                    u = TW.Create(Unsafe.Add(ref pa, 3));
                    a3 = TW.MultiplyAdd(e, u, a3); b3 = TW.MultiplyAdd(f, u, b3);
                    u = TW.Create(Unsafe.Add(ref pa, 4));
                    a4 = TW.MultiplyAdd(e, u, a4); b4 = TW.MultiplyAdd(f, u, b4);
                }
                ref T y0 = ref Unsafe.Add(ref y, (nuint)(oy * ow + oxa) * vl);
                TW.Store(a0, ref y0, 0); TW.Store(b0, ref y0, l);
                TW.Store(a1, ref y0, vl); TW.Store(b1, ref y0, vl + l);
                TW.Store(a2, ref y0, 2 * vl); TW.Store(b2, ref y0, 2 * vl + l);
                TW.Store(a3, ref y0, 3 * vl); TW.Store(b3, ref y0, 3 * vl + l);
                TW.Store(a4, ref y0, 4 * vl); TW.Store(b4, ref y0, 4 * vl + l);
                if (ox + 5 >= ow)
                    break;
            }
        }
    }

    // g[oc, t] += Σ_n Σ_p δ[n, oc, p]·x[n, tap t of p], through gT[t, oc] in scratch for the whole batch.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    // Taps [tapStart, tapEnd) of every weight row (all of them in one call on one thread; a range per chunk of a split
    // backward, starting at a multiple of twelve so that the four- and six-tap blocks fall as on one thread).
    private static void ChannelWeightGradient<T, TW, TVec>(in Conv2DShape s, ReadOnlySpan<T> input, ReadOnlySpan<T> outputDelta, Span<T> weightGradient, Span<T> scratch, int tapStart, int tapEnd)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int lanes = TW.Count, oc = s.OutChannels, patch = s.PatchSize, plane = s.OutPlane;
        int vl = (oc + lanes - 1) / lanes * lanes, inSize = s.InputSize, outSize = s.OutputSize;
        int batch = input.Length / inSize;
        Span<T> rest = scratch.Slice(patch * plane);
        Span<T> gT = rest.Slice(0, patch * vl);
        rest = rest.Slice(patch * MaxChannelStride(s) + MaxChannelStride(s));
        int phased = PhasedLength(s);
        Span<T> xq = rest.Slice(0, phased), dT = rest.Slice(phased, plane * vl);
        Pitches(s, out int rowPitch, out int planePitch);
        Span<int> tap = stackalloc int[patch];
        TapOffsets(s, tap, rowPitch, planePitch);
        gT.Clear();
        dT.Clear(); // the padding channels stay zero
        ref T g = ref MemoryMarshal.GetReference(gT);
        ref int tp = ref MemoryMarshal.GetReference(tap);
        ref T dt = ref MemoryMarshal.GetReference(dT);
        bool inPlace = phased == 0;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<T> xn = input.Slice(n * inSize, inSize);
            if (!inPlace)
                PhaseInput(s, ref MemoryMarshal.GetReference(xn), ref MemoryMarshal.GetReference(xq));
            ref T x = ref inPlace ? ref MemoryMarshal.GetReference(xn) : ref MemoryMarshal.GetReference(xq);
            ref T d = ref MemoryMarshal.GetReference(outputDelta.Slice(n * outSize, outSize));
            for (int c = 0; c < oc; c++)
            {
                ref T dc = ref Unsafe.Add(ref d, (nuint)(c * plane));
                ref T tc = ref Unsafe.Add(ref dt, (nuint)c);
                for (int p = 0; p < plane; p++)
                    Unsafe.Add(ref tc, (nuint)(p * vl)) = Unsafe.Add(ref dc, (nuint)p);
            }
            int cv = 0;
            for (; cv + 2 * lanes <= vl; cv += 2 * lanes)
                GradientPairs<T, TW, TVec>(s, ref Unsafe.Add(ref dt, (nuint)cv), (nuint)vl, patch, ref tp, ref x, rowPitch, ref Unsafe.Add(ref g, (nuint)cv), tapStart, tapEnd);
            if (cv < vl)
                GradientSingles<T, TW, TVec>(s, ref Unsafe.Add(ref dt, (nuint)cv), (nuint)vl, patch, ref tp, ref x, rowPitch, ref Unsafe.Add(ref g, (nuint)cv), tapStart, tapEnd);
        }
        for (int c = 0; c < oc; c++)
        {
            Span<T> row = weightGradient.Slice(c * patch, patch);
            for (int t = tapStart; t < tapEnd; t++)
                row[t] += gT[t * vl + c];
        }
    }

    // One channel vector, blocks of six taps (the last clamped; its taps already counted are not added again). Taps ≥ 6.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientSingles<T, TW, TVec>(in Conv2DShape s, ref T d, nuint vl, int patch, ref int tap, ref T x, int rowPitch, ref T g, int tapStart, int tapEnd)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int oh = s.OutHeight, ow = s.OutWidth;
        nuint step = (nuint)(s.StrideY * rowPitch);
        for (int t = tapStart; t < tapEnd; t += 6)
        {
            int t0 = Math.Min(t, patch - 6);
            ref T p0 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0));
            ref T p1 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0 + 1));
            ref T p2 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0 + 2));
            ref T p3 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0 + 3));
            ref T p4 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0 + 4));
            ref T p5 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0 + 5));
            TVec s0 = TW.Zero, s1 = TW.Zero, s2 = TW.Zero, s3 = TW.Zero, s4 = TW.Zero, s5 = TW.Zero;
            ref T dp = ref d;
            nuint row = 0;
            for (int oy = 0; oy < oh; oy++, row += step)
            {
                nuint end = row + (nuint)ow;
                for (nuint q = row; q < end; q++, dp = ref Unsafe.Add(ref dp, vl))
                {
                    TVec e = TW.Load(ref dp, 0);
                    s0 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref p0, q)), s0);
                    s1 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref p1, q)), s1);
                    s2 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref p2, q)), s2);
                    s3 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref p3, q)), s3);
                    s4 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref p4, q)), s4);
                    s5 = TW.MultiplyAdd(e, TW.Create(Unsafe.Add(ref p5, q)), s5);
                }
            }
            ref T g0 = ref Unsafe.Add(ref g, (nuint)t0 * vl);
            int skip = t - t0; // taps of this block counted by the previous one
            if (skip <= 0) TW.Store(TW.Add(TW.Load(ref g0, 0), s0), ref g0, 0);
            if (skip <= 1) TW.Store(TW.Add(TW.Load(ref g0, vl), s1), ref g0, vl);
            if (skip <= 2) TW.Store(TW.Add(TW.Load(ref g0, 2 * vl), s2), ref g0, 2 * vl);
            if (skip <= 3) TW.Store(TW.Add(TW.Load(ref g0, 3 * vl), s3), ref g0, 3 * vl);
            if (skip <= 4) TW.Store(TW.Add(TW.Load(ref g0, 4 * vl), s4), ref g0, 4 * vl);
            TW.Store(TW.Add(TW.Load(ref g0, 5 * vl), s5), ref g0, 5 * vl);
        }
    }

    // Two channel vectors, blocks of four taps (the last clamped; its taps already counted are not added again). Taps ≥ 4.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientPairs<T, TW, TVec>(in Conv2DShape s, ref T d, nuint vl, int patch, ref int tap, ref T x, int rowPitch, ref T g, int tapStart, int tapEnd)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int oh = s.OutHeight, ow = s.OutWidth;
        nuint step = (nuint)(s.StrideY * rowPitch), l = (nuint)TW.Count;
        for (int t = tapStart; t < tapEnd; t += 4)
        {
            int t0 = Math.Min(t, patch - 4);
            ref T p0 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0));
            ref T p1 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0 + 1));
            ref T p2 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0 + 2));
            ref T p3 = ref Unsafe.Add(ref x, (nuint)Unsafe.Add(ref tap, t0 + 3));
            TVec s0 = TW.Zero, s1 = TW.Zero, s2 = TW.Zero, s3 = TW.Zero, u0 = TW.Zero, u1 = TW.Zero, u2 = TW.Zero, u3 = TW.Zero;
            ref T dp = ref d;
            nuint row = 0;
            for (int oy = 0; oy < oh; oy++, row += step)
            {
                nuint end = row + (nuint)ow;
                for (nuint q = row; q < end; q++, dp = ref Unsafe.Add(ref dp, vl))
                {
                    TVec e = TW.Load(ref dp, 0), f = TW.Load(ref dp, l);
                    TVec v = TW.Create(Unsafe.Add(ref p0, q));
                    s0 = TW.MultiplyAdd(e, v, s0); u0 = TW.MultiplyAdd(f, v, u0);
                    v = TW.Create(Unsafe.Add(ref p1, q));
                    s1 = TW.MultiplyAdd(e, v, s1); u1 = TW.MultiplyAdd(f, v, u1);
                    v = TW.Create(Unsafe.Add(ref p2, q));
                    s2 = TW.MultiplyAdd(e, v, s2); u2 = TW.MultiplyAdd(f, v, u2);
                    v = TW.Create(Unsafe.Add(ref p3, q));
                    s3 = TW.MultiplyAdd(e, v, s3); u3 = TW.MultiplyAdd(f, v, u3);
                }
            }
            ref T g0 = ref Unsafe.Add(ref g, (nuint)t0 * vl);
            int skip = t - t0;
            if (skip <= 0) { TW.Store(TW.Add(TW.Load(ref g0, 0), s0), ref g0, 0); TW.Store(TW.Add(TW.Load(ref g0, l), u0), ref g0, l); }
            if (skip <= 1) { TW.Store(TW.Add(TW.Load(ref g0, vl), s1), ref g0, vl); TW.Store(TW.Add(TW.Load(ref g0, vl + l), u1), ref g0, vl + l); }
            if (skip <= 2) { TW.Store(TW.Add(TW.Load(ref g0, 2 * vl), s2), ref g0, 2 * vl); TW.Store(TW.Add(TW.Load(ref g0, 2 * vl + l), u2), ref g0, 2 * vl + l); }
            TW.Store(TW.Add(TW.Load(ref g0, 3 * vl), s3), ref g0, 3 * vl); TW.Store(TW.Add(TW.Load(ref g0, 3 * vl + l), u3), ref g0, 3 * vl + l);
        }
    }
}
