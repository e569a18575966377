using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// Single-sample forward vectorised over outputs: with few inputs a row dot product is mostly horizontal
// sum, so instead each input broadcasts into whole vectors of outputs, reading the weights transposed
// (column after column). Generated networks keep that transposed copy and refresh it when the parameters
// may have changed.
public static partial class DenseKernels
{
    /// <summary>Writes the transpose of a row-major <c>outputs × inputs</c> weight matrix: <c>wT[k·n_out + j] = w[j·n_in + k]</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="w">The weights, <c>outputs × inputs</c> row-major.</param>
    /// <param name="wT">Receives <c>inputs × outputs</c> values.</param>
    /// <param name="inputs">Inputs of the layer, at least 1.</param>
    /// <param name="outputs">Outputs of the layer, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/> or <paramref name="outputs"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A length does not match, or the spans overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose<T>(ReadOnlySpan<T> w, Span<T> wT, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Positive(inputs, nameof(inputs));
        KernelGuard.Positive(outputs, nameof(outputs));
        KernelGuard.Product(w.Length, outputs, inputs, Outputs, Inputs, nameof(w));
        KernelGuard.Product(wT.Length, inputs, outputs, Inputs, Outputs, nameof(wT));
        KernelGuard.NoOverlap(w, wT, nameof(w), nameof(wT));
        for (int j = 0; j < outputs; j++)
        {
            ReadOnlySpan<T> row = w.Slice(j * inputs, inputs);
            for (int k = 0; k < row.Length; k++)
                wT[k * outputs + j] = row[k];
        }
    }

    /// <summary>
    /// One sample's weighted input from transposed weights: <c>z[j] = b[j] + Σ_k wT[k·n_out + j]·x[k]</c>,
    /// the same values as <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
    /// on the untransposed weights.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="wT">The weights transposed, <c>n_in × n_out</c> row-major (see <see cref="Transpose{T}"/>).</param>
    /// <param name="b">The biases, <c>n_out</c> of them.</param>
    /// <param name="x">The input, <c>n_in = x.Length</c> values.</param>
    /// <param name="z">Receives the <c>n_out = z.Length</c> weighted inputs.</param>
    /// <remarks>Up to four vectors of outputs stay in registers across all inputs; each input is one broadcast and one FMA per vector, with no horizontal sums.</remarks>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="z"/> overlaps an input.</exception>
    public static void ForwardTransposed<T>(ReadOnlySpan<T> wT, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Product(wT.Length, x.Length, z.Length, Inputs, Outputs, nameof(wT));
        KernelGuard.Length(b.Length, z.Length, Outputs, nameof(b));
        KernelGuard.NoOverlap(wT, z, nameof(wT), nameof(z));
        KernelGuard.NoOverlap(b, z, nameof(b), nameof(z));
        ForwardTransposedAfterShapeChecks(wT, b, x, z);
    }

    /// <summary>
    /// <see cref="ForwardTransposed{T}"/> for callers that own the weights: the lengths and the overlap of
    /// <paramref name="z"/> with <paramref name="x"/> are checked, but not whether <paramref name="z"/>
    /// overlaps <paramref name="wT"/> or <paramref name="b"/>. Generated networks call it with their private
    /// parameter arrays, where that cannot happen; on a one-sample forward of a small layer the two skipped
    /// checks are a measurable share of the call.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="wT">The weights transposed, <c>n_in × n_out</c> row-major; must not overlap <paramref name="z"/>.</param>
    /// <param name="b">The biases, <c>n_out</c> of them; must not overlap <paramref name="z"/>.</param>
    /// <param name="x">The input, <c>n_in = x.Length</c> values.</param>
    /// <param name="z">Receives the <c>n_out = z.Length</c> weighted inputs.</param>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="z"/> overlaps <paramref name="x"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void ForwardTransposedUnaliased<T>(ReadOnlySpan<T> wT, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Product(wT.Length, x.Length, z.Length, Inputs, Outputs, nameof(wT));
        KernelGuard.Length(b.Length, z.Length, Outputs, nameof(b));
        ForwardTransposedAfterShapeChecks(wT, b, x, z);
    }

    // The part both entries share once the shapes (and, for the checked entry, the weight overlaps) are known good.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardTransposedAfterShapeChecks<T>(ReadOnlySpan<T> wT, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.NoOverlap(x, z, nameof(x), nameof(z));
        ForwardTransposedCore(ref MemoryMarshal.GetReference(wT), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(x),
            ref MemoryMarshal.GetReference(z), (nuint)x.Length, (nuint)z.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTransposedCore<T>(ref T wRef, ref T bRef, ref T xRef, ref T zRef, nuint nIn, nuint nOut)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && nOut >= (nuint)Vector512<T>.Count)
            ForwardTransposed<T, Simd512<T>, Vector512<T>>(ref wRef, ref bRef, ref xRef, ref zRef, nIn, nOut);
        else if (Simd256<T>.IsEnabled && nOut >= (nuint)Vector256<T>.Count)
            ForwardTransposed<T, Simd256<T>, Vector256<T>>(ref wRef, ref bRef, ref xRef, ref zRef, nIn, nOut);
        else if (Simd128<T>.IsEnabled && nOut >= (nuint)Vector128<T>.Count)
            ForwardTransposed<T, Simd128<T>, Vector128<T>>(ref wRef, ref bRef, ref xRef, ref zRef, nIn, nOut);
        else
        {
            for (nuint j = 0; j < nOut; j++)
            {
                T sum = Unsafe.Add(ref bRef, j);
                for (nuint k = 0; k < nIn; k++)
                    sum += Unsafe.Add(ref wRef, k * nOut + j) * Unsafe.Add(ref xRef, k);
                Unsafe.Add(ref zRef, j) = sum;
            }
        }
    }

    // nOut ≥ TW.Count. z is pure output, so the ragged end is the last whole vector, recomputed over the
    // overlap with the previous one.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTransposed<T, TW, TVec>(ref T w, ref T b, ref T x, ref T z, nuint nIn, nuint nOut)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint j = 0;
        // Each accumulator is an FMA chain as long as its share of the inputs, so the inputs are split over
        // two (four vectors) or four (two vectors) independent sets: eight chains in flight either way.
        for (; j + 4 * c <= nOut; j += 4 * c)
        {
            TVec a0 = TW.Load(ref b, j), a1 = TW.Load(ref b, j + c), a2 = TW.Load(ref b, j + 2 * c), a3 = TW.Load(ref b, j + 3 * c);
            TVec e0 = TW.Zero, e1 = TW.Zero, e2 = TW.Zero, e3 = TW.Zero;
            ref T column = ref Unsafe.Add(ref w, j);
            nuint k = 0;
            for (; k + 2 <= nIn; k += 2)
            {
                TVec u = TW.Create(Unsafe.Add(ref x, k));
                TVec v = TW.Create(Unsafe.Add(ref x, k + 1));
                ref T next = ref Unsafe.Add(ref column, nOut);
                a0 = TW.MultiplyAdd(TW.Load(ref column, 0), u, a0);
                a1 = TW.MultiplyAdd(TW.Load(ref column, c), u, a1);
                a2 = TW.MultiplyAdd(TW.Load(ref column, 2 * c), u, a2);
                a3 = TW.MultiplyAdd(TW.Load(ref column, 3 * c), u, a3);
                e0 = TW.MultiplyAdd(TW.Load(ref next, 0), v, e0);
                e1 = TW.MultiplyAdd(TW.Load(ref next, c), v, e1);
                e2 = TW.MultiplyAdd(TW.Load(ref next, 2 * c), v, e2);
                e3 = TW.MultiplyAdd(TW.Load(ref next, 3 * c), v, e3);
                column = ref Unsafe.Add(ref column, 2 * nOut);
            }
            if (k < nIn)
            {
                TVec u = TW.Create(Unsafe.Add(ref x, k));
                a0 = TW.MultiplyAdd(TW.Load(ref column, 0), u, a0);
                a1 = TW.MultiplyAdd(TW.Load(ref column, c), u, a1);
                a2 = TW.MultiplyAdd(TW.Load(ref column, 2 * c), u, a2);
                a3 = TW.MultiplyAdd(TW.Load(ref column, 3 * c), u, a3);
            }
            TW.Store(TW.Add(a0, e0), ref z, j); TW.Store(TW.Add(a1, e1), ref z, j + c);
            TW.Store(TW.Add(a2, e2), ref z, j + 2 * c); TW.Store(TW.Add(a3, e3), ref z, j + 3 * c);
        }
        for (; j + 2 * c <= nOut; j += 2 * c)
        {
            TVec a0 = TW.Load(ref b, j), a1 = TW.Load(ref b, j + c);
            TVec e0 = TW.Zero, e1 = TW.Zero, f0 = TW.Zero, f1 = TW.Zero, g0 = TW.Zero, g1 = TW.Zero;
            ref T column = ref Unsafe.Add(ref w, j);
            nuint k = 0;
            for (; k + 4 <= nIn; k += 4)
            {
                ref T c1 = ref Unsafe.Add(ref column, nOut);
                ref T c2 = ref Unsafe.Add(ref c1, nOut);
                ref T c3 = ref Unsafe.Add(ref c2, nOut);
                TVec u = TW.Create(Unsafe.Add(ref x, k)), v = TW.Create(Unsafe.Add(ref x, k + 1));
                TVec s = TW.Create(Unsafe.Add(ref x, k + 2)), t = TW.Create(Unsafe.Add(ref x, k + 3));
                a0 = TW.MultiplyAdd(TW.Load(ref column, 0), u, a0);
                a1 = TW.MultiplyAdd(TW.Load(ref column, c), u, a1);
                e0 = TW.MultiplyAdd(TW.Load(ref c1, 0), v, e0);
                e1 = TW.MultiplyAdd(TW.Load(ref c1, c), v, e1);
                f0 = TW.MultiplyAdd(TW.Load(ref c2, 0), s, f0);
                f1 = TW.MultiplyAdd(TW.Load(ref c2, c), s, f1);
                g0 = TW.MultiplyAdd(TW.Load(ref c3, 0), t, g0);
                g1 = TW.MultiplyAdd(TW.Load(ref c3, c), t, g1);
                column = ref Unsafe.Add(ref column, 4 * nOut);
            }
            for (; k < nIn; k++)
            {
                TVec u = TW.Create(Unsafe.Add(ref x, k));
                a0 = TW.MultiplyAdd(TW.Load(ref column, 0), u, a0);
                a1 = TW.MultiplyAdd(TW.Load(ref column, c), u, a1);
                column = ref Unsafe.Add(ref column, nOut);
            }
            TW.Store(TW.Add(TW.Add(a0, e0), TW.Add(f0, g0)), ref z, j);
            TW.Store(TW.Add(TW.Add(a1, e1), TW.Add(f1, g1)), ref z, j + c);
        }
        for (; j + c <= nOut; j += c)
            ForwardTransposedVector<T, TW, TVec>(ref w, ref b, ref x, ref z, nIn, nOut, j);
        if (j < nOut)
            ForwardTransposedVector<T, TW, TVec>(ref w, ref b, ref x, ref z, nIn, nOut, nOut - c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTransposedVector<T, TW, TVec>(ref T w, ref T b, ref T x, ref T z, nuint nIn, nuint nOut, nuint j)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        TVec a0 = TW.Load(ref b, j), a1 = TW.Zero;
        ref T column = ref Unsafe.Add(ref w, j);
        nuint k = 0;
        for (; k + 2 <= nIn; k += 2)
        {
            a0 = TW.MultiplyAdd(TW.Load(ref column, 0), TW.Create(Unsafe.Add(ref x, k)), a0);
            a1 = TW.MultiplyAdd(TW.Load(ref column, nOut), TW.Create(Unsafe.Add(ref x, k + 1)), a1);
            column = ref Unsafe.Add(ref column, 2 * nOut);
        }
        if (k < nIn)
            a0 = TW.MultiplyAdd(TW.Load(ref column, 0), TW.Create(Unsafe.Add(ref x, k)), a0);
        TW.Store(TW.Add(a0, a1), ref z, j);
    }
}
