using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    // Inputs per block: 256 inputs × 256 samples of float is 256 KB of x, a quarter of L2, and a panel of
    // 256 × 64 floats is 64 KB.
    private const int KBlock = 256;

    /// <summary>Whether <see cref="ForwardBatchPacked{T, TW, TVec}"/> takes this shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UsePacked<TVec>(nuint nOut, nuint m, int count)
        => m >= PackedMinSamples && nOut >= PanelVectors<TVec>() * (nuint)count;

    // With 32 vector registers (AVX-512) a 4 × 4 block of accumulators fits beside four weight vectors and
    // a broadcast; with 16 (AVX2, SSE, NEON) the block is 4 × 2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint PanelVectors<TVec>() => Unsafe.SizeOf<TVec>() == 64 ? 4u : 2u;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBatchPacked<T, TW, TVec>(ref T w, ref T b, ref T x, ref T z, nuint nIn, nuint nOut, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint nr = PanelVectors<TVec>() * (nuint)TW.Count;
        nuint panels = nOut / nr;
        nuint kc = (nuint)KBlock;
        T[] buffer = PackBuffer<T>.Get((int)(kc * nr));
        ref T pack = ref buffer[0];

        for (nuint k0 = 0; k0 < nIn; k0 += kc)
        {
            nuint kn = nIn - k0 < kc ? nIn - k0 : kc;
            bool first = k0 == 0;
            for (nuint p = 0; p < panels; p++)
            {
                nuint j0 = p * nr;
                Pack(ref Unsafe.Add(ref w, j0 * nIn + k0), ref pack, nIn, nr, kn);
                ref T bj = ref Unsafe.Add(ref b, j0);
                nuint s = 0;
                if (PanelVectors<TVec>() == 4)
                {
                    for (; s + 4 <= m; s += 4)
                        Micro4x4<T, TW, TVec>(ref pack, ref Unsafe.Add(ref x, s * nIn + k0), ref bj, ref Unsafe.Add(ref z, s * nOut + j0), nIn, nOut, kn, first);
                }
                else
                {
                    for (; s + 4 <= m; s += 4)
                        Micro4x2<T, TW, TVec>(ref pack, ref Unsafe.Add(ref x, s * nIn + k0), ref bj, ref Unsafe.Add(ref z, s * nOut + j0), nIn, nOut, kn, first);
                }
                for (; s < m; s++)
                    Micro1<T, TW, TVec>(ref pack, ref Unsafe.Add(ref x, s * nIn + k0), ref bj, ref Unsafe.Add(ref z, s * nOut + j0), nr, kn, first);
            }
        }

        // The rows past the last whole panel (fewer than nr) go through the dot-product kernel.
        nuint done = panels * nr;
        if (done < nOut)
            ForwardBatch<T, TW, TVec>(ref Unsafe.Add(ref w, done * nIn), ref Unsafe.Add(ref b, done), ref x, ref Unsafe.Add(ref z, done), nIn, nOut - done, nOut, m);
    }

    // pack[kk·nr + jj] = w[jj·nIn + kk] for kk < kn, jj < nr, in tiles of 16 inputs: each row's cache line
    // is read whole as soon as it arrives, and the 16 × nr destination tile stays in L1. (Walking one k at
    // a time across the nr rows thrashes L1 when nIn is a multiple of 512: every row maps to the same sets.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pack<T>(ref T w, ref T pack, nuint nIn, nuint nr, nuint kn)
    {
        const int Tile = 16;
        for (nuint k0 = 0; k0 < kn; k0 += Tile)
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

    // Four samples × four vectors of outputs: sixteen accumulators. On the first input block they start at
    // the biases, on later ones at the partial sums already in z.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro4x4<T, TW, TVec>(ref T pack, ref T x0, ref T b, ref T z0, nuint nIn, nuint nOut, nuint kn, bool first)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
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
            p = ref Unsafe.Add(ref p, 4 * c);
        }
        TW.Store(a00, ref z0, 0); TW.Store(a01, ref z0, c); TW.Store(a02, ref z0, 2 * c); TW.Store(a03, ref z0, 3 * c);
        TW.Store(a10, ref z1, 0); TW.Store(a11, ref z1, c); TW.Store(a12, ref z1, 2 * c); TW.Store(a13, ref z1, 3 * c);
        TW.Store(a20, ref z2, 0); TW.Store(a21, ref z2, c); TW.Store(a22, ref z2, 2 * c); TW.Store(a23, ref z2, 3 * c);
        TW.Store(a30, ref z3, 0); TW.Store(a31, ref z3, c); TW.Store(a32, ref z3, 2 * c); TW.Store(a33, ref z3, 3 * c);
    }

    // Four samples × two vectors of outputs: eight accumulators, for widths with sixteen registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro4x2<T, TW, TVec>(ref T pack, ref T x0, ref T b, ref T z0, nuint nIn, nuint nOut, nuint kn, bool first)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
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
            p = ref Unsafe.Add(ref p, 2 * c);
        }
        TW.Store(a00, ref z0, 0); TW.Store(a01, ref z0, c);
        TW.Store(a10, ref z1, 0); TW.Store(a11, ref z1, c);
        TW.Store(a20, ref z2, 0); TW.Store(a21, ref z2, c);
        TW.Store(a30, ref z3, 0); TW.Store(a31, ref z3, c);
    }

    // One sample against the whole panel, a vector at a time; the same operations per lane, in the same
    // order, as the four-sample blocks, so a sample's outputs do not depend on where it sits in the batch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro1<T, TW, TVec>(ref T pack, ref T x, ref T b, ref T z, nuint nr, nuint kn, bool first)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        ref T start = ref first ? ref b : ref z;
        for (nuint v = 0; v < nr; v += c)
        {
            TVec a = TW.Load(ref start, v);
            ref T p = ref Unsafe.Add(ref pack, v);
            for (nuint k = 0; k < kn; k++)
            {
                a = TW.MultiplyAdd(TW.Load(ref p, 0), TW.Create(Unsafe.Add(ref x, k)), a);
                p = ref Unsafe.Add(ref p, nr);
            }
            TW.Store(a, ref z, v);
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
