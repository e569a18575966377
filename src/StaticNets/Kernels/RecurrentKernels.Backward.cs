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
    public static void Backward<T>(in RecurrentShape shape, ReadOnlySpan<T> parameters, ReadOnlySpan<T> x, ReadOnlySpan<T> gates, ReadOnlySpan<T> cells,
        ReadOnlySpan<T> hidden, ReadOnlySpan<T> dOutput, Span<T> gradient, Span<T> dx, Span<T> scratch, int window)
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

        Span<T> dGates = scratch.Slice(0, batch * steps * width);
        Span<T> dhCarry = scratch.Slice(dGates.Length, batch * h);
        Span<T> dcCarry = scratch.Slice(dGates.Length + batch * h, batch * h);
        Span<T> tmp = scratch.Slice(dGates.Length + 2 * batch * h, batch * h);
        dhCarry.Clear();
        dcCarry.Clear();
        ReadOnlySpan<T> wih = parameters.Slice(0, rows * f), whh = parameters.Slice(rows * f, rows * h);
        nuint nh = (nuint)h, nw = (nuint)width, sampleGates = (nuint)steps * nw;

        for (int t = steps - 1; t >= 0; t--)
        {
            for (int s = 0; s < batch; s++)
            {
                int row = s * steps + t;
                Span<T> dh = tmp.Slice(s * h, h);
                ReadOnlySpan<T> carried = dhCarry.Slice(s * h, h);
                if (shape.ReturnSequences)
                    TensorPrimitives.Add<T>(dOutput.Slice(row * h, h), carried, dh);
                else if (t == steps - 1)
                    TensorPrimitives.Add<T>(dOutput.Slice(s * h, h), carried, dh);
                else
                    carried.CopyTo(dh);
                if (lstm)
                    LstmStepBackward(gates.Slice(row * width, width), cells.Slice(row * h, h), t == 0 ? default : cells.Slice((row - 1) * h, h),
                        dh, dcCarry.Slice(s * h, h), dGates.Slice(row * width, width));
                else
                    GruStepBackward(gates.Slice(row * width, width), t == 0 ? default : hidden.Slice((row - 1) * h, h), dh, dhCarry.Slice(s * h, h), dGates.Slice(row * width, width));
            }
            bool cut = t == 0 || (window > 0 && t % window == 0);
            if (cut)
            {
                dhCarry.Clear();
                dcCarry.Clear();
                continue;
            }
            // ∂C/∂h_{t−1} += ∂C/∂gates_t · W_hh for the whole batch (an LSTM's carry starts from zero; a GRU's holds z ⊙ ∂h).
            if (lstm)
                dhCarry.Clear();
            ref T dg = ref Unsafe.Add(ref MemoryMarshal.GetReference(dGates), (nuint)t * nw);
            ref T w = ref MemoryMarshal.GetReference(whh);
            ref T carry = ref MemoryMarshal.GetReference(dhCarry);
            if (lstm)
            {
                AddProducts(ref dg, sampleGates, (nuint)batch, nw, ref w, nh, nh, ref carry, nh);
            }
            else
            {
                AddProducts(ref dg, sampleGates, (nuint)batch, 2 * nh, ref w, nh, nh, ref carry, nh);
                AddProducts(ref Unsafe.Add(ref dg, 3 * nh), sampleGates, (nuint)batch, nh, ref Unsafe.Add(ref w, 2 * nh * nh), nh, nh, ref carry, nh);
            }
        }

        // Parameter gradients over every step of every sample.
        Span<T> gwih = gradient.Slice(0, rows * f), gwhh = gradient.Slice(rows * f, rows * h);
        Span<T> gbih = gradient.Slice(rows * (f + h), rows), gbhh = gradient.Slice(rows * (f + h + 1), rows);
        ref T dG = ref MemoryMarshal.GetReference(dGates);
        nuint allRows = (nuint)batch * (nuint)steps;
        // W_ih += Σ ∂gatesᵀ·x (the input blocks: all four of an LSTM, r z n of a GRU).
        AddTransposedProducts(ref dG, nw, 1, 0, 0, allRows, (nuint)rows, ref MemoryMarshal.GetReference(x), (nuint)f, (nuint)f, ref MemoryMarshal.GetReference(gwih), (nuint)f);
        // W_hh += Σ_{t ≥ 1} ∂gates_tᵀ·h_{t−1}, sample by sample (h_{−1} = 0 contributes nothing).
        if (steps > 1)
        {
            ref T hs = ref MemoryMarshal.GetReference(hidden);
            nuint inner = (nuint)(steps - 1), sampleHidden = (nuint)steps * nh;
            if (lstm)
            {
                AddTransposedProducts(ref Unsafe.Add(ref dG, nw), nw, (nuint)batch, sampleGates, sampleHidden, inner, nw, ref hs, nh, nh, ref MemoryMarshal.GetReference(gwhh), nh);
            }
            else
            {
                AddTransposedProducts(ref Unsafe.Add(ref dG, nw), nw, (nuint)batch, sampleGates, sampleHidden, inner, 2 * nh, ref hs, nh, nh, ref MemoryMarshal.GetReference(gwhh), nh);
                AddTransposedProducts(ref Unsafe.Add(ref dG, nw + 3 * nh), nw, (nuint)batch, sampleGates, sampleHidden, inner, nh, ref hs, nh, nh, ref Unsafe.Add(ref MemoryMarshal.GetReference(gwhh), 2 * nh * nh), nh);
            }
        }
        for (int r = 0; r < (int)allRows; r++)
        {
            ReadOnlySpan<T> d = dGates.Slice(r * width, width);
            if (lstm)
            {
                TensorPrimitives.Add<T>(gbih, d, gbih);
                TensorPrimitives.Add<T>(gbhh, d, gbhh);
            }
            else
            {
                TensorPrimitives.Add<T>(gbih, d.Slice(0, 3 * h), gbih);
                TensorPrimitives.Add<T>(gbhh.Slice(0, 2 * h), d.Slice(0, 2 * h), gbhh.Slice(0, 2 * h));
                TensorPrimitives.Add<T>(gbhh.Slice(2 * h, h), d.Slice(3 * h, h), gbhh.Slice(2 * h, h));
            }
        }
        if (!dx.IsEmpty)
        {
            // ∂C/∂x = ∂gates · W_ih over every step at once.
            dx.Clear();
            AddProducts(ref dG, nw, allRows, (nuint)rows, ref MemoryMarshal.GetReference(wih), (nuint)f, (nuint)f, ref MemoryMarshal.GetReference(dx), (nuint)f);
        }
    }

    /// <summary>
    /// One LSTM step back: from ∂h (<paramref name="dh"/>, destroyed) and the carried ∂c (<paramref name="dc"/>,
    /// replaced by ∂c_{t−1}), the gradient of the gate pre-activations.
    /// </summary>
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
