using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using StaticNets.Generator.Model;

namespace StaticNets.Generator;

public sealed partial class NetworkGenerator
{
    internal static partial class Parser
    {
        /// <summary><c>Code = "name"</c> of [Network]: the layer whose activations Encode returns.</summary>
        private sealed record CodeRequest(string Name, Location Location);

        /// <summary>The <c>Name</c> of a layer attribute, or null when it has none (an empty name counts as none).</summary>
        private static string? LayerName(AttributeData data)
        {
            foreach (var named in data.NamedArguments)
            {
                if (named.Key == "Name" && named.Value.Value is string { Length: > 0 } name)
                    return name;
            }
            return null;
        }

        /// <summary>How a layer attribute reads in a message: <c>2 [Dense(256, Activation.ReLU)]</c> (its position among the layer attributes).</summary>
        private static string DescribeAttribute(LayerDeclaration declaration, int position)
        {
            string text = Describe(declaration, 0);
            int bracket = text.IndexOf('[');
            return $"{position} {(bracket >= 0 ? text.Substring(bracket) : text)}";
        }

        /// <summary>Every declared layer name, before any layer is built (so a tie to a later layer is recognised as such); false on a duplicate (SNN086).</summary>
        private static bool CollectNames(LayerContext ctx, IReadOnlyList<LayerDeclaration> declarations)
        {
            for (int i = 0; i < declarations.Count; i++)
            {
                if (LayerName(declarations[i].Data) is not string name)
                    continue;
                if (ctx.DeclaredNames.TryGetValue(name, out int first))
                {
                    ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateLayerName, declarations[i].Location,
                        ctx.Network, DescribeAttribute(declarations[first], first), DescribeAttribute(declarations[i], i), name));
                    return false;
                }
                ctx.DeclaredNames.Add(name, i);
            }
            return true;
        }

        /// <summary>"; the named layers are 'enc', 'code'", or "; no layer has a Name".</summary>
        private static string NamedLayersText(IEnumerable<string> names, string which)
        {
            var list = names.ToList();
            return list.Count == 0 ? $"; no layer{which} has a Name" : $"; the named layers{which} are {string.Join(", ", list.Select(n => "'" + n + "'"))}";
        }

        /// <summary>Finds the code layer of <c>Code = "name"</c> (SNN085 when no layer has that name).</summary>
        private static bool ResolveCode(LayerContext ctx, CodeRequest code, out int codeLayer)
        {
            if (ctx.NamedLayers.TryGetValue(code.Name, out var layer))
            {
                codeLayer = layer.Index;
                return true;
            }
            codeLayer = -1;
            ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CodeLayerNotFound, code.Location, ctx.Network, code.Name, NamedLayersText(ctx.NamedLayers.Keys, "")));
            return false;
        }

        /// <summary>
        /// <c>[Dense(size, …, TiedTo = "name")]</c>: a layer using the transposed weights of the earlier dense layer of that
        /// name, which must mirror it (SNN080–SNN084 otherwise).
        /// </summary>
        private static bool AddTiedDense(LayerContext ctx, AttributeData data, int size, ActivationKind activation, bool bias, string tiedTo)
        {
            var location = ctx.LocationOf("TiedTo");
            string? own = LayerName(data);
            if (own is not null && own == tiedTo)
            {
                ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TiedToItself, location, ctx.Network, ctx.What, tiedTo));
                return false;
            }
            if (!ctx.NamedLayers.TryGetValue(tiedTo, out var target))
            {
                if (ctx.DeclaredNames.TryGetValue(tiedTo, out int later))
                    ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TiedToLaterLayer, location, ctx.Network, ctx.What, tiedTo, later.ToString()));
                else
                    ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TiedToUnknownLayer, location, ctx.Network, ctx.What, tiedTo, NamedLayersText(ctx.NamedLayers.Keys, " before it")));
                return false;
            }
            if (target is not DenseLayerSpec { PerStep: false } dense)
            {
                string what = target switch
                {
                    TiedDenseLayerSpec tied => $"itself tied to layer {tied.TiedLayer} ('{tied.TiedName}'): tie to '{tied.TiedName}' directly",
                    DenseLayerSpec => "a dense layer applied to every step of a sequence",
                    _ => $"a {target.Kind} layer",
                };
                ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TiedToNonDense, location, ctx.Network, ctx.What, tiedTo, target.Index.ToString(), what));
                return false;
            }
            long inputs = ctx.Current.Size;
            if (ctx.Current.Rank != 1 || inputs != dense.OutputCount || size != dense.InputCount)
            {
                ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TiedShapeMismatch, location, ctx.Network, ctx.What, tiedTo,
                    dense.InputCount.ToString(), dense.OutputCount.ToString(), ctx.Current.Rank == 1 ? inputs.ToString() : ctx.Current.ToString(), size.ToString()));
                return false;
            }
            ctx.Add(new TiedDenseLayerSpec(ctx.NextIndex, dense.OutputCount, dense.InputCount, activation, ctx.Offset, dense.Index, tiedTo, dense.WeightOffset, bias));
            return true;
        }
    }
}
