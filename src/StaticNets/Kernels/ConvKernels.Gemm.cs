using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// The two small GEMMs behind the convolution, both vectorised along the output positions p (a whole
// output plane, contiguous in NCHW, so the only ragged end is at the end of the plane):
//
//   Gemm:     C[i·N + p] = init_i + Σ_j A(i, j)·B[j·N + p]   (forward: W·col; input delta: Wᵀ·δ)
//   GradGemm: G[i·Kd + j] += Σ_p D[i·N + p]·X[j·N + p]      (weight gradient: δ·colᵀ)
//
// A(i, j) lives at a[i·ars + j·acs], so the same kernel reads W (ars = K, acs = 1) and Wᵀ (ars = 1, acs = K)
// without a transposed copy.
public static partial class ConvKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gemm<T>(ref T a, nuint ars, nuint acs, ref T bias, bool hasBias, ref T b, ref T c, nuint m, nuint kd, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && n >= (nuint)Vector512<T>.Count)
            Gemm<T, Simd512<T>, Vector512<T>>(ref a, ars, acs, ref bias, hasBias, ref b, ref c, m, kd, n);
        else if (Simd256<T>.IsEnabled && n >= (nuint)Vector256<T>.Count)
            Gemm<T, Simd256<T>, Vector256<T>>(ref a, ars, acs, ref bias, hasBias, ref b, ref c, m, kd, n);
        else if (Simd128<T>.IsEnabled && n >= (nuint)Vector128<T>.Count)
            Gemm<T, Simd128<T>, Vector128<T>>(ref a, ars, acs, ref bias, hasBias, ref b, ref c, m, kd, n);
        else
            GemmScalar(ref a, ars, acs, ref bias, hasBias, ref b, ref c, m, kd, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmScalar<T>(ref T a, nuint ars, nuint acs, ref T bias, bool hasBias, ref T b, ref T c, nuint m, nuint kd, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (nuint i = 0; i < m; i++)
        {
            ref T row = ref Unsafe.Add(ref c, i * n);
            T init = hasBias ? Unsafe.Add(ref bias, i) : T.Zero;
            for (nuint p = 0; p < n; p++)
                Unsafe.Add(ref row, p) = init;
            for (nuint j = 0; j < kd; j++)
            {
                T aij = Unsafe.Add(ref a, i * ars + j * acs);
                ref T bRow = ref Unsafe.Add(ref b, j * n);
                for (nuint p = 0; p < n; p++)
                    Unsafe.Add(ref row, p) += aij * Unsafe.Add(ref bRow, p);
            }
        }
    }

    // n ≥ TW.Count. Blocks of four rows of C; a last partial block repeats its last row, which computes the
    // same values into the same place again (C is pure output, so that is harmless). The ragged end of the
    // positions is the last whole vector, recomputed over the overlap for the same reason.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemm<T, TW, TVec>(ref T a, nuint ars, nuint acs, ref T bias, bool hasBias, ref T b, ref T c, nuint m, nuint kd, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint w = (nuint)TW.Count;
        for (nuint i = 0; i < m; i += 4)
        {
            nuint i1 = i + 1 < m ? i + 1 : m - 1, i2 = i + 2 < m ? i + 2 : m - 1, i3 = i + 3 < m ? i + 3 : m - 1;
            ref T a0 = ref Unsafe.Add(ref a, i * ars);
            ref T a1 = ref Unsafe.Add(ref a, i1 * ars);
            ref T a2 = ref Unsafe.Add(ref a, i2 * ars);
            ref T a3 = ref Unsafe.Add(ref a, i3 * ars);
            ref T c0 = ref Unsafe.Add(ref c, i * n);
            ref T c1 = ref Unsafe.Add(ref c, i1 * n);
            ref T c2 = ref Unsafe.Add(ref c, i2 * n);
            ref T c3 = ref Unsafe.Add(ref c, i3 * n);
            TVec b0 = hasBias ? TW.Create(Unsafe.Add(ref bias, i)) : TW.Zero;
            TVec b1 = hasBias ? TW.Create(Unsafe.Add(ref bias, i1)) : TW.Zero;
            TVec b2 = hasBias ? TW.Create(Unsafe.Add(ref bias, i2)) : TW.Zero;
            TVec b3 = hasBias ? TW.Create(Unsafe.Add(ref bias, i3)) : TW.Zero;

            nuint p = 0;
            // Sixteen accumulators need AVX-512's 32 registers; with sixteen registers they would spill.
            if (Unsafe.SizeOf<TVec>() == 64)
            {
                for (; p + 4 * w <= n; p += 4 * w)
                    Block4x4<T, TW, TVec>(ref a0, ref a1, ref a2, ref a3, acs, ref Unsafe.Add(ref b, p), n, kd,
                        ref Unsafe.Add(ref c0, p), ref Unsafe.Add(ref c1, p), ref Unsafe.Add(ref c2, p), ref Unsafe.Add(ref c3, p), b0, b1, b2, b3);
            }
            for (; p + 2 * w <= n; p += 2 * w)
                Block4x2<T, TW, TVec>(ref a0, ref a1, ref a2, ref a3, acs, ref Unsafe.Add(ref b, p), n, kd,
                    ref Unsafe.Add(ref c0, p), ref Unsafe.Add(ref c1, p), ref Unsafe.Add(ref c2, p), ref Unsafe.Add(ref c3, p), b0, b1, b2, b3);
            for (; p + w <= n; p += w)
                Block4x1<T, TW, TVec>(ref a0, ref a1, ref a2, ref a3, acs, ref Unsafe.Add(ref b, p), n, kd,
                    ref Unsafe.Add(ref c0, p), ref Unsafe.Add(ref c1, p), ref Unsafe.Add(ref c2, p), ref Unsafe.Add(ref c3, p), b0, b1, b2, b3);
            if (p < n)
            {
                p = n - w;
                Block4x1<T, TW, TVec>(ref a0, ref a1, ref a2, ref a3, acs, ref Unsafe.Add(ref b, p), n, kd,
                    ref Unsafe.Add(ref c0, p), ref Unsafe.Add(ref c1, p), ref Unsafe.Add(ref c2, p), ref Unsafe.Add(ref c3, p), b0, b1, b2, b3);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Block4x4<T, TW, TVec>(ref T a0, ref T a1, ref T a2, ref T a3, nuint acs, ref T b, nuint n, nuint kd,
        ref T c0, ref T c1, ref T c2, ref T c3, TVec b0, TVec b1, TVec b2, TVec b3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint w = (nuint)TW.Count;
        TVec x00 = b0, x01 = b0, x02 = b0, x03 = b0;
        TVec x10 = b1, x11 = b1, x12 = b1, x13 = b1;
        TVec x20 = b2, x21 = b2, x22 = b2, x23 = b2;
        TVec x30 = b3, x31 = b3, x32 = b3, x33 = b3;
        nuint ja = 0;
        for (nuint j = 0; j < kd; j++, ja += acs)
        {
            TVec u0 = TW.Load(ref b, 0), u1 = TW.Load(ref b, w), u2 = TW.Load(ref b, 2 * w), u3 = TW.Load(ref b, 3 * w);
            TVec e = TW.Create(Unsafe.Add(ref a0, ja));
            x00 = TW.MultiplyAdd(u0, e, x00); x01 = TW.MultiplyAdd(u1, e, x01); x02 = TW.MultiplyAdd(u2, e, x02); x03 = TW.MultiplyAdd(u3, e, x03);
            e = TW.Create(Unsafe.Add(ref a1, ja));
            x10 = TW.MultiplyAdd(u0, e, x10); x11 = TW.MultiplyAdd(u1, e, x11); x12 = TW.MultiplyAdd(u2, e, x12); x13 = TW.MultiplyAdd(u3, e, x13);
            e = TW.Create(Unsafe.Add(ref a2, ja));
            x20 = TW.MultiplyAdd(u0, e, x20); x21 = TW.MultiplyAdd(u1, e, x21); x22 = TW.MultiplyAdd(u2, e, x22); x23 = TW.MultiplyAdd(u3, e, x23);
            e = TW.Create(Unsafe.Add(ref a3, ja));
            x30 = TW.MultiplyAdd(u0, e, x30); x31 = TW.MultiplyAdd(u1, e, x31); x32 = TW.MultiplyAdd(u2, e, x32); x33 = TW.MultiplyAdd(u3, e, x33);
            b = ref Unsafe.Add(ref b, n);
        }
        // Rows 3, 2, 1 first: a repeated last row aliases an earlier one, and the values are the same.
        TW.Store(x30, ref c3, 0); TW.Store(x31, ref c3, w); TW.Store(x32, ref c3, 2 * w); TW.Store(x33, ref c3, 3 * w);
        TW.Store(x20, ref c2, 0); TW.Store(x21, ref c2, w); TW.Store(x22, ref c2, 2 * w); TW.Store(x23, ref c2, 3 * w);
        TW.Store(x10, ref c1, 0); TW.Store(x11, ref c1, w); TW.Store(x12, ref c1, 2 * w); TW.Store(x13, ref c1, 3 * w);
        TW.Store(x00, ref c0, 0); TW.Store(x01, ref c0, w); TW.Store(x02, ref c0, 2 * w); TW.Store(x03, ref c0, 3 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Block4x2<T, TW, TVec>(ref T a0, ref T a1, ref T a2, ref T a3, nuint acs, ref T b, nuint n, nuint kd,
        ref T c0, ref T c1, ref T c2, ref T c3, TVec b0, TVec b1, TVec b2, TVec b3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint w = (nuint)TW.Count;
        TVec x00 = b0, x01 = b0, x10 = b1, x11 = b1, x20 = b2, x21 = b2, x30 = b3, x31 = b3;
        nuint ja = 0;
        for (nuint j = 0; j < kd; j++, ja += acs)
        {
            TVec u0 = TW.Load(ref b, 0), u1 = TW.Load(ref b, w);
            TVec e = TW.Create(Unsafe.Add(ref a0, ja));
            x00 = TW.MultiplyAdd(u0, e, x00); x01 = TW.MultiplyAdd(u1, e, x01);
            e = TW.Create(Unsafe.Add(ref a1, ja));
            x10 = TW.MultiplyAdd(u0, e, x10); x11 = TW.MultiplyAdd(u1, e, x11);
            e = TW.Create(Unsafe.Add(ref a2, ja));
            x20 = TW.MultiplyAdd(u0, e, x20); x21 = TW.MultiplyAdd(u1, e, x21);
            e = TW.Create(Unsafe.Add(ref a3, ja));
            x30 = TW.MultiplyAdd(u0, e, x30); x31 = TW.MultiplyAdd(u1, e, x31);
            b = ref Unsafe.Add(ref b, n);
        }
        TW.Store(x30, ref c3, 0); TW.Store(x31, ref c3, w);
        TW.Store(x20, ref c2, 0); TW.Store(x21, ref c2, w);
        TW.Store(x10, ref c1, 0); TW.Store(x11, ref c1, w);
        TW.Store(x00, ref c0, 0); TW.Store(x01, ref c0, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Block4x1<T, TW, TVec>(ref T a0, ref T a1, ref T a2, ref T a3, nuint acs, ref T b, nuint n, nuint kd,
        ref T c0, ref T c1, ref T c2, ref T c3, TVec b0, TVec b1, TVec b2, TVec b3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        TVec x0 = b0, x1 = b1, x2 = b2, x3 = b3;
        nuint ja = 0;
        for (nuint j = 0; j < kd; j++, ja += acs)
        {
            TVec u = TW.Load(ref b, 0);
            x0 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref a0, ja)), x0);
            x1 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref a1, ja)), x1);
            x2 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref a2, ja)), x2);
            x3 = TW.MultiplyAdd(u, TW.Create(Unsafe.Add(ref a3, ja)), x3);
            b = ref Unsafe.Add(ref b, n);
        }
        TW.Store(x3, ref c3, 0);
        TW.Store(x2, ref c2, 0);
        TW.Store(x1, ref c1, 0);
        TW.Store(x0, ref c0, 0);
    }

    // ------------------------------------------------------------------ weight gradient
    //
    // G[i·Kd + j] += Σ_s Σ_p D[s·ds + i·N + p]·X[s·xs + j·N + p]: the sum runs over several samples (each with its
    // own δ and unrolled input) before the horizontal sums, so those are paid once per block of samples.

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradGemm<T>(ref T d, nuint ds, ref T x, nuint xs, nuint samples, ref T g, nuint m, nuint kd, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && n >= (nuint)Vector512<T>.Count)
            GradGemm8x2<T, Simd512<T>, Vector512<T>>(ref d, ds, ref x, xs, samples, ref g, m, kd, n);
        else if (Simd256<T>.IsEnabled && n >= (nuint)Vector256<T>.Count)
            GradGemm<T, Simd256<T>, Vector256<T>>(ref d, ds, ref x, xs, samples, ref g, m, kd, n);
        else if (Simd128<T>.IsEnabled && n >= (nuint)Vector128<T>.Count)
            GradGemm<T, Simd128<T>, Vector128<T>>(ref d, ds, ref x, xs, samples, ref g, m, kd, n);
        else
        {
            for (nuint i = 0; i < m; i++)
            {
                for (nuint j = 0; j < kd; j++)
                {
                    T sum = T.Zero;
                    for (nuint k = 0; k < samples; k++)
                    {
                        ref T dRow = ref Unsafe.Add(ref d, k * ds + i * n);
                        ref T xRow = ref Unsafe.Add(ref x, k * xs + j * n);
                        for (nuint p = 0; p < n; p++)
                            sum += Unsafe.Add(ref dRow, p) * Unsafe.Add(ref xRow, p);
                    }
                    Unsafe.Add(ref g, i * kd + j) += sum;
                }
            }
        }
    }

    // n ≥ TW.Count. Two delta rows × four patch rows, eight dot products along p sharing six loads per step.
    // A partial block repeats its last row or patch row; those repeats are computed but not added. The
    // ragged end is the last whole vector with the lanes already counted masked to zero in both operands.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradGemm<T, TW, TVec>(ref T d, nuint ds, ref T x, nuint xs, nuint samples, ref T g, nuint m, nuint kd, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint w = (nuint)TW.Count;
        nuint full = n - n % w;
        bool hasTail = full != n;
        nuint tailAt = n - w;
        TVec mask = hasTail ? TW.LastLanes(n - full) : TW.Zero;
        for (nuint i = 0; i < m; i += 2)
        {
            bool two = i + 1 < m;
            nuint i1 = two ? i + 1 : i;
            ref T g0 = ref Unsafe.Add(ref g, i * kd);
            for (nuint j = 0; j < kd; j += 4)
            {
                nuint j1 = j + 1 < kd ? j + 1 : kd - 1, j2 = j + 2 < kd ? j + 2 : kd - 1, j3 = j + 3 < kd ? j + 3 : kd - 1;
                TVec s00 = TW.Zero, s01 = TW.Zero, s02 = TW.Zero, s03 = TW.Zero;
                TVec s10 = TW.Zero, s11 = TW.Zero, s12 = TW.Zero, s13 = TW.Zero;
                for (nuint k = 0; k < samples; k++)
                {
                    ref T d0 = ref Unsafe.Add(ref d, k * ds + i * n);
                    ref T d1 = ref Unsafe.Add(ref d, k * ds + i1 * n);
                    ref T x0 = ref Unsafe.Add(ref x, k * xs + j * n);
                    ref T x1 = ref Unsafe.Add(ref x, k * xs + j1 * n);
                    ref T x2 = ref Unsafe.Add(ref x, k * xs + j2 * n);
                    ref T x3 = ref Unsafe.Add(ref x, k * xs + j3 * n);
                    for (nuint p = 0; p < full; p += w)
                    {
                        TVec u = TW.Load(ref d0, p), v = TW.Load(ref d1, p);
                        TVec t = TW.Load(ref x0, p);
                        s00 = TW.MultiplyAdd(u, t, s00); s10 = TW.MultiplyAdd(v, t, s10);
                        t = TW.Load(ref x1, p);
                        s01 = TW.MultiplyAdd(u, t, s01); s11 = TW.MultiplyAdd(v, t, s11);
                        t = TW.Load(ref x2, p);
                        s02 = TW.MultiplyAdd(u, t, s02); s12 = TW.MultiplyAdd(v, t, s12);
                        t = TW.Load(ref x3, p);
                        s03 = TW.MultiplyAdd(u, t, s03); s13 = TW.MultiplyAdd(v, t, s13);
                    }
                    if (hasTail)
                    {
                        TVec u = TW.And(TW.Load(ref d0, tailAt), mask), v = TW.And(TW.Load(ref d1, tailAt), mask);
                        TVec t = TW.And(TW.Load(ref x0, tailAt), mask);
                        s00 = TW.MultiplyAdd(u, t, s00); s10 = TW.MultiplyAdd(v, t, s10);
                        t = TW.And(TW.Load(ref x1, tailAt), mask);
                        s01 = TW.MultiplyAdd(u, t, s01); s11 = TW.MultiplyAdd(v, t, s11);
                        t = TW.And(TW.Load(ref x2, tailAt), mask);
                        s02 = TW.MultiplyAdd(u, t, s02); s12 = TW.MultiplyAdd(v, t, s12);
                        t = TW.And(TW.Load(ref x3, tailAt), mask);
                        s03 = TW.MultiplyAdd(u, t, s03); s13 = TW.MultiplyAdd(v, t, s13);
                    }
                }
                nuint left = kd - j;
                Unsafe.Add(ref g0, j) += TW.Sum(s00);
                if (left > 1) Unsafe.Add(ref g0, j + 1) += TW.Sum(s01);
                if (left > 2) Unsafe.Add(ref g0, j + 2) += TW.Sum(s02);
                if (left > 3) Unsafe.Add(ref g0, j + 3) += TW.Sum(s03);
                if (two)
                {
                    ref T g1 = ref Unsafe.Add(ref g0, kd);
                    Unsafe.Add(ref g1, j) += TW.Sum(s10);
                    if (left > 1) Unsafe.Add(ref g1, j + 1) += TW.Sum(s11);
                    if (left > 2) Unsafe.Add(ref g1, j + 2) += TW.Sum(s12);
                    if (left > 3) Unsafe.Add(ref g1, j + 3) += TW.Sum(s13);
                }
            }
        }
    }

    // n ≥ TW.Count, for 32 vector registers. Eight delta rows × two patch rows: sixteen dot products sharing ten
    // loads per step, so the unrolled input (the big operand, beyond L1) is streamed once per eight delta rows
    // rather than once per two. Repeats of a partial block are computed but not added; the ragged end as above.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradGemm8x2<T, TW, TVec>(ref T d, nuint ds, ref T x, nuint xs, nuint samples, ref T g, nuint m, nuint kd, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint w = (nuint)TW.Count;
        nuint full = n - n % w;
        bool hasTail = full != n;
        nuint tailAt = n - w;
        TVec mask = hasTail ? TW.LastLanes(n - full) : TW.Zero;
        for (nuint i = 0; i < m; i += 8)
        {
            nuint r1 = Row(i + 1, m), r2 = Row(i + 2, m), r3 = Row(i + 3, m), r4 = Row(i + 4, m), r5 = Row(i + 5, m), r6 = Row(i + 6, m), r7 = Row(i + 7, m);
            for (nuint j = 0; j < kd; j += 2)
            {
                nuint j1 = j + 1 < kd ? j + 1 : j;
                TVec a0 = TW.Zero, a1 = TW.Zero, a2 = TW.Zero, a3 = TW.Zero, a4 = TW.Zero, a5 = TW.Zero, a6 = TW.Zero, a7 = TW.Zero;
                TVec b0 = TW.Zero, b1 = TW.Zero, b2 = TW.Zero, b3 = TW.Zero, b4 = TW.Zero, b5 = TW.Zero, b6 = TW.Zero, b7 = TW.Zero;
                for (nuint k = 0; k < samples; k++)
                {
                    ref T dk = ref Unsafe.Add(ref d, k * ds);
                    ref T e0 = ref Unsafe.Add(ref dk, i * n);
                    ref T e1 = ref Unsafe.Add(ref dk, r1 * n);
                    ref T e2 = ref Unsafe.Add(ref dk, r2 * n);
                    ref T e3 = ref Unsafe.Add(ref dk, r3 * n);
                    ref T e4 = ref Unsafe.Add(ref dk, r4 * n);
                    ref T e5 = ref Unsafe.Add(ref dk, r5 * n);
                    ref T e6 = ref Unsafe.Add(ref dk, r6 * n);
                    ref T e7 = ref Unsafe.Add(ref dk, r7 * n);
                    ref T x0 = ref Unsafe.Add(ref x, k * xs + j * n);
                    ref T x1 = ref Unsafe.Add(ref x, k * xs + j1 * n);
                    for (nuint p = 0; p < full; p += w)
                    {
                        TVec t = TW.Load(ref x0, p), u = TW.Load(ref x1, p);
                        TVec v = TW.Load(ref e0, p); a0 = TW.MultiplyAdd(v, t, a0); b0 = TW.MultiplyAdd(v, u, b0);
                        v = TW.Load(ref e1, p); a1 = TW.MultiplyAdd(v, t, a1); b1 = TW.MultiplyAdd(v, u, b1);
                        v = TW.Load(ref e2, p); a2 = TW.MultiplyAdd(v, t, a2); b2 = TW.MultiplyAdd(v, u, b2);
                        v = TW.Load(ref e3, p); a3 = TW.MultiplyAdd(v, t, a3); b3 = TW.MultiplyAdd(v, u, b3);
                        v = TW.Load(ref e4, p); a4 = TW.MultiplyAdd(v, t, a4); b4 = TW.MultiplyAdd(v, u, b4);
                        v = TW.Load(ref e5, p); a5 = TW.MultiplyAdd(v, t, a5); b5 = TW.MultiplyAdd(v, u, b5);
                        v = TW.Load(ref e6, p); a6 = TW.MultiplyAdd(v, t, a6); b6 = TW.MultiplyAdd(v, u, b6);
                        v = TW.Load(ref e7, p); a7 = TW.MultiplyAdd(v, t, a7); b7 = TW.MultiplyAdd(v, u, b7);
                    }
                    if (hasTail)
                    {
                        nuint p = tailAt;
                        TVec t = TW.And(TW.Load(ref x0, p), mask), u = TW.And(TW.Load(ref x1, p), mask);
                        TVec v = TW.And(TW.Load(ref e0, p), mask); a0 = TW.MultiplyAdd(v, t, a0); b0 = TW.MultiplyAdd(v, u, b0);
                        v = TW.And(TW.Load(ref e1, p), mask); a1 = TW.MultiplyAdd(v, t, a1); b1 = TW.MultiplyAdd(v, u, b1);
                        v = TW.And(TW.Load(ref e2, p), mask); a2 = TW.MultiplyAdd(v, t, a2); b2 = TW.MultiplyAdd(v, u, b2);
                        v = TW.And(TW.Load(ref e3, p), mask); a3 = TW.MultiplyAdd(v, t, a3); b3 = TW.MultiplyAdd(v, u, b3);
                        v = TW.And(TW.Load(ref e4, p), mask); a4 = TW.MultiplyAdd(v, t, a4); b4 = TW.MultiplyAdd(v, u, b4);
                        v = TW.And(TW.Load(ref e5, p), mask); a5 = TW.MultiplyAdd(v, t, a5); b5 = TW.MultiplyAdd(v, u, b5);
                        v = TW.And(TW.Load(ref e6, p), mask); a6 = TW.MultiplyAdd(v, t, a6); b6 = TW.MultiplyAdd(v, u, b6);
                        v = TW.And(TW.Load(ref e7, p), mask); a7 = TW.MultiplyAdd(v, t, a7); b7 = TW.MultiplyAdd(v, u, b7);
                    }
                }
                bool second = j + 1 < kd;
                ref T g0 = ref Unsafe.Add(ref g, i * kd + j);
                AddPair<T, TW, TVec>(ref g0, second, a0, b0);
                if (i + 1 < m) AddPair<T, TW, TVec>(ref Unsafe.Add(ref g0, kd), second, a1, b1);
                if (i + 2 < m) AddPair<T, TW, TVec>(ref Unsafe.Add(ref g0, 2 * kd), second, a2, b2);
                if (i + 3 < m) AddPair<T, TW, TVec>(ref Unsafe.Add(ref g0, 3 * kd), second, a3, b3);
                if (i + 4 < m) AddPair<T, TW, TVec>(ref Unsafe.Add(ref g0, 4 * kd), second, a4, b4);
                if (i + 5 < m) AddPair<T, TW, TVec>(ref Unsafe.Add(ref g0, 5 * kd), second, a5, b5);
                if (i + 6 < m) AddPair<T, TW, TVec>(ref Unsafe.Add(ref g0, 6 * kd), second, a6, b6);
                if (i + 7 < m) AddPair<T, TW, TVec>(ref Unsafe.Add(ref g0, 7 * kd), second, a7, b7);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Row(nuint r, nuint m) => r < m ? r : m - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddPair<T, TW, TVec>(ref T g, bool second, TVec a, TVec b)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        g += TW.Sum(a);
        if (second)
            Unsafe.Add(ref g, 1) += TW.Sum(b);
    }
}
