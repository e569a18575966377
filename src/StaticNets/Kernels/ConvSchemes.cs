// Linked into the generator (netstandard2.0): the emitted header names the scheme each convolution runs at each
// vector width from this same code, so the kernels' choice and the header cannot disagree. Plain C# only.
namespace StaticNets.Kernels;

/// <summary>Which scheme a convolution runs, from its shape and the vector width alone.</summary>
internal static class ConvSchemes
{
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
        long patch = (long)inChannels * kernelHeight * kernelWidth;
        long pairs = (outWidth + 2 * directLanes - 1) / (2 * directLanes);
        long paddedHeight = (long)(outHeight - 1) * strideY + kernelHeight, paddedWidth = outWidth + kernelWidth - 1;
        long direct = (outChannels + 5) / 6 * 6 * (long)outHeight * pairs * 2 * patch
            + inChannels * paddedHeight * ((paddedWidth + directLanes - 1) / directLanes);
        int g = gemmLanes < 1 ? 1 : gemmLanes;
        long plane = (long)outHeight * outWidth;
        long gemm = (outChannels + 3) / 4 * 4 * ((plane + g - 1) / g) * patch
            + 4 * patch * outHeight * ((outWidth + g - 1) / g);
        return direct <= gemm;
    }
}
