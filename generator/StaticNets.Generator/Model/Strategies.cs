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

    /// <summary>DenseKernels packs Wᵀ in panels of this many bytes of outputs; a layer narrower than one panel has nothing to pack.</summary>
    public const int PanelBytes = 256;

    public const int UnrollMaxInputs = 8;

    /// <summary>
    /// Up to this many inputs, single-sample forward is vectorised over outputs from a transposed copy of
    /// the weights: a row of so few inputs is mostly horizontal-sum overhead, while a broadcast input feeds
    /// whole vectors of outputs. Above it a row dot product amortises its one horizontal sum.
    /// </summary>
    public const int OutputVectorMaxInputs = 64;

    /// <summary>Fewest outputs for the output-vector strategy: one Vector256&lt;float&gt;.</summary>
    public const int OutputVectorMinOutputs = 8;

    /// <summary>
    /// Above this many weights the transposed copy costs more memory and refresh time than it saves;
    /// (64 inputs × 1024 outputs, 256 KiB in float).
    /// </summary>
    public const int OutputVectorWeightBudget = 64 * 1024;

    /// <summary>
    /// The generated-size budget of the fused single-sample forward (small dense chains, every layer ≤ 64 × 64): its
    /// three methods (512-, 256- and 128-bit vectors) may write at most this many vector multiply-adds together, each a
    /// statement; a network over it gets the per-layer code. Measured (benchmarks/RESULTS.md, 2026-12-01, `-- fused`):
    /// 4 × 32 ReLU layers (1,376) are 0.66–0.95× the per-layer time fused, 2 × 64 (1,832) 0.64× with full JIT but
    /// 1.32× tiered, 8 × 32 (3,168) 3.1× and 12 × 64 (19,752, 3.3 MB of source) 5–11× slower.
    /// </summary>
    public const int FusedMultiplyAddBudget = 1536;

    /// <summary>
    /// The one decision for the public batched <c>Forward(inputs, outputs, workspace)</c>: a network small and all dense
    /// enough for the fused single-sample forward (<see cref="Emit.FusedForwardEmitter.Applies"/>: a dense chain, every layer
    /// ≤ 64 × 64, within <see cref="FusedMultiplyAddBudget"/>) runs its batches in lanes (<see cref="Emit.LaneForwardEmitter"/>),
    /// one vector of samples at a time, from the fused method's padded weights. Row by row its layers are mostly fixed
    /// cost (8-32-32-4 at batch 256: 5.6 M samples/s per layer against 13.8 M/s for ONNX Runtime; benchmarks/RESULTS.md).
    /// The backward pass keeps its workspace-keeping ForwardBatch.
    /// </summary>
    public static bool BatchInLanes(NetworkSpec spec) => Emit.FusedForwardEmitter.Applies(spec);

    /// <summary>
    /// A last block of fewer samples than this runs one by one through the fused method instead of as a zero-padded
    /// lane block (both give the same bits): half the lanes. Measured on N1 (Zen 4, 512-bit): a lane block of 16 costs
    /// about 560 ns, one fused sample about 64 ns, so the two break even near 9 samples.
    /// </summary>
    public static int LaneMinimumBlock(int lanes) => System.Math.Max(1, lanes / 2);

    /// <summary>The dense strategy for the sizes; a layer without bias is never unrolled (the unrolled code adds its biases inline).</summary>
    public static DenseStrategy ChooseDense(int inputs, int outputs, bool bias = true)
    {
        long weights = (long)inputs * outputs;
        if (bias && inputs < UnrollMaxInputs && weights <= UnrollWeightBudget)
            return DenseStrategy.Unrolled;
        if (inputs <= OutputVectorMaxInputs && outputs >= OutputVectorMinOutputs && weights <= OutputVectorWeightBudget)
            return DenseStrategy.OutputVectors;
        return DenseStrategy.RowDot;
    }

    private static string Batches(DenseLayerSpec layer) => layer.PackedPanels
        ? "batches from 4 samples: outer products over Wᵀ packed in 256-byte panels kept by the network (4 samples × 4 vectors with AVX-512, 6 × 2 and 4 × 2 below)"
        : "batches register-blocked dot products, 4 samples × 4 rows (× 2 below AVX-512)";

    /// <summary>The strategy's name and reason, as the emitted header comment states it.</summary>
    public static string Describe(DenseLayerSpec layer) => layer.Strategy switch
    {
        DenseStrategy.Unrolled => $"unrolled ({layer.WeightCount} multiply-adds as straight-line code)",
        DenseStrategy.OutputVectors => $"vectorised over outputs from transposed weights (only {layer.Inputs} inputs: broadcast each into {layer.Outputs} outputs, no horizontal sums); {Batches(layer)}",
        _ => $"SIMD row dot products over {layer.Inputs} inputs (Vector512/256/128, masked tail); {Batches(layer)}",
    };
}
