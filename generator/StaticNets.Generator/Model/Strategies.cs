namespace StaticNets.Generator.Model;

/// <summary>
/// The compile-time budget that decides how each layer is emitted. Kept in one place so the docs
/// (docs/generator.md) and the emitted header comment say the same thing.
/// </summary>
internal static class Strategies
{
    /// <summary>
    /// A dense layer is unrolled into straight-line scalar code when it has fewer inputs than one
    /// Vector256&lt;float&gt; holds (8) and at most this many weights. Below 8 inputs a SIMD row would be
    /// all tail; above the budget straight-line code grows compile time and code size for no gain.
    /// </summary>
    public const int UnrollWeightBudget = 128;

    public const int UnrollMaxInputs = 8;

    public static DenseStrategy ChooseDense(int inputs, int outputs)
        => inputs < UnrollMaxInputs && (long)inputs * outputs <= UnrollWeightBudget
            ? DenseStrategy.Unrolled
            : DenseStrategy.RowDot;
}
