using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticNets.Kernels;

/// <summary>
/// Kernels of a 2-D convolution layer (cross-correlation, as in PyTorch's <c>Conv2d</c>): forward, and the
/// weight, bias and input gradients. Allocation-free; shapes are checked once on entry.
/// </summary>
/// <remarks>
/// <para>
/// Samples are NCHW (channels × height × width, row-major), a batch sample after sample; weights are
/// <c>[outChannels, inChannels, kernelHeight, kernelWidth]</c> row-major, biases one per output channel.
/// </para>
/// <para>
/// Scheme: per sample, the input is unrolled (im2col, channel-major) into <c>scratch</c> as a
/// <c>PatchSize × OutPlane</c> matrix, row <c>(ic, ky, kx)</c> holding that tap for every output position. The
/// forward is then the GEMM <c>W · col</c>, register-blocked four output channels × up to four vectors of positions,
/// writing each output channel's plane directly in NCHW order. The backward computes the weight gradient
/// <c>δ · colᵀ</c> from the same unrolled input, then reuses the scratch for <c>Wᵀ · δ</c> and folds it back
/// (col2im) into the input delta. A 1×1 kernel with stride 1 and no padding needs no unrolling and no scratch.
/// The backward unrolls a block of samples side by side and reduces their weight gradient together (one set of
/// horizontal sums per block, eight delta rows per pass over the unrolled input where there are 32 vector registers).
/// </para>
/// <para>
/// Where StrideX is 1 and a vector fits the output row, a direct scheme may run instead (see ConvKernels.Direct.cs):
/// the kernel picks whichever a count of vector operations per sample says is cheaper, from the shape and the
/// vector width; <see cref="Describe{T}"/> names the choice. Where the output channels fill at least one vector
/// and the plane is small, a scheme vectorised over output channels may run instead (see ConvKernels.Channels.cs);
/// the rule for all three is <see cref="ConvSchemes.Choose"/>.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static partial class ConvKernels
{
    private const string Inputs = "inputs";
    private const string Outputs = "outputs";

    /// <summary>
    /// Scratch elements <see cref="Forward{T}"/> and <see cref="Backward{T}"/> want for a batch of
    /// <paramref name="batch"/> samples: room for the unrolled inputs of a block of up to eight samples (as many as
    /// fit in 256 KiB; the im2col backward reduces its weight gradient once per block), and at least one sample's
    /// unrolled or padded input; 0 for a 1×1 kernel with stride 1 and no padding. It grows with the batch up to
    /// that block. The kernels accept any scratch of at least <c>ScratchLength(s, 1)</c> and use as many samples
    /// per block as fit, so a workspace sized for a batch capacity serves every smaller batch.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="batch">Samples per call, at least 0 (0 counts as 1).</param>
    /// <returns>The length of the <c>scratch</c> span to allocate.</returns>
    /// <exception cref="ArgumentException"><paramref name="s"/> is not valid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    public static int ScratchLength<T>(in Conv2DShape s, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        s.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (IsPointwise(s))
            return 0;
        return (int)Math.Min(int.MaxValue, Math.Max(BlockLength<T>(s, Math.Clamp(batch, 1, GradientChunk<T>(s))), ColumnLength<T>(s)));
    }

    // Scratch of a block of k samples: their unrolled inputs (or their unrolled Wᵀ·δ side by side) and, for two or
    // more, their output deltas packed channel by channel (the input delta's GEMM over the block's positions).
    private static long BlockLength<T>(in Conv2DShape s, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (long)k * s.OutPlane * (s.PatchSize + (k > 1 ? s.OutChannels : 0));

    // Scratch of every scheme the shape may take (the choice depends on the vector width): the unrolled input, the
    // padded one, or the channel scheme's.
    private static int ColumnLength<T>(in Conv2DShape s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => IsPointwise(s) ? 0
        : Math.Max(Math.Max(s.PatchSize * s.OutPlane, PaddedLength(s)), ChannelSchemePossible<T>(s) ? ChannelLength(s) : 0);

    /// <summary>
    /// A short human-readable name of the scheme <see cref="Forward{T}"/> and <see cref="Backward{T}"/> run for
    /// this shape on this machine (the choice depends on the shape and the vector width), for generated headers.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <returns>For example "direct, vectorised over output width (6 channels × 2 vectors of 512 bits)".</returns>
    /// <exception cref="ArgumentException"><paramref name="s"/> is not valid.</exception>
    public static string Describe<T>(in Conv2DShape s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        s.Validate();
        int rows = RowLanes<T>(s);
        string delta = rows > 0 ? $"; input delta folded along input rows ({rows * Unsafe.SizeOf<T>() * 8}-bit)" : "";
        return Scheme<T>(s) + delta;
    }

    private static string Scheme<T>(in Conv2DShape s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ConvScheme scheme = SchemeOf<T>(s);
        if (scheme == ConvScheme.OutChannels)
        {
            int l = ChannelLanes<T>(s.OutChannels), v = (s.OutChannels + l - 1) / l;
            return $"vectorised over output channels ({v} × {l * Unsafe.SizeOf<T>() * 8}-bit vector{(v == 1 ? "" : "s")}, blocks of 10 positions; transposed weights)";
        }
        if (scheme == ConvScheme.Direct)
            return $"direct, vectorised over output width (6 channels × 2 vectors of {DirectLanes<T>(s.OutWidth) * Unsafe.SizeOf<T>() * 8} bits)";
        int lanes = GemmLanes<T>(s.OutPlane);
        string gemm = lanes == 1 ? "scalar GEMM"
            : $"4-channel × {(lanes * Unsafe.SizeOf<T>() == 64 ? 4 : 2)}-vector GEMM of {lanes * Unsafe.SizeOf<T>() * 8} bits";
        return IsPointwise(s) ? $"pointwise, {gemm} on the input" : $"im2col + {gemm}";
    }

    /// <summary>
    /// Computes a batch's outputs: <c>output[n, oc, oy, ox] = bias[oc] + Σ_{ic,ky,kx} w[oc, ic, ky, kx] ·
    /// input[n, ic, oy·StrideY − PadTop + ky, ox·StrideX − PadLeft + kx]</c>, reading zero outside the input.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="weights">The weights, <see cref="Conv2DShape.WeightCount"/> of them.</param>
    /// <param name="bias">The biases, <c>OutChannels</c> of them, or empty for none.</param>
    /// <param name="input">The inputs, a whole number of samples of <see cref="Conv2DShape.InputSize"/>.</param>
    /// <param name="output">Receives as many samples of <see cref="Conv2DShape.OutputSize"/>.</param>
    /// <param name="scratch">Work space of at least <c>ScratchLength(s, 1)</c> elements (<c>ScratchLength(s, batch)</c> for the fastest backward); its contents are overwritten.</param>
    /// <param name="threads">The most threads the call may use: the batch is split into sub-batches, as many as <paramref name="scratch"/> has room for, each computed exactly as on one thread.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or an output span overlaps another span.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void Forward<T>(in Conv2DShape s, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ForwardCore(s, default, weights, bias, input, output, scratch, threads);

    private static void ForwardCore<T>(in Conv2DShape s, ReadOnlySpan<T> prepared, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        s.Validate();
        int inSize = s.InputSize, outSize = s.OutputSize;
        KernelGuard.Length(weights.Length, s.WeightCount, "outChannels × inChannels × kernelHeight × kernelWidth", nameof(weights));
        KernelGuard.EmptyOr(bias.Length, s.OutChannels, "one per output channel", nameof(bias));
        KernelGuard.WholeSamples(input.Length, inSize, Inputs, nameof(input));
        int batch = input.Length / inSize;
        KernelGuard.Samples(output.Length, batch, outSize, Outputs, nameof(output));
        bool pointwise = IsPointwise(s);
        int colLength = ColumnLength<T>(s);
        KernelGuard.AtLeast(scratch.Length, colLength, "ConvKernels.ScratchLength", nameof(scratch));
        KernelGuard.NoOverlap(input, output, nameof(input), nameof(output));
        KernelGuard.NoOverlap(weights, output, nameof(weights), nameof(output));
        KernelGuard.NoOverlap(bias, output, nameof(bias), nameof(output));
        KernelGuard.NoOverlap(scratch, output, nameof(scratch), nameof(output));
        KernelGuard.NoOverlap(prepared, output, nameof(prepared), nameof(output));
        if (!pointwise)
        {
            KernelGuard.NoOverlap(input, scratch, nameof(input), nameof(scratch));
            KernelGuard.NoOverlap(weights, scratch, nameof(weights), nameof(scratch));
            KernelGuard.NoOverlap(bias, scratch, nameof(bias), nameof(scratch));
        }

        KernelGuard.Positive(threads, nameof(threads));
        if (batch == 0)
            return;
        // Split the batch into sub-batches, each with its own slice of the scratch: every sample's result is
        // computed by the same code whichever sub-batch holds it.
        int chunks = ForwardChunks(s, batch, colLength, scratch.Length, threads);
        if (chunks > 1)
            ForwardSplit(s, prepared, weights, bias, input, output, scratch, colLength, chunks, threads);
        else
            ForwardSamples(s, prepared, weights, bias, input, output, scratch);
    }

    // The batch's forward on the calling thread, after the checks.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSamples<T>(in Conv2DShape s, ReadOnlySpan<T> prepared, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, ReadOnlySpan<T> input, Span<T> output, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int inSize = s.InputSize, outSize = s.OutputSize, batch = input.Length / inSize;
        bool pointwise = IsPointwise(s);
        ref T w = ref MemoryMarshal.GetReference(weights);
        ref T b = ref MemoryMarshal.GetReference(bias);
        ref T x = ref MemoryMarshal.GetReference(input);
        ref T z = ref MemoryMarshal.GetReference(output);
        ref T col = ref MemoryMarshal.GetReference(scratch);
        bool hasBias = !bias.IsEmpty;
        nuint patch = (nuint)s.PatchSize, plane = (nuint)s.OutPlane, oc = (nuint)s.OutChannels;
        ConvScheme scheme = SchemeOf<T>(s);
        if (scheme == ConvScheme.OutChannels)
        {
            ChannelForward(s, weights, bias, input, output, scratch, prepared.Length == PreparedLength<T>(s) ? prepared : default);
            return;
        }
        bool direct = scheme == ConvScheme.Direct;
        for (int n = 0; n < batch; n++)
        {
            ref T xn = ref Unsafe.Add(ref x, (nuint)n * (nuint)inSize);
            ref T zn = ref Unsafe.Add(ref z, (nuint)n * (nuint)outSize);
            if (pointwise)
            {
                Gemm(ref w, patch, 1, ref b, hasBias, ref xn, ref zn, oc, patch, plane);
            }
            else if (direct)
            {
                PadInput(s, ref xn, ref col);
                DirectForward(s, ref w, ref b, hasBias, ref col, ref zn);
            }
            else
            {
                Im2Col(s, ref xn, ref col);
                Gemm(ref w, patch, 1, ref b, hasBias, ref col, ref zn, oc, patch, plane);
            }
        }
    }

    /// <summary>
    /// Back-propagates a batch: given <paramref name="outputDelta"/> = ∂C/∂output, ADDS ∂C/∂w into
    /// <paramref name="weightGradient"/> and ∂C/∂b into <paramref name="biasGradient"/>, and OVERWRITES
    /// <paramref name="inputDelta"/> with ∂C/∂input.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="weights">The weights, <see cref="Conv2DShape.WeightCount"/> of them.</param>
    /// <param name="input">The layer's inputs of the forward pass, a whole number of samples of <see cref="Conv2DShape.InputSize"/>.</param>
    /// <param name="outputDelta">∂C/∂output, as many samples of <see cref="Conv2DShape.OutputSize"/>.</param>
    /// <param name="weightGradient">The weight gradient, <see cref="Conv2DShape.WeightCount"/> values; accumulates.</param>
    /// <param name="biasGradient">The bias gradient, <c>OutChannels</c> values (accumulates), or empty for a layer without bias.</param>
    /// <param name="inputDelta">Receives ∂C/∂input, as long as <paramref name="input"/>; or empty to skip that work (a first layer).</param>
    /// <param name="scratch">Work space of at least <c>ScratchLength(s, 1)</c> elements (<c>ScratchLength(s, batch)</c> for the fastest backward); its contents are overwritten.</param>
    /// <param name="threads">The most threads the call may use (see <see cref="Parallelism"/>): the weight gradient splits its output channels (its taps where the scheme vectorises over channels) and ∂C/∂input its samples, each chunk with a scratch of the same length of its own; every value is computed exactly as on one thread.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or an output span overlaps another span.</exception>
    public static void Backward<T>(in Conv2DShape s, ReadOnlySpan<T> weights, ReadOnlySpan<T> input, ReadOnlySpan<T> outputDelta,
        Span<T> weightGradient, Span<T> biasGradient, Span<T> inputDelta, Span<T> scratch, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        s.Validate();
        int inSize = s.InputSize, outSize = s.OutputSize;
        KernelGuard.Length(weights.Length, s.WeightCount, "outChannels × inChannels × kernelHeight × kernelWidth", nameof(weights));
        KernelGuard.WholeSamples(input.Length, inSize, Inputs, nameof(input));
        int batch = input.Length / inSize;
        KernelGuard.Samples(outputDelta.Length, batch, outSize, Outputs, nameof(outputDelta));
        KernelGuard.Length(weightGradient.Length, s.WeightCount, "outChannels × inChannels × kernelHeight × kernelWidth", nameof(weightGradient));
        KernelGuard.EmptyOr(biasGradient.Length, s.OutChannels, "one per output channel", nameof(biasGradient));
        KernelGuard.EmptyOr(inputDelta.Length, input.Length, "the length of input", nameof(inputDelta));
        bool pointwise = IsPointwise(s);
        int colLength = ColumnLength<T>(s);
        KernelGuard.AtLeast(scratch.Length, colLength, "ConvKernels.ScratchLength", nameof(scratch));
        ReadOnlySpan<T> sc = pointwise ? default
            : scratch.Slice(0, (int)Math.Min(scratch.Length, Math.Max(colLength, BlockLength<T>(s, GradientChunk<T>(s)))));
        KernelGuard.NoOverlap(weights, weightGradient, nameof(weights), nameof(weightGradient));
        KernelGuard.NoOverlap(input, weightGradient, nameof(input), nameof(weightGradient));
        KernelGuard.NoOverlap(outputDelta, weightGradient, nameof(outputDelta), nameof(weightGradient));
        KernelGuard.NoOverlap(sc, weightGradient, nameof(scratch), nameof(weightGradient));
        KernelGuard.NoOverlap(outputDelta, biasGradient, nameof(outputDelta), nameof(biasGradient));
        KernelGuard.NoOverlap(weightGradient, biasGradient, nameof(weightGradient), nameof(biasGradient));
        KernelGuard.NoOverlap(sc, biasGradient, nameof(scratch), nameof(biasGradient));
        KernelGuard.NoOverlap(weights, inputDelta, nameof(weights), nameof(inputDelta));
        KernelGuard.NoOverlap(input, inputDelta, nameof(input), nameof(inputDelta));
        KernelGuard.NoOverlap(outputDelta, inputDelta, nameof(outputDelta), nameof(inputDelta));
        KernelGuard.NoOverlap(weightGradient, inputDelta, nameof(weightGradient), nameof(inputDelta));
        KernelGuard.NoOverlap(biasGradient, inputDelta, nameof(biasGradient), nameof(inputDelta));
        KernelGuard.NoOverlap(sc, inputDelta, nameof(scratch), nameof(inputDelta));
        KernelGuard.NoOverlap(input, sc, nameof(input), nameof(scratch));
        KernelGuard.NoOverlap(weights, sc, nameof(weights), nameof(scratch));
        KernelGuard.NoOverlap(outputDelta, sc, nameof(outputDelta), nameof(scratch));

        ConvScheme scheme = SchemeOf<T>(s);
        int rowLanes = inputDelta.IsEmpty ? 0 : RowLanes<T>(s);
        // The input delta of a block of samples in one GEMM over their positions side by side (a longer, less
        // ragged N for the vectors: 4 × 100 positions instead of 100 for LeNet's second layer), folded sample by
        // sample; where the scratch holds two samples or more, the fold runs along input rows and the rule says
        // the block computes fewer vectors (ConvSchemes.BlocksInputDelta).
        int deltaChunk = rowLanes > 0 ? InputDeltaBlock<T>(s, batch, scratch.Length) : 1;
        KernelGuard.Positive(threads, nameof(threads));
        if (threads > 1 && BackwardSplit(s, weights, input, outputDelta, weightGradient, biasGradient, inputDelta, scratch.Length, scheme, rowLanes, deltaChunk, threads))
            return;
        // One thread: the three parts over their whole ranges, as the split runs them over its chunks'.
        WeightGradients(s, scheme, input, outputDelta, weightGradient, scratch, 0, WeightRange(s, scheme));
        if (!biasGradient.IsEmpty)
            BiasGradients(s, outputDelta, biasGradient, 0, s.OutChannels);
        if (!inputDelta.IsEmpty)
            InputDeltas(s, rowLanes, deltaChunk, weights, outputDelta, scratch, inputDelta);
    }

    // ∂W += over the whole batch for output channels [from, to) (taps [from, to) of every channel where the scheme
    // vectorises over channels). A range starts where the scheme's block of channels (or taps) starts on one thread.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradients<T>(in Conv2DShape s, ConvScheme scheme, ReadOnlySpan<T> input, ReadOnlySpan<T> outputDelta, Span<T> weightGradient, Span<T> scratch, int from, int to)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (scheme == ConvScheme.OutChannels)
        {
            ChannelWeightGradient(s, input, outputDelta, weightGradient, scratch, from, to);
            return;
        }
        int inSize = s.InputSize, outSize = s.OutputSize, patch = s.PatchSize, plane = s.OutPlane, batch = input.Length / inSize;
        ref T x = ref MemoryMarshal.GetReference(input);
        ref T d = ref Unsafe.Add(ref MemoryMarshal.GetReference(outputDelta), (nuint)(from * plane));
        ref T g = ref Unsafe.Add(ref MemoryMarshal.GetReference(weightGradient), (nuint)(from * patch));
        ref T col = ref MemoryMarshal.GetReference(scratch);
        nuint rows = (nuint)(to - from);
        if (IsPointwise(s))
        {
            // The inputs already are the unrolled matrices: one weight-gradient pass over the whole batch.
            GradGemm(ref d, (nuint)outSize, ref x, (nuint)inSize, (nuint)batch, ref g, rows, (nuint)patch, (nuint)plane);
        }
        else if (scheme == ConvScheme.Direct)
        {
            // The direct kernel on the range's own channels: its blocks of three start at `from` as they would at 0.
            Conv2DShape channels = s with { OutChannels = to - from };
            for (int n = 0; n < batch; n++)
            {
                PadInput(s, ref Unsafe.Add(ref x, (nuint)n * (nuint)inSize), ref col);
                DirectWeightGradient(channels, ref Unsafe.Add(ref d, (nuint)n * (nuint)outSize), ref col, ref g);
            }
        }
        else
        {
            // A block of samples unrolled side by side: the weight gradient's horizontal sums once per block.
            int unrolled = patch * plane;
            int block = Math.Min(batch, Math.Min(GradientChunk<T>(s), scratch.Length / unrolled));
            for (int n0 = 0; n0 < batch; n0 += block)
            {
                int count = Math.Min(block, batch - n0);
                for (int k = 0; k < count; k++)
                    Im2Col(s, ref Unsafe.Add(ref x, (nuint)(n0 + k) * (nuint)inSize), ref Unsafe.Add(ref col, (nuint)(k * unrolled)));
                GradGemm(ref Unsafe.Add(ref d, (nuint)n0 * (nuint)outSize), (nuint)outSize, ref col, (nuint)unrolled, (nuint)count, ref g, rows, (nuint)patch, (nuint)plane);
            }
        }
    }

    // ∂b += Σ δ for output channels [c0, c1), sample after sample.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BiasGradients<T>(in Conv2DShape s, ReadOnlySpan<T> outputDelta, Span<T> biasGradient, int c0, int c1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int outSize = s.OutputSize, plane = s.OutPlane, batch = outputDelta.Length / outSize;
        for (int n = 0; n < batch; n++)
            for (int c = c0; c < c1; c++)
                biasGradient[c] += VectorMath.Sum(outputDelta.Slice(n * outSize + c * plane, plane));
    }

    // ∂C/∂input of the samples of outputDelta into inputDelta (as many), in blocks of deltaChunk samples or one by one.
    // Row folds write only within inputDelta, so a range of samples never touches its neighbours'.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputDeltas<T>(in Conv2DShape s, int rowLanes, int deltaChunk, ReadOnlySpan<T> weights, ReadOnlySpan<T> outputDelta, Span<T> scratch, Span<T> inputDelta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T w = ref MemoryMarshal.GetReference(weights);
        if (deltaChunk > 1)
        {
            BlockedInputDelta(s, rowLanes, deltaChunk, ref w, outputDelta, scratch, inputDelta);
            return;
        }
        int inSize = s.InputSize, outSize = s.OutputSize, batch = outputDelta.Length / outSize;
        nuint patch = (nuint)s.PatchSize, oc = (nuint)s.OutChannels, plane = (nuint)s.OutPlane;
        ref T col = ref MemoryMarshal.GetReference(scratch);
        bool pointwise = IsPointwise(s);
        for (int n = 0; n < batch; n++)
        {
            ref T dn = ref Unsafe.Add(ref MemoryMarshal.GetReference(outputDelta), (nuint)n * (nuint)outSize);
            ref T dxn = ref Unsafe.Add(ref MemoryMarshal.GetReference(inputDelta), (nuint)n * (nuint)inSize);
            if (pointwise)
            {
                Gemm(ref w, 1, patch, ref w, false, ref dn, ref dxn, patch, oc, plane);
                continue;
            }
            Gemm(ref w, 1, patch, ref w, false, ref dn, ref col, patch, oc, plane);
            if (rowLanes > 0)
                Col2ImRows(s, rowLanes, ref col, (int)plane, scratch.Length, ref dxn, inputDelta.Length - n * inSize);
            else
                Col2Im(s, ref col, ref dxn);
        }
    }

    /// <summary>
    /// Samples per block of the input delta's GEMM for a batch and a scratch length (1: per sample): as many as
    /// the scratch holds, at most the weight gradient's block, where the rule (<see cref="ConvSchemes.BlocksInputDelta"/>)
    /// takes them and the fold runs along input rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int InputDeltaBlock<T>(in Conv2DShape s, int batch, int scratchLength)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (IsPointwise(s) || RowLanes<T>(s) == 0)
            return 1;
        int k = Math.Min(batch, GradientChunk<T>(s));
        while (k > 1 && BlockLength<T>(s, k) > scratchLength)
            k--;
        return k > 1 && ConvSchemes.BlocksInputDelta(s.OutPlane, k, GemmLanes<T>(s.OutPlane), GemmLanes<T>(k * s.OutPlane)) ? k : 1;
    }

    // δ of up to k samples packed as [oc][sample·plane + p] after their unrolled Wᵀ·δ ([tap][sample·plane + p]),
    // one GEMM per block, then the row fold per sample (tap rows k·plane apart).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockedInputDelta<T>(in Conv2DShape s, int rowLanes, int k, ref T w, ReadOnlySpan<T> outputDelta, Span<T> scratch, Span<T> inputDelta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int plane = s.OutPlane, outSize = s.OutputSize, inSize = s.InputSize, patch = s.PatchSize, oc = s.OutChannels;
        int batch = outputDelta.Length / outSize;
        ref T col = ref MemoryMarshal.GetReference(scratch);
        ref T dx = ref MemoryMarshal.GetReference(inputDelta);
        for (int n0 = 0; n0 < batch; n0 += k)
        {
            int count = Math.Min(k, batch - n0), n = count * plane, packAt = count * plane * patch;
            Span<T> pack = scratch.Slice(packAt, n * oc);
            for (int c = 0; c < oc; c++)
                for (int j = 0; j < count; j++)
                    outputDelta.Slice((n0 + j) * outSize + c * plane, plane).CopyTo(pack.Slice(c * n + j * plane, plane));
            Gemm(ref w, 1, (nuint)patch, ref w, false, ref MemoryMarshal.GetReference(pack), ref col, (nuint)patch, (nuint)oc, (nuint)n);
            for (int j = 0; j < count; j++)
            {
                int sample = n0 + j;
                Col2ImRows(s, rowLanes, ref Unsafe.Add(ref col, (nuint)(j * plane)), n, scratch.Length - j * plane,
                    ref Unsafe.Add(ref dx, (nuint)sample * (nuint)inSize), inputDelta.Length - sample * inSize);
            }
        }
    }

    /// <summary>
    /// Samples the im2col backward unrolls side by side (so its weight gradient reduces once per block): as many
    /// as fit in 256 KiB (about half a typical L2), at least one and at most eight; 1 for the other schemes.
    /// </summary>
    private static int GradientChunk<T>(in Conv2DShape s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => IsPointwise(s) ? 1 : Math.Clamp(256 * 1024 / (s.PatchSize * s.OutPlane * Unsafe.SizeOf<T>()), 1, 8);

    /// <summary>A 1×1 kernel with stride 1 and no padding: the input already is the unrolled matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPointwise(in Conv2DShape s)
        => ConvSchemes.IsPointwise(s.KernelHeight, s.KernelWidth, s.StrideY, s.StrideX, s.PadTop, s.PadLeft, s.InHeight, s.InWidth, s.OutHeight, s.OutWidth);

    /// <summary>
    /// The output columns <c>[lo, end)</c> whose tap at kernel column <paramref name="kx"/> falls inside the
    /// input (<c>0 ≤ ox·StrideX − PadLeft + kx &lt; InWidth</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ValidColumns(in Conv2DShape s, int kx, out int lo, out int end)
    {
        int shift = s.PadLeft - kx; // ix = ox·sx − shift
        lo = shift <= 0 ? 0 : (shift + s.StrideX - 1) / s.StrideX;
        int last = s.InWidth - 1 + shift; // ox·sx ≤ last
        end = last < 0 ? 0 : last / s.StrideX + 1;
        if (end > s.OutWidth)
            end = s.OutWidth;
        if (lo > end)
            lo = end;
    }

    // col[((ic·KH + ky)·KW + kx)·P + oy·OW + ox] = x[ic, oy·sy − pt + ky, ox·sx − pl + kx], or 0 outside.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2Col<T>(in Conv2DShape s, ref T x, ref T col)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int ow = s.OutWidth, sx = s.StrideX;
        nuint plane = (nuint)s.OutPlane;
        ref T row = ref col;
        for (int ic = 0; ic < s.InChannels; ic++)
        {
            ref T xc = ref Unsafe.Add(ref x, (nuint)(ic * s.InHeight * s.InWidth));
            for (int ky = 0; ky < s.KernelHeight; ky++)
            {
                for (int kx = 0; kx < s.KernelWidth; kx++)
                {
                    ValidColumns(s, kx, out int lo, out int end);
                    int ixLo = lo * sx - s.PadLeft + kx;
                    ref T dst = ref row;
                    for (int oy = 0; oy < s.OutHeight; oy++)
                    {
                        int iy = oy * s.StrideY - s.PadTop + ky;
                        if ((uint)iy >= (uint)s.InHeight || lo == end)
                        {
                            MemoryMarshal.CreateSpan(ref dst, ow).Clear();
                        }
                        else
                        {
                            if (lo > 0)
                                MemoryMarshal.CreateSpan(ref dst, lo).Clear();
                            ref T src = ref Unsafe.Add(ref xc, (nuint)(iy * s.InWidth + ixLo));
                            if (sx == 1)
                            {
                                CopyShort(ref src, ref Unsafe.Add(ref dst, (nuint)lo), end - lo);
                            }
                            else
                            {
                                for (int ox = lo, ix = 0; ox < end; ox++, ix += sx)
                                    Unsafe.Add(ref dst, (nuint)ox) = Unsafe.Add(ref src, (nuint)ix);
                            }
                            if (end < ow)
                                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref dst, (nuint)end), ow - end).Clear();
                        }
                        dst = ref Unsafe.Add(ref dst, (nuint)ow);
                    }
                    row = ref Unsafe.Add(ref row, plane);
                }
            }
        }
    }

    // The adjoint of Im2Col: dx is cleared, then every entry of col is added to the input element it was read
    // from; entries read from the padding are dropped.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Col2Im<T>(in Conv2DShape s, ref T col, ref T dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int ow = s.OutWidth, sx = s.StrideX;
        nuint plane = (nuint)s.OutPlane;
        MemoryMarshal.CreateSpan(ref dx, s.InputSize).Clear();
        ref T row = ref col;
        for (int ic = 0; ic < s.InChannels; ic++)
        {
            ref T dc = ref Unsafe.Add(ref dx, (nuint)(ic * s.InHeight * s.InWidth));
            for (int ky = 0; ky < s.KernelHeight; ky++)
            {
                for (int kx = 0; kx < s.KernelWidth; kx++)
                {
                    ValidColumns(s, kx, out int lo, out int end);
                    int ixLo = lo * sx - s.PadLeft + kx;
                    if (lo < end)
                    {
                        for (int oy = 0; oy < s.OutHeight; oy++)
                        {
                            int iy = oy * s.StrideY - s.PadTop + ky;
                            if ((uint)iy >= (uint)s.InHeight)
                                continue;
                            ref T src = ref Unsafe.Add(ref row, (nuint)(oy * ow + lo));
                            ref T dst = ref Unsafe.Add(ref dc, (nuint)(iy * s.InWidth + ixLo));
                            if (sx == 1)
                            {
                                AddShort(ref src, ref dst, end - lo);
                            }
                            else
                            {
                                for (int i = 0, ix = 0; i < end - lo; i++, ix += sx)
                                    Unsafe.Add(ref dst, (nuint)ix) += Unsafe.Add(ref src, (nuint)i);
                            }
                        }
                    }
                    row = ref Unsafe.Add(ref row, plane);
                }
            }
        }
    }

    // Rows of an output plane are short (tens of elements), too short for a call to memmove or a checked
    // kernel to pay off: whole vectors, then one last vector overlapping the previous one (a copy is
    // idempotent), then scalars only for rows shorter than a vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void CopyShort<T>(ref T src, ref T dst, int length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = Vector<T>.Count;
        if (Vector.IsHardwareAccelerated && Simd.IsVectorizable<T>() && length >= c)
        {
            int i = 0;
            for (; i + c <= length; i += c)
                Vector.LoadUnsafe(ref src, (nuint)i).StoreUnsafe(ref dst, (nuint)i);
            if (i < length)
                Vector.LoadUnsafe(ref src, (nuint)(length - c)).StoreUnsafe(ref dst, (nuint)(length - c));
        }
        else
        {
            for (int i = 0; i < length; i++)
                Unsafe.Add(ref dst, (nuint)i) = Unsafe.Add(ref src, (nuint)i);
        }
    }

    // dst[i] += src[i]. Additions are not idempotent, so the ragged end is scalar.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AddShort<T>(ref T src, ref T dst, int length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Simd.IsVectorizable<T>())
        {
            int c = Vector<T>.Count;
            for (; i + c <= length; i += c)
                (Vector.LoadUnsafe(ref dst, (nuint)i) + Vector.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < length; i++)
            Unsafe.Add(ref dst, (nuint)i) += Unsafe.Add(ref src, (nuint)i);
    }
}
