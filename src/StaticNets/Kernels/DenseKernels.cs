using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// Vectorised kernels of a dense (fully connected) layer: forward mat-vec and mat-mat, the input gradient
/// <c>Wᵀ·δ</c> and the rank-1 weight-gradient update. Allocation-free; shapes are checked once on entry.
/// </summary>
/// <remarks>
/// Weights are row-major, <c>n_out</c> rows of <c>n_in</c>: <c>w[j·n_in + k]</c> connects input <c>k</c> to
/// output <c>j</c> (the layout of <see cref="INetwork{T}.Parameters"/>). Outputs never overlap inputs; the
/// kernels throw <see cref="ArgumentException"/> when they do.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static partial class DenseKernels
{
    private const string Outputs = "outputs";
    private const string Inputs = "inputs";

    /// <summary>Computes one sample's weighted input: <c>z[j] = b[j] + Σ_k w[j·n_in + k]·x[k]</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="w">The weights, <c>n_out × n_in</c> row-major.</param>
    /// <param name="b">The biases, <c>n_out</c> of them.</param>
    /// <param name="x">The input, <c>n_in = x.Length</c> values.</param>
    /// <param name="z">Receives the <c>n_out = z.Length</c> weighted inputs.</param>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="z"/> overlaps an input.</exception>
    public static void Forward<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Product(w.Length, z.Length, x.Length, Outputs, Inputs, nameof(w));
        KernelGuard.Length(b.Length, z.Length, Outputs, nameof(b));
        KernelGuard.NoOverlap(w, z, nameof(w), nameof(z));
        KernelGuard.NoOverlap(b, z, nameof(b), nameof(z));
        ForwardAfterShapeChecks(w, b, x, z);
    }

    /// <summary>
    /// <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/> for callers that
    /// own the weights: the lengths and the overlap of <paramref name="z"/> with <paramref name="x"/> are
    /// checked, but not whether <paramref name="z"/> overlaps <paramref name="w"/> or <paramref name="b"/>.
    /// Generated networks call it with their private parameter arrays, where that cannot happen.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="w">The weights, <c>n_out × n_in</c> row-major; must not overlap <paramref name="z"/>.</param>
    /// <param name="b">The biases, <c>n_out</c> of them; must not overlap <paramref name="z"/>.</param>
    /// <param name="x">The input, <c>n_in = x.Length</c> values.</param>
    /// <param name="z">Receives the <c>n_out = z.Length</c> weighted inputs.</param>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="z"/> overlaps <paramref name="x"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void ForwardUnaliased<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Product(w.Length, z.Length, x.Length, Outputs, Inputs, nameof(w));
        KernelGuard.Length(b.Length, z.Length, Outputs, nameof(b));
        ForwardAfterShapeChecks(w, b, x, z);
    }

    // The part both entries share once the shapes (and, for the checked entry, the weight overlaps) are known good.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAfterShapeChecks<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.NoOverlap(x, z, nameof(x), nameof(z));
        Forward(ref MemoryMarshal.GetReference(w), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(x),
            ref MemoryMarshal.GetReference(z), (nuint)x.Length, (nuint)z.Length);
    }

    /// <summary>
    /// Computes the weighted inputs of a batch: <c>m</c> rows of <paramref name="inputs"/> in
    /// <paramref name="x"/> give <c>m</c> rows of <paramref name="outputs"/> in <paramref name="z"/>, each as
    /// in <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="w">The weights, <c>outputs × inputs</c> row-major.</param>
    /// <param name="b">The biases, <paramref name="outputs"/> of them.</param>
    /// <param name="x">The input rows, sample after sample; a whole number <c>m</c> of rows.</param>
    /// <param name="z">Receives <c>m × outputs</c> weighted inputs, sample after sample.</param>
    /// <param name="inputs">Inputs per sample, at least 1.</param>
    /// <param name="outputs">Outputs per sample, at least 1.</param>
    /// <param name="threads">The most threads the call may use (see <see cref="Parallelism"/>); small products use one.</param>
    /// <remarks>
    /// From 64 samples on, whole panels of outputs (64 floats wide with AVX-512) are computed as an outer
    /// product over a transposed copy of that panel of <paramref name="w"/>, packed per call into a
    /// per-thread buffer (allocated on a thread's first such call, then reused): each input is broadcast into
    /// vectors of outputs, six or four samples at a time, with no horizontal sums. Smaller batches, and rows past the
    /// last whole panel, are register-blocked dot products: six or four samples against up to four weight rows. Rows
    /// of 64-byte multiples on 64-byte lines (see <see cref="AlignedArray{T}"/>) load fastest; any alignment works.
    /// With <paramref name="threads"/> above 1 a large batch is split into ranges of samples over the worker
    /// pool; every value is computed exactly as on one thread.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/>, <paramref name="outputs"/> or <paramref name="threads"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="z"/> overlaps an input.</exception>
    public static void ForwardBatch<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z, int inputs, int outputs, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ForwardBatch(w, b, x, z, z, inputs, outputs, null, threads);

    private static unsafe void ForwardBatch<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z, Span<T> a, int inputs, int outputs, Activation? activation, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Positive(inputs, nameof(inputs));
        KernelGuard.Positive(outputs, nameof(outputs));
        KernelGuard.Product(w.Length, outputs, inputs, Outputs, Inputs, nameof(w));
        KernelGuard.Length(b.Length, outputs, Outputs, nameof(b));
        KernelGuard.WholeRows(x.Length, inputs, nameof(x));
        int samples = x.Length / inputs;
        KernelGuard.Product(z.Length, samples, outputs, "samples", Outputs, nameof(z));
        KernelGuard.NoOverlap(w, z, nameof(w), nameof(z));
        KernelGuard.NoOverlap(b, z, nameof(b), nameof(z));
        KernelGuard.NoOverlap(x, z, nameof(x), nameof(z));

        KernelGuard.Positive(threads, nameof(threads));
        if (samples == 0)
            return;
        nuint nIn = (nuint)inputs, nOut = (nuint)outputs, m = (nuint)samples;
        fixed (T* pw = w, pb = b, px = x, pz = z, pa = a)
        {
            var job = new ForwardJob<T> { W = pw, B = pb, X = px, Z = pz, A = activation is null ? null : pa, Activation = activation, NIn = nIn, NOut = nOut, M = m, Isa = IsaFor<T>(nIn) };
            job.Path = job.Isa == Isa.None ? ForwardPath.Scalar : UsePacked<T>(nOut, m) ? ForwardPath.Packed : ForwardPath.Rows;
            // A few samples against many rows: split the rows, so each thread reads its own part of W.
            job.SplitRows = job.Path == ForwardPath.Rows && threads > 1 && m < (nuint)PackedMinSamples && nOut >= 4 * m;
            job.SplitPanels = job.Path == ForwardPath.Packed && SplitsPanels<T>(nOut, m, threads);
            if (job.SplitRows)
                job.A = null;
            RunSplit(ref job, threads);
            ApplyAfterPanels(ref job, z, a);
            if (job.SplitRows && activation is { } act)
                ActivationKernels.Apply<T>(act, z, a);
        }
    }

    /// <summary>
    /// <see cref="ForwardBatch{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/> followed
    /// by <c>a = σ(z)</c>, z and a bit for bit what <see cref="ActivationKernels.Apply{T}"/> gives after the product: ReLU
    /// and leaky ReLU applied by the packed micro-kernels as they store the last input block, other activations over
    /// each thread's rows right after its product.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="w">The weights, <c>outputs × inputs</c> row-major.</param>
    /// <param name="b">The <paramref name="outputs"/> biases.</param>
    /// <param name="x">The input rows, sample after sample; a whole number of rows.</param>
    /// <param name="z">Receives the weighted inputs, sample after sample.</param>
    /// <param name="a">Receives <c>σ(z)</c>, as long as <paramref name="z"/>; may be <paramref name="z"/> itself.</param>
    /// <param name="inputs">Inputs per sample, at least 1.</param>
    /// <param name="outputs">Outputs per sample, at least 1.</param>
    /// <param name="activation">σ: any element-wise activation (not <see cref="Activation.Softmax"/>).</param>
    /// <param name="threads">The most threads the call may use; every value computed exactly as on one thread.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/>, <paramref name="outputs"/> or <paramref name="threads"/> is less than 1, or <paramref name="activation"/> is not a defined element-wise activation.</exception>
    /// <exception cref="ArgumentException">A length does not match, or an output overlaps an input or the other output.</exception>
    public static void ForwardBatch<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, Span<T> z, Span<T> a, int inputs, int outputs, Activation activation, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckActivationOutput(activation, w, b, x, z, a);
        ForwardBatch(w, b, x, z, a, inputs, outputs, (Activation?)activation, threads);
    }

    // The checks the forward-with-activation overloads add: an element-wise σ, and a as long as z, equal to it or apart from every input.
    private static void CheckActivationOutput<T>(Activation activation, ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> x, ReadOnlySpan<T> z, ReadOnlySpan<T> a)
    {
        // A range test, not Enum.IsDefined, which allocated on every call in the benchmark process (39 B, and 1.5× slower).
        if (activation == Activation.Softmax || (uint)activation > (uint)Activation.SiLU)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, $"Expected an element-wise activation but got {activation}; apply softmax with ActivationKernels.SoftmaxRows after the product.");
        KernelGuard.SameLength(z.Length, a.Length, nameof(z), nameof(a));
        KernelGuard.NoPartialOverlap(z, a, nameof(z), nameof(a));
        KernelGuard.NoOverlap(x, a, nameof(x), nameof(a));
        KernelGuard.NoOverlap(w, a, nameof(w), nameof(a));
        KernelGuard.NoOverlap(b, a, nameof(b), nameof(a));
    }

    /// <summary>
    /// Propagates a delta back through the weights: <c>dx[k] = Σ_j w[j·n_in + k]·d[j]</c>, i.e.
    /// <c>dx = Wᵀ·d</c>. Overwrites <paramref name="dx"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="w">The weights, <c>n_out × n_in</c> row-major.</param>
    /// <param name="d">The layer's delta, <c>n_out = d.Length</c> values.</param>
    /// <param name="dx">Receives the <c>n_in = dx.Length</c> values of the gradient with respect to the layer input.</param>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="dx"/> overlaps an input.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> d, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Product(w.Length, d.Length, dx.Length, Outputs, Inputs, nameof(w));
        KernelGuard.NoOverlap(w, dx, nameof(w), nameof(dx));
        KernelGuard.NoOverlap(d, dx, nameof(d), nameof(dx));

        ref T wRef = ref MemoryMarshal.GetReference(w);
        ref T dRef = ref MemoryMarshal.GetReference(d);
        ref T dxRef = ref MemoryMarshal.GetReference(dx);
        nuint nIn = (nuint)dx.Length, nOut = (nuint)d.Length;
        if (Simd512<T>.IsEnabled && nIn >= (nuint)Vector512<T>.Count)
            BackwardInput<T, Simd512<T>, Vector512<T>>(ref wRef, ref dRef, ref dxRef, nIn, nOut);
        else if (Simd256<T>.IsEnabled && nIn >= (nuint)Vector256<T>.Count)
            BackwardInput<T, Simd256<T>, Vector256<T>>(ref wRef, ref dRef, ref dxRef, nIn, nOut);
        else if (Simd128<T>.IsEnabled && nIn >= (nuint)Vector128<T>.Count)
            BackwardInput<T, Simd128<T>, Vector128<T>>(ref wRef, ref dRef, ref dxRef, nIn, nOut);
        else
        {
            dx.Clear();
            for (nuint j = 0; j < nOut; j++)
            {
                T dj = Unsafe.Add(ref dRef, j);
                ref T row = ref Unsafe.Add(ref wRef, j * nIn);
                for (nuint k = 0; k < nIn; k++)
                    Unsafe.Add(ref dxRef, k) += Unsafe.Add(ref row, k) * dj;
            }
        }
    }

    /// <summary>
    /// Adds one sample's gradient into the layer's gradient: <c>gw[j·n_in + k] += d[j]·x[k]</c> and
    /// <c>gb[j] += d[j]</c>. Gradients accumulate; nothing is overwritten.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="d">The layer's delta, <c>n_out = d.Length</c> values.</param>
    /// <param name="x">The layer's input for the sample, <c>n_in = x.Length</c> values.</param>
    /// <param name="gw">The weight gradient, <c>n_out × n_in</c> row-major.</param>
    /// <param name="gb">The bias gradient, <c>n_out</c> values.</param>
    /// <exception cref="ArgumentException">A length does not match, or a gradient span overlaps an input or the other gradient span.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateGradient<T>(ReadOnlySpan<T> d, ReadOnlySpan<T> x, Span<T> gw, Span<T> gb)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Product(gw.Length, d.Length, x.Length, Outputs, Inputs, nameof(gw));
        KernelGuard.Length(gb.Length, d.Length, Outputs, nameof(gb));
        KernelGuard.NoOverlap(d, gw, nameof(d), nameof(gw));
        KernelGuard.NoOverlap(x, gw, nameof(x), nameof(gw));
        KernelGuard.NoOverlap(gb, gw, nameof(gb), nameof(gw));
        KernelGuard.NoOverlap(d, gb, nameof(d), nameof(gb));
        KernelGuard.NoOverlap(x, gb, nameof(x), nameof(gb));

        ref T dRef = ref MemoryMarshal.GetReference(d);
        ref T xRef = ref MemoryMarshal.GetReference(x);
        ref T gwRef = ref MemoryMarshal.GetReference(gw);
        nuint nIn = (nuint)x.Length, nOut = (nuint)d.Length;
        if (Simd512<T>.IsEnabled && nIn >= (nuint)Vector512<T>.Count)
            AccumulateGradient<T, Simd512<T>, Vector512<T>>(ref dRef, ref xRef, ref gwRef, nIn, nOut);
        else if (Simd256<T>.IsEnabled && nIn >= (nuint)Vector256<T>.Count)
            AccumulateGradient<T, Simd256<T>, Vector256<T>>(ref dRef, ref xRef, ref gwRef, nIn, nOut);
        else if (Simd128<T>.IsEnabled && nIn >= (nuint)Vector128<T>.Count)
            AccumulateGradient<T, Simd128<T>, Vector128<T>>(ref dRef, ref xRef, ref gwRef, nIn, nOut);
        else
        {
            for (nuint j = 0; j < nOut; j++)
            {
                T dj = Unsafe.Add(ref dRef, j);
                ref T row = ref Unsafe.Add(ref gwRef, j * nIn);
                for (nuint k = 0; k < nIn; k++)
                    Unsafe.Add(ref row, k) += dj * Unsafe.Add(ref xRef, k);
            }
        }
        ElementwiseDrivers.Binary<T, AddOperator<T>>(gb, d, gb, T.Zero);
    }

    // ------------------------------------------------------------------ forward

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward<T>(ref T w, ref T b, ref T x, ref T z, nuint nIn, nuint nOut)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Simd512<T>.IsEnabled && nIn >= (nuint)Vector512<T>.Count)
            Forward<T, Simd512<T>, Vector512<T>>(ref w, ref b, ref x, ref z, nIn, nOut);
        else if (Simd256<T>.IsEnabled && nIn >= (nuint)Vector256<T>.Count)
            Forward<T, Simd256<T>, Vector256<T>>(ref w, ref b, ref x, ref z, nIn, nOut);
        else if (Simd128<T>.IsEnabled && nIn >= (nuint)Vector128<T>.Count)
            Forward<T, Simd128<T>, Vector128<T>>(ref w, ref b, ref x, ref z, nIn, nOut);
        else
            ForwardScalar(ref w, ref b, ref x, ref z, nIn, nOut);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardScalar<T>(ref T w, ref T b, ref T x, ref T z, nuint nIn, nuint nOut)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (nuint j = 0; j < nOut; j++)
        {
            ref T row = ref Unsafe.Add(ref w, j * nIn);
            T sum = T.Zero;
            for (nuint k = 0; k < nIn; k++)
                sum += Unsafe.Add(ref row, k) * Unsafe.Add(ref x, k);
            Unsafe.Add(ref z, j) = Unsafe.Add(ref b, j) + sum;
        }
    }

    // nIn ≥ TW.Count. Four rows share each load of x, and two vectors per row per iteration give eight
    // independent FMA chains, enough to cover FMA latency. The ragged end of each row is the row's last full
    // vector with the lanes already counted masked to zero (in both operands, so ∞·0 cannot appear).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<T, TW, TVec>(ref T w, ref T b, ref T x, ref T z, nuint nIn, nuint nOut)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint full = nIn - nIn % c;
        bool hasTail = full != nIn;
        nuint tailAt = nIn - c;
        TVec mask = hasTail ? TW.LastLanes(nIn - full) : TW.Zero;
        TVec xTail = TW.And(TW.Load(ref x, tailAt), mask);

        nuint j = 0;
        for (; j + 4 <= nOut; j += 4)
        {
            ref T w0 = ref Unsafe.Add(ref w, j * nIn);
            ref T w1 = ref Unsafe.Add(ref w0, nIn);
            ref T w2 = ref Unsafe.Add(ref w1, nIn);
            ref T w3 = ref Unsafe.Add(ref w2, nIn);
            TVec p0 = TW.Zero, p1 = TW.Zero, p2 = TW.Zero, p3 = TW.Zero;
            TVec q0 = TW.Zero, q1 = TW.Zero, q2 = TW.Zero, q3 = TW.Zero;
            nuint k = 0;
            for (; k + 2 * c <= full; k += 2 * c)
            {
                TVec xa = TW.Load(ref x, k);
                TVec xb = TW.Load(ref x, k + c);
                p0 = TW.MultiplyAdd(TW.Load(ref w0, k), xa, p0);
                q0 = TW.MultiplyAdd(TW.Load(ref w0, k + c), xb, q0);
                p1 = TW.MultiplyAdd(TW.Load(ref w1, k), xa, p1);
                q1 = TW.MultiplyAdd(TW.Load(ref w1, k + c), xb, q1);
                p2 = TW.MultiplyAdd(TW.Load(ref w2, k), xa, p2);
                q2 = TW.MultiplyAdd(TW.Load(ref w2, k + c), xb, q2);
                p3 = TW.MultiplyAdd(TW.Load(ref w3, k), xa, p3);
                q3 = TW.MultiplyAdd(TW.Load(ref w3, k + c), xb, q3);
            }
            if (k < full)
            {
                TVec xa = TW.Load(ref x, k);
                p0 = TW.MultiplyAdd(TW.Load(ref w0, k), xa, p0);
                p1 = TW.MultiplyAdd(TW.Load(ref w1, k), xa, p1);
                p2 = TW.MultiplyAdd(TW.Load(ref w2, k), xa, p2);
                p3 = TW.MultiplyAdd(TW.Load(ref w3, k), xa, p3);
            }
            if (hasTail)
            {
                q0 = TW.MultiplyAdd(TW.And(TW.Load(ref w0, tailAt), mask), xTail, q0);
                q1 = TW.MultiplyAdd(TW.And(TW.Load(ref w1, tailAt), mask), xTail, q1);
                q2 = TW.MultiplyAdd(TW.And(TW.Load(ref w2, tailAt), mask), xTail, q2);
                q3 = TW.MultiplyAdd(TW.And(TW.Load(ref w3, tailAt), mask), xTail, q3);
            }
            Unsafe.Add(ref z, j) = Unsafe.Add(ref b, j) + TW.Sum(TW.Add(p0, q0));
            Unsafe.Add(ref z, j + 1) = Unsafe.Add(ref b, j + 1) + TW.Sum(TW.Add(p1, q1));
            Unsafe.Add(ref z, j + 2) = Unsafe.Add(ref b, j + 2) + TW.Sum(TW.Add(p2, q2));
            Unsafe.Add(ref z, j + 3) = Unsafe.Add(ref b, j + 3) + TW.Sum(TW.Add(p3, q3));
        }
        for (; j < nOut; j++)
            Unsafe.Add(ref z, j) = Unsafe.Add(ref b, j) + Reductions.Aggregate<T, DotOperator<T>, TW, TVec>(ref Unsafe.Add(ref w, j * nIn), ref x, nIn);
    }

    // nIn ≥ TW.Count. Blocks of four samples × two weight rows: per vector step two weight loads and four
    // input loads feed eight FMAs into eight independent accumulators. Left-over samples go through the
    // single-sample kernel, which blocks over rows instead.
    // Cache blocking: a block of weight rows small enough to stay in L2 (ForwardBlockBytes) meets every
    // sample of the batch before the next block is loaded, so a large W is streamed from memory once per
    // batch instead of once per four samples.
    // nOut rows of W (from w), written into columns of z that are zStride apart per sample.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBatchRows<T, TW, TVec>(ref T w, ref T b, ref T x, ref T z, nuint nIn, nuint nOut, nuint zStride, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint rows = (nuint)ForwardBlockBytes / ((nuint)Unsafe.SizeOf<T>() * nIn);
        rows = rows < 4 ? 4 : rows - rows % 4;
        for (nuint j = 0; j < nOut; j += rows)
        {
            nuint count = nOut - j < rows ? nOut - j : rows;
            ForwardBatch<T, TW, TVec>(ref Unsafe.Add(ref w, j * nIn), ref Unsafe.Add(ref b, j), ref x, ref Unsafe.Add(ref z, j), nIn, count, zStride, m);
        }
    }

    private const int ForwardBlockBytes = 192 * 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBatch<T, TW, TVec>(ref T w, ref T b, ref T x, ref T z, nuint nIn, nuint nOut, nuint zStride, nuint m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint full = nIn - nIn % c;
        bool hasTail = full != nIn;
        nuint tailAt = nIn - c;
        TVec mask = hasTail ? TW.LastLanes(nIn - full) : TW.Zero;

        nuint s = 0;
        // AVX-512: six-sample blocks first, as many as leave a multiple of four samples, so that the samples the
        // single-sample kernel takes (the last m % 4, whose sums run in two chains) are the same wherever a thread's
        // range of samples starts; the six- and four-sample blocks give the same bits. Not for a few rows, where the
        // rows past the last four (computed twice for two samples) weigh too much: 512 → 10 measured 3–8 % slower.
        if (Unsafe.SizeOf<TVec>() == 64 && SixSampleDots && nOut >= SixSampleDotsMinRows)
        {
            nuint sixes = (m - m % 4) / 12 * 12, rows4 = nOut - nOut % 4;
            for (; s < sixes; s += 6)
            {
                ref T x0 = ref Unsafe.Add(ref x, s * nIn);
                ref T z0 = ref Unsafe.Add(ref z, s * zStride);
                for (nuint j = 0; j < rows4; j += 4)
                    ForwardBlock6x4<T, TW, TVec>(ref Unsafe.Add(ref w, j * nIn), ref Unsafe.Add(ref b, j), ref x0, ref Unsafe.Add(ref z0, j), nIn, zStride, full, hasTail, tailAt, mask);
                if (rows4 == nOut)
                    continue;
                // The last rows through the four-sample code, for samples 0–3 and 2–5 of the block (2 and 3 are
                // computed twice and written twice with the same bits).
                ForwardFourSamples<T, TW, TVec>(ref w, ref b, ref x0, ref z0, nIn, nOut, zStride, rows4, full, hasTail, tailAt, mask);
                ForwardFourSamples<T, TW, TVec>(ref w, ref b, ref Unsafe.Add(ref x0, 2 * nIn), ref Unsafe.Add(ref z0, 2 * zStride), nIn, nOut, zStride, rows4, full, hasTail, tailAt, mask);
            }
        }
        for (; s + 4 <= m; s += 4)
            ForwardFourSamples<T, TW, TVec>(ref w, ref b, ref Unsafe.Add(ref x, s * nIn), ref Unsafe.Add(ref z, s * zStride), nIn, nOut, zStride, 0, full, hasTail, tailAt, mask);
        for (; s < m; s++)
            Forward<T, TW, TVec>(ref w, ref b, ref Unsafe.Add(ref x, s * nIn), ref Unsafe.Add(ref z, s * zStride), nIn, nOut);
    }

    // Four samples (rows of x, nIn apart; of z, zStride apart) against rows j.. of W. A call per four samples: inlined
    // three times into the driver it would only crowd the registers of the six-sample loop.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardFourSamples<T, TW, TVec>(ref T w, ref T b, ref T x0, ref T z0, nuint nIn, nuint nOut, nuint zStride, nuint j, nuint full, bool hasTail, nuint tailAt, TVec mask)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        // The loops address the four rows of x (and the pair of rows of W) from moving bases and one row distance, and
        // the tails and stores by offsets from x0 and z0: with pointers to rows 1–3 live across the loops, the JIT
        // reloaded three of them from the stack every step.
        nuint row = nIn * (nuint)Unsafe.SizeOf<T>();
        nuint step = c * (nuint)Unsafe.SizeOf<T>();

        // With 32 vector registers (AVX-512) four rows fit: sixteen accumulators, and eight loads feed
        // sixteen FMAs instead of six feeding eight. With sixteen registers this block would spill.
        if (Unsafe.SizeOf<TVec>() == 64)
        {
            for (; j + 4 <= nOut; j += 4)
                ForwardBlock4x4<T, TW, TVec>(ref Unsafe.Add(ref w, j * nIn), ref Unsafe.Add(ref b, j), ref x0, ref Unsafe.Add(ref z0, j), nIn, zStride, full, hasTail, tailAt, mask);
        }
        for (; j + 2 <= nOut; j += 2)
        {
            ref T wa = ref Unsafe.Add(ref w, j * nIn);
            // aSR: sample S against row R of the pair.
            TVec a00 = TW.Zero, a10 = TW.Zero, a20 = TW.Zero, a30 = TW.Zero;
            TVec a01 = TW.Zero, a11 = TW.Zero, a21 = TW.Zero, a31 = TW.Zero;
            ref byte pa = ref Unsafe.As<T, byte>(ref wa);
            ref byte xa = ref Unsafe.As<T, byte>(ref x0);
            ref byte xb = ref Unsafe.AddByteOffset(ref xa, 2 * row);
            for (nuint k = 0; k < full; k += c)
            {
                TVec u = TW.Load(ref Unsafe.As<byte, T>(ref pa), 0);
                TVec v = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref pa, row)), 0);
                TVec t = TW.Load(ref Unsafe.As<byte, T>(ref xa), 0);
                a00 = TW.MultiplyAdd(u, t, a00);
                a01 = TW.MultiplyAdd(v, t, a01);
                t = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xa, row)), 0);
                a10 = TW.MultiplyAdd(u, t, a10);
                a11 = TW.MultiplyAdd(v, t, a11);
                t = TW.Load(ref Unsafe.As<byte, T>(ref xb), 0);
                a20 = TW.MultiplyAdd(u, t, a20);
                a21 = TW.MultiplyAdd(v, t, a21);
                t = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xb, row)), 0);
                a30 = TW.MultiplyAdd(u, t, a30);
                a31 = TW.MultiplyAdd(v, t, a31);
                pa = ref Unsafe.AddByteOffset(ref pa, step);
                xa = ref Unsafe.AddByteOffset(ref xa, step);
                xb = ref Unsafe.AddByteOffset(ref xb, step);
            }
            if (hasTail)
            {
                TVec u = TW.And(TW.Load(ref wa, tailAt), mask);
                TVec v = TW.And(TW.Load(ref wa, nIn + tailAt), mask);
                TVec t = TW.And(TW.Load(ref x0, tailAt), mask);
                a00 = TW.MultiplyAdd(u, t, a00);
                a01 = TW.MultiplyAdd(v, t, a01);
                t = TW.And(TW.Load(ref x0, nIn + tailAt), mask);
                a10 = TW.MultiplyAdd(u, t, a10);
                a11 = TW.MultiplyAdd(v, t, a11);
                t = TW.And(TW.Load(ref x0, 2 * nIn + tailAt), mask);
                a20 = TW.MultiplyAdd(u, t, a20);
                a21 = TW.MultiplyAdd(v, t, a21);
                t = TW.And(TW.Load(ref x0, 3 * nIn + tailAt), mask);
                a30 = TW.MultiplyAdd(u, t, a30);
                a31 = TW.MultiplyAdd(v, t, a31);
            }
            if (typeof(T) == typeof(float) && Unsafe.SizeOf<TVec>() >= 32)
            {
                // Lane 2s + r is sample s against row r of the pair: each sample's two outputs are one 64-bit store.
                Vector256<float> sums = Unsafe.SizeOf<TVec>() == 64
                    ? TransposedSums.Sum8(F(a00), F(a01), F(a10), F(a11), F(a20), F(a21), F(a30), F(a31))
                    : TransposedSums.Sum8(H(a00), H(a01), H(a10), H(a11), H(a20), H(a21), H(a30), H(a31));
                float fa = Unsafe.As<T, float>(ref Unsafe.Add(ref b, j)), fb = Unsafe.As<T, float>(ref Unsafe.Add(ref b, j + 1));
                Vector256<double> pairs = (Vector256.Create(fa, fb, fa, fb, fa, fb, fa, fb) + sums).AsDouble();
                Unsafe.As<T, double>(ref Unsafe.Add(ref z0, j)) = pairs.GetElement(0);
                Unsafe.As<T, double>(ref Unsafe.Add(ref z0, zStride + j)) = pairs.GetElement(1);
                Unsafe.As<T, double>(ref Unsafe.Add(ref z0, 2 * zStride + j)) = pairs.GetElement(2);
                Unsafe.As<T, double>(ref Unsafe.Add(ref z0, 3 * zStride + j)) = pairs.GetElement(3);
                continue;
            }
            T ba = Unsafe.Add(ref b, j), bb = Unsafe.Add(ref b, j + 1);
            Unsafe.Add(ref z0, j) = ba + TW.Sum(a00);
            Unsafe.Add(ref z0, j + 1) = bb + TW.Sum(a01);
            Unsafe.Add(ref z0, zStride + j) = ba + TW.Sum(a10);
            Unsafe.Add(ref z0, zStride + j + 1) = bb + TW.Sum(a11);
            Unsafe.Add(ref z0, 2 * zStride + j) = ba + TW.Sum(a20);
            Unsafe.Add(ref z0, 2 * zStride + j + 1) = bb + TW.Sum(a21);
            Unsafe.Add(ref z0, 3 * zStride + j) = ba + TW.Sum(a30);
            Unsafe.Add(ref z0, 3 * zStride + j + 1) = bb + TW.Sum(a31);
        }
        if (j < nOut)
        {
            ref T wa = ref Unsafe.Add(ref w, j * nIn);
            TVec a0 = TW.Zero, a1 = TW.Zero, a2 = TW.Zero, a3 = TW.Zero;
            ref byte pa = ref Unsafe.As<T, byte>(ref wa);
            ref byte xa = ref Unsafe.As<T, byte>(ref x0);
            ref byte xb = ref Unsafe.AddByteOffset(ref xa, 2 * row);
            for (nuint k = 0; k < full; k += c)
            {
                TVec u = TW.Load(ref Unsafe.As<byte, T>(ref pa), 0);
                a0 = TW.MultiplyAdd(u, TW.Load(ref Unsafe.As<byte, T>(ref xa), 0), a0);
                a1 = TW.MultiplyAdd(u, TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xa, row)), 0), a1);
                a2 = TW.MultiplyAdd(u, TW.Load(ref Unsafe.As<byte, T>(ref xb), 0), a2);
                a3 = TW.MultiplyAdd(u, TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xb, row)), 0), a3);
                pa = ref Unsafe.AddByteOffset(ref pa, step);
                xa = ref Unsafe.AddByteOffset(ref xa, step);
                xb = ref Unsafe.AddByteOffset(ref xb, step);
            }
            if (hasTail)
            {
                TVec u = TW.And(TW.Load(ref wa, tailAt), mask);
                a0 = TW.MultiplyAdd(u, TW.And(TW.Load(ref x0, tailAt), mask), a0);
                a1 = TW.MultiplyAdd(u, TW.And(TW.Load(ref x0, nIn + tailAt), mask), a1);
                a2 = TW.MultiplyAdd(u, TW.And(TW.Load(ref x0, 2 * nIn + tailAt), mask), a2);
                a3 = TW.MultiplyAdd(u, TW.And(TW.Load(ref x0, 3 * nIn + tailAt), mask), a3);
            }
            T ba = Unsafe.Add(ref b, j);
            Unsafe.Add(ref z0, j) = ba + TW.Sum(a0);
            Unsafe.Add(ref z0, zStride + j) = ba + TW.Sum(a1);
            Unsafe.Add(ref z0, 2 * zStride + j) = ba + TW.Sum(a2);
            Unsafe.Add(ref z0, 3 * zStride + j) = ba + TW.Sum(a3);
        }
    }

    // A 64-byte accumulator as the Vector512<float> it is (callers check T and the width); by value, so the accumulators
    // stay in registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> F<TVec>(TVec v) where TVec : unmanaged => Unsafe.BitCast<TVec, Vector512<float>>(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> H<TVec>(TVec v) where TVec : unmanaged => Unsafe.BitCast<TVec, Vector256<float>>(v);

    // Four samples (rows of x, nIn apart) × four weight rows, sixteen accumulators.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBlock4x4<T, TW, TVec>(ref T w0, ref T b, ref T x0, ref T z0, nuint nIn, nuint zStride, nuint full, bool hasTail, nuint tailAt, TVec mask)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        ref T w1 = ref Unsafe.Add(ref w0, nIn);
        ref T w2 = ref Unsafe.Add(ref w1, nIn);
        ref T w3 = ref Unsafe.Add(ref w2, nIn);
        ref T x1 = ref Unsafe.Add(ref x0, nIn);
        ref T x2 = ref Unsafe.Add(ref x1, nIn);
        ref T x3 = ref Unsafe.Add(ref x2, nIn);
        // aSR: sample S, row R.
        TVec a00 = TW.Zero, a01 = TW.Zero, a02 = TW.Zero, a03 = TW.Zero;
        TVec a10 = TW.Zero, a11 = TW.Zero, a12 = TW.Zero, a13 = TW.Zero;
        TVec a20 = TW.Zero, a21 = TW.Zero, a22 = TW.Zero, a23 = TW.Zero;
        TVec a30 = TW.Zero, a31 = TW.Zero, a32 = TW.Zero, a33 = TW.Zero;
        for (nuint k = 0; k < full; k += c)
        {
            TVec u0 = TW.Load(ref w0, k), u1 = TW.Load(ref w1, k), u2 = TW.Load(ref w2, k), u3 = TW.Load(ref w3, k);
            TVec t = TW.Load(ref x0, k);
            a00 = TW.MultiplyAdd(u0, t, a00); a01 = TW.MultiplyAdd(u1, t, a01); a02 = TW.MultiplyAdd(u2, t, a02); a03 = TW.MultiplyAdd(u3, t, a03);
            t = TW.Load(ref x1, k);
            a10 = TW.MultiplyAdd(u0, t, a10); a11 = TW.MultiplyAdd(u1, t, a11); a12 = TW.MultiplyAdd(u2, t, a12); a13 = TW.MultiplyAdd(u3, t, a13);
            t = TW.Load(ref x2, k);
            a20 = TW.MultiplyAdd(u0, t, a20); a21 = TW.MultiplyAdd(u1, t, a21); a22 = TW.MultiplyAdd(u2, t, a22); a23 = TW.MultiplyAdd(u3, t, a23);
            t = TW.Load(ref x3, k);
            a30 = TW.MultiplyAdd(u0, t, a30); a31 = TW.MultiplyAdd(u1, t, a31); a32 = TW.MultiplyAdd(u2, t, a32); a33 = TW.MultiplyAdd(u3, t, a33);
        }
        if (hasTail)
        {
            TVec u0 = TW.And(TW.Load(ref w0, tailAt), mask), u1 = TW.And(TW.Load(ref w1, tailAt), mask);
            TVec u2 = TW.And(TW.Load(ref w2, tailAt), mask), u3 = TW.And(TW.Load(ref w3, tailAt), mask);
            TVec t = TW.And(TW.Load(ref x0, tailAt), mask);
            a00 = TW.MultiplyAdd(u0, t, a00); a01 = TW.MultiplyAdd(u1, t, a01); a02 = TW.MultiplyAdd(u2, t, a02); a03 = TW.MultiplyAdd(u3, t, a03);
            t = TW.And(TW.Load(ref x1, tailAt), mask);
            a10 = TW.MultiplyAdd(u0, t, a10); a11 = TW.MultiplyAdd(u1, t, a11); a12 = TW.MultiplyAdd(u2, t, a12); a13 = TW.MultiplyAdd(u3, t, a13);
            t = TW.And(TW.Load(ref x2, tailAt), mask);
            a20 = TW.MultiplyAdd(u0, t, a20); a21 = TW.MultiplyAdd(u1, t, a21); a22 = TW.MultiplyAdd(u2, t, a22); a23 = TW.MultiplyAdd(u3, t, a23);
            t = TW.And(TW.Load(ref x3, tailAt), mask);
            a30 = TW.MultiplyAdd(u0, t, a30); a31 = TW.MultiplyAdd(u1, t, a31); a32 = TW.MultiplyAdd(u2, t, a32); a33 = TW.MultiplyAdd(u3, t, a33);
        }
        if (typeof(T) == typeof(float))
        {
            // Lane 4s + r of the sums is sample s against row r, so each sample's four outputs are one 128-bit store.
            Vector512<float> sums = TransposedSums.Sum16(
                F(a00), F(a01), F(a02), F(a03), F(a10), F(a11), F(a12), F(a13),
                F(a20), F(a21), F(a22), F(a23), F(a30), F(a31), F(a32), F(a33));
            Vector128<float> bias = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref b));
            sums = Vector512.Create(Vector256.Create(bias, bias), Vector256.Create(bias, bias)) + sums;
            ref float zf = ref Unsafe.As<T, float>(ref z0);
            sums.GetLower().GetLower().StoreUnsafe(ref zf);
            sums.GetLower().GetUpper().StoreUnsafe(ref zf, zStride);
            sums.GetUpper().GetLower().StoreUnsafe(ref zf, 2 * zStride);
            sums.GetUpper().GetUpper().StoreUnsafe(ref zf, 3 * zStride);
            return;
        }
        StoreRowSums<T, TW, TVec>(ref z0, ref b, a00, a01, a02, a03);
        StoreRowSums<T, TW, TVec>(ref Unsafe.Add(ref z0, 1 * zStride), ref b, a10, a11, a12, a13);
        StoreRowSums<T, TW, TVec>(ref Unsafe.Add(ref z0, 2 * zStride), ref b, a20, a21, a22, a23);
        StoreRowSums<T, TW, TVec>(ref Unsafe.Add(ref z0, 3 * zStride), ref b, a30, a31, a32, a33);
    }

    // One sample's four outputs from its four accumulators, each summed alone (the non-float path of the blocks).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowSums<T, TW, TVec>(ref T z, ref T b, TVec a0, TVec a1, TVec a2, TVec a3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        z = b + TW.Sum(a0);
        Unsafe.Add(ref z, 1) = Unsafe.Add(ref b, 1) + TW.Sum(a1);
        Unsafe.Add(ref z, 2) = Unsafe.Add(ref b, 2) + TW.Sum(a2);
        Unsafe.Add(ref z, 3) = Unsafe.Add(ref b, 3) + TW.Sum(a3);
    }

    /// <summary>
    /// Whether the AVX-512 dot-product forward (training batches, rows past the last packed panel) runs six-sample blocks
    /// before its four-sample ones; the bits are the same either way. A switch for tests and benchmarks.
    /// </summary>
    internal static bool SixSampleDots = true;

    private const int SixSampleDotsMinRows = 32;

    // Six samples × four weight rows, 24 accumulators. The row block of W comes from L2 once per sample block, and two
    // FMA ports eat four of its vectors per sixteen FMAs faster than L2 delivers them; six samples make that 24 FMAs.
    // Six rows of x and four of W from four bases and one row distance (x and W rows are both nIn long), so the loop
    // needs six general registers with its counter. One chain per (sample, row) and the same lane tree as the 4 × 4
    // block: the same bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBlock6x4<T, TW, TVec>(ref T w0, ref T b, ref T x0, ref T z0, nuint nIn, nuint zStride, nuint full, bool hasTail, nuint tailAt, TVec mask)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint row = nIn * (nuint)Unsafe.SizeOf<T>(), step = (nuint)Unsafe.SizeOf<TVec>();
        ref byte wa = ref Unsafe.As<T, byte>(ref w0);
        ref byte wb = ref Unsafe.AddByteOffset(ref wa, 2 * row);
        ref byte xa = ref Unsafe.As<T, byte>(ref x0);
        ref byte xb = ref Unsafe.AddByteOffset(ref xa, 3 * row);
        // aSR: sample S, row R.
        TVec a00 = TW.Zero, a01 = TW.Zero, a02 = TW.Zero, a03 = TW.Zero;
        TVec a10 = TW.Zero, a11 = TW.Zero, a12 = TW.Zero, a13 = TW.Zero;
        TVec a20 = TW.Zero, a21 = TW.Zero, a22 = TW.Zero, a23 = TW.Zero;
        TVec a30 = TW.Zero, a31 = TW.Zero, a32 = TW.Zero, a33 = TW.Zero;
        TVec a40 = TW.Zero, a41 = TW.Zero, a42 = TW.Zero, a43 = TW.Zero;
        TVec a50 = TW.Zero, a51 = TW.Zero, a52 = TW.Zero, a53 = TW.Zero;
        for (nuint k = full / (nuint)TW.Count; k != 0; k--)
        {
            TVec u0 = TW.Load(ref Unsafe.As<byte, T>(ref wa), 0), u1 = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref wa, row)), 0);
            TVec u2 = TW.Load(ref Unsafe.As<byte, T>(ref wb), 0), u3 = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref wb, row)), 0);
            TVec t = TW.Load(ref Unsafe.As<byte, T>(ref xa), 0);
            a00 = TW.MultiplyAdd(u0, t, a00); a01 = TW.MultiplyAdd(u1, t, a01); a02 = TW.MultiplyAdd(u2, t, a02); a03 = TW.MultiplyAdd(u3, t, a03);
            t = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xa, row)), 0);
            a10 = TW.MultiplyAdd(u0, t, a10); a11 = TW.MultiplyAdd(u1, t, a11); a12 = TW.MultiplyAdd(u2, t, a12); a13 = TW.MultiplyAdd(u3, t, a13);
            t = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xa, 2 * row)), 0);
            a20 = TW.MultiplyAdd(u0, t, a20); a21 = TW.MultiplyAdd(u1, t, a21); a22 = TW.MultiplyAdd(u2, t, a22); a23 = TW.MultiplyAdd(u3, t, a23);
            t = TW.Load(ref Unsafe.As<byte, T>(ref xb), 0);
            a30 = TW.MultiplyAdd(u0, t, a30); a31 = TW.MultiplyAdd(u1, t, a31); a32 = TW.MultiplyAdd(u2, t, a32); a33 = TW.MultiplyAdd(u3, t, a33);
            t = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xb, row)), 0);
            a40 = TW.MultiplyAdd(u0, t, a40); a41 = TW.MultiplyAdd(u1, t, a41); a42 = TW.MultiplyAdd(u2, t, a42); a43 = TW.MultiplyAdd(u3, t, a43);
            t = TW.Load(ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref xb, 2 * row)), 0);
            a50 = TW.MultiplyAdd(u0, t, a50); a51 = TW.MultiplyAdd(u1, t, a51); a52 = TW.MultiplyAdd(u2, t, a52); a53 = TW.MultiplyAdd(u3, t, a53);
            wa = ref Unsafe.AddByteOffset(ref wa, step);
            wb = ref Unsafe.AddByteOffset(ref wb, step);
            xa = ref Unsafe.AddByteOffset(ref xa, step);
            xb = ref Unsafe.AddByteOffset(ref xb, step);
        }
        if (hasTail)
        {
            ref T w1 = ref Unsafe.Add(ref w0, nIn);
            ref T w2 = ref Unsafe.Add(ref w1, nIn);
            ref T w3 = ref Unsafe.Add(ref w2, nIn);
            TVec u0 = TW.And(TW.Load(ref w0, tailAt), mask), u1 = TW.And(TW.Load(ref w1, tailAt), mask);
            TVec u2 = TW.And(TW.Load(ref w2, tailAt), mask), u3 = TW.And(TW.Load(ref w3, tailAt), mask);
            ref T xs = ref x0;
            TVec t = TW.And(TW.Load(ref xs, tailAt), mask);
            a00 = TW.MultiplyAdd(u0, t, a00); a01 = TW.MultiplyAdd(u1, t, a01); a02 = TW.MultiplyAdd(u2, t, a02); a03 = TW.MultiplyAdd(u3, t, a03);
            xs = ref Unsafe.Add(ref xs, nIn);
            t = TW.And(TW.Load(ref xs, tailAt), mask);
            a10 = TW.MultiplyAdd(u0, t, a10); a11 = TW.MultiplyAdd(u1, t, a11); a12 = TW.MultiplyAdd(u2, t, a12); a13 = TW.MultiplyAdd(u3, t, a13);
            xs = ref Unsafe.Add(ref xs, nIn);
            t = TW.And(TW.Load(ref xs, tailAt), mask);
            a20 = TW.MultiplyAdd(u0, t, a20); a21 = TW.MultiplyAdd(u1, t, a21); a22 = TW.MultiplyAdd(u2, t, a22); a23 = TW.MultiplyAdd(u3, t, a23);
            xs = ref Unsafe.Add(ref xs, nIn);
            t = TW.And(TW.Load(ref xs, tailAt), mask);
            a30 = TW.MultiplyAdd(u0, t, a30); a31 = TW.MultiplyAdd(u1, t, a31); a32 = TW.MultiplyAdd(u2, t, a32); a33 = TW.MultiplyAdd(u3, t, a33);
            xs = ref Unsafe.Add(ref xs, nIn);
            t = TW.And(TW.Load(ref xs, tailAt), mask);
            a40 = TW.MultiplyAdd(u0, t, a40); a41 = TW.MultiplyAdd(u1, t, a41); a42 = TW.MultiplyAdd(u2, t, a42); a43 = TW.MultiplyAdd(u3, t, a43);
            xs = ref Unsafe.Add(ref xs, nIn);
            t = TW.And(TW.Load(ref xs, tailAt), mask);
            a50 = TW.MultiplyAdd(u0, t, a50); a51 = TW.MultiplyAdd(u1, t, a51); a52 = TW.MultiplyAdd(u2, t, a52); a53 = TW.MultiplyAdd(u3, t, a53);
        }
        if (typeof(T) == typeof(float))
        {
            // Lane 4s + r is sample s against row r: each sample's four outputs are one 128-bit store.
            Vector512<float> first = TransposedSums.Sum16(
                F(a00), F(a01), F(a02), F(a03), F(a10), F(a11), F(a12), F(a13),
                F(a20), F(a21), F(a22), F(a23), F(a30), F(a31), F(a32), F(a33));
            Vector256<float> last = TransposedSums.Sum8(F(a40), F(a41), F(a42), F(a43), F(a50), F(a51), F(a52), F(a53));
            Vector128<float> bias = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref b));
            Vector256<float> bias2 = Vector256.Create(bias, bias);
            first = Vector512.Create(bias2, bias2) + first;
            last = bias2 + last;
            ref float zf = ref Unsafe.As<T, float>(ref z0);
            first.GetLower().GetLower().StoreUnsafe(ref zf);
            first.GetLower().GetUpper().StoreUnsafe(ref zf, zStride);
            first.GetUpper().GetLower().StoreUnsafe(ref zf, 2 * zStride);
            first.GetUpper().GetUpper().StoreUnsafe(ref zf, 3 * zStride);
            last.GetLower().StoreUnsafe(ref zf, 4 * zStride);
            last.GetUpper().StoreUnsafe(ref zf, 5 * zStride);
            return;
        }
        StoreRowSums<T, TW, TVec>(ref z0, ref b, a00, a01, a02, a03);
        StoreRowSums<T, TW, TVec>(ref Unsafe.Add(ref z0, 1 * zStride), ref b, a10, a11, a12, a13);
        StoreRowSums<T, TW, TVec>(ref Unsafe.Add(ref z0, 2 * zStride), ref b, a20, a21, a22, a23);
        StoreRowSums<T, TW, TVec>(ref Unsafe.Add(ref z0, 3 * zStride), ref b, a30, a31, a32, a33);
        StoreRowSums<T, TW, TVec>(ref Unsafe.Add(ref z0, 4 * zStride), ref b, a40, a41, a42, a43);
        StoreRowSums<T, TW, TVec>(ref Unsafe.Add(ref z0, 5 * zStride), ref b, a50, a51, a52, a53);
    }

    // ------------------------------------------------------------------ backward

    // nIn ≥ TW.Count. Walks W down its columns a block of four vectors wide, keeping the four partial
    // results in registers across all rows, so dx is written once instead of read and written per row.
    // The ragged end is the last full vector, recomputed over the overlap: dx is pure output, so writing
    // the overlapped elements twice is harmless.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardInput<T, TW, TVec>(ref T w, ref T d, ref T dx, nuint nIn, nuint nOut)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint k = 0;
        for (; k + 4 * c <= nIn; k += 4 * c)
        {
            TVec a0 = TW.Zero, a1 = TW.Zero, a2 = TW.Zero, a3 = TW.Zero;
            ref T row = ref Unsafe.Add(ref w, k);
            for (nuint j = 0; j < nOut; j++)
            {
                TVec dj = TW.Create(Unsafe.Add(ref d, j));
                a0 = TW.MultiplyAdd(TW.Load(ref row, 0), dj, a0);
                a1 = TW.MultiplyAdd(TW.Load(ref row, c), dj, a1);
                a2 = TW.MultiplyAdd(TW.Load(ref row, 2 * c), dj, a2);
                a3 = TW.MultiplyAdd(TW.Load(ref row, 3 * c), dj, a3);
                row = ref Unsafe.Add(ref row, nIn);
            }
            TW.Store(a0, ref dx, k);
            TW.Store(a1, ref dx, k + c);
            TW.Store(a2, ref dx, k + 2 * c);
            TW.Store(a3, ref dx, k + 3 * c);
        }
        for (; k + c <= nIn; k += c)
            BackwardInputColumn<T, TW, TVec>(ref w, ref d, ref dx, nIn, nOut, k);
        if (k < nIn)
            BackwardInputColumn<T, TW, TVec>(ref w, ref d, ref dx, nIn, nOut, nIn - c);
    }

    // One vector-wide column strip of Wᵀ·d. Two accumulators (even and odd rows) halve the FMA chain.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BackwardInputColumn<T, TW, TVec>(ref T w, ref T d, ref T dx, nuint nIn, nuint nOut, nuint k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        TVec a0 = TW.Zero, a1 = TW.Zero;
        ref T row = ref Unsafe.Add(ref w, k);
        nuint j = 0;
        for (; j + 2 <= nOut; j += 2)
        {
            a0 = TW.MultiplyAdd(TW.Load(ref row, 0), TW.Create(Unsafe.Add(ref d, j)), a0);
            a1 = TW.MultiplyAdd(TW.Load(ref row, nIn), TW.Create(Unsafe.Add(ref d, j + 1)), a1);
            row = ref Unsafe.Add(ref row, 2 * nIn);
        }
        if (j < nOut)
            a0 = TW.MultiplyAdd(TW.Load(ref row, 0), TW.Create(Unsafe.Add(ref d, j)), a0);
        TW.Store(TW.Add(a0, a1), ref dx, k);
    }

    // nIn ≥ TW.Count. One axpy per weight row. The ragged end is the row's last full vector, blended so
    // that only the lanes not yet updated change: gw accumulates, so updating a lane twice would be wrong.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateGradient<T, TW, TVec>(ref T d, ref T x, ref T gw, nuint nIn, nuint nOut)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TW : ISimd<T, TVec>
        where TVec : unmanaged
    {
        nuint c = (nuint)TW.Count;
        nuint full = nIn - nIn % c;
        bool hasTail = full != nIn;
        nuint tailAt = nIn - c;
        TVec mask = hasTail ? TW.LastLanes(nIn - full) : TW.Zero;
        TVec xTail = TW.Load(ref x, tailAt);

        ref T row = ref gw;
        for (nuint j = 0; j < nOut; j++)
        {
            TVec dj = TW.Create(Unsafe.Add(ref d, j));
            nuint k = 0;
            for (; k + 2 * c <= full; k += 2 * c)
            {
                TVec r0 = TW.MultiplyAdd(TW.Load(ref x, k), dj, TW.Load(ref row, k));
                TVec r1 = TW.MultiplyAdd(TW.Load(ref x, k + c), dj, TW.Load(ref row, k + c));
                TW.Store(r0, ref row, k);
                TW.Store(r1, ref row, k + c);
            }
            if (k < full)
                TW.Store(TW.MultiplyAdd(TW.Load(ref x, k), dj, TW.Load(ref row, k)), ref row, k);
            if (hasTail)
            {
                TVec old = TW.Load(ref row, tailAt);
                TW.Store(TW.Select(mask, TW.MultiplyAdd(xTail, dj, old), old), ref row, tailAt);
            }
            row = ref Unsafe.Add(ref row, nIn);
        }
    }
}
