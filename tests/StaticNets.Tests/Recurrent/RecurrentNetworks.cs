using System;
using System.Collections.Generic;
using System.Linq;

namespace StaticNets.Tests.Recurrent;

// Recurrent networks over the shapes the issue names: units 1, 3, 17, 64; features 1, 5, 28; 1–30 steps;
// stacked; return-sequences on and off; dense heads on the last step and on every step.

[Network(Input = new[] { 4, 1 }, Loss = Loss.Quadratic, Precision = Precision.Double)]
[Lstm(1)]
[Dense(1, Activation.Identity)]
public partial class DLstm1;

[Network(Input = new[] { 7, 5 }, Loss = Loss.Quadratic, Precision = Precision.Double)]
[Lstm(3)]
[Dense(2, Activation.Identity)]
public partial class DLstm3;

[Network(Input = new[] { 1, 5 }, Loss = Loss.Quadratic, Precision = Precision.Double)]
[Lstm(17)]
[Dense(2, Activation.Tanh)]
public partial class DLstmOneStep;

[Network(Input = new[] { 6, 28 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
[Lstm(17, ReturnSequences = true)]
[Lstm(3)]
[Dense(4, Activation.Softmax)]
public partial class DLstmStacked;

[Network(Input = new[] { 5, 3 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
[Lstm(9, ReturnSequences = true)]
[Dense(6, Activation.Softmax)]
public partial class DLstmSequence;

[Network(Input = new[] { 4, 1 }, Loss = Loss.Quadratic, Precision = Precision.Double)]
[Gru(1)]
[Dense(1, Activation.Identity)]
public partial class DGru1;

[Network(Input = new[] { 7, 5 }, Loss = Loss.Quadratic, Precision = Precision.Double)]
[Gru(3)]
[Dense(2, Activation.Identity)]
public partial class DGru3;

[Network(Input = new[] { 6, 28 }, Loss = Loss.CrossEntropy, Precision = Precision.Double)]
[Gru(17, ReturnSequences = true)]
[Gru(5, ReturnSequences = true)]
[Dense(3, Activation.Softmax)]
public partial class DGruStacked;

[Network(Input = new[] { 5, 4 }, Loss = Loss.Quadratic, Precision = Precision.Double)]
[Dense(6, Activation.Tanh)]
[Lstm(5, ReturnSequences = true)]
[Dropout(0.25)]
[Gru(4)]
[Dense(2, Activation.Identity)]
public partial class DMixed;

[Network(Input = new[] { 30, 5 }, Loss = Loss.Quadratic, Precision = Precision.Double)]
[Lstm(64)]
[Dense(1, Activation.Identity)]
public partial class DLstm64;

[Network(Input = new[] { 30, 5 }, Loss = Loss.Quadratic, Precision = Precision.Double)]
[Gru(64, ReturnSequences = true)]
[Dense(1, Activation.Identity)]
public partial class DGru64;

[Network(Input = new[] { 12, 28 }, Loss = Loss.CrossEntropy)]
[Lstm(64)]
[Dense(10, Activation.Softmax)]
public partial class FLstm64;

[Network(Input = new[] { 9, 5 }, Loss = Loss.CrossEntropy)]
[Gru(17, ReturnSequences = true)]
[Dense(7, Activation.Softmax)]
public partial class FGruSequence;

[Network(Input = new[] { 20, 16 }, Loss = Loss.Quadratic)]
[Lstm(16)]
[Dense(16, Activation.Identity)]
public partial class FLstm16;

[Network(Input = new[] { 20, 16 }, Loss = Loss.Quadratic)]
[Gru(16)]
[Dense(16, Activation.Identity)]
public partial class FGru16;

/// <summary>Factories of every recurrent test network by name, as the theories enumerate them.</summary>
internal static class RecurrentCatalog
{
    public static readonly Dictionary<string, Func<int, IRecurrentNetwork<double>>> Double = new()
    {
        ["DLstm1"] = s => new DLstm1(s),
        ["DLstm3"] = s => new DLstm3(s),
        ["DLstmOneStep"] = s => new DLstmOneStep(s),
        ["DLstmStacked"] = s => new DLstmStacked(s),
        ["DLstmSequence"] = s => new DLstmSequence(s),
        ["DGru1"] = s => new DGru1(s),
        ["DGru3"] = s => new DGru3(s),
        ["DGruStacked"] = s => new DGruStacked(s),
        ["DMixed"] = s => new DMixed(s),
        ["DLstm64"] = s => new DLstm64(s),
        ["DGru64"] = s => new DGru64(s),
    };

    public static readonly Dictionary<string, Func<int, IRecurrentNetwork<float>>> Single = new()
    {
        ["FLstm64"] = s => new FLstm64(s),
        ["FGruSequence"] = s => new FGruSequence(s),
        ["FLstm16"] = s => new FLstm16(s),
        ["FGru16"] = s => new FGru16(s),
    };

    public static IEnumerable<object[]> DoubleNames => Double.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> SingleNames => Single.Keys.Select(k => new object[] { k });
}
