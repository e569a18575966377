// Linked into the generator (netstandard2.0): the emitted header names the scheme each convolution runs at each
// vector width from this same code, so the kernels' choice and the header cannot disagree. Plain C# only.
namespace StaticNets.Kernels;

/// <summary>The schemes a convolution can run.</summary>
internal enum ConvScheme
{
    /// <summary>Unroll the input (im2col), then a GEMM vectorised over the output plane.</summary>
    Im2Col,

    /// <summary>A 1×1 kernel, stride 1, no padding: the GEMM runs on the input itself.</summary>
    Pointwise,

    /// <summary>Direct, vectorised over the output width (StrideX 1, rows at least one vector wide).</summary>
    Direct,

    /// <summary>Vectorised over output channels: transposed weights, broadcast inputs, blocks of output positions.</summary>
    OutChannels,
}

/// <summary>Which scheme a convolution runs, from its shape and the vector width alone.</summary>
internal static class ConvSchemes
{
    /// <summary>Taps (InChannels × KernelHeight × KernelWidth) at most, for the channel-vectorised scheme's offset table on the stack.</summary>
    public const int MaxChannelSchemeTaps = 1024;

    /// <summary>
    /// The scheme a convolution runs. Pointwise where <paramref name="pointwise"/>; otherwise the cheapest, by a count
    /// of vector operations per sample, of im2col, direct (<see cref="UsesDirect"/>: only where StrideX is 1 and a
    /// vector of <paramref name="directLanes"/> fits the output row) and the channel-vectorised scheme
    /// (<see cref="ChannelCost"/>: only where a vector of <paramref name="channelLanes"/> fits the output channels, the
    /// output row is at least five wide, and the taps are at least six and at most <see cref="MaxChannelSchemeTaps"/>).
    /// On the machine the kernels were tuned on (Zen 4) LeNet's second layer (6 → 16 channels, 5 × 5, 10 × 10 out)
    /// takes the channel scheme at 512 and 256 bits and its first layer (1 → 6, 28 × 28 out) stays direct.
    /// The lane counts are those of the widest enabled vector that fits the output row, the output plane and the
    /// output channels respectively (<see cref="Lanes"/>; 0 for none).
    /// </summary>
    public static ConvScheme Choose(int inChannels, int kernelHeight, int kernelWidth, int strideY, int strideX, bool pointwise,
        int outChannels, int outHeight, int outWidth, int directLanes, int gemmLanes, int channelLanes)
    {
        if (pointwise)
            return ConvScheme.Pointwise;
        bool direct = UsesDirect(inChannels, kernelHeight, kernelWidth, strideY, strideX, pointwise, outChannels, outHeight, outWidth, directLanes, gemmLanes);
        long best = direct ? DirectCost(inChannels, kernelHeight, kernelWidth, strideY, outChannels, outHeight, outWidth, directLanes)
            : GemmCost(inChannels, kernelHeight, kernelWidth, outChannels, outHeight, outWidth, gemmLanes);
        long channel = ChannelCost(inChannels, kernelHeight, kernelWidth, strideY, strideX, outChannels, outHeight, outWidth, channelLanes);
        if (channel >= 0 && channel < best)
            return ConvScheme.OutChannels;
        return direct ? ConvScheme.Direct : ConvScheme.Im2Col;
    }

    /// <summary>
    /// Vector operations per sample of the channel-vectorised scheme, or −1 where it cannot run: the multiply-adds
    /// over its blocks (channel vectors of <paramref name="channelLanes"/> taken two at a time over one output row ×
    /// five columns, a last single vector over two rows × five columns; ragged ends recomputed), plus the transposes of
    /// the output (or output delta) and a padded, phase-split copy of the input, each counted as one operation per
    /// element (they are scalar).
    /// </summary>
    public static long ChannelCost(int inChannels, int kernelHeight, int kernelWidth, int strideY, int strideX,
        int outChannels, int outHeight, int outWidth, int channelLanes)
    {
        long patch = (long)inChannels * kernelHeight * kernelWidth;
        if (channelLanes == 0 || outChannels < channelLanes || outWidth < 5 || patch < 6 || patch > MaxChannelSchemeTaps)
            return -1;
        long vectors = (outChannels + channelLanes - 1) / channelLanes;
        long columns = (outWidth + 4) / 5 * 5;
        long pairs = vectors / 2 * 2 * outHeight * columns;
        long single = vectors % 2 * ((outHeight + 1) / 2 * 2) * columns;
        long paddedWidth = outWidth + (kernelWidth - 1) / strideX;
        long copy = (long)inChannels * ((outHeight - 1) * strideY + kernelHeight) * strideX * paddedWidth;
        return patch * (pairs + single) + 2L * outHeight * outWidth * outChannels + copy;
    }

    private static long DirectCost(int inChannels, int kernelHeight, int kernelWidth, int strideY, int outChannels, int outHeight, int outWidth, int directLanes)
    {
        long patch = (long)inChannels * kernelHeight * kernelWidth;
        long pairs = (outWidth + 2 * directLanes - 1) / (2 * directLanes);
        long paddedHeight = (long)(outHeight - 1) * strideY + kernelHeight, paddedWidth = outWidth + kernelWidth - 1;
        return (outChannels + 5) / 6 * 6 * (long)outHeight * pairs * 2 * patch
            + inChannels * paddedHeight * ((paddedWidth + directLanes - 1) / directLanes);
    }

