// Linked into the generator (netstandard2.0): the generated workspace sizes its recurrent buffers from this same
// code the kernels check them against, so the two cannot disagree. Plain C# only, and internal: both assemblies
// compile it, so a public type would exist twice for a project that references both.
namespace StaticNets.Kernels;

/// <summary>
/// How a recurrent layer's values are laid out. Both cells keep four blocks of <c>units</c> per step: an LSTM's
/// i, f, g, o; a GRU's r, z, then n's input part (replaced by n itself) and its hidden part <c>W_hn·h + b_hn</c>
/// (kept for the backward pass). One fused matrix <c>[W_ihᵀ; W_hhᵀ]</c> of <c>(features + units) × 4·units</c>
/// serves the whole-sequence path (its top rows for every step's input at once, its bottom rows step by step)
/// and the single-step path (one product over <c>[x; h]</c>).
/// </summary>
internal static class RecurrentLayout
{
    /// <summary>Blocks of <c>units</c> in one step's gate row (4 for both cells).</summary>
    public const int GateBlocks = 4;

    /// <summary>Values of one step's gate row.</summary>
    public static long GateWidth(int units) => (long)GateBlocks * units;

    /// <summary>Gate values of one sample in the workspace: every step's gate row.</summary>
    public static long GatesPerSample(int steps, int units) => steps * GateWidth(units);

    /// <summary>Cell values of one sample in the workspace: every step's c for an LSTM, none for a GRU.</summary>
    public static long CellsPerSample(bool lstm, int steps, int units) => lstm ? (long)steps * units : 0;

    /// <summary>Values of the state one stream carries from step to step: h and c for an LSTM, h for a GRU.</summary>
    public static int StateSize(bool lstm, int units) => lstm ? 2 * units : units;

    /// <summary>
    /// Elements from one row of the fused matrix to the next: the gate row padded by 16 elements (one or two cache
    /// lines), so that a product walking k reads rows that do not all fall into the same L1 sets — 4·units is often
    /// a power of two (512 floats = 2 KiB), whose multiples alias in a set-associative cache.
    /// </summary>
    public static long MatrixStride(int units) => GateWidth(units) + 16;

    /// <summary>Length of the prepared copy of the weights: the fused matrix (rows padded to <see cref="MatrixStride"/>) and the fused bias.</summary>
    public static long PreparedLength(int features, int units) => ((long)features + units) * MatrixStride(units) + GateWidth(units);

    /// <summary>Scratch of one single step: <c>[x; h]</c>, one gate row and one row of units.</summary>
    public static long StepScratchLength(int features, int units) => (long)features + units + GateWidth(units) + units;

    /// <summary>Scratch of the backward pass over <paramref name="batch"/> samples: every step's gate gradient, and the carried ∂h and ∂c.</summary>
    public static long BackwardScratchLength(int batch, int steps, int units) => (long)batch * (steps * GateWidth(units) + 3L * units);
}
