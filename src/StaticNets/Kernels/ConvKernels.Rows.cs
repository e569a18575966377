using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// The input delta's fold (col2im) along input rows, for StrideX = 1 (LeNet's second layer: 14-column rows).
// The per-tap fold adds each unrolled row of Wᵀ·δ into the input delta, one scalar at a time where the output row
// is narrower than a vector (10 columns for LeNet: all of it at 512 bits). This one gathers instead: each input
// row (a vector, or chunks of vectors, along the input columns) is the sum over the kernel rows that reach it and
// the kernel columns of the unrolled row of that tap, loaded shifted by the kernel column and masked to the lanes
// whose output column exists,
//
//   dx[ic, iy, ix] = Σ_{ky: (iy + PadTop − ky) = oy·StrideY, 0 ≤ oy < OutHeight} Σ_kx col[(ic·KH + ky)·KW + kx][oy·OW + ix + PadLeft − kx],
//
// each input row stored once (no clearing, no read-modify-write). A shifted load that would leave the scratch
// (the first and last few rows of the unrolled matrix) is gathered through a small buffer on the stack instead.
public static partial class ConvKernels
{
    /// <summary>Lanes the row-fused col2im uses for this shape at the current vector width, or 0 for the per-tap fold (rule: <see cref="ConvSchemes.InputDeltaLanes"/>).</summary>
    private static int RowLanes<T>(in Conv2DShape s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Simd.IsVectorizable<T>()
        ? ConvSchemes.InputDeltaLanes(s.StrideX, IsPointwise(s), s.InWidth, s.KernelWidth, Unsafe.SizeOf<T>(), Simd512<T>.IsEnabled, Simd256<T>.IsEnabled, Simd128<T>.IsEnabled)
        : 0;

    // col is this sample's unrolled Wᵀ·δ (tap rows stride elements apart: the output plane, or the planes of a block
    // of samples side by side; colLimit elements readable from col); dx the input delta from this sample on
    // (dxLimit elements writable).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Col2ImRows<T>(in Conv2DShape s, int lanes, ref T col, int stride, int colLimit, ref T dx, int dxLimit)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int bytes = lanes * Unsafe.SizeOf<T>();
        if (bytes == 64)
            Col2ImRows<T, Simd512<T>, Vector512<T>>(s, ref col, stride, colLimit, ref dx, dxLimit);
        else if (bytes == 32)
            Col2ImRows<T, Simd256<T>, Vector256<T>>(s, ref col, stride, colLimit, ref dx, dxLimit);
        else
            Col2ImRows<T, Simd128<T>, Vector128<T>>(s, ref col, stride, colLimit, ref dx, dxLimit);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Col2ImRows<T, TW, TVec>(in Conv2DShape s, ref T col, int stride, int colLimit, ref T dx, int dxLimit)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        int l = TW.Count, iw = s.InWidth, ih = s.InHeight, ow = s.OutWidth, oh = s.OutHeight;
        int kh = s.KernelHeight, kw = s.KernelWidth, pl = s.PadLeft, pt = s.PadTop, sy = s.StrideY, plane = stride;
        bool spill = iw < l;
        int chunks = spill ? 1 : (iw + l - 1) / l;
        // masks[(j·KW + kx)·L + lane]: all ones where output column c0 + lane + PadLeft − kx exists.
        Span<T> masks = stackalloc T[ConvSchemes.MaxRowMaskElements];
        masks.Slice(0, chunks * kw * l).Clear();
        for (int j = 0; j < chunks; j++)
        {
            int c0 = spill ? 0 : Math.Min(j * l, iw - l);
            for (int kx = 0; kx < kw; kx++)
                for (int lane = 0; lane < l; lane++)
                {
                    int ox = c0 + lane + pl - kx;
                    if ((uint)ox < (uint)ow)
                        Unsafe.InitBlockUnaligned(ref Unsafe.As<T, byte>(ref masks[(j * kw + kx) * l + lane]), 0xFF, (uint)Unsafe.SizeOf<T>());
                }
        }
        // Kernel columns [kxLo, kxHi) of chunk j: those with some lane whose output column exists.
        Span<int> kxRange = stackalloc int[2 * ConvSchemes.MaxRowMaskElements / 4];
        for (int j = 0; j < chunks; j++)
        {
            int c0 = spill ? 0 : Math.Min(j * l, iw - l), lo = kw, hi = 0;
            for (int kx = 0; kx < kw; kx++)
            {
                int first = kx - pl - c0; // lanes [first, first + OW) have an output column
                if (first < l && first + ow > 0)
                {
                    lo = Math.Min(lo, kx);
                    hi = kx + 1;
                }
            }
            kxRange[2 * j] = lo;
            kxRange[2 * j + 1] = Math.Max(lo, hi);
        }
        Span<T> buffer = stackalloc T[64 / 4];
        ref T m = ref MemoryMarshal.GetReference(masks);
        ref T buf = ref MemoryMarshal.GetReference(buffer);
        nuint step = (nuint)(plane - 1), vl = (nuint)l;
        for (int ic = 0; ic < s.InChannels; ic++)
        {
            int tap0 = ic * kh * kw;
            for (int iy = 0; iy < ih; iy++)
            {
                int rowAt = (ic * ih + iy) * iw, top = iy + pt;
                // Kernel rows ky ≡ top (mod StrideY) with 0 ≤ top − ky ≤ (OutHeight − 1)·StrideY, kyEnd exclusive.
                int kyLo = Math.Max(0, top - (oh - 1) * sy), kyEnd = Math.Min(kh, top + 1);
                int ky0 = kyLo + (top - kyLo) % sy;
                int oy0 = (top - ky0) / sy;
                for (int j = 0; j < chunks; j++)
                {
                    int c0 = spill ? 0 : Math.Min(j * l, iw - l);
                    int kxLo = kxRange[2 * j], kxHi = kxRange[2 * j + 1];
                    TVec acc0 = TW.Zero, acc1 = TW.Zero;
                    for (int ky = ky0, oy = oy0; ky < kyEnd && kxLo < kxHi; ky += sy, oy--)
                    {
                        // Lane 0 reads output column c0 + PadLeft − kx of this tap's row oy.
                        int at = (tap0 + ky * kw + kxLo) * plane + oy * ow + c0 + pl - kxLo;
                        int last = at + (kxHi - 1 - kxLo) * (plane - 1);
                        nuint mk = (nuint)((j * kw + kxLo) * l);
                        if (at >= 0 && last + l <= colLimit)
                        {
                            nuint a = (nuint)at;
                            int kx = kxLo;
                            for (; kx + 1 < kxHi; kx += 2, a += 2 * step, mk += 2 * vl)
                            {
                                acc0 = TW.Add(acc0, TW.And(TW.Load(ref col, a), TW.Load(ref m, mk)));
                                acc1 = TW.Add(acc1, TW.And(TW.Load(ref col, a + step), TW.Load(ref m, mk + vl)));
                            }
                            if (kx < kxHi)
                                acc0 = TW.Add(acc0, TW.And(TW.Load(ref col, a), TW.Load(ref m, mk)));
                        }
                        else
                        {
                            // The first or last rows of the unrolled matrix: gather the existing columns.
                            for (int kx = kxLo; kx < kxHi; kx++, at += plane - 1)
                            {
                                for (int lane = 0; lane < l; lane++)
                                {
                                    int ox = c0 + lane + pl - kx;
                                    Unsafe.Add(ref buf, lane) = (uint)ox < (uint)ow ? Unsafe.Add(ref col, at + lane) : T.Zero;
                                }
                                acc0 = TW.Add(acc0, TW.Load(ref buf, 0));
                            }
                        }
                    }
                    TVec sum = TW.Add(acc0, acc1);
                    int to = rowAt + c0;
                    if (to + l <= dxLimit)
                    {
                        TW.Store(sum, ref dx, (nuint)to);
                    }
                    else
                    {
                        // The last rows of the batch: spare lanes would pass the end of the input delta.
                        TW.Store(sum, ref buf, 0);
                        for (int lane = 0; lane < dxLimit - to; lane++)
                            Unsafe.Add(ref dx, to + lane) = Unsafe.Add(ref buf, lane);
                    }
                }
            }
        }
    }
}
