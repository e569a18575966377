using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// Backpropagation through time over a whole batch of sequences: from the last step to the first, each step turns
// ∂C/∂h_t (from the layer above plus what flowed back from step t+1) into the gradient of the step's gate
// pre-activations, then one product over the batch sends it back to h_{t−1}. The weight gradients and ∂C/∂x are
// whole-batch products after the loop, over every step at once.
public static partial class RecurrentKernels
{
    /// <summary>
    /// Back-propagates a batch of whole sequences through time, after <see cref="Forward{T}"/> on the same inputs:
    /// adds the layer's parameter gradients into <paramref name="gradient"/> and writes ∂C/∂x into
    /// <paramref name="dx"/> unless it is empty.
    /// </summary>
    /// <param name="shape">The layer.</param>
    /// <param name="parameters">The layer's parameters: <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>.</param>
    /// <param name="x">The inputs the forward pass ran on.</param>
    /// <param name="gates">The gate rows the forward pass kept.</param>
    /// <param name="cells">The cells the forward pass kept (empty for a GRU).</param>
    /// <param name="hidden">Every step's h from the forward pass.</param>
    /// <param name="dOutput">∂C/∂output: <c>batch × steps × units</c> when the layer returns sequences, else <c>batch × units</c> (the last step's h).</param>
    /// <param name="gradient">The layer's parameter gradients, in the parameters' layout; added to.</param>
    /// <param name="dx">Empty, or <c>batch × steps × features</c> values overwritten with ∂C/∂x.</param>
    /// <param name="scratch"><see cref="BackwardScratchLength{T}"/> values.</param>
    /// <param name="window">0 to back-propagate through every step; otherwise the gradient stops at every step that is a multiple of <paramref name="window"/> (truncated BPTT in windows of that many steps).</param>
    /// <param name="threads">The most threads the call may use (see <see cref="Parallelism"/>): the steps back run in sub-batches of whole sequences, then the weight and bias gradients split their rows and ∂C/∂x its rows; every value is computed exactly as on one thread.</param>
    public static void Backward<T>(in RecurrentShape shape, ReadOnlySpan<T> parameters, ReadOnlySpan<T> x, ReadOnlySpan<T> gates, ReadOnlySpan<T> cells,
        ReadOnlySpan<T> hidden, ReadOnlySpan<T> dOutput, Span<T> gradient, Span<T> dx, Span<T> scratch, int window, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = Samples(shape, x.Length, nameof(x));
        int steps = shape.Steps, f = shape.Features, h = shape.Units, width = RecurrentLayout.GateBlocks * h, rows = shape.Gates * h;
        bool lstm = shape.Cell == RecurrentCell.Lstm;
        KernelGuard.Length(parameters.Length, shape.ParameterCount, "the layer's parameter count", nameof(parameters));
        KernelGuard.Length(gradient.Length, shape.ParameterCount, "the layer's parameter count", nameof(gradient));
        KernelGuard.Length(gates.Length, (long)batch * steps * width, "batch × steps × 4·units", nameof(gates));
        KernelGuard.Length(cells.Length, batch * RecurrentLayout.CellsPerSample(lstm, steps, h), lstm ? "batch × steps × units" : "0 (a GRU keeps no cells)", nameof(cells));
        KernelGuard.Length(hidden.Length, (long)batch * steps * h, "batch × steps × units", nameof(hidden));
        KernelGuard.Length(dOutput.Length, batch * shape.OutputsPerSample, shape.ReturnSequences ? "batch × steps × units" : "batch × units", nameof(dOutput));
        KernelGuard.EmptyOr(dx.Length, checked(batch * steps * f), "batch × steps × features", nameof(dx));
        KernelGuard.Length(scratch.Length, RecurrentLayout.BackwardScratchLength(batch, steps, h), "BackwardScratchLength(batch, steps, units)", nameof(scratch));
        if (window < 0)
            throw new ArgumentOutOfRangeException(nameof(window), window, "The truncation window must be 0 (none) or a positive number of steps.");

        KernelGuard.Positive(threads, nameof(threads));
        int sequenceChunks = BackwardChunks(shape, batch, threads);
        if (sequenceChunks > 1)
            StepsBackSplit(shape, gates, cells, hidden, dOutput, parameters.Slice(rows * f, rows * h), scratch, batch, window, sequenceChunks, threads);
        else
            StepsBack(shape, gates, cells, hidden, dOutput, parameters.Slice(rows * f, rows * h), scratch, batch, 0, batch, window);

        // The parameter gradients over every step of every sample, and ∂C/∂x over every step at once.
        int productChunks = ProductChunks(shape, batch, threads);
        if (!dx.IsEmpty)
            dx.Clear();
        if (productChunks > 1)
        {
            ProductsSplit(shape, parameters, x, hidden, gradient, dx, scratch, batch, productChunks, threads);
            return;
        }
        GradientRows(shape, x, hidden, gradient, scratch, batch, 0, rows);
        if (!dx.IsEmpty)
            InputRows(shape, parameters, dx, scratch, 0, batch * steps);
    }

