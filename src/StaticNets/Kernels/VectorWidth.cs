namespace StaticNets.Kernels;

/// <summary>
/// Test hook that caps the vector width the kernels use, so that one machine can exercise the 512-, 256-,
/// 128-bit and scalar paths.
/// </summary>
/// <remarks>
/// Drivers test <c>VectorNNN.IsHardwareAccelerated</c> before this field, so where a width is missing the JIT
/// folds the whole branch away and the field is never read; where it is present, one load per call.
/// Not thread-safe by design: only tests that run alone change it.
/// </remarks>
internal static class VectorWidth
{
    /// <summary>The widest vectors the kernels may use, in bits: 512, 256, 128, or 0 for scalar code only.</summary>
    internal static int MaxBits = 512;

    /// <summary>
    /// Forces the convolution scheme vectorised over output channels wherever it can run (a test hook, so that its
    /// padded and strided paths are checked on shapes the cost model gives to another scheme); false: the model decides.
    /// </summary>
    internal static bool ForceChannelScheme;
}
