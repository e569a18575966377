using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>The cell of a recurrent layer.</summary>
public enum RecurrentCell
{
    /// <summary>Long short-term memory (gates i, f, g, o).</summary>
    Lstm = 0,

    /// <summary>Gated recurrent unit (gates r, z, n; reset applied after the hidden product).</summary>
    Gru = 1,
}

/// <summary>The constant sizes of one recurrent layer, as the generated code passes them to <see cref="RecurrentKernels"/>.</summary>
/// <param name="Cell">LSTM or GRU.</param>
/// <param name="Steps">Time steps of one sample.</param>
/// <param name="Features">Values of one step's input.</param>
/// <param name="Units">Hidden units.</param>
/// <param name="ReturnSequences">Whether the output is every step's h or only the last step's.</param>
public readonly record struct RecurrentShape(RecurrentCell Cell, int Steps, int Features, int Units, bool ReturnSequences)
{
    /// <summary>Gates in the parameter matrices: 4 for an LSTM, 3 for a GRU.</summary>
    public int Gates => Cell == RecurrentCell.Lstm ? 4 : 3;

    /// <summary>Parameters of the layer: <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>.</summary>
    public long ParameterCount => (long)Gates * Units * (Features + Units + 2);

    /// <summary>Values of one sample's input.</summary>
    public long InputsPerSample => (long)Steps * Features;

    /// <summary>Values of one sample's output.</summary>
    public long OutputsPerSample => ReturnSequences ? (long)Steps * Units : Units;

    internal void Validate()
    {
        // A pattern, not Enum.IsDefined: this runs on every call and step, and IsDefined was measured allocating there.
        if (Steps < 1 || Features < 1 || Units < 1 || Cell is not (RecurrentCell.Lstm or RecurrentCell.Gru))
            throw new ArgumentOutOfRangeException(nameof(RecurrentShape), this, "A recurrent layer needs at least 1 step, 1 feature and 1 unit, and a known cell.");
    }
}

