using StaticNets.Kernels;

namespace StaticNets.Generator.Model;

/// <summary>The cell of a recurrent layer; the names are those of <c>StaticNets.Kernels.RecurrentCell</c>.</summary>
internal enum RecurrentCell
{
    Lstm,
    Gru,
}

/// <summary>
/// An LSTM or GRU over <c>[steps, features]</c> samples (PyTorch's gate order and block names); its output is the
/// last step's h or, with <see cref="ReturnSequences"/>, every step's.
/// </summary>
internal sealed record RecurrentLayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset, RecurrentCell Cell, int Units, bool ReturnSequences)
    : LayerSpec(Index, Input, Output, ParameterOffset)
{
    public override string Kind => Cell == RecurrentCell.Lstm ? "Lstm" : "Gru";

    public string CellName => Cell == RecurrentCell.Lstm ? "LSTM" : "GRU";

    public int Steps => Input.Dims[0];

    public int Features => Input.Dims[1];

    public int Gates => Cell == RecurrentCell.Lstm ? 4 : 3;

    public int GateRows => Gates * Units;

    /// <summary>Units up to which a step's gate row (4·units) fits a handful of AVX-512 registers: the single-step path is then one register-resident product.</summary>
    public const int SmallUnits = 64;

    public override EquatableArray<BlockSpec> Blocks
    {
        get
        {
            long ih = ParameterOffset, hh = ih + (long)GateRows * Features, bih = hh + (long)GateRows * Units, bhh = bih + GateRows;
            return new EquatableArray<BlockSpec>(new[]
            {
                new BlockSpec("weight_ih_l0", new EquatableArray<int>(new[] { GateRows, Features }), ih, BlockRole.Weight),
                new BlockSpec("weight_hh_l0", new EquatableArray<int>(new[] { GateRows, Units }), hh, BlockRole.Weight),
                new BlockSpec("bias_ih_l0", new EquatableArray<int>(new[] { GateRows }), bih, BlockRole.Bias),
                new BlockSpec("bias_hh_l0", new EquatableArray<int>(new[] { GateRows }), bhh, BlockRole.Bias),
            });
        }
    }

    /// <summary>InputWeights, HiddenWeights, InputBiases, HiddenBiases: one property per block, as the four are PyTorch's.</summary>
    public override string BlockProperty(BlockSpec block) => block.Name switch
    {
        "weight_ih_l0" => "InputWeights",
        "weight_hh_l0" => "HiddenWeights",
        "bias_ih_l0" => "InputBiases",
        _ => "HiddenBiases",
    };

    public override string Description => $"{CellName} {Steps}×{Features} → {Units} units, {(ReturnSequences ? "every step's h" : "last step's h")}";

    public override string StrategyDescription
    {
        get
        {
            int width = RecurrentLayout.GateBlocks * Units, k = Features + Units;
            string gates = Cell == RecurrentCell.Lstm ? "i, f, g, o" : "r, z, n (reset after the hidden product)";
            string step = Units <= SmallUnits
                ? $"single step: one product of [x; h] ({k} values) with the fused matrix, {width} gate values in registers (1 row × 4 vectors), then the cell in one vectorised pass"
                : $"single step: one product of [x; h] ({k} values) with the fused matrix (1 row × 4 vectors), then the cell in one vectorised pass";
            return $"fused gate matrix [W_ihᵀ; W_hhᵀ] {k}×{width} (gates {gates}) prepared once per parameter version; whole sequences: every step's input product in one pass over batch × {Steps} rows, "
                 + $"then per step one recurrent product over the batch (4 samples × 4 vectors register-blocked with AVX-512, × 2 below), the cell in one fused vector pass; back-propagation through time, optionally truncated (BackpropagationWindow), sub-batches of whole sequences over the worker pool, then the gradient products split by gate unit; {step}";
        }
    }
}
