using StaticNets.Generator.Emit;
using StaticNets.Generator.Model;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>The emitter table knows every kind the parser builds, and names a kind it does not know (SNN090) instead of emitting nothing.</summary>
public class LayerEmitterTableTests
{
    private sealed record UnknownLayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset)
        : LayerSpec(Index, Input, Output, ParameterOffset)
    {
        public override string Kind => "Unknown";

        public override string Description => "unknown";

        public override string StrategyDescription => "none";
    }

    private static NetworkSpec Spec(params LayerSpec[] layers)
        => new(new HierarchyInfo(null, new TypeDeclarationInfo("class", "Net"), EquatableArray<TypeDeclarationInfo>.Empty),
            ScalarKind.Single, LossKind.Quadratic, layers[0].Input, new EquatableArray<LayerSpec>(layers));

    [Fact]
    public void Every_built_kind_has_an_emitter()
    {
        var image = ShapeSpec.Image(1, 4, 4);
        var spec = Spec(
            new Conv2DLayerSpec(0, image, ShapeSpec.Image(2, 4, 4), 0, 2, 3, 3, 1, 1, 1, 1, 1, 1, ActivationKind.ReLU, true),
            new Pool2DLayerSpec(1, ShapeSpec.Image(2, 4, 4), ShapeSpec.Image(2, 2, 2), 20, true, 2, 2, 2, 2),
            new ActivationLayerSpec(2, ShapeSpec.Image(2, 2, 2), ShapeSpec.Image(2, 2, 2), 20, ActivationKind.Tanh),
            new DropoutLayerSpec(3, ShapeSpec.Image(2, 2, 2), ShapeSpec.Image(2, 2, 2), 20, 0.5),
            new FlattenLayerSpec(4, ShapeSpec.Image(2, 2, 2), ShapeSpec.Vector(8), 20),
            new DenseLayerSpec(5, 8, 2, ActivationKind.Sigmoid, 20, DenseStrategy.RowDot));
        Assert.Null(LayerEmitters.FirstUnknownKind(spec));
        Assert.Null(LayerEmitters.FirstUnknownKind(Spec(new NormalizeLayerSpec(0, ShapeSpec.Vector(4), ShapeSpec.Vector(4), 0), new DenseLayerSpec(1, 4, 2, ActivationKind.Sigmoid, 8, DenseStrategy.RowDot))));
    }

    [Fact]
    public void A_kind_without_an_emitter_is_named()
    {
        var spec = Spec(new DenseLayerSpec(0, 4, 4, ActivationKind.ReLU, 0, DenseStrategy.RowDot), new UnknownLayerSpec(1, ShapeSpec.Vector(4), ShapeSpec.Vector(4), 20));
        Assert.Equal("Unknown", LayerEmitters.FirstUnknownKind(spec));
        Assert.Equal("SNN090", DiagnosticDescriptors.LayerWithoutEmitter.Id);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, DiagnosticDescriptors.LayerWithoutEmitter.DefaultSeverity);
    }
}
