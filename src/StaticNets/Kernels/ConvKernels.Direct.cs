using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// The direct scheme, for StrideX = 1 and output rows at least one vector wide (LeNet's first layer: one input
// channel, 28 columns). Per sample, the input is copied once into a zero-padded plane per channel, PH × PW with
// PH = (OutHeight − 1)·StrideY + KernelHeight and PW = OutWidth + KernelWidth − 1, so that every tap of every
// window is an in-bounds load and a kernel row's taps are the same row loaded at shifts 0 … KW − 1. Then:
//
//   forward: each output row, a block of six output channels × two vectors along the row at a time; per tap two
//            loads of the padded row (shared by the six channels) and six broadcast weights; the ragged end of
//            a row is the last whole vector, recomputed over the overlap (pure outputs).
//   weight gradient: per (input channel, kernel row), a block of three output channels × four kernel columns
//            (five with 32 registers where that fits the kernel width better, as for LeNet's 5 × 5),
//            twelve dot products along the output rows, reduced once per sample; the ragged end of a row is the
//            last whole vector with the lanes already counted masked to zero.
//
// Nothing is unrolled to PatchSize × OutPlane, which for a one-channel layer is 25 times the input.
public static partial class ConvKernels
{
    /// <summary>Vector width (lanes) the direct scheme would use at this output width, or 0 for none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DirectLanes<T>(int outWidth)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && outWidth >= Vector512<T>.Count)
            return Vector512<T>.Count;
        if (Simd256<T>.IsEnabled && outWidth >= Vector256<T>.Count)
            return Vector256<T>.Count;
        if (Simd128<T>.IsEnabled && outWidth >= Vector128<T>.Count)
            return Vector128<T>.Count;
        return 0;
    }

    /// <summary>Vector width (lanes) the GEMM would use along an output plane, or 1 for scalar code.</summary>
    private static int GemmLanes<T>(int plane)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && plane >= Vector512<T>.Count)
            return Vector512<T>.Count;
        if (Simd256<T>.IsEnabled && plane >= Vector256<T>.Count)
            return Vector256<T>.Count;
        if (Simd128<T>.IsEnabled && plane >= Vector128<T>.Count)
            return Vector128<T>.Count;
        return 1;
    }

    private static int PaddedHeight(in Conv2DShape s) => (s.OutHeight - 1) * s.StrideY + s.KernelHeight;

    private static int PaddedWidth(in Conv2DShape s) => s.OutWidth + s.KernelWidth - 1;

    private static int PaddedLength(in Conv2DShape s) => s.InChannels * PaddedHeight(s) * PaddedWidth(s);

    // xp[ic, r, c] = x[ic, r − PadTop, c − PadLeft], or 0 outside the input.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PadInput<T>(in Conv2DShape s, ref T x, ref T xp)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int ph = PaddedHeight(s), pw = PaddedWidth(s), ih = s.InHeight, iw = s.InWidth;
        int left = s.PadLeft, copy = Math.Min(iw, pw - left), right = pw - left - copy;
        ref T dst = ref xp;
        for (int ic = 0; ic < s.InChannels; ic++)
        {
            ref T xc = ref Unsafe.Add(ref x, (nuint)(ic * ih * iw));
            for (int r = 0; r < ph; r++)
            {
                int iy = r - s.PadTop;
                if ((uint)iy >= (uint)ih)
                {
                    MemoryMarshal.CreateSpan(ref dst, pw).Clear();
                }
                else
                {
                    for (int c = 0; c < left; c++)
                        Unsafe.Add(ref dst, (nuint)c) = T.Zero;
                    CopyShort(ref Unsafe.Add(ref xc, (nuint)(iy * iw)), ref Unsafe.Add(ref dst, (nuint)left), copy);
                    for (int c = 0; c < right; c++)
                        Unsafe.Add(ref dst, (nuint)(left + copy + c)) = T.Zero;
                }
                dst = ref Unsafe.Add(ref dst, (nuint)pw);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DirectForward<T>(in Conv2DShape s, ref T w, ref T bias, bool hasBias, ref T xp, ref T z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && s.OutWidth >= Vector512<T>.Count)
            DirectForward<T, Simd512<T>, Vector512<T>>(s, ref w, ref bias, hasBias, ref xp, ref z);
        else if (Simd256<T>.IsEnabled && s.OutWidth >= Vector256<T>.Count)
            DirectForward<T, Simd256<T>, Vector256<T>>(s, ref w, ref bias, hasBias, ref xp, ref z);
        else
            DirectForward<T, Simd128<T>, Vector128<T>>(s, ref w, ref bias, hasBias, ref xp, ref z);
    }

    // OutWidth ≥ TW.Count. Six channels (the last block repeats its last channel, same values into the same
    // place) × two vectors at columns oxa and oxb (clamped to the last whole vector; for a row of one to two
    // vectors they overlap, and for a row of exactly one they coincide).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectForward<T, TW, TVec>(in Conv2DShape s, ref T w, ref T bias, bool hasBias, ref T xp, ref T z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int lanes = TW.Count, oc = s.OutChannels, ow = s.OutWidth, kh = s.KernelHeight, kw = s.KernelWidth;
        int pw = PaddedWidth(s), padPlane = PaddedHeight(s) * pw, patch = s.PatchSize, plane = s.OutPlane;
        for (int c = 0; c < oc; c += 6)
        {
            int c1 = Math.Min(c + 1, oc - 1), c2 = Math.Min(c + 2, oc - 1), c3 = Math.Min(c + 3, oc - 1), c4 = Math.Min(c + 4, oc - 1), c5 = Math.Min(c + 5, oc - 1);
            ref T w0 = ref Unsafe.Add(ref w, (nuint)(c * patch));
            ref T w1 = ref Unsafe.Add(ref w, (nuint)(c1 * patch));
            ref T w2 = ref Unsafe.Add(ref w, (nuint)(c2 * patch));
            ref T w3 = ref Unsafe.Add(ref w, (nuint)(c3 * patch));
            ref T w4 = ref Unsafe.Add(ref w, (nuint)(c4 * patch));
            ref T w5 = ref Unsafe.Add(ref w, (nuint)(c5 * patch));
            TVec b0 = hasBias ? TW.Create(Unsafe.Add(ref bias, c)) : TW.Zero;
            TVec b1 = hasBias ? TW.Create(Unsafe.Add(ref bias, c1)) : TW.Zero;
            TVec b2 = hasBias ? TW.Create(Unsafe.Add(ref bias, c2)) : TW.Zero;
            TVec b3 = hasBias ? TW.Create(Unsafe.Add(ref bias, c3)) : TW.Zero;
            TVec b4 = hasBias ? TW.Create(Unsafe.Add(ref bias, c4)) : TW.Zero;
            TVec b5 = hasBias ? TW.Create(Unsafe.Add(ref bias, c5)) : TW.Zero;
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                ref T rowBase = ref Unsafe.Add(ref xp, (nuint)(oy * s.StrideY * pw));
                for (int ox = 0; ; ox += 2 * lanes)
                {
                    nuint oxa = (nuint)Math.Min(ox, ow - lanes), oxb = (nuint)Math.Min(ox + lanes, ow - lanes);
                    TVec x00 = b0, x01 = b0, x10 = b1, x11 = b1, x20 = b2, x21 = b2;
                    TVec x30 = b3, x31 = b3, x40 = b4, x41 = b4, x50 = b5, x51 = b5;
                    nuint t = 0;
                    for (int ic = 0; ic < s.InChannels; ic++)
                    {
                        ref T row = ref Unsafe.Add(ref rowBase, (nuint)(ic * padPlane));
                        for (int ky = 0; ky < kh; ky++, row = ref Unsafe.Add(ref row, (nuint)pw))
                        {
                            for (int kx = 0; kx < kw; kx++, t++)
                            {
                                TVec u0 = TW.Load(ref row, oxa + (nuint)kx), u1 = TW.Load(ref row, oxb + (nuint)kx);
                                TVec e = TW.Create(Unsafe.Add(ref w0, t));
                                x00 = TW.MultiplyAdd(u0, e, x00); x01 = TW.MultiplyAdd(u1, e, x01);
                                e = TW.Create(Unsafe.Add(ref w1, t));
                                x10 = TW.MultiplyAdd(u0, e, x10); x11 = TW.MultiplyAdd(u1, e, x11);
                                e = TW.Create(Unsafe.Add(ref w2, t));
                                x20 = TW.MultiplyAdd(u0, e, x20); x21 = TW.MultiplyAdd(u1, e, x21);
                                e = TW.Create(Unsafe.Add(ref w3, t));
                                x30 = TW.MultiplyAdd(u0, e, x30); x31 = TW.MultiplyAdd(u1, e, x31);
                                e = TW.Create(Unsafe.Add(ref w4, t));
                                x40 = TW.MultiplyAdd(u0, e, x40); x41 = TW.MultiplyAdd(u1, e, x41);
                                e = TW.Create(Unsafe.Add(ref w5, t));
                                x50 = TW.MultiplyAdd(u0, e, x50); x51 = TW.MultiplyAdd(u1, e, x51);
                            }
                        }
                    }
                    nuint o = (nuint)(oy * ow);
                    // Channels 5 … 0 and the second vector first: repeats alias earlier places, with the same values.
                    ref T z5 = ref Unsafe.Add(ref z, (nuint)(c5 * plane) + o); TW.Store(x51, ref z5, oxb); TW.Store(x50, ref z5, oxa);
                    ref T z4 = ref Unsafe.Add(ref z, (nuint)(c4 * plane) + o); TW.Store(x41, ref z4, oxb); TW.Store(x40, ref z4, oxa);
                    ref T z3 = ref Unsafe.Add(ref z, (nuint)(c3 * plane) + o); TW.Store(x31, ref z3, oxb); TW.Store(x30, ref z3, oxa);
                    ref T z2 = ref Unsafe.Add(ref z, (nuint)(c2 * plane) + o); TW.Store(x21, ref z2, oxb); TW.Store(x20, ref z2, oxa);
                    ref T z1 = ref Unsafe.Add(ref z, (nuint)(c1 * plane) + o); TW.Store(x11, ref z1, oxb); TW.Store(x10, ref z1, oxa);
                    ref T z0 = ref Unsafe.Add(ref z, (nuint)(c * plane) + o); TW.Store(x01, ref z0, oxb); TW.Store(x00, ref z0, oxa);
                    if (ox + 2 * lanes >= ow)
                        break;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DirectWeightGradient<T>(in Conv2DShape s, ref T d, ref T xp, ref T g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && s.OutWidth >= Vector512<T>.Count)
        {
            // With 32 registers, blocks of five kernel columns where they fit the kernel width better than four.
            if ((s.KernelWidth + 4) / 5 * 5 < (s.KernelWidth + 3) / 4 * 4)
                DirectWeightGradient5<T, Simd512<T>, Vector512<T>>(s, ref d, ref xp, ref g);
            else
                DirectWeightGradient<T, Simd512<T>, Vector512<T>>(s, ref d, ref xp, ref g);
        }
        else if (Simd256<T>.IsEnabled && s.OutWidth >= Vector256<T>.Count)
            DirectWeightGradient<T, Simd256<T>, Vector256<T>>(s, ref d, ref xp, ref g);
        else
            DirectWeightGradient<T, Simd128<T>, Vector128<T>>(s, ref d, ref xp, ref g);
    }

    // OutWidth ≥ TW.Count. g[oc, ic, ky, kx] += Σ_{oy, ox} d[oc, oy, ox]·xp[ic, oy·sy + ky, ox + kx], in blocks of three
    // channels × four kernel columns; a partial block repeats its last channel or column, computed but not added.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectWeightGradient<T, TW, TVec>(in Conv2DShape s, ref T d, ref T xp, ref T g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int lanes = TW.Count, oc = s.OutChannels, ow = s.OutWidth, oh = s.OutHeight, kh = s.KernelHeight, kw = s.KernelWidth;
        int pw = PaddedWidth(s), padPlane = PaddedHeight(s) * pw, patch = s.PatchSize, plane = s.OutPlane;
        int full = ow - ow % lanes;
        bool hasTail = full != ow;
        nuint tailAt = (nuint)(ow - lanes);
        TVec mask = hasTail ? TW.LastLanes((nuint)(ow - full)) : TW.Zero;
        for (int ic = 0; ic < s.InChannels; ic++)
        {
            for (int ky = 0; ky < kh; ky++)
            {
                ref T xRow0 = ref Unsafe.Add(ref xp, (nuint)(ic * padPlane + ky * pw));
                for (int c = 0; c < oc; c += 3)
                {
                    int c1 = Math.Min(c + 1, oc - 1), c2 = Math.Min(c + 2, oc - 1);
                    ref T d0 = ref Unsafe.Add(ref d, (nuint)(c * plane));
                    ref T d1 = ref Unsafe.Add(ref d, (nuint)(c1 * plane));
                    ref T d2 = ref Unsafe.Add(ref d, (nuint)(c2 * plane));
                    for (int kx = 0; kx < kw; kx += 4)
                    {
                        nuint k0 = (nuint)kx, k1 = (nuint)Math.Min(kx + 1, kw - 1), k2 = (nuint)Math.Min(kx + 2, kw - 1), k3 = (nuint)Math.Min(kx + 3, kw - 1);
                        TVec s00 = TW.Zero, s01 = TW.Zero, s02 = TW.Zero, s03 = TW.Zero;
                        TVec s10 = TW.Zero, s11 = TW.Zero, s12 = TW.Zero, s13 = TW.Zero;
                        TVec s20 = TW.Zero, s21 = TW.Zero, s22 = TW.Zero, s23 = TW.Zero;
                        ref T xRow = ref xRow0;
                        nuint o = 0;
                        for (int oy = 0; oy < oh; oy++, o += (nuint)ow, xRow = ref Unsafe.Add(ref xRow, (nuint)(s.StrideY * pw)))
                        {
                            for (nuint p = 0; p < (nuint)full; p += (nuint)lanes)
                            {
                                TVec u = TW.Load(ref d0, o + p), v = TW.Load(ref d1, o + p), q = TW.Load(ref d2, o + p);
                                TVec t = TW.Load(ref xRow, p + k0);
                                s00 = TW.MultiplyAdd(u, t, s00); s10 = TW.MultiplyAdd(v, t, s10); s20 = TW.MultiplyAdd(q, t, s20);
                                t = TW.Load(ref xRow, p + k1);
                                s01 = TW.MultiplyAdd(u, t, s01); s11 = TW.MultiplyAdd(v, t, s11); s21 = TW.MultiplyAdd(q, t, s21);
                                t = TW.Load(ref xRow, p + k2);
                                s02 = TW.MultiplyAdd(u, t, s02); s12 = TW.MultiplyAdd(v, t, s12); s22 = TW.MultiplyAdd(q, t, s22);
                                t = TW.Load(ref xRow, p + k3);
                                s03 = TW.MultiplyAdd(u, t, s03); s13 = TW.MultiplyAdd(v, t, s13); s23 = TW.MultiplyAdd(q, t, s23);
                            }
                            if (hasTail)
                            {
                                nuint p = tailAt;
                                TVec u = TW.And(TW.Load(ref d0, o + p), mask), v = TW.And(TW.Load(ref d1, o + p), mask), q = TW.And(TW.Load(ref d2, o + p), mask);
                                TVec t = TW.And(TW.Load(ref xRow, p + k0), mask);
                                s00 = TW.MultiplyAdd(u, t, s00); s10 = TW.MultiplyAdd(v, t, s10); s20 = TW.MultiplyAdd(q, t, s20);
                                t = TW.And(TW.Load(ref xRow, p + k1), mask);
                                s01 = TW.MultiplyAdd(u, t, s01); s11 = TW.MultiplyAdd(v, t, s11); s21 = TW.MultiplyAdd(q, t, s21);
                                t = TW.And(TW.Load(ref xRow, p + k2), mask);
                                s02 = TW.MultiplyAdd(u, t, s02); s12 = TW.MultiplyAdd(v, t, s12); s22 = TW.MultiplyAdd(q, t, s22);
                                t = TW.And(TW.Load(ref xRow, p + k3), mask);
                                s03 = TW.MultiplyAdd(u, t, s03); s13 = TW.MultiplyAdd(v, t, s13); s23 = TW.MultiplyAdd(q, t, s23);
                            }
                        }
                        int left = kw - kx;
                        ref T g0 = ref Unsafe.Add(ref g, (nuint)(c * patch + (ic * kh + ky) * kw + kx));
                        AddSums<T, TW, TVec>(ref g0, left, s00, s01, s02, s03);
                        if (c + 1 < oc)
                            AddSums<T, TW, TVec>(ref Unsafe.Add(ref g0, (nuint)patch), left, s10, s11, s12, s13);
                        if (c + 2 < oc)
                            AddSums<T, TW, TVec>(ref Unsafe.Add(ref g0, (nuint)(2 * patch)), left, s20, s21, s22, s23);
                    }
                }
            }
        }
    }

    // OutWidth ≥ TW.Count. g[oc, ic, ky, kx] += Σ_{oy, ox} d[oc, oy, ox]·xp[ic, oy·sy + ky, ox + kx], in blocks of three
    // channels × five kernel columns (fifteen accumulators: for 32 registers); a partial block repeats its last channel or column, computed but not added.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectWeightGradient5<T, TW, TVec>(in Conv2DShape s, ref T d, ref T xp, ref T g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int lanes = TW.Count, oc = s.OutChannels, ow = s.OutWidth, oh = s.OutHeight, kh = s.KernelHeight, kw = s.KernelWidth;
        int pw = PaddedWidth(s), padPlane = PaddedHeight(s) * pw, patch = s.PatchSize, plane = s.OutPlane;
        int full = ow - ow % lanes;
        bool hasTail = full != ow;
        nuint tailAt = (nuint)(ow - lanes);
        TVec mask = hasTail ? TW.LastLanes((nuint)(ow - full)) : TW.Zero;
        for (int ic = 0; ic < s.InChannels; ic++)
        {
            for (int ky = 0; ky < kh; ky++)
            {
                ref T xRow0 = ref Unsafe.Add(ref xp, (nuint)(ic * padPlane + ky * pw));
                for (int c = 0; c < oc; c += 3)
                {
                    int c1 = Math.Min(c + 1, oc - 1), c2 = Math.Min(c + 2, oc - 1);
                    ref T d0 = ref Unsafe.Add(ref d, (nuint)(c * plane));
                    ref T d1 = ref Unsafe.Add(ref d, (nuint)(c1 * plane));
                    ref T d2 = ref Unsafe.Add(ref d, (nuint)(c2 * plane));
                    for (int kx = 0; kx < kw; kx += 5)
                    {
                        nuint k0 = (nuint)kx, k1 = (nuint)Math.Min(kx + 1, kw - 1), k2 = (nuint)Math.Min(kx + 2, kw - 1), k3 = (nuint)Math.Min(kx + 3, kw - 1), k4 = (nuint)Math.Min(kx + 4, kw - 1);
                        TVec s00 = TW.Zero, s01 = TW.Zero, s02 = TW.Zero, s03 = TW.Zero;
                        TVec s10 = TW.Zero, s11 = TW.Zero, s12 = TW.Zero, s13 = TW.Zero;
                        TVec s20 = TW.Zero, s21 = TW.Zero, s22 = TW.Zero, s23 = TW.Zero;
                        TVec s04 = TW.Zero, s14 = TW.Zero, s24 = TW.Zero;
                        ref T xRow = ref xRow0;
                        nuint o = 0;
                        for (int oy = 0; oy < oh; oy++, o += (nuint)ow, xRow = ref Unsafe.Add(ref xRow, (nuint)(s.StrideY * pw)))
                        {
                            for (nuint p = 0; p < (nuint)full; p += (nuint)lanes)
                            {
                                TVec u = TW.Load(ref d0, o + p), v = TW.Load(ref d1, o + p), q = TW.Load(ref d2, o + p);
                                TVec t = TW.Load(ref xRow, p + k0);
                                s00 = TW.MultiplyAdd(u, t, s00); s10 = TW.MultiplyAdd(v, t, s10); s20 = TW.MultiplyAdd(q, t, s20);
                                t = TW.Load(ref xRow, p + k1);
                                s01 = TW.MultiplyAdd(u, t, s01); s11 = TW.MultiplyAdd(v, t, s11); s21 = TW.MultiplyAdd(q, t, s21);
                                t = TW.Load(ref xRow, p + k2);
                                s02 = TW.MultiplyAdd(u, t, s02); s12 = TW.MultiplyAdd(v, t, s12); s22 = TW.MultiplyAdd(q, t, s22);
                                t = TW.Load(ref xRow, p + k3);
                                s03 = TW.MultiplyAdd(u, t, s03); s13 = TW.MultiplyAdd(v, t, s13); s23 = TW.MultiplyAdd(q, t, s23);
                                t = TW.Load(ref xRow, p + k4);
                                s04 = TW.MultiplyAdd(u, t, s04); s14 = TW.MultiplyAdd(v, t, s14); s24 = TW.MultiplyAdd(q, t, s24);
                            }
                            if (hasTail)
                            {
                                nuint p = tailAt;
                                TVec u = TW.And(TW.Load(ref d0, o + p), mask), v = TW.And(TW.Load(ref d1, o + p), mask), q = TW.And(TW.Load(ref d2, o + p), mask);
                                TVec t = TW.And(TW.Load(ref xRow, p + k0), mask);
                                s00 = TW.MultiplyAdd(u, t, s00); s10 = TW.MultiplyAdd(v, t, s10); s20 = TW.MultiplyAdd(q, t, s20);
                                t = TW.And(TW.Load(ref xRow, p + k1), mask);
                                s01 = TW.MultiplyAdd(u, t, s01); s11 = TW.MultiplyAdd(v, t, s11); s21 = TW.MultiplyAdd(q, t, s21);
                                t = TW.And(TW.Load(ref xRow, p + k2), mask);
                                s02 = TW.MultiplyAdd(u, t, s02); s12 = TW.MultiplyAdd(v, t, s12); s22 = TW.MultiplyAdd(q, t, s22);
                                t = TW.And(TW.Load(ref xRow, p + k3), mask);
                                s03 = TW.MultiplyAdd(u, t, s03); s13 = TW.MultiplyAdd(v, t, s13); s23 = TW.MultiplyAdd(q, t, s23);
                                t = TW.And(TW.Load(ref xRow, p + k4), mask);
                                s04 = TW.MultiplyAdd(u, t, s04); s14 = TW.MultiplyAdd(v, t, s14); s24 = TW.MultiplyAdd(q, t, s24);
                            }
                        }
                        int left = kw - kx;
                        ref T g0 = ref Unsafe.Add(ref g, (nuint)(c * patch + (ic * kh + ky) * kw + kx));
                        AddSums<T, TW, TVec>(ref g0, left, s00, s01, s02, s03);
                        if (left > 4) Unsafe.Add(ref g0, 4) += TW.Sum(s04);
                        if (c + 1 < oc)
                        {
                            ref T g1 = ref Unsafe.Add(ref g0, (nuint)patch);
                            AddSums<T, TW, TVec>(ref g1, left, s10, s11, s12, s13);
                            if (left > 4) Unsafe.Add(ref g1, 4) += TW.Sum(s14);
                        }
                        if (c + 2 < oc)
                        {
                            ref T g2 = ref Unsafe.Add(ref g0, (nuint)(2 * patch));
                            AddSums<T, TW, TVec>(ref g2, left, s20, s21, s22, s23);
                            if (left > 4) Unsafe.Add(ref g2, 4) += TW.Sum(s24);
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSums<T, TW, TVec>(ref T g, int count, TVec a, TVec b, TVec c, TVec e)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        g += TW.Sum(a);
        if (count > 1) Unsafe.Add(ref g, 1) += TW.Sum(b);
        if (count > 2) Unsafe.Add(ref g, 2) += TW.Sum(c);
        if (count > 3) Unsafe.Add(ref g, 3) += TW.Sum(e);
    }
}
