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
    /// The most elements of one generated buffer (parameters, workspace): AlignedArray&lt;T&gt;.MaxLength, Array.MaxLength
    /// less the 64 bytes of slack that put its first element on a cache line.
    /// </summary>
    internal const long AlignedMaxLength = 0x7FFFFFC7 - 64;

    /// <summary>
    /// Turns one [Network] declaration into a <see cref="NetworkSpec"/> and its diagnostics. This is the only
    /// place that sees symbols and syntax; what it returns is plain values.
    /// </summary>
    internal static partial class Parser
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
            // Declarations the compiler already rejects get nothing generated, which could only add errors: a header with
            // syntax errors (a missing name), [Network] on something other than a class (CS0592), or on several partial
            // parts of one class (CS0579, and one spec per part).
            if (IsBroken(declaration) || type.TypeKind != TypeKind.Class
                || type.GetAttributes().Count(a => a.AttributeClass?.ToDisplayString() == NetworkAttributeName) > 1)
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
            int[]? inputShape = null;
            Location? inputLocation = null;
            CodeRequest? code = null;
            int codeLayer = -1;
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
                    case "Input":
                        inputLocation = location;
                        inputShape = named.Value.Kind == TypedConstantKind.Array && !named.Value.IsNull
                            ? named.Value.Values.Select(v => v.Value is int i ? i : 0).ToArray()
                            : System.Array.Empty<int>();
                        break;
                    case "Code":
                        code = new CodeRequest(named.Value.Value as string ?? "", location);
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

            // Per-layer form: the input, then one layer attribute per layer in source order.
            var declarations = new List<LayerDeclaration>();
            foreach (var data in type.GetAttributes())
            {
                string? attributeName = data.AttributeClass?.ToDisplayString();
                if (attributeName is null || !LayerBuilders.ContainsKey(attributeName))
                    continue;
                var location = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? attributeLocation;
                string shortName = data.AttributeClass!.Name.EndsWith("Attribute", StringComparison.Ordinal) ? data.AttributeClass.Name.Substring(0, data.AttributeClass.Name.Length - "Attribute".Length) : data.AttributeClass.Name;
                declarations.Add(new LayerDeclaration(attributeName, shortName, data, location));
            }

            ShapeSpec? declaredInput = null;
            if (inputShape is not null)
            {
                if (sizes.Count > 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputGivenTwice, attributeLocation, name, string.Join(", ", sizes), string.Join(", ", inputShape)));
                    return null;
                }
                if (inputShape.Length is not (1 or 2 or 3))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongArrayLength, inputLocation ?? attributeLocation, name, "Input", $"[Network]", inputShape.Length.ToString(), "1 (features), 2 (steps, features) or 3 (channels, height, width)"));
                    return null;
                }
                for (int i = 0; i < inputShape.Length; i++)
                {
                    if (inputShape[i] < 1)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeTooSmall, inputLocation ?? attributeLocation, name, $"{MessageText.Ordinal(i + 1)} value of Input", inputShape[i].ToString()));
                        return null;
                    }
                }
                declaredInput = new ShapeSpec(new EquatableArray<int>(inputShape));
                if (declaredInput.Size > int.MaxValue)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SampleTooLarge, inputLocation ?? attributeLocation, name, "The input", declaredInput.ToString(), declaredInput.Size.ToString()));
                    return null;
                }
            }

            List<LayerSpec>? layers;
            ShapeSpec input;
            if (declarations.Count > 0 || declaredInput is not null)
            {
                if (declaredInput is null && sizes.Count != 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(sizes.Count == 0 ? DiagnosticDescriptors.TooFewSizes : DiagnosticDescriptors.MixedDeclarationForms, attributeLocation,
                        sizes.Count == 0 ? new[] { name, "no input size" } : new[] { name, string.Join(", ", sizes), declarations.Count.ToString(), sizes[0].ToString() }));
                    return null;
                }
                if (declaredInput is null && sizes[0] < 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeTooSmall, sizeLocations[0], name, "input size", sizes[0].ToString()));
                    return null;
                }
                if (declarations.Count == 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooFewSizes, attributeLocation, name, $"the input {declaredInput ?? ShapeSpec.Vector(sizes[0])} but no layer"));
                    return null;
                }
                input = declaredInput ?? ShapeSpec.Vector(sizes[0]);
                int denseCount = declarations.Count(d => d.Name == DenseAttributeName);
                if (perLayer is not null)
                {
                    if (perLayer.Count != denseCount)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationCountMismatch, perLayerLocation ?? attributeLocation, name, denseCount.ToString(), perLayer.Count.ToString()));
                        return null;
                    }
                    foreach (var overridden in hiddenOrOutputSet)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationsOverrideHiddenOutput, NamedArgumentLocation(attributeSyntax, overridden) ?? attributeLocation, name, overridden));
                }
                if (!valid)
                    return null;
                layers = BuildLayers(name, input, declarations, networkDropout, perLayer, scalar, diagnostics, code, out codeLayer);
                if (layers is null)
                    return null;
                if (networkDropout > 0 && !layers.OfType<DropoutLayerSpec>().Any())
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutWithoutHiddenLayers, networkDropoutLocation ?? attributeLocation, name));
            }
            else
            {
                layers = BuildCompact(name, sizes, sizeLocations, perLayer, perLayerLocation, hiddenOrOutputSet, hidden, output, networkDropout, networkDropoutLocation,
                    attributeSyntax, attributeLocation, scalar, diagnostics, ref valid);
                if (layers is null || !valid)
                    return null;
                input = ShapeSpec.Vector(sizes[0]);
                if (code is not null)
                {
                    // The compact form's layers have no names to refer to.
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CodeLayerNotFound, code.Location, name, code.Name,
                        "; the compact form's layers have no names: declare the layers one by one, e.g. [Network(784)] [Dense(32, Activation.Sigmoid, Name = \"" + code.Name + "\")]"));
                    return null;
                }
            }

            // Loss/output combinations that compile but deserve a word.
            var outputActivation = layers[layers.Count - 1].Activation;
            if (outputActivation == ActivationKind.Softmax && loss == LossKind.Quadratic)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxWithQuadraticLoss, attributeLocation, name));
            if (loss == LossKind.CrossEntropy && outputActivation is not (ActivationKind.Softmax or ActivationKind.Sigmoid))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CrossEntropyWithoutProbabilities, attributeLocation, name, outputActivation.ToString()));

            long parameters = layers.Sum(l => l.ParameterCount);
            if (parameters > AlignedMaxLength || layers.Any(l => l.Output.Size > int.MaxValue))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyParameters, attributeLocation, name, parameters.ToString()));
                return null;
            }

            if (!valid)
                return null;
            var spec = new NetworkSpec(BuildHierarchy(type, declaration), scalar, loss, input, layers.ToEquatableArray()) { Weights = weights, DeclaresInfo = type.MemberNames.Contains("Info"), CodeLayer = codeLayer };
            // C# forbids a member named like its type (CS0542): a type named Forward cannot get a Forward method.
            if (Emit.GeneratedMembers.Declares(spec, name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNamedLikeMember, declaration.Identifier.GetLocation(), name));
                return null;
            }
            return spec;
        }

        /// <summary>The compact form, <c>[Network(784, 128, 10, Hidden = …, Output = …)]</c>: dense layers, and dropout after hidden ones.</summary>
        private static List<LayerSpec>? BuildCompact(string name, List<int> sizes, List<Location> sizeLocations, List<ActivationKind>? perLayer, Location? perLayerLocation,
            List<string> hiddenOrOutputSet, ActivationKind hidden, ActivationKind output, double networkDropout, Location? networkDropoutLocation,
            AttributeSyntax? attributeSyntax, Location attributeLocation, ScalarKind scalar, List<DiagnosticInfo> diagnostics, ref bool valid)
        {
            if (sizes.Count < 2)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooFewSizes, attributeLocation, name, sizes.Count == 0 ? "no size" : $"only the input size {sizes[0]} and no layer"));
                return null;
            }
            for (int i = 0; i < sizes.Count; i++)
            {
                if (sizes[i] < 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeTooSmall, sizeLocations[i], name, i == 0 ? "1st size (the input)" : $"{MessageText.Ordinal(i + 1)} size", sizes[i].ToString()));
                    valid = false;
                }
            }
            int layerCount = sizes.Count - 1;
            if (perLayer is not null)
            {
                if (perLayer.Count != layerCount)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationCountMismatch, perLayerLocation ?? attributeLocation, name, layerCount.ToString(), perLayer.Count.ToString()));
                    return null;
                }
                foreach (var overridden in hiddenOrOutputSet)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationsOverrideHiddenOutput, NamedArgumentLocation(attributeSyntax, overridden) ?? attributeLocation, name, overridden));
            }
            var activations = perLayer ?? Enumerable.Range(0, layerCount).Select(l => l == layerCount - 1 ? output : hidden).ToList();
            for (int l = 0; l < layerCount - 1; l++)
            {
                if (activations[l] == ActivationKind.Softmax)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxOnHiddenLayer, perLayerLocation ?? NamedArgumentLocation(attributeSyntax, "Hidden") ?? attributeLocation, name, l.ToString()));
                    valid = false;
                }
            }
            if (networkDropout > 0 && layerCount == 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutWithoutHiddenLayers, networkDropoutLocation ?? attributeLocation, name));
            if (!valid)
                return null;
            var layers = new List<LayerSpec>();
            long offset = 0;
            for (int l = 0; l < layerCount; l++)
            {
                int inputs = sizes[l], outputs = sizes[l + 1];
                var dense = new DenseLayerSpec(layers.Count, inputs, outputs, activations[l], offset, Strategies.ChooseDense(inputs, outputs)) { ElementBytes = scalar == ScalarKind.Double ? 8 : 4 };
                layers.Add(dense);
                offset += dense.ParameterCount;
                if (networkDropout > 0 && l < layerCount - 1)
                    layers.Add(new DropoutLayerSpec(layers.Count, dense.Output, dense.Output, offset, networkDropout));
            }
            return layers;
        }

        /// <summary>Checks what the declaration itself must be: partial, non-static, non-generic, in partial non-generic containers.</summary>
        private static bool CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration, List<DiagnosticInfo> diagnostics)
        {
            bool valid = true;
            var identifier = declaration.Identifier.GetLocation();
            if (declaration is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ValueTypeNetwork, identifier, type.Name, "record"));
                valid = false;
            }
            else
            {
                // A primary constructor (on any part) would collide with the generated M() and M(int seed) (CS0111, CS8862).
                foreach (var reference in type.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax() is TypeDeclarationSyntax { ParameterList: { } parameters })
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PrimaryConstructor, parameters.GetLocation(), type.Name, parameters.ToString()));
                        valid = false;
                        break;
                    }
                }
            }
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
                    string generic = current.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, identifier, type.Name,
                        SymbolEqualityComparer.Default.Equals(current, type) ? $"is generic ('{generic}')" : $"is nested in the generic type '{generic}'"));
                    valid = false;
                    break;
                }
            }
            // A file-local type cannot be completed from the generator's file: its code would declare another type.
            for (var part = declaration; part is not null; part = part.Parent as TypeDeclarationSyntax)
            {
                var file = part == declaration
                    ? type.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().FirstOrDefault(d => d.Modifiers.Any(SyntaxKind.FileKeyword))
                    : part.Modifiers.Any(SyntaxKind.FileKeyword) ? part : null;
                if (file is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FileLocalType, file.Identifier.GetLocation(), type.Name, file.Identifier.ValueText));
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

        /// <summary>Whether the declaration's header, or that of a containing type or namespace, has syntax errors.</summary>
        private static bool IsBroken(TypeDeclarationSyntax declaration)
        {
            for (SyntaxNode? node = declaration; node is not null and not CompilationUnitSyntax; node = node.Parent)
            {
                switch (node)
                {
                    case TypeDeclarationSyntax type:
                        if (type.Identifier.IsMissing || type.Identifier.ContainsDiagnostics || type.Modifiers.Any(m => m.ContainsDiagnostics)
                            || type.TypeParameterList?.ContainsDiagnostics == true || type.ParameterList?.ContainsDiagnostics == true
                            || type.BaseList?.ContainsDiagnostics == true || type.ConstraintClauses.Any(c => c.ContainsDiagnostics)
                            || type.OpenBraceToken.IsMissing && !type.SemicolonToken.IsKind(SyntaxKind.SemicolonToken))
                            return true;
                        break;
                    case BaseNamespaceDeclarationSyntax ns:
                        if (ns.Name.ContainsDiagnostics || ns.Name.IsMissing)
                            return true;
                        break;
                    default:
                        return true; // a type declaration somewhere no type can be: the parser's error recovery
                }
            }
            return false;
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
            // The identifiers' values, not ToDisplayString(), which would write '@' before keywords.
            var parts = new List<string>();
            for (var n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
                parts.Insert(0, n.Name);
            string? ns = parts.Count > 0 ? string.Join(".", parts) : null;
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

        /// <summary>For layer attributes on a type without [Network]: the one diagnostic such a type gets, reported for its first layer attribute only.</summary>
        public static DiagnosticInfo? ParseOrphanLayer(GeneratorAttributeSyntaxContext context, string attributeName)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
                return null;
            var attributes = type.GetAttributes();
            if (attributes.Any(a => a.AttributeClass?.ToDisplayString() == NetworkAttributeName))
                return null;
            var first = attributes.FirstOrDefault(a => a.AttributeClass is not null && LayerBuilders.ContainsKey(a.AttributeClass.ToDisplayString()));
            if (first?.AttributeClass?.ToDisplayString() != attributeName)
                return null;
            string shortName = first.AttributeClass.Name.Substring(0, first.AttributeClass.Name.Length - "Attribute".Length);
            return DiagnosticInfo.Create(DiagnosticDescriptors.DenseWithoutNetwork, declaration.Identifier.GetLocation(), type.Name, shortName);
        }
    }

    /// <summary>The parse step's output: a spec when the declaration is valid, and its diagnostics either way.</summary>
    internal sealed record ParseResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
}
