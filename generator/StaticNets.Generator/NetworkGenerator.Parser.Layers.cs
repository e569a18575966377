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
        /// <summary>
        /// One entry per layer attribute: its metadata name and the builder that turns one application of it into
        /// layer specs, inferring the output shape from the shape before it. A new layer kind is one more entry.
        /// </summary>
        private static readonly Dictionary<string, LayerBuilder> LayerBuilders = new()
        {
            [DenseAttributeName] = BuildDense,
            ["StaticNets.Conv2DAttribute"] = BuildConv2D,
            ["StaticNets.MaxPool2DAttribute"] = (ctx, data) => BuildPool(ctx, data, isMax: true),
            ["StaticNets.AvgPool2DAttribute"] = (ctx, data) => BuildPool(ctx, data, isMax: false),
            ["StaticNets.FlattenAttribute"] = BuildFlatten,
            ["StaticNets.ActivationAttribute"] = BuildActivation,
            ["StaticNets.DropoutAttribute"] = BuildDropout,
            [LstmAttributeName] = (ctx, data) => BuildRecurrent(ctx, data, RecurrentCell.Lstm),
            [GruAttributeName] = (ctx, data) => BuildRecurrent(ctx, data, RecurrentCell.Gru),
            ["StaticNets.NormalizeAttribute"] = BuildNormalize,
        };

        private const string LstmAttributeName = "StaticNets.LstmAttribute";
        private const string GruAttributeName = "StaticNets.GruAttribute";

        /// <summary>The layer attributes a network with recurrent layers may hold besides them: each has a per-step meaning, so the network can also run one step at a time.</summary>
        private static readonly HashSet<string> RecurrentCompanions = new() { DenseAttributeName, "StaticNets.DropoutAttribute", "StaticNets.ActivationAttribute", LstmAttributeName, GruAttributeName };

        private static readonly string[] PaddingModeNames = Enum.GetNames(typeof(PaddingModeKind));

        /// <summary>The metadata names of every layer attribute, for the orphan check.</summary>
        public static IEnumerable<string> LayerAttributeNames => LayerBuilders.Keys;

        private delegate bool LayerBuilder(LayerContext context, AttributeData data);

        /// <summary>A layer attribute as written, before its shape is known.</summary>
        private sealed record LayerDeclaration(string Name, string ShortName, AttributeData Data, Location Location);

        /// <summary>The state of shape inference while the layers of one declaration are built in order.</summary>
        private sealed class LayerContext
        {
            public LayerContext(string network, List<DiagnosticInfo> diagnostics, ShapeSpec input)
            {
                Network = network;
                Diagnostics = diagnostics;
                Current = input;
            }

            public string Network { get; }
            public List<DiagnosticInfo> Diagnostics { get; }
            public ShapeSpec Current { get; set; }
            public List<LayerSpec> Layers { get; } = new();
            public long Offset { get; set; }
            public Location Location { get; set; } = Location.None;
            public Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax? Syntax { get; set; }

            /// <summary>The named argument's own location when the attribute has it, else the attribute's.</summary>
            public Location LocationOf(string argument) => NamedArgumentLocation(Syntax, argument) ?? Location;
            public string What { get; set; } = "";
            public bool IsLast { get; set; }
            public bool IsLastDense { get; set; }
            public int DeclarationIndex { get; set; }
            public double NetworkDropout { get; set; }
            public ActivationKind? ActivationOverride { get; set; }
            public int ElementBytes { get; set; } = 4;

            public int NextIndex => Layers.Count;

            /// <summary>Every layer Name declared, with the position of its attribute (filled before any layer is built).</summary>
            public Dictionary<string, int> DeclaredNames { get; } = new(StringComparer.Ordinal);

            /// <summary>The named layers built so far: name → the layer its attribute produced.</summary>
            public Dictionary<string, LayerSpec> NamedLayers { get; } = new(StringComparer.Ordinal);

            public void Add(LayerSpec layer)
            {
                Layers.Add(layer);
                Offset += layer.ParameterCount;
                Current = layer.Output;
            }

            public void Report(DiagnosticDescriptor descriptor, params string[] arguments)
                => Diagnostics.Add(DiagnosticInfo.Create(descriptor, Location, new[] { Network }.Concat(arguments).ToArray()));
        }

        /// <summary>Builds every declared layer in order; null when any of them is invalid (diagnostics say why).</summary>
        private static List<LayerSpec>? BuildLayers(string network, ShapeSpec input, IReadOnlyList<LayerDeclaration> declarations,
            double networkDropout, IReadOnlyList<ActivationKind>? denseActivations, ScalarKind scalar, List<DiagnosticInfo> diagnostics,
            CodeRequest? code, out int codeLayer)
        {
            codeLayer = -1;
            var context = new LayerContext(network, diagnostics, input) { NetworkDropout = networkDropout, ElementBytes = scalar == ScalarKind.Double ? 8 : 4 };
            if (!CollectNames(context, declarations))
                return null;
            int lastDense = -1;
            for (int i = 0; i < declarations.Count; i++)
            {
                if (declarations[i].Name == DenseAttributeName)
                    lastDense = i;
            }
            bool valid = true;
            int dense = 0;
            bool recurrent = declarations.Any(d => d.Name is LstmAttributeName or GruAttributeName);
            for (int i = 0; i < declarations.Count; i++)
            {
                var declaration = declarations[i];
                context.Location = declaration.Location;
                context.Syntax = declaration.Data.ApplicationSyntaxReference?.GetSyntax() as Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax;
                context.What = Describe(declaration, context.NextIndex);
                if (recurrent && !RecurrentCompanions.Contains(declaration.Name))
                {
                    context.Report(DiagnosticDescriptors.NotInRecurrentNetwork, context.What, declaration.ShortName);
                    valid = false;
                    break;
                }
                context.IsLast = i == declarations.Count - 1;
                context.IsLastDense = i == lastDense;
                context.DeclarationIndex = i;
                context.ActivationOverride = declaration.Name == DenseAttributeName && denseActivations is not null && dense < denseActivations.Count ? denseActivations[dense] : null;
                if (declaration.Name == DenseAttributeName)
                    dense++;
                int firstLayer = context.Layers.Count;
                if (!LayerBuilders[declaration.Name](context, declaration.Data))
                {
                    // Later shapes depend on this one: stop rather than report follow-on errors.
                    valid = false;
                    break;
                }
                if (LayerName(declaration.Data) is string layerName && context.Layers.Count > firstLayer)
                    context.NamedLayers[layerName] = context.Layers[firstLayer];
                if (recurrent && context.Layers.Count > 0 && context.Layers[context.Layers.Count - 1] is ActivationLayerSpec { Activation: ActivationKind.Softmax })
                {
                    // A standalone softmax normalises a whole sample, which has no per-step meaning; a dense layer's softmax is per step.
                    context.Report(DiagnosticDescriptors.NotInRecurrentNetwork, context.What, "softmax Activation");
                    valid = false;
                    break;
                }
                if (context.Current.Size > int.MaxValue)
                {
                    context.Report(DiagnosticDescriptors.SampleTooLarge, context.What, context.Current.ToString(), context.Current.Size.ToString());
                    valid = false;
                    break;
                }
            }
            if (valid && code is not null && !ResolveCode(context, code, out codeLayer))
                valid = false;
            return valid ? context.Layers : null;
        }

        private static string Describe(LayerDeclaration declaration, int index)
        {
            var arguments = declaration.Data.ConstructorArguments.Select(a => a.Kind == TypedConstantKind.Enum ? $"{a.Type?.Name}.{EnumName(a)}" : a.Value?.ToString() ?? "null");
            string list = string.Join(", ", arguments);
            return $"Layer {index} [{declaration.ShortName}{(list.Length > 0 ? "(" + list + ")" : "")}]";
        }

        private static string EnumName(TypedConstant constant)
        {
            if (constant.Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } type && constant.Value is not null)
            {
                foreach (var member in type.GetMembers().OfType<IFieldSymbol>())
                {
                    if (member.HasConstantValue && Equals(member.ConstantValue, constant.Value))
                        return member.Name;
                }
            }
            return constant.Value?.ToString() ?? "null";
        }

        private static bool BuildDense(LayerContext ctx, AttributeData data)
        {
            if (data.AttributeConstructor is null || data.ConstructorArguments.Length < 1 || data.ConstructorArguments[0].Value is not int size)
            {
                ctx.Report(DiagnosticDescriptors.InvalidAttributeArguments, "Dense");
                return false;
            }
            bool valid = true;
            var activation = ActivationKind.Sigmoid;
            if (data.ConstructorArguments.Length > 1)
                valid &= ReadEnum(data.ConstructorArguments[1], $"The activation of [Dense({size})]", ctx.Network, "Activation", ActivationNames, ctx.Location, ctx.Diagnostics, out activation);
            if (ctx.ActivationOverride is ActivationKind overridden)
                activation = overridden;
            double? dropout = null;
            bool bias = true;
            string? tiedTo = null;
            foreach (var named in data.NamedArguments)
            {
                if (named.Key == "Dropout")
                {
                    dropout = named.Value.Value is double rate ? rate : double.NaN;
                    valid &= CheckDropoutRate(dropout.Value, $"The Dropout of [Dense({size})]", ctx.Network, ctx.Location, ctx.Diagnostics);
                }
                else if (named.Key == "Bias")
                {
                    bias = named.Value.Value is not false;
                }
                else if (named.Key == "TiedTo")
                {
                    tiedTo = named.Value.Value as string ?? "";
                }
            }
            if (size < 1)
            {
                ctx.Report(DiagnosticDescriptors.SizeTooSmall, $"size of layer {ctx.NextIndex} [Dense({size})]", size.ToString());
                return false;
            }
            if (ctx.Current.Rank > 2)
            {
                ctx.Report(DiagnosticDescriptors.DenseNeedsFlatten, ctx.What, ctx.NextIndex == 0 ? "the network's input" : "the output of the layer before it", ctx.Current.ToString(), ctx.Current.Size.ToString());
                return false;
            }
            if (activation == ActivationKind.Softmax && !ctx.IsLast)
            {
                ctx.Report(DiagnosticDescriptors.SoftmaxOnHiddenLayer, ctx.NextIndex.ToString());
                valid = false;
            }
            if (dropout is > 0 && ctx.IsLast)
            {
                ctx.Report(DiagnosticDescriptors.DropoutOnOutputLayer, $"The Dropout of {ctx.What}, the output layer,");
                valid = false;
            }
            if (!valid)
                return false;
            if (tiedTo is not null)
            {
                if (!AddTiedDense(ctx, data, size, activation, bias, tiedTo))
                    return false;
            }
            else if (ctx.Current.Rank == 2)
            {
                // A sequence: the same dense layer applied to every step (Keras' Dense on the last axis), as batch × steps rows.
                int steps = ctx.Current.Dims[0], features = ctx.Current.Dims[1];
                var strategy = Strategies.ChooseDense(features, size, bias);
                ctx.Add(new DenseLayerSpec(ctx.NextIndex, features, size, activation, ctx.Offset, strategy == DenseStrategy.Unrolled ? DenseStrategy.RowDot : strategy, bias, steps) { ElementBytes = ctx.ElementBytes });
            }
            else
            {
                int inputs = (int)ctx.Current.Size;
                ctx.Add(new DenseLayerSpec(ctx.NextIndex, inputs, size, activation, ctx.Offset, Strategies.ChooseDense(inputs, size, bias), bias) { ElementBytes = ctx.ElementBytes });
            }
            double rateAfter = dropout ?? (ctx.IsLastDense || ctx.IsLast ? 0 : ctx.NetworkDropout);
            if (rateAfter > 0)
                ctx.Add(new DropoutLayerSpec(ctx.NextIndex, ctx.Current, ctx.Current, ctx.Offset, rateAfter));
            return true;
        }

        private static bool BuildConv2D(LayerContext ctx, AttributeData data)
        {
            var args = data.ConstructorArguments;
            if (data.AttributeConstructor is null || args.Length is < 2 or > 3 || args.Any(a => a.Value is not int))
            {
                ctx.Report(DiagnosticDescriptors.InvalidAttributeArguments, "Conv2D");
                return false;
            }
            int filters = (int)args[0].Value!, kh = (int)args[1].Value!, kw = args.Length == 3 ? (int)args[2].Value! : kh;
            int strideY = 1, strideX = 1, padding = 0;
            string strideName = "Stride";
            int[]? pads = null;
            bool same = false, valid = true, bias = true;
            var activation = ActivationKind.Identity;
            var set = new List<string>();
            foreach (var named in data.NamedArguments)
            {
                switch (named.Key)
                {
                    case "Stride":
                        strideY = strideX = named.Value.Value is int s ? s : 0;
                        break;
                    case "Strides":
                        var strides = IntArray(named.Value);
                        if (strides.Length != 2)
                        {
                            ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongArrayLength, ctx.LocationOf("Strides"), ctx.Network, "Strides", ctx.What, strides.Length.ToString(), "2 (vertical, horizontal)"));
                            return false;
                        }
                        (strideY, strideX) = (strides[0], strides[1]);
                        strideName = "Strides";
                        break;
                    case "Padding":
                        padding = named.Value.Value is int p ? p : -1;
                        set.Add($"Padding = {padding}");
                        break;
                    case "Pads":
                        pads = IntArray(named.Value);
                        set.Add("Pads");
                        if (pads.Length != 4)
                        {
                            ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongArrayLength, ctx.LocationOf("Pads"), ctx.Network, "Pads", ctx.What, pads.Length.ToString(), "4 (top, left, bottom, right)"));
                            return false;
                        }
                        break;
                    case "PaddingMode":
                        valid &= ReadEnum(named.Value, $"The PaddingMode of {ctx.What}", ctx.Network, "PaddingMode", PaddingModeNames, ctx.Location, ctx.Diagnostics, out PaddingModeKind mode);
                        same = mode == PaddingModeKind.Same;
                        if (same)
                            set.Add("PaddingMode = PaddingMode.Same");
                        break;
                    case "Activation":
                        valid &= ReadEnum(named.Value, $"The activation of {ctx.What}", ctx.Network, "Activation", ActivationNames, ctx.Location, ctx.Diagnostics, out activation);
                        break;
                    case "Bias":
                        bias = named.Value.Value is not false;
                        break;
                }
            }
            if (!valid)
                return false;
            if (set.Count > 1)
            {
                ctx.Report(DiagnosticDescriptors.ConflictingPadding, ctx.What, string.Join(" and ", set));
                return false;
            }
            bool oneStride = strideName == "Stride";
            if (!AtLeast(ctx, "Filters", filters, 1) || !AtLeast(ctx, "The kernel height", kh, 1) || !AtLeast(ctx, "The kernel width", kw, 1)
                || !AtLeast(ctx, oneStride ? "Stride" : "The vertical stride", strideY, 1, strideName)
                || (!oneStride && !AtLeast(ctx, "The horizontal stride", strideX, 1, strideName))
                || !AtLeast(ctx, "Padding", padding, 0, "Padding")
                || (pads is not null && !pads.All(p => AtLeast(ctx, "Every value of Pads", p, 0, "Pads"))))
                return false;
            if (!NeedsImage(ctx))
                return false;
            var input = ctx.Current;
            int top, left, bottom, right;
            if (same)
            {
                ShapeArithmetic.SamePadding(input.Height, kh, strideY, out top, out bottom);
                ShapeArithmetic.SamePadding(input.Width, kw, strideX, out left, out right);
            }
            else if (pads is not null)
            {
                (top, left, bottom, right) = (pads[0], pads[1], pads[2], pads[3]);
            }
            else
            {
                top = left = bottom = right = padding;
            }
            if (Math.Max(top, bottom) >= kh || Math.Max(left, right) >= kw)
            {
                ctx.Report(DiagnosticDescriptors.PaddingNotSmallerThanKernel, ctx.What, $"{top},{left},{bottom},{right} (top, left, bottom, right)", $"{kh}×{kw}");
                return false;
            }
            int height = ShapeArithmetic.OutputLength(input.Height, kh, strideY, top, bottom);
            int width = ShapeArithmetic.OutputLength(input.Width, kw, strideX, left, right);
            if (height < 1 || width < 1)
            {
                ctx.Report(DiagnosticDescriptors.WindowDoesNotFit, ctx.What, $"{kh}×{kw}", input.ToString(), top + left + bottom + right == 0 ? "no padding" : $"padded by {top},{left},{bottom},{right} (top, left, bottom, right)", $"{height}×{width} positions");
                return false;
            }
            var output = ShapeSpec.Image(filters, height, width);
            ctx.Add(new Conv2DLayerSpec(ctx.NextIndex, input, output, ctx.Offset, filters, kh, kw, strideY, strideX, top, left, bottom, right, activation, bias) { ElementBytes = ctx.ElementBytes });
            return true;
        }

        private static bool BuildPool(LayerContext ctx, AttributeData data, bool isMax)
        {
            string name = isMax ? "MaxPool2D" : "AvgPool2D";
            var args = data.ConstructorArguments;
            if (data.AttributeConstructor is null || args.Length is < 1 or > 2 || args.Any(a => a.Value is not int))
            {
                ctx.Report(DiagnosticDescriptors.InvalidAttributeArguments, name);
                return false;
            }
            int wh = (int)args[0].Value!, ww = args.Length == 2 ? (int)args[1].Value! : wh;
            int stride = 0;
            foreach (var named in data.NamedArguments)
            {
                if (named.Key == "Stride")
                    stride = named.Value.Value is int s ? s : -1;
            }
            if (!AtLeast(ctx, "The window height", wh, 1) || !AtLeast(ctx, "The window width", ww, 1) || !AtLeast(ctx, "Stride (0 means the window's size)", stride, 0, "Stride"))
                return false;
            int strideY = stride == 0 ? wh : stride, strideX = stride == 0 ? ww : stride;
            if (!NeedsImage(ctx))
                return false;
            var input = ctx.Current;
            int height = ShapeArithmetic.OutputLength(input.Height, wh, strideY, 0, 0), width = ShapeArithmetic.OutputLength(input.Width, ww, strideX, 0, 0);
            if (height < 1 || width < 1)
            {
                ctx.Report(DiagnosticDescriptors.WindowDoesNotFit, ctx.What, $"{wh}×{ww}", input.ToString(), "no padding", $"{height}×{width} positions");
                return false;
            }
            int leftRows = input.Height - ((height - 1) * strideY + wh), leftColumns = input.Width - ((width - 1) * strideX + ww);
            if (leftRows > 0 || leftColumns > 0)
            {
                var parts = new List<string>();
                if (leftRows > 0)
                    parts.Add($"{leftRows} row(s)");
                if (leftColumns > 0)
                    parts.Add($"{leftColumns} column(s)");
                ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PoolingLeavesRemainder, ctx.Location,
                    ctx.Network, ctx.What, $"{wh}×{ww}", $"{strideY}×{strideX}", input.ToString(), string.Join(" and ", parts)));
            }
            ctx.Add(new Pool2DLayerSpec(ctx.NextIndex, input, ShapeSpec.Image(input.Channels, height, width), ctx.Offset, isMax, wh, ww, strideY, strideX));
            return true;
        }

        private static bool BuildFlatten(LayerContext ctx, AttributeData data)
        {
            ctx.Add(new FlattenLayerSpec(ctx.NextIndex, ctx.Current, ShapeSpec.Vector((int)ctx.Current.Size), ctx.Offset));
            return true;
        }

        private static bool BuildActivation(LayerContext ctx, AttributeData data)
        {
            if (data.AttributeConstructor is null || data.ConstructorArguments.Length != 1)
            {
                ctx.Report(DiagnosticDescriptors.InvalidAttributeArguments, "Activation");
                return false;
            }
            if (!ReadEnum(data.ConstructorArguments[0], $"The activation of layer {ctx.NextIndex}", ctx.Network, "Activation", ActivationNames, ctx.Location, ctx.Diagnostics, out ActivationKind activation))
                return false;
            ctx.Add(new ActivationLayerSpec(ctx.NextIndex, ctx.Current, ctx.Current, ctx.Offset, activation));
            return true;
        }

        private static bool BuildDropout(LayerContext ctx, AttributeData data)
        {
            if (data.AttributeConstructor is null || data.ConstructorArguments.Length != 1)
            {
                ctx.Report(DiagnosticDescriptors.InvalidAttributeArguments, "Dropout");
                return false;
            }
            double rate = data.ConstructorArguments[0].Value is double r ? r : double.NaN;
            if (!CheckDropoutRate(rate, $"The rate of [Dropout] (layer {ctx.NextIndex})", ctx.Network, ctx.Location, ctx.Diagnostics))
                return false;
            if (ctx.IsLast)
            {
                ctx.Report(DiagnosticDescriptors.DropoutOnOutputLayer, $"{ctx.What}, the last layer,");
                return false;
            }
            if (rate > 0)
                ctx.Add(new DropoutLayerSpec(ctx.NextIndex, ctx.Current, ctx.Current, ctx.Offset, rate));
            return true;
        }

        private static bool BuildRecurrent(LayerContext ctx, AttributeData data, RecurrentCell cell)
        {
            string name = cell == RecurrentCell.Lstm ? "Lstm" : "Gru";
            if (data.AttributeConstructor is null || data.ConstructorArguments.Length != 1 || data.ConstructorArguments[0].Value is not int units)
            {
                ctx.Report(DiagnosticDescriptors.InvalidAttributeArguments, name);
                return false;
            }
            bool sequences = false;
            foreach (var named in data.NamedArguments)
            {
                if (named.Key == "ReturnSequences")
                    sequences = named.Value.Value is true;
            }
            if (!AtLeast(ctx, "Units", units, 1))
                return false;
            if (ctx.Current.Rank != 2)
            {
                string shape = ctx.Current.Rank == 1 ? $"a vector of {ctx.Current}" : ctx.Current.ToString();
                string before = ctx.NextIndex == 0
                    ? $"the network's input is {shape}"
                    : ctx.Layers[ctx.Layers.Count - 1] is RecurrentLayerSpec { ReturnSequences: false }
                        ? $"the recurrent layer before it gives only its last step ({shape})"
                        : $"the layer before it gives {shape}";
                ctx.Report(DiagnosticDescriptors.RecurrentNeedsSequence, ctx.What, before);
                return false;
            }
            int steps = ctx.Current.Dims[0];
            var output = sequences ? ShapeSpec.Matrix(steps, units) : ShapeSpec.Vector(units);
            ctx.Add(new RecurrentLayerSpec(ctx.NextIndex, ctx.Current, output, ctx.Offset, cell, units, sequences));
            return true;
        }

        private static bool BuildNormalize(LayerContext ctx, AttributeData data)
        {
            if (ctx.DeclarationIndex != 0)
            {
                ctx.Report(DiagnosticDescriptors.NormalizeNotFirst, ctx.What, ctx.DeclarationIndex.ToString());
                return false;
            }
            if (ctx.IsLast)
            {
                ctx.Report(DiagnosticDescriptors.NormalizeAlone, ctx.What);
                return false;
            }
            ctx.Add(new NormalizeLayerSpec(ctx.NextIndex, ctx.Current, ctx.Current, ctx.Offset));
            return true;
        }

        private static bool NeedsImage(LayerContext ctx)
        {
            if (ctx.Current.Rank == 3)
                return true;
            string shape = ctx.Current.Rank == 1 ? $"a vector of {ctx.Current}" : ctx.Current.ToString();
            ctx.Report(DiagnosticDescriptors.LayerNeedsImage, ctx.What, ctx.NextIndex == 0 ? $"the network's input is {shape}" : $"the layer before it gives {shape}");
            return false;
        }

        private static bool AtLeast(LayerContext ctx, string what, int value, int minimum, string? argument = null)
        {
            if (value >= minimum)
                return true;
            ctx.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerArgumentTooSmall, argument is null ? ctx.Location : ctx.LocationOf(argument),
                ctx.Network, what, ctx.What, value.ToString(), minimum.ToString()));
            return false;
        }

        private static int[] IntArray(TypedConstant constant)
            => constant.Kind == TypedConstantKind.Array && !constant.IsNull ? constant.Values.Select(v => v.Value is int i ? i : -1).ToArray() : Array.Empty<int>();
    }
}