/// <summary>
/// The kernels of the generated LSTM and GRU layers: a whole batch of sequences forward and back through time,
/// and one step of one stream. PyTorch's conventions throughout (<c>nn.LSTM</c> gates i, f, g, o;
/// <c>nn.GRU</c> r, z, n with the reset gate applied after the hidden product; <c>weight_ih_l0</c>,
/// <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c> contiguous in that order), batch-first sample-major
/// layout: sample s, step t, value j at <c>(s·steps + t)·width + j</c>.
/// </summary>
/// <remarks>
/// Whole sequences: every step's input product is one matrix product over all samples and steps at once; the
/// recurrent product runs step by step over the batch (strided rows, no gathering). One step: a single product
/// over <c>[x; h]</c> with the same fused matrix. Both add the same terms in the same order, so streaming a
/// sequence step by step gives exactly the bits of the whole-sequence call. The cell of float networks is one
/// fused vector pass (<see cref="GateMath"/>); other element types use TensorPrimitives' sigmoid and tanh.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static partial class RecurrentKernels
{
    /// <summary>Values of the scratch <see cref="Backward{T}"/> needs for <paramref name="batch"/> samples: every step's gate gradient and the carried ∂h and ∂c.</summary>
    public static int BackwardScratchLength<T>(in RecurrentShape shape, int batch)
    {
        shape.Validate();
        return checked((int)RecurrentLayout.BackwardScratchLength(batch, shape.Steps, shape.Units));
    }

    /// <summary>Length of the prepared copy of the weights: the fused matrix <c>(features + units) × 4·units</c> and the fused bias.</summary>
    public static int PreparedLength<T>(in RecurrentShape shape)
    {
        shape.Validate();
        return checked((int)RecurrentLayout.PreparedLength(shape.Features, shape.Units));
    }

    /// <summary>
    /// Builds the fused matrix <c>[W_ihᵀ; W_hhᵀ]</c> (<c>(features + units) × 4·units</c>, gate blocks in the
    /// layout's order, rows padded to <c>4·units + 16</c>) and the fused bias from the layer's parameters.
    /// </summary>
    /// <param name="shape">The layer.</param>
    /// <param name="parameters">The layer's parameters: <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>.</param>
    /// <param name="prepared"><see cref="PreparedLength{T}"/> values; overwritten.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareWeights<T>(in RecurrentShape shape, ReadOnlySpan<T> parameters, Span<T> prepared)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int length = PreparedLength<T>(shape);
        KernelGuard.Length(parameters.Length, shape.ParameterCount, "the layer's parameter count", nameof(parameters));
        KernelGuard.Length(prepared.Length, length, "PreparedLength(shape)", nameof(prepared));
        int f = shape.Features, h = shape.Units, rows = shape.Gates * h, width = RecurrentLayout.GateBlocks * h, ld = (int)RecurrentLayout.MatrixStride(h);
        var wih = parameters.Slice(0, rows * f);
        var whh = parameters.Slice(rows * f, rows * h);
        var bih = parameters.Slice(rows * (f + h), rows);
        var bhh = parameters.Slice(rows * (f + h + 1), rows);
        var matrix = prepared.Slice(0, (f + h) * ld);
        var bias = prepared.Slice((f + h) * ld, width);
        matrix.Clear();
        if (shape.Cell == RecurrentCell.Lstm)
        {
            for (int j = 0; j < rows; j++)
            {
                for (int k = 0; k < f; k++)
                    matrix[k * ld + j] = wih[j * f + k];
                for (int k = 0; k < h; k++)
                    matrix[(f + k) * ld + j] = whh[j * h + k];
                bias[j] = bih[j] + bhh[j];
            }
            return;
        }
        // GRU: blocks r, z (input and hidden parts summed), n's input part, n's hidden part.
        for (int j = 0; j < rows; j++)
        {
            int gate = j / h, unit = j % h;
            int xColumn = j, hColumn = gate == 2 ? 3 * h + unit : j;
            for (int k = 0; k < f; k++)
                matrix[k * ld + xColumn] = wih[j * f + k];
            for (int k = 0; k < h; k++)
                matrix[(f + k) * ld + hColumn] = whh[j * h + k];
            if (gate < 2)
            {
                bias[j] = bih[j] + bhh[j];
            }
            else
            {
                bias[xColumn] = bih[j];
                bias[hColumn] = bhh[j];
            }
        }
    }

    /// <summary>
    /// Runs a batch of whole sequences forward from a zero state, keeping what the backward pass needs.
    /// </summary>
    /// <param name="shape">The layer.</param>
    /// <param name="prepared">The layer's prepared weights (<see cref="PrepareWeights{T}"/>).</param>
    /// <param name="x">The inputs, <c>batch × steps × features</c>.</param>
    /// <param name="gates">Receives every step's gate row, <c>batch × steps × 4·units</c>.</param>
    /// <param name="cells">Receives every step's c (LSTM, <c>batch × steps × units</c>); empty for a GRU.</param>
    /// <param name="hidden">Receives every step's h, <c>batch × steps × units</c> (the output when the layer returns sequences).</param>
    /// <param name="output">The last step's h, <c>batch × units</c>; empty when the layer returns sequences.</param>
    /// <param name="threads">The most threads the call may use: the batch is split into sub-batches of whole sequences, each computed exactly as on one thread.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void Forward<T>(in RecurrentShape shape, ReadOnlySpan<T> prepared, ReadOnlySpan<T> x, Span<T> gates, Span<T> cells, Span<T> hidden, Span<T> output, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Positive(threads, nameof(threads));
        // Every length is checked for the whole call first, so a bad argument fails alike on any thread count.
        KernelGuard.Length(prepared.Length, PreparedLength<T>(shape), "PreparedLength(shape)", nameof(prepared));
        int batch = Samples(shape, x.Length, nameof(x));
        int steps = shape.Steps, h = shape.Units, width = RecurrentLayout.GateBlocks * h;
        bool lstm = shape.Cell == RecurrentCell.Lstm;
        KernelGuard.Length(gates.Length, (long)batch * steps * width, "batch × steps × 4·units", nameof(gates));
        KernelGuard.Length(cells.Length, batch * RecurrentLayout.CellsPerSample(lstm, steps, h), lstm ? "batch × steps × units" : "0 (a GRU keeps no cells)", nameof(cells));
        KernelGuard.Length(hidden.Length, (long)batch * steps * h, "batch × steps × units", nameof(hidden));
        KernelGuard.Length(output.Length, shape.ReturnSequences ? 0 : (long)batch * h, shape.ReturnSequences ? "0 (the hidden sequence is the output)" : "batch × units", nameof(output));
        int chunks = ForwardChunks(shape, batch, threads);
        if (chunks > 1)
            ForwardSplit(shape, prepared, x, gates, cells, hidden, output, batch, chunks, threads);
        else
            ForwardSequences(shape, prepared, x, gates, cells, hidden, output, batch);
    }

    // Whole sequences of `batch` samples on the calling thread, the lengths already checked.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSequences<T>(in RecurrentShape shape, ReadOnlySpan<T> prepared, ReadOnlySpan<T> x, Span<T> gates, Span<T> cells, Span<T> hidden, Span<T> output, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int steps = shape.Steps, f = shape.Features, h = shape.Units, width = RecurrentLayout.GateBlocks * h;
        bool lstm = shape.Cell == RecurrentCell.Lstm;
        int ld = (int)RecurrentLayout.MatrixStride(h);
        ReadOnlySpan<T> bias = prepared.Slice((f + h) * ld, width);
        ref T m = ref MemoryMarshal.GetReference(prepared);
        ref T hm = ref Unsafe.Add(ref m, f * ld);
        ref T g = ref MemoryMarshal.GetReference(gates);
        ref T hs = ref MemoryMarshal.GetReference(hidden);
        nuint rows = (nuint)batch * (nuint)steps, nw = (nuint)width, nld = (nuint)ld, nh = (nuint)h, sampleGates = (nuint)steps * nw, sampleHidden = (nuint)steps * nh;

        // Every step's input product at once: gates = b + x·W_ihᵀ (a GRU's last block, n's hidden part, has no input term).
        for (int r = 0; r < (int)rows; r++)
            bias.CopyTo(gates.Slice(r * width, width));
        AddProducts(ref MemoryMarshal.GetReference(x), (nuint)f, rows, (nuint)f, ref m, nld, lstm ? nw : 3 * nh, ref g, nw);

        for (int t = 0; t < steps; t++)
        {
            nuint tg = (nuint)t * nw;
            if (t > 0)
            {
                // gates_t += h_{t−1}·W_hhᵀ for the whole batch (a GRU's n input block has no hidden term).
                ref T hPrev = ref Unsafe.Add(ref hs, (nuint)(t - 1) * nh);
                if (lstm)
                {
                    AddProducts(ref hPrev, sampleHidden, (nuint)batch, nh, ref hm, nld, nw, ref Unsafe.Add(ref g, tg), sampleGates);
                }
                else
                {
                    AddProducts(ref hPrev, sampleHidden, (nuint)batch, nh, ref hm, nld, 2 * nh, ref Unsafe.Add(ref g, tg), sampleGates);
                    AddProducts(ref hPrev, sampleHidden, (nuint)batch, nh, ref Unsafe.Add(ref hm, 3 * nh), nld, nh, ref Unsafe.Add(ref g, tg + 3 * nh), sampleGates);
                }
            }
            for (int s = 0; s < batch; s++)
            {
                int row = s * steps + t;
                Span<T> gateRow = gates.Slice(row * width, width);
                Span<T> hRow = hidden.Slice(row * h, h);
                if (lstm)
                    LstmCell(gateRow, t == 0 ? default : cells.Slice((row - 1) * h, h), cells.Slice(row * h, h), hRow);
                else
                    GruCell(gateRow, t == 0 ? default : hidden.Slice((row - 1) * h, h), hRow);
            }
        }
        if (!shape.ReturnSequences)
        {
            for (int s = 0; s < batch; s++)
                hidden.Slice(((s + 1) * steps - 1) * h, h).CopyTo(output.Slice(s * h, h));
        }
    }

    /// <summary>
    /// Advances one stream by one step: <paramref name="state"/> (h, then c for an LSTM) becomes the state after
    /// <paramref name="x"/>. Gives the same values as the whole-sequence <see cref="Forward{T}"/> at that step.
    /// </summary>
    /// <param name="shape">The layer.</param>
    /// <param name="prepared">The layer's prepared weights.</param>
    /// <param name="x">One step's <c>features</c> inputs.</param>
    /// <param name="state">The stream's state (h, then c for an LSTM), updated in place.</param>
    /// <param name="scratch"><c>features + 6·units</c> values of scratch.</param>
    public static void Step<T>(in RecurrentShape shape, ReadOnlySpan<T> prepared, ReadOnlySpan<T> x, Span<T> state, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int f = shape.Features, h = shape.Units, width = RecurrentLayout.GateBlocks * h, ld = (int)RecurrentLayout.MatrixStride(h);
        KernelGuard.Length(prepared.Length, PreparedLength<T>(shape), "PreparedLength(shape)", nameof(prepared));
        KernelGuard.Length(x.Length, f, "features", nameof(x));
        KernelGuard.Length(state.Length, RecurrentLayout.StateSize(shape.Cell == RecurrentCell.Lstm, h), "the cell's state size", nameof(state));
        KernelGuard.Length(scratch.Length, RecurrentLayout.StepScratchLength(f, h), "the step scratch length", nameof(scratch));
        Span<T> xh = scratch.Slice(0, f + h);
        Span<T> gateRow = scratch.Slice(f + h, width);
        Span<T> hState = state.Slice(0, h);
        x.CopyTo(xh);
        hState.CopyTo(xh.Slice(f));
        prepared.Slice((f + h) * ld, width).CopyTo(gateRow);
        AddProducts(ref MemoryMarshal.GetReference(xh), (nuint)(f + h), 1, (nuint)(f + h), ref MemoryMarshal.GetReference(prepared), (nuint)ld, (nuint)width, ref MemoryMarshal.GetReference(gateRow), (nuint)width);
        if (shape.Cell == RecurrentCell.Lstm)
        {
            Span<T> c = state.Slice(h, h);
            LstmCell(gateRow, c, c, hState);
        }
        else
        {
            GruCell(gateRow, hState, hState);
        }
    }

    /// <summary>
    /// i, f, o = σ, g = tanh over the gate row in place; c = f ⊙ c_prev + i ⊙ g (c = i ⊙ g from a zero state, when
    /// <paramref name="cPrev"/> is empty); h = o ⊙ tanh c. <paramref name="cPrev"/> may be <paramref name="c"/>.
    /// </summary>
    private static void LstmCell<T>(Span<T> gateRow, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> h)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
        {
            LstmCellFused(MemoryMarshal.Cast<T, float>(gateRow), MemoryMarshal.Cast<T, float>(cPrev), MemoryMarshal.Cast<T, float>(c), MemoryMarshal.Cast<T, float>(h));
            return;
        }
        int n = h.Length;
        Span<T> i = gateRow.Slice(0, n), f = gateRow.Slice(n, n), g = gateRow.Slice(2 * n, n), o = gateRow.Slice(3 * n, n);
        TensorPrimitives.Sigmoid<T>(gateRow.Slice(0, 2 * n), gateRow.Slice(0, 2 * n));
        TensorPrimitives.Tanh<T>(g, g);
        TensorPrimitives.Sigmoid<T>(o, o);
        if (cPrev.IsEmpty)
        {
            c.Clear();
        }
        else
        {
            TensorPrimitives.Multiply<T>(f, cPrev, c);
        }
        TensorPrimitives.FusedMultiplyAdd<T>(i, g, c, c);
        TensorPrimitives.Tanh<T>(c, h);
        TensorPrimitives.Multiply<T>(h, o, h);
    }

    /// <summary>
    /// r, z = σ in place; n = tanh(n_x + r ⊙ n_h) into the third block; h = n + z ⊙ (h_prev − n) (h_prev = 0 when
    /// <paramref name="hPrev"/> is empty). <paramref name="hPrev"/> may be <paramref name="h"/>.
    /// </summary>
    private static void GruCell<T>(Span<T> gateRow, ReadOnlySpan<T> hPrev, Span<T> h)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
        {
            GruCellFused(MemoryMarshal.Cast<T, float>(gateRow), MemoryMarshal.Cast<T, float>(hPrev), MemoryMarshal.Cast<T, float>(h));
            return;
        }
        int n = h.Length;
        Span<T> z = gateRow.Slice(n, n), nx = gateRow.Slice(2 * n, n), nh = gateRow.Slice(3 * n, n);
        TensorPrimitives.Sigmoid<T>(gateRow.Slice(0, 2 * n), gateRow.Slice(0, 2 * n));
        TensorPrimitives.FusedMultiplyAdd<T>(gateRow.Slice(0, n), nh, nx, nx);
        TensorPrimitives.Tanh<T>(nx, nx);
        if (hPrev.IsEmpty)
            TensorPrimitives.Negate<T>(nx, h);
        else
            TensorPrimitives.Subtract<T>(hPrev, nx, h);
        TensorPrimitives.FusedMultiplyAdd<T>(z, h, nx, h);
    }

    /// <summary>
    /// The LSTM cell of floats in one vectorised pass: each lane's four gates, c and h while they are in registers
    /// (<see cref="GateMath"/>'s sigmoid and tanh), the activated gates written back for the backward pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmCellFused(Span<float> gateRow, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h)
    {
        int n = h.Length, j = 0;
        bool hasPrev = !cPrev.IsEmpty;
        ref float g = ref MemoryMarshal.GetReference(gateRow);
        ref float cp = ref MemoryMarshal.GetReference(cPrev);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float hr = ref MemoryMarshal.GetReference(h);
        // 512-bit lanes first where they are enabled, then 256-bit ones: one form at both widths gives the same bits per
        // lane, so the split changes speed only (a core with two 512-bit FMA ports does twice the lanes per cycle), and
        // the scalar tail still starts at the last multiple of eight.
        if (Simd512<float>.IsEnabled)
            j = LstmLanes<Simd512<float>, Vector512<float>>(ref g, ref cp, ref cr, ref hr, n, j, hasPrev);
        j = LstmLanes<Simd256<float>, Vector256<float>>(ref g, ref cp, ref cr, ref hr, n, j, hasPrev);
        for (; j < n; j++)
        {
            float i = GateMath.Sigmoid(gateRow[j]), f = GateMath.Sigmoid(gateRow[n + j]), gg = GateMath.Tanh(gateRow[2 * n + j]), o = GateMath.Sigmoid(gateRow[3 * n + j]);
            gateRow[j] = i;
            gateRow[n + j] = f;
            gateRow[2 * n + j] = gg;
            gateRow[3 * n + j] = o;
            float cv = hasPrev ? f * cPrev[j] + i * gg : i * gg;
            c[j] = cv;
            h[j] = o * GateMath.Tanh(cv);
        }
    }

    /// <summary>The GRU cell of floats in one vectorised pass: r, z and n written back, h = n + z ⊙ (h_prev − n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruCellFused(Span<float> gateRow, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        int n = h.Length, j = 0;
        bool hasPrev = !hPrev.IsEmpty;
        ref float g = ref MemoryMarshal.GetReference(gateRow);
        ref float hp = ref MemoryMarshal.GetReference(hPrev);
        ref float hr = ref MemoryMarshal.GetReference(h);
        // As in the LSTM cell: 512-bit lanes first, the same bits as 256-bit ones.
        if (Simd512<float>.IsEnabled)
            j = GruLanes<Simd512<float>, Vector512<float>>(ref g, ref hp, ref hr, n, j, hasPrev);
        j = GruLanes<Simd256<float>, Vector256<float>>(ref g, ref hp, ref hr, n, j, hasPrev);
        for (; j < n; j++)
        {
            float r = GateMath.Sigmoid(gateRow[j]), z = GateMath.Sigmoid(gateRow[n + j]);
            float nv = GateMath.Tanh(gateRow[2 * n + j] + r * gateRow[3 * n + j]);
            gateRow[j] = r;
            gateRow[n + j] = z;
            gateRow[2 * n + j] = nv;
            float prev = hasPrev ? hPrev[j] : 0f;
            h[j] = nv + z * (prev - nv);
        }
    }

    // The LSTM cell over whole vectors of units from j on; returns where it stopped.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static int LstmLanes<TW, TVec>(ref float g, ref float cp, ref float cr, ref float hr, int n, int j, bool hasPrev)
        where TW : ISimd<float, TVec>
        where TVec : unmanaged
    {
        nuint nn = (nuint)n;
        for (; j + TW.Count <= n; j += TW.Count)
        {
            nuint u = (nuint)j;
            TVec i = GateMath.Sigmoid<TW, TVec>(TW.Load(ref g, u));
            TVec f = GateMath.Sigmoid<TW, TVec>(TW.Load(ref g, nn + u));
            TVec gg = GateMath.Tanh<TW, TVec>(TW.Load(ref g, 2 * nn + u));
            TVec o = GateMath.Sigmoid<TW, TVec>(TW.Load(ref g, 3 * nn + u));
            TW.Store(i, ref g, u);
            TW.Store(f, ref g, nn + u);
            TW.Store(gg, ref g, 2 * nn + u);
            TW.Store(o, ref g, 3 * nn + u);
            TVec cv = hasPrev ? TW.Add(TW.Multiply(f, TW.Load(ref cp, u)), TW.Multiply(i, gg)) : TW.Multiply(i, gg);
            TW.Store(cv, ref cr, u);
            TW.Store(TW.Multiply(o, GateMath.Tanh<TW, TVec>(cv)), ref hr, u);
        }
        return j;
    }

    // The GRU cell over whole vectors of units from j on; returns where it stopped.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static int GruLanes<TW, TVec>(ref float g, ref float hp, ref float hr, int n, int j, bool hasPrev)
        where TW : ISimd<float, TVec>
        where TVec : unmanaged
    {
        nuint nn = (nuint)n;
        for (; j + TW.Count <= n; j += TW.Count)
        {
            nuint u = (nuint)j;
            TVec r = GateMath.Sigmoid<TW, TVec>(TW.Load(ref g, u));
            TVec z = GateMath.Sigmoid<TW, TVec>(TW.Load(ref g, nn + u));
            TVec nv = GateMath.Tanh<TW, TVec>(TW.Add(TW.Load(ref g, 2 * nn + u), TW.Multiply(r, TW.Load(ref g, 3 * nn + u))));
            TW.Store(r, ref g, u);
            TW.Store(z, ref g, nn + u);
            TW.Store(nv, ref g, 2 * nn + u);
            TVec prev = hasPrev ? TW.Load(ref hp, u) : TW.Zero;
            TW.Store(TW.Add(nv, TW.Multiply(z, TW.Subtract(prev, nv))), ref hr, u);
        }
        return j;
    }

    private static int Samples(in RecurrentShape shape, int length, string paramName)
    {
        shape.Validate();
        long perSample = shape.InputsPerSample;
        if (length % perSample != 0)
            KernelGuard.WholeSamples(length, (int)perSample, "steps × features", paramName);
        return (int)(length / perSample);
    }
}
