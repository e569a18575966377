using System;

namespace StaticNets;

/// <summary>
/// A recurrent layer over a sequence of <see cref="Steps"/> time steps of <see cref="Features"/> values each
/// (input shape <c>[steps, features]</c>, time-major within a sample). Its four parameter blocks have PyTorch's
/// names and layouts: <c>weight_ih_l0</c> <c>[gates·units, features]</c>, <c>weight_hh_l0</c>
/// <c>[gates·units, units]</c>, <c>bias_ih_l0</c> and <c>bias_hh_l0</c> <c>[gates·units]</c>, gates stacked in
/// PyTorch's order. A whole sequence starts from a zero state.
/// </summary>
public abstract class RecurrentLayerInfo : LayerInfo
{
    /// <summary>Sets the shapes and blocks of a recurrent layer with <paramref name="gates"/> gates.</summary>
    protected private RecurrentLayerInfo(Shape input, int units, bool returnSequences, int parameterOffset, int gates)
        : base(CheckInput(input), returnSequences ? new Shape(input[0], CheckUnits(units)) : Shape.Vector(CheckUnits(units)), MakeBlocks(input, units, gates, parameterOffset))
    {
        Units = units;
        ReturnSequences = returnSequences;
        Gates = gates;
        ParameterOffset = parameterOffset;
    }

    /// <summary>Hidden units (the size of h, and of c for an LSTM).</summary>
    public int Units { get; }

    /// <summary>Time steps of one sample.</summary>
    public int Steps => InputShape[0];

    /// <summary>Values of one time step.</summary>
    public int Features => InputShape[1];

    /// <summary>Whether the output is every step's h (<c>[steps, units]</c>) or only the last step's (<c>[units]</c>).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Gates stacked in the weight matrices (4 for an LSTM, 3 for a GRU).</summary>
    public int Gates { get; }

    /// <summary>Values of the recurrent state of one sample (h, and c for an LSTM).</summary>
    public int StateSize => Kernels.RecurrentLayout.StateSize(Kind == LayerKind.Lstm, Units);

    /// <inheritdoc />
    public override long MultiplyAddsPerSample => (long)Steps * Gates * Units * (Features + Units);

    private static Shape CheckInput(Shape input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2)
            throw new ArgumentException($"A recurrent layer needs steps × features input but got {input} (rank {input.Rank}).", nameof(input));
        return input;
    }

    private static int CheckUnits(int units)
        => units >= 1 ? units : throw new ArgumentOutOfRangeException(nameof(units), units, $"A recurrent layer needs at least 1 unit; got {units}.");

    private static ParameterBlock[] MakeBlocks(Shape input, int units, int gates, int offset)
    {
        int features = CheckInput(input)[1];
        int rows = checked(gates * CheckUnits(units));
        var ih = new ParameterBlock("weight_ih_l0", new Shape(rows, features), offset, ParameterRole.Weight, features, rows);
        var hh = new ParameterBlock("weight_hh_l0", new Shape(rows, units), checked(ih.Offset + ih.Count), ParameterRole.Weight, units, rows);
        var bih = new ParameterBlock("bias_ih_l0", Shape.Vector(rows), checked(hh.Offset + hh.Count), ParameterRole.Bias, features, rows);
        var bhh = new ParameterBlock("bias_hh_l0", Shape.Vector(rows), checked(bih.Offset + bih.Count), ParameterRole.Bias, units, rows);
        return new[] { ih, hh, bih, bhh };
    }

    /// <summary>The input-to-hidden weights, <c>[gates·units, features]</c>.</summary>
    public ParameterBlock InputWeights => Blocks[0];

    /// <summary>The hidden-to-hidden weights, <c>[gates·units, units]</c>.</summary>
    public ParameterBlock HiddenWeights => Blocks[1];

    /// <summary>The input-side biases, <c>[gates·units]</c>.</summary>
    public ParameterBlock InputBiases => Blocks[2];

    /// <summary>The hidden-side biases, <c>[gates·units]</c>.</summary>
    public ParameterBlock HiddenBiases => Blocks[3];

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other) => other is RecurrentLayerInfo r && r.Units == Units && r.ReturnSequences == ReturnSequences;

    /// <inheritdoc />
    protected override int HyperparameterHash() => HashCode.Combine(Units, ReturnSequences);
}

/// <summary>
/// A long short-term memory layer, as PyTorch's <c>nn.LSTM</c> (one layer, batch-first): gates
/// <c>[i; f; g; o] = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh</c>, <c>i, f, o = σ(·)</c>, <c>g = tanh(·)</c>,
/// <c>c_t = f ⊙ c_{t−1} + i ⊙ g</c>, <c>h_t = o ⊙ tanh(c_t)</c>.
/// </summary>
public sealed class LstmLayerInfo : RecurrentLayerInfo
{
    /// <summary>Describes an LSTM over samples of <paramref name="input"/> (<c>[steps, features]</c>) whose parameters start at <paramref name="parameterOffset"/>.</summary>
    public LstmLayerInfo(Shape input, int units, bool returnSequences, int parameterOffset)
        : base(input, units, returnSequences, parameterOffset, 4)
    {
    }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Lstm;

    /// <inheritdoc />
    protected override string Describe() => $"LSTM({Units}{(ReturnSequences ? ", sequences" : "")}) → {OutputShape}";
}

/// <summary>
/// A gated recurrent unit, as PyTorch's <c>nn.GRU</c> (one layer, batch-first), the reset gate applied after the
/// hidden product: <c>r = σ(W_ir·x + b_ir + W_hr·h + b_hr)</c>, <c>z = σ(W_iz·x + b_iz + W_hz·h + b_hz)</c>,
/// <c>n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))</c>, <c>h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}</c>.
/// </summary>
public sealed class GruLayerInfo : RecurrentLayerInfo
{
    /// <summary>Describes a GRU over samples of <paramref name="input"/> (<c>[steps, features]</c>) whose parameters start at <paramref name="parameterOffset"/>.</summary>
    public GruLayerInfo(Shape input, int units, bool returnSequences, int parameterOffset)
        : base(input, units, returnSequences, parameterOffset, 3)
    {
    }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Gru;

    /// <inheritdoc />
    protected override string Describe() => $"GRU({Units}{(ReturnSequences ? ", sequences" : "")}) → {OutputShape}";
}
