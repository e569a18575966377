using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// The one matrix product of the recurrent kernels, with row strides: c[r·ldc + j] += Σ_k a[r·lda + k]·b[k·ldb + j].
// Strides let one step of a whole batch read h_{t−1} and write the gates of step t straight from sample-major
// buffers ([batch, steps, ·]) without gathering them. It is an outer product like DenseKernels' packed
// forward: a broadcast a[r, k] times whole vectors of b's row k, four rows at a time, so nothing is summed
// horizontally and every vector of b loaded feeds four rows.
public static partial class RecurrentKernels
{
    // Bytes of b one block of columns may occupy while every row group of a batch passes over it: half of a 32 KiB
    // L1D, the smallest current x64 cores have, so the block stays in L1 beside the rows of a and c it meets.
    private const int ColumnBlockBytes = 16 * 1024;

    /// <summary>c += a·b over <paramref name="rows"/> rows; b is <paramref name="k"/> × <paramref name="n"/> with row stride <paramref name="ldb"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddProducts<T>(ref T a, nuint lda, nuint rows, nuint k, ref T b, nuint ldb, nuint n, ref T c, nuint ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Several rows: walk k in blocks so a column block of b (kc rows of four vectors with AVX-512, two below) fits
        // ColumnBlockBytes. c is stored and reloaded between blocks, which keeps each output's k-after-k order.
        if (rows > 1)
        {
            nuint blockBytes = Simd512<T>.IsEnabled ? 4u * 64 : Simd256<T>.IsEnabled ? 2u * 32 : 2u * 16;
            nuint kc = Math.Max(16u, ColumnBlockBytes / blockBytes);
            if (k > kc)
            {
                for (nuint k0 = 0; k0 < k; k0 += kc)
                    AddProductsBlock(ref Unsafe.Add(ref a, k0), lda, rows, k - k0 < kc ? k - k0 : kc, ref Unsafe.Add(ref b, k0 * ldb), ldb, n, ref c, ldc);
                return;
            }
        }
        AddProductsBlock(ref a, lda, rows, k, ref b, ldb, n, ref c, ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddProductsBlock<T>(ref T a, nuint lda, nuint rows, nuint k, ref T b, nuint ldb, nuint n, ref T c, nuint ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // The widest width first, then narrower ones on the columns it left (28 = 16 + 8 + 4): every column is a
        // vector lane, and each adds its terms in the same order whichever width takes it.
        nuint done = 0;
        if (Simd512<T>.IsEnabled && n - done >= (nuint)Vector512<T>.Count)
            done += AddProducts<T, Simd512<T>, Vector512<T>>(ref a, lda, rows, k, ref Unsafe.Add(ref b, done), ldb, n - done, ref Unsafe.Add(ref c, done), ldc);
        if (Simd256<T>.IsEnabled && n - done >= (nuint)Vector256<T>.Count)
            done += AddProducts<T, Simd256<T>, Vector256<T>>(ref a, lda, rows, k, ref Unsafe.Add(ref b, done), ldb, n - done, ref Unsafe.Add(ref c, done), ldc);
        if (Simd128<T>.IsEnabled && n - done >= (nuint)Vector128<T>.Count)
            done += AddProducts<T, Simd128<T>, Vector128<T>>(ref a, lda, rows, k, ref Unsafe.Add(ref b, done), ldb, n - done, ref Unsafe.Add(ref c, done), ldc);
        // Columns past the last whole vector.
        for (nuint r = 0; r < rows; r++)
        {
            ref T ar = ref Unsafe.Add(ref a, r * lda);
            ref T cr = ref Unsafe.Add(ref c, r * ldc);
            for (nuint j = done; j < n; j++)
            {
                T sum = Unsafe.Add(ref cr, j);
                // Fused like the vector lanes, so a column gives the same bits whichever path it takes.
                for (nuint kk = 0; kk < k; kk++)
                    sum = T.FusedMultiplyAdd(Unsafe.Add(ref ar, kk), Unsafe.Add(ref b, kk * ldb + j), sum);
                Unsafe.Add(ref cr, j) = sum;
            }
        }
    }

    /// <summary>The vector part: columns in blocks of four (one row, or AVX-512) or two vectors, then single vectors; returns the columns done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint AddProducts<T, TW, TVec>(ref T a, nuint lda, nuint rows, nuint k, ref T b, nuint ldb, nuint n, ref T c, nuint ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint v = (nuint)TW.Count;
        nuint j = 0;
        if (rows == 1)
        {
            // One sample (a single step): four independent accumulators hide the FMA latency.
            for (; j + 4 * v <= n; j += 4 * v)
                Row1x4<T, TW, TVec>(ref a, k, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, j));
        }
        else if (Unsafe.SizeOf<TVec>() == 64)
        {
            // 32 registers (AVX-512): 4 rows × 4 vectors of accumulators, four broadcasts feeding sixteen FMAs.
            for (; j + 4 * v <= n; j += 4 * v)
            {
                nuint r = 0;
                for (; r + 4 <= rows; r += 4)
                    Rows4x4<T, TW, TVec>(ref Unsafe.Add(ref a, r * lda), lda, k, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, r * ldc + j), ldc);
                for (; r < rows; r++)
                    Row1x4<T, TW, TVec>(ref Unsafe.Add(ref a, r * lda), k, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, r * ldc + j));
            }
        }
        for (; j + 2 * v <= n; j += 2 * v)
        {
            nuint r = 0;
            for (; r + 4 <= rows; r += 4)
                Rows4x2<T, TW, TVec>(ref Unsafe.Add(ref a, r * lda), lda, k, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, r * ldc + j), ldc);
            for (; r < rows; r++)
                Row1x2<T, TW, TVec>(ref Unsafe.Add(ref a, r * lda), k, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, r * ldc + j));
        }
        for (; j + v <= n; j += v)
        {
            for (nuint r = 0; r < rows; r++)
                Row1x1<T, TW, TVec>(ref Unsafe.Add(ref a, r * lda), k, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, r * ldc + j));
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows4x4<T, TW, TVec>(ref T a, nuint lda, nuint k, ref T b, nuint ldb, ref T c, nuint ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint v = (nuint)TW.Count;
        TVec c00 = TW.Load(ref c, 0), c01 = TW.Load(ref c, v), c02 = TW.Load(ref c, 2 * v), c03 = TW.Load(ref c, 3 * v);
        TVec c10 = TW.Load(ref c, ldc), c11 = TW.Load(ref c, ldc + v), c12 = TW.Load(ref c, ldc + 2 * v), c13 = TW.Load(ref c, ldc + 3 * v);
        TVec c20 = TW.Load(ref c, 2 * ldc), c21 = TW.Load(ref c, 2 * ldc + v), c22 = TW.Load(ref c, 2 * ldc + 2 * v), c23 = TW.Load(ref c, 2 * ldc + 3 * v);
        TVec c30 = TW.Load(ref c, 3 * ldc), c31 = TW.Load(ref c, 3 * ldc + v), c32 = TW.Load(ref c, 3 * ldc + 2 * v), c33 = TW.Load(ref c, 3 * ldc + 3 * v);
        for (nuint kk = 0; kk < k; kk++)
        {
            ref T bk = ref Unsafe.Add(ref b, kk * ldb);
            TVec b0 = TW.Load(ref bk, 0), b1 = TW.Load(ref bk, v), b2 = TW.Load(ref bk, 2 * v), b3 = TW.Load(ref bk, 3 * v);
            TVec a0 = TW.Create(Unsafe.Add(ref a, kk));
            c00 = TW.MultiplyAdd(a0, b0, c00);
            c01 = TW.MultiplyAdd(a0, b1, c01);
            c02 = TW.MultiplyAdd(a0, b2, c02);
            c03 = TW.MultiplyAdd(a0, b3, c03);
            TVec a1 = TW.Create(Unsafe.Add(ref a, lda + kk));
            c10 = TW.MultiplyAdd(a1, b0, c10);
            c11 = TW.MultiplyAdd(a1, b1, c11);
            c12 = TW.MultiplyAdd(a1, b2, c12);
            c13 = TW.MultiplyAdd(a1, b3, c13);
            TVec a2 = TW.Create(Unsafe.Add(ref a, 2 * lda + kk));
            c20 = TW.MultiplyAdd(a2, b0, c20);
            c21 = TW.MultiplyAdd(a2, b1, c21);
            c22 = TW.MultiplyAdd(a2, b2, c22);
            c23 = TW.MultiplyAdd(a2, b3, c23);
            TVec a3 = TW.Create(Unsafe.Add(ref a, 3 * lda + kk));
            c30 = TW.MultiplyAdd(a3, b0, c30);
            c31 = TW.MultiplyAdd(a3, b1, c31);
            c32 = TW.MultiplyAdd(a3, b2, c32);
            c33 = TW.MultiplyAdd(a3, b3, c33);
        }
        TW.Store(c00, ref c, 0);
        TW.Store(c01, ref c, v);
        TW.Store(c02, ref c, 2 * v);
        TW.Store(c03, ref c, 3 * v);
        TW.Store(c10, ref c, ldc);
        TW.Store(c11, ref c, ldc + v);
        TW.Store(c12, ref c, ldc + 2 * v);
        TW.Store(c13, ref c, ldc + 3 * v);
        TW.Store(c20, ref c, 2 * ldc);
        TW.Store(c21, ref c, 2 * ldc + v);
        TW.Store(c22, ref c, 2 * ldc + 2 * v);
        TW.Store(c23, ref c, 2 * ldc + 3 * v);
        TW.Store(c30, ref c, 3 * ldc);
        TW.Store(c31, ref c, 3 * ldc + v);
        TW.Store(c32, ref c, 3 * ldc + 2 * v);
        TW.Store(c33, ref c, 3 * ldc + 3 * v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows4x2<T, TW, TVec>(ref T a, nuint lda, nuint k, ref T b, nuint ldb, ref T c, nuint ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint v = (nuint)TW.Count;
        TVec c00 = TW.Load(ref c, 0), c01 = TW.Load(ref c, v);
        TVec c10 = TW.Load(ref c, ldc), c11 = TW.Load(ref c, ldc + v);
        TVec c20 = TW.Load(ref c, 2 * ldc), c21 = TW.Load(ref c, 2 * ldc + v);
        TVec c30 = TW.Load(ref c, 3 * ldc), c31 = TW.Load(ref c, 3 * ldc + v);
        for (nuint kk = 0; kk < k; kk++)
        {
            TVec b0 = TW.Load(ref b, kk * ldb), b1 = TW.Load(ref b, kk * ldb + v);
            TVec a0 = TW.Create(Unsafe.Add(ref a, kk));
            c00 = TW.MultiplyAdd(a0, b0, c00);
            c01 = TW.MultiplyAdd(a0, b1, c01);
            TVec a1 = TW.Create(Unsafe.Add(ref a, lda + kk));
            c10 = TW.MultiplyAdd(a1, b0, c10);
            c11 = TW.MultiplyAdd(a1, b1, c11);
            TVec a2 = TW.Create(Unsafe.Add(ref a, 2 * lda + kk));
            c20 = TW.MultiplyAdd(a2, b0, c20);
            c21 = TW.MultiplyAdd(a2, b1, c21);
            TVec a3 = TW.Create(Unsafe.Add(ref a, 3 * lda + kk));
            c30 = TW.MultiplyAdd(a3, b0, c30);
            c31 = TW.MultiplyAdd(a3, b1, c31);
        }
        TW.Store(c00, ref c, 0);
        TW.Store(c01, ref c, v);
        TW.Store(c10, ref c, ldc);
        TW.Store(c11, ref c, ldc + v);
        TW.Store(c20, ref c, 2 * ldc);
        TW.Store(c21, ref c, 2 * ldc + v);
        TW.Store(c30, ref c, 3 * ldc);
        TW.Store(c31, ref c, 3 * ldc + v);
    }

    // Single rows add the terms in the same order as the four-row block (k after k into one accumulator per
    // output), so a sample's result does not depend on where it falls in the batch: any thread partition of a
    // batch, and the single-step path, give the same bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Row1x4<T, TW, TVec>(ref T a, nuint k, ref T b, nuint ldb, ref T c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint v = (nuint)TW.Count;
        TVec c0 = TW.Load(ref c, 0), c1 = TW.Load(ref c, v), c2 = TW.Load(ref c, 2 * v), c3 = TW.Load(ref c, 3 * v);
        for (nuint kk = 0; kk < k; kk++)
        {
            TVec a0 = TW.Create(Unsafe.Add(ref a, kk));
            c0 = TW.MultiplyAdd(a0, TW.Load(ref b, kk * ldb), c0);
            c1 = TW.MultiplyAdd(a0, TW.Load(ref b, kk * ldb + v), c1);
            c2 = TW.MultiplyAdd(a0, TW.Load(ref b, kk * ldb + 2 * v), c2);
            c3 = TW.MultiplyAdd(a0, TW.Load(ref b, kk * ldb + 3 * v), c3);
        }
        TW.Store(c0, ref c, 0);
        TW.Store(c1, ref c, v);
        TW.Store(c2, ref c, 2 * v);
        TW.Store(c3, ref c, 3 * v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Row1x2<T, TW, TVec>(ref T a, nuint k, ref T b, nuint ldb, ref T c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint v = (nuint)TW.Count;
        TVec c0 = TW.Load(ref c, 0), c1 = TW.Load(ref c, v);
        for (nuint kk = 0; kk < k; kk++)
        {
            TVec a0 = TW.Create(Unsafe.Add(ref a, kk));
            c0 = TW.MultiplyAdd(a0, TW.Load(ref b, kk * ldb), c0);
            c1 = TW.MultiplyAdd(a0, TW.Load(ref b, kk * ldb + v), c1);
        }
        TW.Store(c0, ref c, 0);
        TW.Store(c1, ref c, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Row1x1<T, TW, TVec>(ref T a, nuint k, ref T b, nuint ldb, ref T c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        TVec c0 = TW.Load(ref c, 0);
        for (nuint kk = 0; kk < k; kk++)
            c0 = TW.MultiplyAdd(TW.Create(Unsafe.Add(ref a, kk)), TW.Load(ref b, kk * ldb), c0);
        TW.Store(c0, ref c, 0);
    }
}

// The weight-gradient product: g[j·ldg + k] += Σ_rows d[row, j]·x[row, k], rows walked as `outer` blocks of
// `inner` rows (the samples of a batch, and within each its steps), so the hidden-to-hidden gradient pairs step t
// with step t−1 of the same sample without copying. Four gradient rows × two vectors of k stay in registers while
// every row passes; each output sums its rows in the same order whatever the blocking.
public static partial class RecurrentKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddTransposedProducts<T>(ref T d, nuint ldd, nuint outer, nuint dOuter, nuint xOuter, nuint inner, nuint nj, ref T x, nuint ldx, nuint nk, ref T g, nuint ldg)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint done = 0;
        if (Simd512<T>.IsEnabled && nk - done >= (nuint)Vector512<T>.Count)
            done += AddTransposedProducts<T, Simd512<T>, Vector512<T>>(ref d, ldd, outer, dOuter, xOuter, inner, nj, ref Unsafe.Add(ref x, done), ldx, nk - done, ref Unsafe.Add(ref g, done), ldg);
        if (Simd256<T>.IsEnabled && nk - done >= (nuint)Vector256<T>.Count)
            done += AddTransposedProducts<T, Simd256<T>, Vector256<T>>(ref d, ldd, outer, dOuter, xOuter, inner, nj, ref Unsafe.Add(ref x, done), ldx, nk - done, ref Unsafe.Add(ref g, done), ldg);
        if (Simd128<T>.IsEnabled && nk - done >= (nuint)Vector128<T>.Count)
            done += AddTransposedProducts<T, Simd128<T>, Vector128<T>>(ref d, ldd, outer, dOuter, xOuter, inner, nj, ref Unsafe.Add(ref x, done), ldx, nk - done, ref Unsafe.Add(ref g, done), ldg);
        for (nuint j = 0; j < nj; j++)
        {
            for (nuint k = done; k < nk; k++)
            {
                T sum = Unsafe.Add(ref g, j * ldg + k);
                for (nuint o = 0; o < outer; o++)
                {
                    for (nuint i = 0; i < inner; i++)
                        sum = T.FusedMultiplyAdd(Unsafe.Add(ref d, o * dOuter + i * ldd + j), Unsafe.Add(ref x, o * xOuter + i * ldx + k), sum);
                }
                Unsafe.Add(ref g, j * ldg + k) = sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nuint AddTransposedProducts<T, TW, TVec>(ref T d, nuint ldd, nuint outer, nuint dOuter, nuint xOuter, nuint inner, nuint nj, ref T x, nuint ldx, nuint nk, ref T g, nuint ldg)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint v = (nuint)TW.Count;
        nuint k = 0;
        for (; k + 2 * v <= nk; k += 2 * v)
        {
            nuint j = 0;
            for (; j + 4 <= nj; j += 4)
            {
                ref T gj = ref Unsafe.Add(ref g, j * ldg + k);
                TVec g00 = TW.Load(ref gj, 0), g01 = TW.Load(ref gj, v);
                TVec g10 = TW.Load(ref gj, ldg), g11 = TW.Load(ref gj, ldg + v);
                TVec g20 = TW.Load(ref gj, 2 * ldg), g21 = TW.Load(ref gj, 2 * ldg + v);
                TVec g30 = TW.Load(ref gj, 3 * ldg), g31 = TW.Load(ref gj, 3 * ldg + v);
                for (nuint o = 0; o < outer; o++)
                {
                    ref T dRow = ref Unsafe.Add(ref d, o * dOuter + j);
                    ref T xRow = ref Unsafe.Add(ref x, o * xOuter + k);
                    for (nuint i = 0; i < inner; i++)
                    {
                        TVec x0 = TW.Load(ref xRow, i * ldx), x1 = TW.Load(ref xRow, i * ldx + v);
                        ref T di = ref Unsafe.Add(ref dRow, i * ldd);
                        TVec d0 = TW.Create(di);
                        g00 = TW.MultiplyAdd(d0, x0, g00);
                        g01 = TW.MultiplyAdd(d0, x1, g01);
                        TVec d1 = TW.Create(Unsafe.Add(ref di, 1));
                        g10 = TW.MultiplyAdd(d1, x0, g10);
                        g11 = TW.MultiplyAdd(d1, x1, g11);
                        TVec d2 = TW.Create(Unsafe.Add(ref di, 2));
                        g20 = TW.MultiplyAdd(d2, x0, g20);
                        g21 = TW.MultiplyAdd(d2, x1, g21);
                        TVec d3 = TW.Create(Unsafe.Add(ref di, 3));
                        g30 = TW.MultiplyAdd(d3, x0, g30);
                        g31 = TW.MultiplyAdd(d3, x1, g31);
                    }
                }
                TW.Store(g00, ref gj, 0);
                TW.Store(g01, ref gj, v);
                TW.Store(g10, ref gj, ldg);
                TW.Store(g11, ref gj, ldg + v);
                TW.Store(g20, ref gj, 2 * ldg);
                TW.Store(g21, ref gj, 2 * ldg + v);
                TW.Store(g30, ref gj, 3 * ldg);
                TW.Store(g31, ref gj, 3 * ldg + v);
            }
            for (; j < nj; j++)
                GradientRow<T, TW, TVec>(ref d, ldd, outer, dOuter, xOuter, inner, j, ref x, ldx, k, ref Unsafe.Add(ref g, j * ldg + k), 2);
        }
        for (; k + v <= nk; k += v)
        {
            for (nuint j = 0; j < nj; j++)
                GradientRow<T, TW, TVec>(ref d, ldd, outer, dOuter, xOuter, inner, j, ref x, ldx, k, ref Unsafe.Add(ref g, j * ldg + k), 1);
        }
        return k;
    }

    /// <summary>One gradient row, one or two vectors of k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientRow<T, TW, TVec>(ref T d, nuint ldd, nuint outer, nuint dOuter, nuint xOuter, nuint inner, nuint j, ref T x, nuint ldx, nuint k, ref T gj, int vectors)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint v = (nuint)TW.Count;
        TVec g0 = TW.Load(ref gj, 0), g1 = vectors == 2 ? TW.Load(ref gj, v) : TW.Zero;
        for (nuint o = 0; o < outer; o++)
        {
            ref T dRow = ref Unsafe.Add(ref d, o * dOuter + j);
            ref T xRow = ref Unsafe.Add(ref x, o * xOuter + k);
            for (nuint i = 0; i < inner; i++)
            {
                TVec dv = TW.Create(Unsafe.Add(ref dRow, i * ldd));
                g0 = TW.MultiplyAdd(dv, TW.Load(ref xRow, i * ldx), g0);
                if (vectors == 2)
                    g1 = TW.MultiplyAdd(dv, TW.Load(ref xRow, i * ldx + v), g1);
            }
        }
        TW.Store(g0, ref gj, 0);
        if (vectors == 2)
            TW.Store(g1, ref gj, v);
    }
}
