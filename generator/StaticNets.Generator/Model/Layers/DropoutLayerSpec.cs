using System.Globalization;

namespace StaticNets.Generator.Model;

/// <summary>Inverted dropout while training (masks from SplitMix64 streams); the identity at inference.</summary>
internal sealed record DropoutLayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset, double Rate)
    : LayerSpec(Index, Input, Output, ParameterOffset)
{
    public override string Kind => "Dropout";

    public string RateText => Rate.ToString("0.###", CultureInfo.InvariantCulture);

    public override string Description => $"dropout {RateText} over {Input}";

    public override string StrategyDescription => "while Training: a masked copy (0 or 1/(1 − rate)) feeds the next layer and δ is masked alike; at inference the next layer reads this layer's input";
}
