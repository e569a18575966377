using System;
using System.Numerics;

namespace StaticNets.Kernels;

// Weights in the layout a scheme reads, kept by the caller between calls: a network keeps them as a weight cache
// rebuilt once per parameter version, so a single-sample forward does not transpose 2,400 weights per call
// (LeNet's conv2 at batch 1: about a third of its time).
public static partial class ConvKernels
{
    /// <summary>
    /// Elements of the prepared weights for this shape at the current vector width (0 when the scheme that runs
    /// reads the weights as they are). A prepared copy of another length is ignored by <see cref="ForwardPrepared{T}"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    public static int PreparedLength<T>(in Conv2DShape s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        s.Validate();
        if (SchemeOf<T>(s) != ConvScheme.OutChannels)
            return 0;
        int lanes = ChannelLanes<T>(s.OutChannels), vl = (s.OutChannels + lanes - 1) / lanes * lanes;
        return s.PatchSize * vl + vl;
    }

    /// <summary>Writes the prepared copy of <paramref name="weights"/> and <paramref name="bias"/> (empty for none) into <paramref name="prepared"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="weights">The weights, <see cref="Conv2DShape.WeightCount"/> of them.</param>
    /// <param name="bias">The biases, <c>OutChannels</c> of them, or empty.</param>
    /// <param name="prepared">Exactly <see cref="PreparedLength{T}"/> elements.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void PrepareWeights<T>(in Conv2DShape s, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, Span<T> prepared)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int length = PreparedLength<T>(s);
        KernelGuard.Length(weights.Length, s.WeightCount, "outChannels × inChannels × kernelHeight × kernelWidth", nameof(weights));
        KernelGuard.EmptyOr(bias.Length, s.OutChannels, "one per output channel", nameof(bias));
        KernelGuard.Length(prepared.Length, length, "ConvKernels.PreparedLength", nameof(prepared));
        if (length == 0)
            return;
        int lanes = ChannelLanes<T>(s.OutChannels), vl = (s.OutChannels + lanes - 1) / lanes * lanes, patch = s.PatchSize;
        TransposeChannelWeights(weights, bias, s.OutChannels, patch, vl, prepared.Slice(0, patch * vl), prepared.Slice(patch * vl, vl));
    }

    /// <summary>
    /// <see cref="Forward{T}"/> reading the weights from <paramref name="prepared"/> (from <see cref="PrepareWeights{T}"/>
    /// for the same weights and biases) where the scheme that runs can; <paramref name="weights"/> and
    /// <paramref name="bias"/> are still what defines the result (and what other schemes read).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="s">The shape.</param>
    /// <param name="prepared">The prepared copy; ignored when its length is not <see cref="PreparedLength{T}"/> at the current vector width.</param>
    /// <param name="weights">The weights, <see cref="Conv2DShape.WeightCount"/> of them.</param>
    /// <param name="bias">The biases, <c>OutChannels</c> of them, or empty for none.</param>
    /// <param name="input">The inputs, a whole number of samples of <see cref="Conv2DShape.InputSize"/>.</param>
    /// <param name="output">Receives as many samples of <see cref="Conv2DShape.OutputSize"/>.</param>
    /// <param name="scratch">Work space of at least <c>ScratchLength(s, 1)</c> elements.</param>
    /// <param name="threads">The most threads the call may use: the batch is split into sub-batches, as many as <paramref name="scratch"/> has room for, each computed exactly as on one thread.</param>
    /// <exception cref="ArgumentException">The shape is not valid, a length does not match, or an output span overlaps another span.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void ForwardPrepared<T>(in Conv2DShape s, ReadOnlySpan<T> prepared, ReadOnlySpan<T> weights, ReadOnlySpan<T> bias, ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ForwardCore(s, prepared, weights, bias, input, output, scratch, threads);
}
