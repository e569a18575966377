using System;
using System.Globalization;

namespace StaticNets;

/// <summary>Inverted dropout: while training each value is zeroed with probability <see cref="Rate"/> and the rest scaled by 1/(1 − rate); the identity at inference.</summary>
public sealed class DropoutLayerInfo : LayerInfo
{
    /// <summary>Describes dropout at <paramref name="rate"/> (in [0, 1)) over samples of <paramref name="shape"/>.</summary>
    public DropoutLayerInfo(Shape shape, double rate, int parameterOffset)
        : base(shape, shape)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"Expected a dropout rate in [0, 1) but got {rate}.");
        Rate = rate;
        ParameterOffset = parameterOffset;
    }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Dropout;

    /// <summary>Probability of dropping a value while training.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    protected override string Describe() => "Dropout(" + Rate.ToString("0.###", CultureInfo.InvariantCulture) + ")";

    /// <inheritdoc />
    protected override bool SameHyperparameters(LayerInfo other) => other is DropoutLayerInfo d && d.Rate == Rate;

    /// <inheritdoc />
    protected override int HyperparameterHash() => Rate.GetHashCode();
}
