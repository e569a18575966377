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
        int[] shape = InputShape(spec);
        error = null;
        foreach (var layer in spec.Layers)
        {
            SnetLayer? record = layer switch
            {
                DenseLayerSpec dense => SnetFormat.CreateLayer(SnetFormat.Dense, (int)dense.Activation, dense.HasBias, shape, new[] { dense.OutputCount }, 0, out error),
                RecurrentLayerSpec recurrent => SnetFormat.CreateLayer(recurrent.Cell == RecurrentCell.Lstm ? SnetFormat.Lstm : SnetFormat.Gru, 0, true, shape,
                    new[] { recurrent.Units, recurrent.ReturnSequences ? 1 : 0 }, 0, out error),
                Conv2DLayerSpec conv => SnetFormat.CreateLayer(SnetFormat.Conv2D, (int)conv.Activation, conv.HasBias, shape,
                    new[] { conv.Filters, conv.KernelHeight, conv.KernelWidth, conv.StrideY, conv.StrideX, conv.PadTop, conv.PadLeft, conv.PadBottom, conv.PadRight }, 0, out error),
                Pool2DLayerSpec pool => SnetFormat.CreateLayer(pool.IsMax ? SnetFormat.MaxPool2D : SnetFormat.AvgPool2D, 0, false, shape,
                    new[] { pool.WindowHeight, pool.WindowWidth, pool.StrideY, pool.StrideX }, 0, out error),
                FlattenLayerSpec => SnetFormat.CreateLayer(SnetFormat.Flatten, 0, false, shape, System.Array.Empty<int>(), 0, out error),
                ActivationLayerSpec activation => SnetFormat.CreateLayer(SnetFormat.Activation, (int)activation.Activation, false, shape, System.Array.Empty<int>(), 0, out error),
                DropoutLayerSpec dropout => SnetFormat.CreateLayer(SnetFormat.Dropout, 0, false, shape, System.Array.Empty<int>(), dropout.Rate, out error),
                NormalizeLayerSpec => SnetFormat.CreateLayer(SnetFormat.Normalize, 0, false, shape, System.Array.Empty<int>(), 0, out error),
                TiedDenseLayerSpec tied => SnetFormat.CreateLayer(SnetFormat.TiedDense, (int)tied.Activation, tied.HasBias, shape, new[] { tied.OutputCount, tied.TiedLayer }, 0, out error),
                _ => null,
            };
            if (record is null && error is null)
            {
                error = $"this generator cannot bake weights into a {layer.Kind} layer yet";
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
    public static int[] InputShape(NetworkSpec spec) => System.Linq.Enumerable.ToArray(spec.Input.Dims);
}
