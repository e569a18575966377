using System.Collections.Generic;
using StaticNets.Generator.Model;
using StaticNets.Persistence;

namespace StaticNets.Generator.Baking;

/// <summary>
/// The layer records a declaration's weights file must hold, in the shared <see cref="SnetFormat"/> form, so the
/// generator compares a file against its spec with the same table the runtime reads it with. Each layer kind of
/// the spec maps to one record here: extend the switch when the spec gains a kind.
/// </summary>
internal static class SpecRecords
{
    /// <summary>The expected records, or null (and why) when the spec has a layer this mapping does not know.</summary>
    public static IReadOnlyList<SnetLayer>? From(NetworkSpec spec, out string? error)
    {
        var layers = new List<SnetLayer>(spec.Layers.Count);
        int[] shape = { spec.InputSize };
        error = null;
        foreach (var layer in spec.Layers)
        {
            SnetLayer? record;
            switch (layer)
            {
                case DenseLayerSpec dense:
                    // Dropout on a dense layer's activations owns no parameters: files compare without it.
                    record = SnetFormat.CreateLayer(SnetFormat.Dense, (int)dense.Activation, true, shape, new[] { dense.Outputs }, 0, out error);
                    break;
                default:
                    error = $"this generator cannot bake weights into a {layer.GetType().Name} layer yet";
                    return null;
            }
            if (record is null)
            {
                error = $"layer {layer.Index} of the declaration is invalid ({error})";
                return null;
            }
            layers.Add(record);
            shape = record.OutputShape;
        }
        return layers;
    }

    /// <summary>The input shape of the declaration.</summary>
    public static int[] InputShape(NetworkSpec spec) => new[] { spec.InputSize };
}
