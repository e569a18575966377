using System;
using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>The table of layer emitters, keyed by spec type: a new layer kind is one more entry.</summary>
internal static class LayerEmitters
{
    private static readonly Dictionary<Type, ILayerEmitter> Table = new()
    {
        [typeof(DenseLayerSpec)] = new DenseLayerEmitter(),
        [typeof(Conv2DLayerSpec)] = new Conv2DLayerEmitter(),
        [typeof(Pool2DLayerSpec)] = new Pool2DLayerEmitter(),
        [typeof(FlattenLayerSpec)] = new FlattenLayerEmitter(),
        [typeof(ActivationLayerSpec)] = new ActivationLayerEmitter(),
        [typeof(DropoutLayerSpec)] = new DropoutLayerEmitter(),
        [typeof(RecurrentLayerSpec)] = new RecurrentLayerEmitter(),
        [typeof(NormalizeLayerSpec)] = new NormalizeLayerEmitter(),
        [typeof(TiedDenseLayerSpec)] = new TiedDenseLayerEmitter(),
    };

    /// <summary>Whether every layer of <paramref name="spec"/> has an emitter; the generator reports SNN090 instead of emitting when not.</summary>
    public static string? FirstUnknownKind(NetworkSpec spec)
    {
        foreach (var layer in spec.Layers)
        {
            if (!Table.ContainsKey(layer.GetType()))
                return layer.Kind;
        }
        return null;
    }

    public static ILayerEmitter For(LayerSpec layer)
        => Table.TryGetValue(layer.GetType(), out var emitter) ? emitter : throw new InvalidOperationException($"No emitter for layer kind {layer.Kind}.");
}
