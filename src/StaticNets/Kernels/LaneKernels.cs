using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// Kernels for running a small network on a block of samples in <em>lanes</em>: the block is transposed so that
/// row <c>k</c> of a lane buffer holds input <c>k</c> of every sample (one vector of <c>width</c> samples), each
/// layer is then vector arithmetic with a broadcast weight per multiply-add, and the outputs are transposed back.
/// A generated network uses them for its batched forward when it is small and all dense; they are public for that
/// code and for tests.
/// </summary>
/// <remarks>
/// The vector exponential here is the one the generated single-sample forward uses for a small softmax, and every
/// width (and the scalar form) performs the same operations on each element, so a sample gives the same bits
/// whichever path and vector width computed it.
/// </remarks>
public static class LaneKernels
{
    /// <summary>
    /// Transposes <paramref name="count"/> samples of <paramref name="size"/> values (row-major) into lanes:
    /// <c>lanes[k·width + s] = rows[s·size + k]</c>; the lanes of samples <paramref name="count"/> .. width − 1 are zeroed.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="rows"><paramref name="count"/> × <paramref name="size"/> values.</param>
    /// <param name="size">Values per sample (at least 1).</param>
    /// <param name="count">Samples, 0 .. <paramref name="width"/>.</param>
    /// <param name="lanes">At least <paramref name="size"/> × <paramref name="width"/> values; the first that many are overwritten.</param>
    /// <param name="width">Samples per lane row (at least 1).</param>
    /// <exception cref="ArgumentException">A length or count does not fit, or the spans overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToLanes<T>(ReadOnlySpan<T> rows, int size, int count, Span<T> lanes, int width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShape(rows.Length, size, count, lanes.Length, width, nameof(rows), nameof(lanes));
        KernelGuard.NoOverlap<T>(rows, lanes, nameof(rows), nameof(lanes));
        ref T x = ref MemoryMarshal.GetReference(rows);
        ref T d = ref MemoryMarshal.GetReference(lanes);
        nuint w = (nuint)width, n = (nuint)size;
        if (count < width)
            lanes.Slice(0, size * width).Clear();
        for (nuint s = 0; s < (nuint)count; s++)
        {
            ref T row = ref Unsafe.Add(ref x, s * n);
            for (nuint k = 0; k < n; k++)
                Unsafe.Add(ref d, k * w + s) = Unsafe.Add(ref row, k);
        }
    }

    /// <summary>The inverse of <see cref="ToLanes{T}"/> for the first <paramref name="count"/> samples: <c>rows[s·size + k] = lanes[k·width + s]</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="lanes">At least <paramref name="size"/> × <paramref name="width"/> values.</param>
    /// <param name="size">Values per sample (at least 1).</param>
    /// <param name="count">Samples to write, 0 .. <paramref name="width"/>.</param>
    /// <param name="rows">Exactly <paramref name="count"/> × <paramref name="size"/> values, overwritten.</param>
    /// <param name="width">Samples per lane row (at least 1).</param>
    /// <exception cref="ArgumentException">A length or count does not fit, or the spans overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromLanes<T>(ReadOnlySpan<T> lanes, int size, int count, Span<T> rows, int width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShape(rows.Length, size, count, lanes.Length, width, nameof(rows), nameof(lanes));
        KernelGuard.NoOverlap<T>(lanes, rows, nameof(lanes), nameof(rows));
        ref T x = ref MemoryMarshal.GetReference(lanes);
        ref T d = ref MemoryMarshal.GetReference(rows);
        nuint w = (nuint)width, n = (nuint)size;
        for (nuint s = 0; s < (nuint)count; s++)
        {
            ref T row = ref Unsafe.Add(ref d, s * n);
            for (nuint k = 0; k < n; k++)
                Unsafe.Add(ref row, k) = Unsafe.Add(ref x, k * w + s);
        }
    }

    private static void CheckShape(int rowsLength, int size, int count, int lanesLength, int width, string rowsName, string lanesName)
    {
        KernelGuard.Positive(size, nameof(size));
        KernelGuard.Positive(width, nameof(width));
        if ((uint)count > (uint)width)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected 0 .. {width} samples (the lane width) but got {count}.");
        KernelGuard.Samples(rowsLength, count, size, "values", rowsName);
        KernelGuard.AtLeast(lanesLength, (long)size * width, "size × width lane values", lanesName);
    }

    /// <summary>
    /// Softmax down each lane: for every sample <c>s</c> (a column), <c>a[j·width + s] = e^(z_j − max) / Σ e^(z_i − max)</c>
    /// over the <paramref name="outputs"/> rows, with <see cref="Exp{T}(Vector512{T})"/>'s exponential and the sum taken
    /// in row order. In place.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="lanes">At least <paramref name="outputs"/> × <paramref name="width"/> values: row j holds output j of every sample.</param>
    /// <param name="outputs">Rows (at least 1).</param>
    /// <param name="width">Samples per row (at least 1).</param>
    /// <remarks>
    /// A NaN anywhere in a sample's column makes that whole column NaN, as the row-wise softmax does. The maximum is the
    /// x86 one (<see cref="FusedSimd.MaxNative{T}(Vector512{T}, Vector512{T})"/>): it may drop a NaN, but the NaN's
    /// exponential then makes the sum, and so every output, NaN.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="lanes"/> is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax<T>(Span<T> lanes, int outputs, int width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Positive(outputs, nameof(outputs));
        KernelGuard.Positive(width, nameof(width));
        KernelGuard.AtLeast(lanes.Length, (long)outputs * width, "outputs × width lane values", nameof(lanes));
        ref T z = ref MemoryMarshal.GetReference(lanes);
        nuint w = (nuint)width, m = (nuint)outputs, s = 0;
        if (Simd.IsVectorizable<T>())
        {
            if (Simd512<T>.IsEnabled)
                for (; s + (nuint)Vector512<T>.Count <= w; s += (nuint)Vector512<T>.Count)
                    Softmax<T, Simd512<T>, Vector512<T>>(ref Unsafe.Add(ref z, s), w, m);
            if (Simd256<T>.IsEnabled)
                for (; s + (nuint)Vector256<T>.Count <= w; s += (nuint)Vector256<T>.Count)
                    Softmax<T, Simd256<T>, Vector256<T>>(ref Unsafe.Add(ref z, s), w, m);
            if (Simd128<T>.IsEnabled)
                for (; s + (nuint)Vector128<T>.Count <= w; s += (nuint)Vector128<T>.Count)
                    Softmax<T, Simd128<T>, Vector128<T>>(ref Unsafe.Add(ref z, s), w, m);
        }
        for (; s < w; s++)
        {
            ref T c = ref Unsafe.Add(ref z, s);
            T max = c;
            for (nuint j = 1; j < m; j++)
                max = MaxNative(max, Unsafe.Add(ref c, j * w));
            T sum = T.Zero;
            for (nuint j = 0; j < m; j++)
            {
                T e = ExpScalar(Unsafe.Add(ref c, j * w) - max);
                Unsafe.Add(ref c, j * w) = e;
                sum = j == 0 ? e : sum + e;
            }
            for (nuint j = 0; j < m; j++)
                Unsafe.Add(ref c, j * w) /= sum;
        }
    }

    // x86 MAX for one scalar: y when x ≤ y, NaN or zeros (see FusedSimd.MaxNative: any of them gives the softmax's result).
    private static T MaxNative<T>(T x, T y) where T : unmanaged, IBinaryFloatingPointIeee754<T> => x > y ? x : y;

    // One vector of samples (columns), the rows w apart: the maximum, the exponentials summed in row order, the quotients.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Softmax<T, TW, TVec>(ref T z, nuint w, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        TVec max = TW.Load(ref z, 0);
        for (nuint j = 1; j < m; j++)
            max = TW.MaxNative(max, TW.Load(ref z, j * w));
        TVec sum = Exp<T, TW, TVec>(TW.Subtract(TW.Load(ref z, 0), max));
        TW.Store(sum, ref z, 0);
        for (nuint j = 1; j < m; j++)
        {
            TVec e = Exp<T, TW, TVec>(TW.Subtract(TW.Load(ref z, j * w), max));
            TW.Store(e, ref z, j * w);
            sum = TW.Add(sum, e);
        }
        for (nuint j = 0; j < m; j++)
            TW.Store(TW.Divide(TW.Load(ref z, j * w), sum), ref z, j * w);
    }

    // ---------------------------------------------------------------- the exponential
    //
    // e^x = 2^n · e^r with n = round(x·log₂e) and r = x − n·ln 2 (ln 2 in two parts, Cody–Waite), |r| ≤ ln2/2;
    // e^r by a polynomial (float: Cephes' degree-7 minimax, its inner degree-5 part by Estrin's scheme for a shorter
    // dependency chain; double: Taylor to degree 13 by Horner), and 2^n applied as two
    // factors 2^⌊n/2⌉ · 2^(n − ⌊n/2⌉) so that neither leaves the normal range: results near overflow stay finite
    // and small ones become subnormal gradually. Below the smallest subnormal it returns 0, above the largest
    // finite value +∞; NaN stays NaN. Within about 2 ulp of the correctly rounded value (float) and 1 ulp (double).
    // Integer rounding by the 1.5·2^m trick, so that every width (and the scalar form) does the same arithmetic.

    private const float FloatMagic = 12582912f; // 1.5·2^23
    private const float FloatLog2E = 1.44269504088896341f;
    private const float FloatLn2Hi = 0.693359375f;
    private const float FloatLn2Lo = -2.12194440e-4f;
    private const float FloatLow = -103.972084f; // below: 0
    private const float FloatHigh = 88.7228394f; // above: +∞
    private const int FloatBias = 127 - 0x4B400000; // exponent bias minus the magic number's bits
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    private const double DoubleMagic = 6755399441055744.0; // 1.5·2^52
    private const double DoubleLog2E = 1.4426950408889634;
    private const double DoubleLn2Hi = 6.93145751953125e-1;
    private const double DoubleLn2Lo = 1.42860682030941723212e-6;
    private const double DoubleLow = -745.1332191019412; // below: 0
    private const double DoubleHigh = 709.782712893384; // above: +∞
    private const long DoubleBias = 1023 - 0x4338000000000000;

    // 1/k! for k = 13 down to 2.
    private const double Q13 = 1.0 / 6227020800.0, Q12 = 1.0 / 479001600.0, Q11 = 1.0 / 39916800.0, Q10 = 1.0 / 3628800.0,
        Q9 = 1.0 / 362880.0, Q8 = 1.0 / 40320.0, Q7 = 1.0 / 5040.0, Q6 = 1.0 / 720.0, Q5 = 1.0 / 120.0, Q4 = 1.0 / 24.0,
        Q3 = 1.0 / 6.0, Q2 = 0.5;

    /// <summary>e^x lane by lane (see the remarks on <see cref="LaneKernels"/>): the same bits in every width and in <see cref="ExpScalar{T}"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The exponents.</param>
    /// <returns>e^x per lane: 0 below the smallest subnormal result, +∞ above the largest finite one, NaN for NaN.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Exp<T, Simd512<T>, Vector512<T>>(x);

    /// <summary>e^x lane by lane, as <see cref="Exp{T}(Vector512{T})"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The exponents.</param>
    /// <returns>e^x per lane.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Exp<T, Simd256<T>, Vector256<T>>(x);

    /// <summary>e^x lane by lane, as <see cref="Exp{T}(Vector512{T})"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The exponents.</param>
    /// <returns>e^x per lane.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Exp<T>(Vector128<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Exp<T, Simd128<T>, Vector128<T>>(x);

    // The one vector form, instantiated per width; ExpScalar performs the same operations on one value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Exp<T, TW, TVec>(TVec v)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            TVec magic = TW.Create(C<T>(FloatMagic));
            TVec t = TW.MultiplyAdd(v, TW.Create(C<T>(FloatLog2E)), magic);
            TVec n = TW.Subtract(t, magic);
            TVec r = TW.MultiplyAdd(n, TW.Create(C<T>(-FloatLn2Hi)), v);
            r = TW.MultiplyAdd(n, TW.Create(C<T>(-FloatLn2Lo)), r);
            TVec r2 = TW.Multiply(r, r);
            TVec p = TW.MultiplyAdd(TW.MultiplyAdd(TW.Create(C<T>(P0)), r, TW.Create(C<T>(P1))), TW.Multiply(r2, r2),
                TW.MultiplyAdd(TW.MultiplyAdd(TW.Create(C<T>(P2)), r, TW.Create(C<T>(P3))), r2, TW.MultiplyAdd(TW.Create(C<T>(P4)), r, TW.Create(C<T>(P5)))));
            TVec y = TW.Add(TW.MultiplyAdd(p, r2, r), TW.Create(T.One));
            return Scale<T, TW, TVec>(v, y, n, magic, FloatBias, C<T>(FloatLow), C<T>(FloatHigh));
        }
        if (typeof(T) == typeof(double))
        {
            TVec magic = TW.Create(C<T>(DoubleMagic));
            TVec t = TW.MultiplyAdd(v, TW.Create(C<T>(DoubleLog2E)), magic);
            TVec n = TW.Subtract(t, magic);
            TVec r = TW.MultiplyAdd(n, TW.Create(C<T>(-DoubleLn2Hi)), v);
            r = TW.MultiplyAdd(n, TW.Create(C<T>(-DoubleLn2Lo)), r);
            TVec p = TW.MultiplyAdd(TW.Create(C<T>(Q13)), r, TW.Create(C<T>(Q12)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q11)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q10)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q9)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q8)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q7)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q6)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q5)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q4)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q3)));
            p = TW.MultiplyAdd(p, r, TW.Create(C<T>(Q2)));
            TVec y = TW.Add(TW.MultiplyAdd(p, TW.Multiply(r, r), r), TW.Create(T.One));
            return Scale<T, TW, TVec>(v, y, n, magic, DoubleBias, C<T>(DoubleLow), C<T>(DoubleHigh));
        }
        throw new NotSupportedException();
    }

    // y·2^n (one vscalef, or two factors 2^⌊n/2⌉ · 2^(n − ⌊n/2⌉)), then 0 below the range and +∞ above it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Scale<T, TW, TVec>(TVec v, TVec y, TVec n, TVec magic, long bias, T low, T high)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        if (TW.HasScaleB)
        {
            // vscalef rounds y·2^n once, as the two exact-then-rounded multiplies below do: the same bits, one
            // instruction instead of a multiply more on the softmax's critical path.
            y = TW.ScaleB(y, n);
        }
        else
        {
            TVec h = TW.MultiplyAdd(n, TW.Create(C<T>(0.5)), magic);
            TVec half = TW.Subtract(h, magic);
            TVec t2 = TW.Add(TW.Subtract(n, half), magic);
            y = TW.Multiply(TW.Multiply(y, TW.ToExponent(h, bias)), TW.ToExponent(t2, bias));
        }
        y = TW.Select(TW.LessThan(v, TW.Create(low)), TW.Zero, y);
        return TW.Select(TW.GreaterThan(v, TW.Create(high)), TW.Create(T.PositiveInfinity), y);
    }

    // A constant as T: exact for the type whose branch uses it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T C<T>(double value) where T : unmanaged, IBinaryFloatingPointIeee754<T> => T.CreateTruncating(value);

    /// <summary>e^x by the same arithmetic as the vector forms (fused multiply-adds), so it returns the same bits.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>; any other IEEE type gets <c>T.Exp</c>.</typeparam>
    /// <param name="x">The exponent.</param>
    /// <returns>e^x: 0 below the smallest subnormal result, +∞ above the largest finite one, NaN for NaN.</returns>
    public static T ExpScalar<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            float v = Unsafe.As<T, float>(ref x);
            float t = Simd.MultiplyAdd(v, FloatLog2E, FloatMagic);
            float n = t - FloatMagic;
            float r = Simd.MultiplyAdd(n, -FloatLn2Hi, v);
            r = Simd.MultiplyAdd(n, -FloatLn2Lo, r);
            float r2 = r * r;
            float p = Simd.MultiplyAdd(Simd.MultiplyAdd(P0, r, P1), r2 * r2,
                Simd.MultiplyAdd(Simd.MultiplyAdd(P2, r, P3), r2, Simd.MultiplyAdd(P4, r, P5)));
            float y = Simd.MultiplyAdd(p, r2, r) + 1f;
            float h = Simd.MultiplyAdd(n, 0.5f, FloatMagic);
            float half = h - FloatMagic;
            float t2 = (n - half) + FloatMagic;
            float s1 = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(h) + FloatBias) << 23);
            float s2 = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(t2) + FloatBias) << 23);
            y = y * s1 * s2;
            y = v < FloatLow ? 0f : v > FloatHigh ? float.PositiveInfinity : y;
            return Unsafe.As<float, T>(ref y);
        }
        if (typeof(T) == typeof(double))
        {
            double v = Unsafe.As<T, double>(ref x);
            double t = Simd.MultiplyAdd(v, DoubleLog2E, DoubleMagic);
            double n = t - DoubleMagic;
            double r = Simd.MultiplyAdd(n, -DoubleLn2Hi, v);
            r = Simd.MultiplyAdd(n, -DoubleLn2Lo, r);
            double p = Simd.MultiplyAdd(Q13, r, Q12);
            p = Simd.MultiplyAdd(p, r, Q11);
            p = Simd.MultiplyAdd(p, r, Q10);
            p = Simd.MultiplyAdd(p, r, Q9);
            p = Simd.MultiplyAdd(p, r, Q8);
            p = Simd.MultiplyAdd(p, r, Q7);
            p = Simd.MultiplyAdd(p, r, Q6);
            p = Simd.MultiplyAdd(p, r, Q5);
            p = Simd.MultiplyAdd(p, r, Q4);
            p = Simd.MultiplyAdd(p, r, Q3);
            p = Simd.MultiplyAdd(p, r, Q2);
            double y = Simd.MultiplyAdd(p, r * r, r) + 1.0;
            double h = Simd.MultiplyAdd(n, 0.5, DoubleMagic);
            double half = h - DoubleMagic;
            double t2 = (n - half) + DoubleMagic;
            double s1 = BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(h) + DoubleBias) << 52);
            double s2 = BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(t2) + DoubleBias) << 52);
            y = y * s1 * s2;
            y = v < DoubleLow ? 0.0 : v > DoubleHigh ? double.PositiveInfinity : y;
            return Unsafe.As<double, T>(ref y);
        }
        return T.Exp(x);
    }

}
