using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StaticNets.Generator.Model;

namespace StaticNets.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>
    /// Turns one [Network] declaration into a <see cref="NetworkSpec"/> and its diagnostics. This is the only
    /// place that sees symbols and syntax; what it returns is plain values.
    /// </summary>
    internal static class Parser
    {
        public const string NetworkAttributeName = "StaticNets.NetworkAttribute";
        public const string DenseAttributeName = "StaticNets.DenseAttribute";

        private static readonly string[] ActivationNames = Enum.GetNames(typeof(ActivationKind));
        private static readonly string[] LossNames = Enum.GetNames(typeof(LossKind));
        private static readonly string[] PrecisionNames = Enum.GetNames(typeof(ScalarKind));

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            try
            {
                var spec = ParseCore(context, diagnostics, cancellationToken);
                return new ParseResult(spec, diagnostics.ToEquatableArray());
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception)
            {
                // The generator must never throw, whatever the source text: code that is still being typed can
                // reach states the checks above do not foresee. The compiler reports the real error then.
                return new ParseResult(null, diagnostics.ToEquatableArray());
            }
        }

        private static NetworkSpec? ParseCore(GeneratorAttributeSyntaxContext context, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
                return null;
            var attribute = context.Attributes.FirstOrDefault();
            if (attribute is null)
                return null;

            string name = type.Name;
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            Location attributeLocation = attributeSyntax?.GetLocation() ?? declaration.Identifier.GetLocation();

            bool valid = CheckDeclaration(type, declaration, diagnostics);

            if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidAttributeArguments, attributeLocation, name, "Network"));
                return null;
            }

            // Sizes from [Network(...)]: params int[] arrives as one array argument.
            var sizes = new List<int>();
            var sizeLocations = new List<Location>();
            if (attribute.ConstructorArguments.Length == 1)
            {
                var arg = attribute.ConstructorArguments[0];
                var values = arg.Kind == TypedConstantKind.Array ? (arg.IsNull ? ImmutableArray<TypedConstant>.Empty : arg.Values) : ImmutableArray.Create(arg);
                var argumentSyntaxes = attributeSyntax?.ArgumentList?.Arguments.Where(a => a.NameEquals is null).ToList();
                for (int i = 0; i < values.Length; i++)
                {
                    sizes.Add(values[i].Value is int v ? v : 0);
                    sizeLocations.Add(argumentSyntaxes is not null && argumentSyntaxes.Count == values.Length ? argumentSyntaxes[i].GetLocation() : attributeLocation);
                }
            }

            // Named properties.
            ActivationKind hidden = ActivationKind.Sigmoid, output = ActivationKind.Sigmoid;
            LossKind loss = LossKind.Quadratic;
            ScalarKind scalar = ScalarKind.Single;
            List<ActivationKind>? perLayer = null;
            Location? perLayerLocation = null;
            var hiddenOrOutputSet = new List<string>();
            WeightsRequest? weights = null;
            double networkDropout = 0;
            Location? networkDropoutLocation = null;
            foreach (var named in attribute.NamedArguments)
            {
                Location location = NamedArgumentLocation(attributeSyntax, named.Key) ?? attributeLocation;
                switch (named.Key)
                {
                    case "Hidden":
                        valid &= ReadEnum(named.Value, "Hidden", name, "Activation", ActivationNames, location, diagnostics, out hidden);
                        hiddenOrOutputSet.Add("Hidden");
                        break;
                    case "Output":
                        valid &= ReadEnum(named.Value, "Output", name, "Activation", ActivationNames, location, diagnostics, out output);
                        hiddenOrOutputSet.Add("Output");
                        break;
                    case "Loss":
                        valid &= ReadEnum(named.Value, "Loss", name, "Loss", LossNames, location, diagnostics, out loss);
                        break;
                    case "Precision":
                        valid &= ReadEnum(named.Value, "Precision", name, "Precision", PrecisionNames, location, diagnostics, out scalar);
                        break;
                    case "Dropout":
                        networkDropout = named.Value.Value is double rate ? rate : double.NaN;
                        networkDropoutLocation = location;
                        valid &= CheckDropoutRate(networkDropout, "Dropout", name, location, diagnostics);
                        break;
                    case "Weights":
                        weights = named.Value.Value is string path ? new WeightsRequest(path, LocationInfo.From(location)) : null;
                        break;
                    case "Activations":
                        perLayerLocation = location;
                        perLayer = new List<ActivationKind>();
                        if (!named.Value.IsNull && named.Value.Kind == TypedConstantKind.Array)
                        {
                            for (int i = 0; i < named.Value.Values.Length; i++)
                            {
                                valid &= ReadEnum(named.Value.Values[i], $"Activations[{i}]", name, "Activation", ActivationNames, location, diagnostics, out ActivationKind activation);
                                perLayer.Add(activation);
                            }
                        }
                        break;
                }
            }

            // Per-layer form: [Network(input)] followed by [Dense(size, activation)] in source order.
            var denseLayers = new List<(int Size, ActivationKind Activation, Location Location, double? Dropout)>();
            foreach (var data in type.GetAttributes())
            {
                if (data.AttributeClass?.ToDisplayString() != DenseAttributeName)
                    continue;
                var location = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? attributeLocation;
                if (data.AttributeConstructor is null || data.ConstructorArguments.Length < 1 || data.ConstructorArguments[0].Value is not int size)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidAttributeArguments, location, name, "Dense"));
                    valid = false;
                    continue;
                }
                var activation = ActivationKind.Sigmoid;
                if (data.ConstructorArguments.Length > 1)
                    valid &= ReadEnum(data.ConstructorArguments[1], $"The activation of [Dense({size})]", name, "Activation", ActivationNames, location, diagnostics, out activation);
                double? layerDropout = null;
                foreach (var named in data.NamedArguments)
                {
                    if (named.Key != "Dropout")
                        continue;
                    layerDropout = named.Value.Value is double rate ? rate : double.NaN;
                    valid &= CheckDropoutRate(layerDropout.Value, $"The Dropout of [Dense({size})]", name, location, diagnostics);
                }
                denseLayers.Add((size, activation, location, layerDropout));
            }

            var layerSizes = new List<(int Size, Location Location)>();
            for (int i = 0; i < sizes.Count; i++)
                layerSizes.Add((sizes[i], sizeLocations[i]));
            List<ActivationKind>? activations = perLayer;
            if (denseLayers.Count > 0)
            {
                if (sizes.Count != 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MixedDeclarationForms, attributeLocation,
                        name, string.Join(", ", sizes), denseLayers.Count.ToString(), sizes.Count > 0 ? sizes[0].ToString() : "inputSize"));
                    return null;
                }
                foreach (var dense in denseLayers)
                    layerSizes.Add((dense.Size, dense.Location));
                if (perLayer is null)
                    activations = denseLayers.Select(d => d.Activation).ToList();
            }

            if (layerSizes.Count < 2)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooFewSizes, attributeLocation, name, layerSizes.Count.ToString()));
                return null;
            }
            for (int i = 0; i < layerSizes.Count; i++)
            {
                if (layerSizes[i].Size < 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeTooSmall, layerSizes[i].Location, name, i.ToString(), layerSizes[i].Size.ToString()));
                    valid = false;
                }
            }

            int layerCount = layerSizes.Count - 1;
            if (perLayer is not null)
            {
                if (perLayer.Count != layerCount)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationCountMismatch, perLayerLocation ?? attributeLocation, name, layerCount.ToString(), perLayer.Count.ToString()));
                    return null;
                }
                foreach (var overridden in hiddenOrOutputSet)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationsOverrideHiddenOutput,
                        NamedArgumentLocation(attributeSyntax, overridden) ?? attributeLocation, name, overridden));
                }
            }
            activations ??= Enumerable.Range(0, layerCount).Select(l => l == layerCount - 1 ? output : hidden).ToList();

            for (int l = 0; l < layerCount - 1; l++)
            {
                if (activations[l] == ActivationKind.Softmax)
                {
                    var location = denseLayers.Count > 0 ? denseLayers[l].Location : perLayerLocation ?? NamedArgumentLocation(attributeSyntax, "Hidden") ?? attributeLocation;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxOnHiddenLayer, location, name, l.ToString()));
                    valid = false;
                }
            }

            // Dropout: [Dense(..., Dropout = r)] wins over [Network(..., Dropout = r)], which covers hidden layers only.
            var dropouts = new double[layerCount];
            for (int l = 0; l < layerCount; l++)
            {
                double? explicitRate = denseLayers.Count > 0 ? denseLayers[l].Dropout : null;
                if (l == layerCount - 1)
                {
                    if (explicitRate is > 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutOnOutputLayer, denseLayers[l].Location, name, l.ToString()));
                        valid = false;
                    }
                    continue;
                }
                dropouts[l] = explicitRate ?? networkDropout;
            }
            if (networkDropout > 0 && layerCount == 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutWithoutHiddenLayers, networkDropoutLocation ?? attributeLocation, name));

            if (!valid)
                return null;

            // Loss/output combinations that compile but deserve a word.
            var outputActivation = activations[layerCount - 1];
            if (outputActivation == ActivationKind.Softmax && loss == LossKind.Quadratic)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxWithQuadraticLoss, attributeLocation, name));
            if (loss == LossKind.CrossEntropy && outputActivation is not (ActivationKind.Softmax or ActivationKind.Sigmoid))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CrossEntropyWithoutProbabilities, attributeLocation, name, outputActivation.ToString()));

            var layers = new List<LayerSpec>(layerCount);
            long offset = 0;
            for (int l = 0; l < layerCount; l++)
            {
                int inputs = layerSizes[l].Size, outputs = layerSizes[l + 1].Size;
                var layer = new DenseLayerSpec(l, inputs, outputs, activations[l], offset, Strategies.ChooseDense(inputs, outputs)) { Dropout = dropouts[l] };
                layers.Add(layer);
                offset += layer.ParameterCount;
            }
            if (offset > int.MaxValue)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyParameters, attributeLocation, name, offset.ToString()));
                return null;
            }

            if (!valid)
                return null;
            return new NetworkSpec(BuildHierarchy(type, declaration), scalar, loss, layerSizes[0].Size, layers.ToEquatableArray()) { Weights = weights };
        }

        /// <summary>Checks what the declaration itself must be: partial, non-static, non-generic, in partial non-generic containers.</summary>
        private static bool CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration, List<DiagnosticInfo> diagnostics)
        {
            bool valid = true;
            var identifier = declaration.Identifier.GetLocation();
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, identifier, type.Name));
                valid = false;
            }
            if (type.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticType, identifier, type.Name));
                valid = false;
            }
            for (var current = type; current is not null; current = current.ContainingType)
            {
                if (current.Arity > 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, identifier, type.Name, current.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
                    valid = false;
                    break;
                }
            }
            for (var parent = declaration.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
            {
                if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, parent.Identifier.GetLocation(), type.Name, parent.Identifier.ValueText));
                    valid = false;
                }
            }
            return valid;
        }

        private static bool ReadEnum<TEnum>(TypedConstant constant, string what, string network, string enumName, string[] names, Location location, List<DiagnosticInfo> diagnostics, out TEnum value)
            where TEnum : struct, Enum
        {
            value = default;
            if (constant.Value is int raw && Enum.IsDefined(typeof(TEnum), raw))
            {
                value = (TEnum)(object)raw;
                return true;
            }
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, location,
                network, what, constant.Value?.ToString() ?? "null", enumName, string.Join(", ", names.Select(n => enumName + "." + n))));
            return false;
        }

        /// <summary>A dropout rate must be a probability of dropping that leaves something: 0 ≤ rate &lt; 1.</summary>
        private static bool CheckDropoutRate(double rate, string what, string network, Location location, List<DiagnosticInfo> diagnostics)
        {
            if (rate >= 0 && rate < 1)
                return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutOutOfRange, location, network, what,
                rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            return false;
        }

        private static Location? NamedArgumentLocation(AttributeSyntax? attribute, string name)
            => attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.GetLocation();

        private static HierarchyInfo BuildHierarchy(INamedTypeSymbol type, TypeDeclarationSyntax declaration)
        {
            var containing = new List<TypeDeclarationInfo>();
            for (var parent = declaration.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
                containing.Insert(0, new TypeDeclarationInfo(Keyword(parent), parent.Identifier.ValueText));
            string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            return new HierarchyInfo(ns, new TypeDeclarationInfo(Keyword(declaration), type.Name), containing.ToEquatableArray());
        }

        private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
            RecordDeclarationSyntax => "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };

        /// <summary>For [Dense] on a type without [Network]: the one diagnostic such a type gets.</summary>
        public static DiagnosticInfo? ParseOrphanDense(GeneratorAttributeSyntaxContext context)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
                return null;
            if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NetworkAttributeName))
                return null;
            return DiagnosticInfo.Create(DiagnosticDescriptors.DenseWithoutNetwork, declaration.Identifier.GetLocation(), type.Name);
        }
    }

    /// <summary>The parse step's output: a spec when the declaration is valid, and its diagnostics either way.</summary>
    internal sealed record ParseResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
}