    // Samples [s0, s1) of the batch from the last step to the first: each step's gate gradients into their rows of the
    // scratch's ∂gates, the carried ∂h and ∂c in the samples' own slices. Nothing here reads another sample.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StepsBack<T>(in RecurrentShape shape, ReadOnlySpan<T> gates, ReadOnlySpan<T> cells, ReadOnlySpan<T> hidden, ReadOnlySpan<T> dOutput,
        ReadOnlySpan<T> whh, Span<T> scratch, int batch, int s0, int s1, int window)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int steps = shape.Steps, h = shape.Units, width = RecurrentLayout.GateBlocks * h, n = s1 - s0;
        bool lstm = shape.Cell == RecurrentCell.Lstm;
        Span<T> dGates = scratch.Slice(0, batch * steps * width);
        Span<T> dhCarry = scratch.Slice(dGates.Length + s0 * h, n * h);
        Span<T> dcCarry = scratch.Slice(dGates.Length + batch * h + s0 * h, n * h);
        Span<T> tmp = scratch.Slice(dGates.Length + 2 * batch * h + s0 * h, n * h);
        dhCarry.Clear();
        dcCarry.Clear();
        nuint nh = (nuint)h, nw = (nuint)width, sampleGates = (nuint)steps * nw;

        for (int t = steps - 1; t >= 0; t--)
        {
            for (int q = 0; q < n; q++)
            {
                int s = s0 + q, row = s * steps + t;
                Span<T> dh = tmp.Slice(q * h, h);
                ReadOnlySpan<T> carried = dhCarry.Slice(q * h, h);
                if (shape.ReturnSequences)
                    TensorPrimitives.Add<T>(dOutput.Slice(row * h, h), carried, dh);
                else if (t == steps - 1)
                    TensorPrimitives.Add<T>(dOutput.Slice(s * h, h), carried, dh);
                else
                    carried.CopyTo(dh);
                if (lstm)
                    LstmStepBackward(gates.Slice(row * width, width), cells.Slice(row * h, h), t == 0 ? default : cells.Slice((row - 1) * h, h),
                        dh, dcCarry.Slice(q * h, h), dGates.Slice(row * width, width));
                else
                    GruStepBackward(gates.Slice(row * width, width), t == 0 ? default : hidden.Slice((row - 1) * h, h), dh, dhCarry.Slice(q * h, h), dGates.Slice(row * width, width));
            }
            bool cut = t == 0 || (window > 0 && t % window == 0);
            if (cut)
            {
                dhCarry.Clear();
                dcCarry.Clear();
                continue;
            }
            // ∂C/∂h_{t−1} += ∂C/∂gates_t · W_hh for the samples (an LSTM's carry starts from zero; a GRU's holds z ⊙ ∂h).
            if (lstm)
                dhCarry.Clear();
            ref T dg = ref Unsafe.Add(ref MemoryMarshal.GetReference(dGates), (nuint)s0 * sampleGates + (nuint)t * nw);
            ref T w = ref MemoryMarshal.GetReference(whh);
            ref T carry = ref MemoryMarshal.GetReference(dhCarry);
            if (lstm)
            {
                AddProducts(ref dg, sampleGates, (nuint)n, nw, ref w, nh, nh, ref carry, nh);
            }
            else
            {
                AddProducts(ref dg, sampleGates, (nuint)n, 2 * nh, ref w, nh, nh, ref carry, nh);
                AddProducts(ref Unsafe.Add(ref dg, 3 * nh), sampleGates, (nuint)n, nh, ref Unsafe.Add(ref w, 2 * nh * nh), nh, nh, ref carry, nh);
            }
        }
    }

    // Gradient rows [j0, j1) of W_ih, W_hh, b_ih and b_hh (a row of each: the gate unit j), over every step of every
    // sample. Each value sums the rows of ∂gates in the same order whichever range holds it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientRows<T>(in RecurrentShape shape, ReadOnlySpan<T> x, ReadOnlySpan<T> hidden, Span<T> gradient, Span<T> scratch, int batch, int j0, int j1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int steps = shape.Steps, f = shape.Features, h = shape.Units, width = RecurrentLayout.GateBlocks * h, rows = shape.Gates * h;
        bool lstm = shape.Cell == RecurrentCell.Lstm;
        if (j1 <= j0)
            return;
        Span<T> dGates = scratch.Slice(0, batch * steps * width);
        Span<T> gwih = gradient.Slice(0, rows * f), gwhh = gradient.Slice(rows * f, rows * h);
        Span<T> gbih = gradient.Slice(rows * (f + h), rows), gbhh = gradient.Slice(rows * (f + h + 1), rows);
        ref T dG = ref MemoryMarshal.GetReference(dGates);
        nuint nh = (nuint)h, nw = (nuint)width, sampleGates = (nuint)steps * nw, allRows = (nuint)batch * (nuint)steps;
        nuint a = (nuint)j0, count = (nuint)(j1 - j0);
        // The rows of ∂gates (and of x or h) are taken in blocks that stay in L2 while every block of gradient rows
        // passes over them: streamed whole for each block of four gradient rows, the 64 × 28 steps of a 128-unit LSTM
        // (3.6 MB of ∂gates) came from L3 hundreds of times, and Backward(64) took longer than four Backward(16). Each
        // gradient still sums its rows in order (the partial sum goes through the gradient between blocks): no bit changes.
        nuint block = Math.Max(1, (nuint)GradientRowBlockBytes / ((count + Math.Max((nuint)f, nh)) * (nuint)Unsafe.SizeOf<T>()));
        // W_ih += Σ ∂gatesᵀ·x (the input blocks: all four of an LSTM, r z n of a GRU: columns 0 … rows − 1 of ∂gates).
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T gih = ref Unsafe.Add(ref MemoryMarshal.GetReference(gwih), a * (nuint)f);
        for (nuint r0 = 0; r0 < allRows; r0 += block)
            AddTransposedProducts(ref Unsafe.Add(ref dG, r0 * nw + a), nw, 1, 0, 0, Math.Min(block, allRows - r0), count, ref Unsafe.Add(ref xs, r0 * (nuint)f), (nuint)f, (nuint)f, ref gih, (nuint)f);
        // W_hh += Σ_{t ≥ 1} ∂gates_tᵀ·h_{t−1}, sample by sample (h_{−1} = 0 contributes nothing). A GRU's rows 0 … 2h − 1
        // (r, z) pair with ∂gates' columns 0 … 2h − 1, its rows 2h … 3h − 1 (n) with columns 3h … 4h − 1 (the hidden n block).
        if (steps > 1)
        {
            ref T hs = ref MemoryMarshal.GetReference(hidden);
            ref T ghh = ref MemoryMarshal.GetReference(gwhh);
            nuint inner = (nuint)(steps - 1), sampleHidden = (nuint)steps * nh;
            nuint samples = Math.Max(1, block / inner);
            for (nuint o0 = 0; o0 < (nuint)batch; o0 += samples)
            {
                nuint outer = Math.Min(samples, (nuint)batch - o0);
                ref T dgo = ref Unsafe.Add(ref dG, o0 * sampleGates + nw);
                ref T ho = ref Unsafe.Add(ref hs, o0 * sampleHidden);
                if (lstm)
                {
                    AddTransposedProducts(ref Unsafe.Add(ref dgo, a), nw, outer, sampleGates, sampleHidden, inner, count, ref ho, nh, nh, ref Unsafe.Add(ref ghh, a * nh), nh);
                }
                else
                {
                    nuint rz0 = a, rz1 = Math.Min((nuint)j1, 2 * nh);
                    if (rz1 > rz0)
                        AddTransposedProducts(ref Unsafe.Add(ref dgo, rz0), nw, outer, sampleGates, sampleHidden, inner, rz1 - rz0, ref ho, nh, nh, ref Unsafe.Add(ref ghh, rz0 * nh), nh);
                    nuint n0 = Math.Max(a, 2 * nh), n1 = (nuint)j1;
                    if (n1 > n0)
                        AddTransposedProducts(ref Unsafe.Add(ref dgo, nh + n0), nw, outer, sampleGates, sampleHidden, inner, n1 - n0, ref ho, nh, nh, ref Unsafe.Add(ref ghh, n0 * nh), nh);
                }
            }
        }
        Span<T> bih = gbih.Slice(j0, j1 - j0), bhh = gbhh.Slice(j0, j1 - j0);
        for (int r = 0; r < (int)allRows; r++)
        {
            ReadOnlySpan<T> d = dGates.Slice(r * width, width);
            TensorPrimitives.Add<T>(bih, d.Slice(j0, j1 - j0), bih);
            if (lstm)
            {
                TensorPrimitives.Add<T>(bhh, d.Slice(j0, j1 - j0), bhh);
            }
            else
            {
                // b_hh's r z rows take the r z columns, its n rows the hidden n block.
                int rz1 = Math.Min(j1, 2 * h);
                if (rz1 > j0)
                    TensorPrimitives.Add<T>(gbhh.Slice(j0, rz1 - j0), d.Slice(j0, rz1 - j0), gbhh.Slice(j0, rz1 - j0));
                int n0 = Math.Max(j0, 2 * h);
                if (j1 > n0)
                    TensorPrimitives.Add<T>(gbhh.Slice(n0, j1 - n0), d.Slice(h + n0, j1 - n0), gbhh.Slice(n0, j1 - n0));
            }
        }
    }

    // Bytes of the rows of ∂gates and x (or h) one block of the weight-gradient products reads: a quarter of the L2 the
    // OS reports. Tests set other values (any gives the same bits).
    internal static int GradientRowBlockBytes = CacheSizes.L2 / 4;

    // Rows [r0, r1) of ∂C/∂x (sample-major step rows) += ∂gates · W_ih; dx was cleared.
    private static void InputRows<T>(in RecurrentShape shape, ReadOnlySpan<T> parameters, Span<T> dx, Span<T> scratch, int r0, int r1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = shape.Features, h = shape.Units, width = RecurrentLayout.GateBlocks * h, rows = shape.Gates * h;
        if (r1 <= r0)
            return;
        ref T dG = ref MemoryMarshal.GetReference(scratch);
        AddProducts(ref Unsafe.Add(ref dG, (nuint)r0 * (nuint)width), (nuint)width, (nuint)(r1 - r0), (nuint)rows, ref MemoryMarshal.GetReference(parameters), (nuint)f, (nuint)f,
            ref Unsafe.Add(ref MemoryMarshal.GetReference(dx), (nuint)r0 * (nuint)f), (nuint)f);
    }

    /// <summary>
    /// One LSTM step back: from ∂h (<paramref name="dh"/>, destroyed) and the carried ∂c (<paramref name="dc"/>,
    /// replaced by ∂c_{t−1}), the gradient of the gate pre-activations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmStepBackward<T>(ReadOnlySpan<T> gateRow, ReadOnlySpan<T> c, ReadOnlySpan<T> cPrev, Span<T> dh, Span<T> dc, Span<T> dGate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = dh.Length, j = 0;
        ref T gr = ref MemoryMarshal.GetReference(gateRow);
        ref T cr = ref MemoryMarshal.GetReference(c);
        ref T pr = ref MemoryMarshal.GetReference(cPrev);
        ref T dhr = ref MemoryMarshal.GetReference(dh);
        ref T dcr = ref MemoryMarshal.GetReference(dc);
        ref T dgr = ref MemoryMarshal.GetReference(dGate);
        bool hasPrev = !cPrev.IsEmpty;
        // tanh c, recomputed rather than stored: one vectorised pass, into ∂G's f block until that is written.
        Span<T> tc = dGate.Slice(n, n);
        TensorPrimitives.Tanh<T>(c, tc);
        ref T tcr = ref MemoryMarshal.GetReference(tc);
        if (Vector256.IsHardwareAccelerated && Simd.IsVectorizable<T>())
        {
            Vector256<T> one = Vector256<T>.One;
            for (; j + Vector256<T>.Count <= n; j += Vector256<T>.Count)
            {
                nuint u = (nuint)j, nn = (nuint)n;
                var i = Vector256.LoadUnsafe(ref gr, u);
                var fg = Vector256.LoadUnsafe(ref gr, nn + u);
                var g = Vector256.LoadUnsafe(ref gr, 2 * nn + u);
                var o = Vector256.LoadUnsafe(ref gr, 3 * nn + u);
                var t = Vector256.LoadUnsafe(ref tcr, u);
                var dhv = Vector256.LoadUnsafe(ref dhr, u);
                var dcv = Vector256.LoadUnsafe(ref dcr, u) + dhv * o * (one - t * t);
                var prev = hasPrev ? Vector256.LoadUnsafe(ref pr, u) : Vector256<T>.Zero;
                (dcv * fg).StoreUnsafe(ref dcr, u);
                (dcv * g * i * (one - i)).StoreUnsafe(ref dgr, u);
                (dcv * prev * fg * (one - fg)).StoreUnsafe(ref dgr, nn + u);
                (dcv * i * (one - g * g)).StoreUnsafe(ref dgr, 2 * nn + u);
                (dhv * t * o * (one - o)).StoreUnsafe(ref dgr, 3 * nn + u);
            }
        }
        for (; j < n; j++)
        {
            T i = gateRow[j], fg = gateRow[n + j], g = gateRow[2 * n + j], o = gateRow[3 * n + j], t = tc[j];
            T dcv = dc[j] + dh[j] * o * (T.One - t * t);
            T prev = hasPrev ? cPrev[j] : T.Zero;
            dc[j] = dcv * fg;
            dGate[j] = dcv * g * i * (T.One - i);
            dGate[n + j] = dcv * prev * fg * (T.One - fg);
            dGate[2 * n + j] = dcv * i * (T.One - g * g);
            dGate[3 * n + j] = dh[j] * t * o * (T.One - o);
        }
    }

    /// <summary>
    /// One GRU step back: from ∂h (<paramref name="dh"/>), the gradient of the four gate blocks (r, z, n's input
    /// part, n's hidden part) and the direct part of ∂h_{t−1}, z ⊙ ∂h, into <paramref name="dhPrev"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruStepBackward<T>(ReadOnlySpan<T> gateRow, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh, Span<T> dhPrev, Span<T> dGate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = dh.Length, j = 0;
        ref T gr = ref MemoryMarshal.GetReference(gateRow);
        ref T pr = ref MemoryMarshal.GetReference(hPrev);
        ref T dhr = ref MemoryMarshal.GetReference(dh);
        ref T dpr = ref MemoryMarshal.GetReference(dhPrev);
        ref T dgr = ref MemoryMarshal.GetReference(dGate);
        bool hasPrev = !hPrev.IsEmpty;
        if (Vector256.IsHardwareAccelerated && Simd.IsVectorizable<T>())
        {
            Vector256<T> one = Vector256<T>.One;
            for (; j + Vector256<T>.Count <= n; j += Vector256<T>.Count)
            {
                nuint u = (nuint)j, nn = (nuint)n;
                var r = Vector256.LoadUnsafe(ref gr, u);
                var z = Vector256.LoadUnsafe(ref gr, nn + u);
                var nv = Vector256.LoadUnsafe(ref gr, 2 * nn + u);
                var nhv = Vector256.LoadUnsafe(ref gr, 3 * nn + u);
                var dhv = Vector256.LoadUnsafe(ref dhr, u);
                var prev = hasPrev ? Vector256.LoadUnsafe(ref pr, u) : Vector256<T>.Zero;
                var dan = dhv * (one - z) * (one - nv * nv);
                (dan * nhv * r * (one - r)).StoreUnsafe(ref dgr, u);
                (dhv * (prev - nv) * z * (one - z)).StoreUnsafe(ref dgr, nn + u);
                dan.StoreUnsafe(ref dgr, 2 * nn + u);
                (dan * r).StoreUnsafe(ref dgr, 3 * nn + u);
                (dhv * z).StoreUnsafe(ref dpr, u);
            }
        }
        for (; j < n; j++)
        {
            T r = gateRow[j], z = gateRow[n + j], nv = gateRow[2 * n + j], nhv = gateRow[3 * n + j], d = dh[j];
            T prev = hasPrev ? hPrev[j] : T.Zero;
            T dan = d * (T.One - z) * (T.One - nv * nv);
            dGate[j] = dan * nhv * r * (T.One - r);
            dGate[n + j] = d * (prev - nv) * z * (T.One - z);
            dGate[2 * n + j] = dan;
            dGate[3 * n + j] = dan * r;
            dhPrev[j] = d * z;
        }
    }
}