    private static long GemmCost(int inChannels, int kernelHeight, int kernelWidth, int outChannels, int outHeight, int outWidth, int gemmLanes)
    {
        long patch = (long)inChannels * kernelHeight * kernelWidth;
        int g = gemmLanes < 1 ? 1 : gemmLanes;
        long plane = (long)outHeight * outWidth;
        return (outChannels + 3) / 4 * 4 * ((plane + g - 1) / g) * patch
            + 4 * patch * outHeight * ((outWidth + g - 1) / g);
    }

    /// <summary>Mask elements at most (chunks × kernel columns × lanes) for the row-fused col2im's mask table on the stack.</summary>
    public const int MaxRowMaskElements = 1024;

    /// <summary>
    /// Lanes of the vector the input delta's col2im runs along input rows with (ConvKernels.Col2ImRows), or 0
    /// where it keeps the scalar per-tap fold: StrideX 1, not pointwise, some vector enabled. A row narrower than the
    /// widest enabled vector takes the narrowest vector at least as wide (one store per row, its spare lanes spilling
    /// into the next row, which is written after it); a wider row takes the widest, in chunks (the last one
    /// overlapping). The per-chunk masks (one vector per kernel column) must fit <see cref="MaxRowMaskElements"/>.
    /// </summary>
    public static int InputDeltaLanes(int strideX, bool pointwise, int inWidth, int kernelWidth, int elementBytes, bool has512, bool has256, bool has128)
    {
        if (strideX != 1 || pointwise)
            return 0;
        int widest = has512 ? 64 / elementBytes : has256 ? 32 / elementBytes : has128 ? 16 / elementBytes : 0;
        if (widest == 0)
            return 0;
        int lanes = widest;
        if (inWidth < widest)
        {
            if (has128 && inWidth <= 16 / elementBytes)
                lanes = 16 / elementBytes;
            else if (has256 && inWidth <= 32 / elementBytes)
                lanes = 32 / elementBytes;
        }
        long chunks = (inWidth + lanes - 1) / lanes;
        return chunks * kernelWidth * lanes <= MaxRowMaskElements ? lanes : 0;
    }

    /// <summary>
    /// Whether the input delta's GEMM (Wᵀ·δ, vectorised over positions) runs once over a block of
    /// <paramref name="samples"/> samples' positions side by side instead of once per sample: where that computes
    /// at least 5 % fewer vectors (<see cref="GemmVectors"/>) per sample, i.e. the plane is ragged for the vector.
    /// LeNet's second layer (100 positions) blocks 4 samples at 512 bits (25 vectors per 400 positions instead of 7 per
    /// 100, measured 3 % faster backward) and stays per sample at 256 bits (50 instead of 4 × 13: no faster measured).
    /// The lane counts are those of the widest enabled vector that fits one plane and the block (0 for none).
    /// </summary>
    public static bool BlocksInputDelta(int plane, int samples, int laneOne, int laneBlock)
    {
        if (samples < 2 || laneOne == 0 || laneBlock == 0)
            return false;
        long one = GemmVectors(plane, laneOne);
        long block = GemmVectors((long)plane * samples, laneBlock);
        return block * 20 <= one * samples * 19;
    }

    /// <summary>
    /// Vectors of <paramref name="lanes"/> the GEMM computes per row of C over <paramref name="n"/> positions: the
    /// whole ones (in blocks of four, two, one) and a last one overlapping the ragged end.
    /// </summary>
    public static long GemmVectors(long n, int lanes) => n / lanes + (n % lanes != 0 ? 1 : 0);

    /// <summary>A 1×1 kernel with stride 1 and no padding: the input already is the GEMM operand, no unrolling.</summary>
    public static bool IsPointwise(int kernelHeight, int kernelWidth, int strideY, int strideX, int padTop, int padLeft, int inHeight, int inWidth, int outHeight, int outWidth)
        => kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1
        && padTop == 0 && padLeft == 0 && outHeight == inHeight && outWidth == inWidth;

    /// <summary>Lanes of the widest enabled vector no longer than <paramref name="length"/> (widths in bits, widest first; 0 when none fits).</summary>
    public static int Lanes(int length, int elementBytes, bool has512, bool has256, bool has128)
    {
        if (has512 && length >= 64 / elementBytes)
            return 64 / elementBytes;
        if (has256 && length >= 32 / elementBytes)
            return 32 / elementBytes;
        if (has128 && length >= 16 / elementBytes)
            return 16 / elementBytes;
        return 0;
    }

    /// <summary>
    /// Whether the direct scheme runs: StrideX = 1, a vector of <paramref name="directLanes"/> fits the output row,
    /// and its count of vector operations per sample (multiply-adds over its 6 × 2-vector blocks, plus the padded
    /// copy) is at most the im2col scheme's (multiply-adds over 4-channel blocks of whole-plane vectors of
    /// <paramref name="gemmLanes"/>, plus the unrolling: four per vector of each unrolled row segment, for the loop,
    /// the copy, the zero padding and the re-read from beyond L1; on LeNet's first layer that puts the measured
    /// im2col cost about right).
    /// </summary>
    public static bool UsesDirect(int inChannels, int kernelHeight, int kernelWidth, int strideY, int strideX, bool pointwise,
        int outChannels, int outHeight, int outWidth, int directLanes, int gemmLanes)
    {
        if (strideX != 1 || pointwise || directLanes == 0)
            return false;
        return DirectCost(inChannels, kernelHeight, kernelWidth, strideY, outChannels, outHeight, outWidth, directLanes)
            <= GemmCost(inChannels, kernelHeight, kernelWidth, outChannels, outHeight, outWidth, gemmLanes);
    }
}
