using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace StaticNets.Generator;

/// <summary>
/// Emits forward and backward code specialised for the sizes declared with <c>[Network]</c>.
/// Pipeline: <see cref="Parser"/> (symbols → <see cref="Model.NetworkSpec"/>) then <see cref="Emitter"/>
/// (spec → source). The spec is the cache boundary; tracking names let tests prove it stays cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    internal static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Specs = nameof(Specs);
        public const string OrphanDense = nameof(OrphanDense);
        public const string WeightFiles = nameof(WeightFiles);
        public const string Resolved = nameof(Resolved);
        public const string Names = nameof(Names);
    }

    private static void Report(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<Model.DiagnosticInfo> diagnostics)
        => context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider),
            static (spc, pair) => spc.ReportDiagnostic(pair.Left.ToDiagnostic(pair.Right)));

    /// <summary>
    /// The hint name of a network's file: its full name with characters a hint name cannot hold replaced by '_', and,
    /// where several networks' names then differ only in case (hint names are compared ignoring case, as file names on
    /// Windows), a number after the first in ordinal order: <c>CI.NET.g.cs</c> and <c>CI.Net.2.g.cs</c> (no name part
    /// starts with a digit, so the number collides with nothing). Null when the very same name is there twice: the
    /// compiler reports the duplicate type and generating both would only add errors.
    /// </summary>
    internal static string? HintName(string fullName, System.Collections.Immutable.ImmutableArray<string> allNames)
    {
        string key = SafeHintName(fullName);
        var group = new System.Collections.Generic.SortedSet<string>(System.StringComparer.Ordinal);
        int same = 0;
        foreach (string other in allNames)
        {
            if (other == fullName)
                same++;
            else if (string.Equals(SafeHintName(other), key, System.StringComparison.OrdinalIgnoreCase))
                group.Add(other);
        }
        if (same > 1)
            return null;
        group.Add(fullName);
        int index = 0;
        foreach (string name in group)
        {
            if (name == fullName)
                break;
            index++;
        }
        return key + (index == 0 ? "" : "." + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)) + ".g.cs";
    }

    /// <summary>Letters, digits, '.' and '_' as they are; anything else an identifier may hold (combining marks, connectors) as '_'.</summary>
    private static string SafeHintName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
            builder.Append(char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        return builder.ToString();
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.NetworkAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                Parser.Parse)
            .WithTrackingName(TrackingNames.Parse);

        // Diagnostics are reported with the compilation beside them, so their locations are in its syntax trees and
        // '#pragma warning disable SNNxxx' applies; only this cheap step re-runs on each edit, not the emission.
        Report(context, parsed.SelectMany(static (result, _) => result.Diagnostics));

        var specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        // Weights baked in at build time: .snet AdditionalFiles, matched to specs that name one (equal specs stay cached).
        var weightFiles = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(".snet", System.StringComparison.OrdinalIgnoreCase))
            .Select(static (text, ct) => Baking.BakedWeightsResolver.ReadFile(text, ct))
            .Collect()
            .WithTrackingName(TrackingNames.WeightFiles);
        var resolved = specs
            .Combine(weightFiles)
            .Select(static (pair, _) => Baking.BakedWeightsResolver.Resolve(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Resolved);

        Report(context, resolved.Where(static r => r.Diagnostic is not null).Select(static (r, _) => r.Diagnostic!));
        // Hint names must be unique ignoring case, so each output sees every network's name (a short list of strings,
        // equal across edits that add or rename no network).
        var names = specs.Select(static (spec, _) => spec.Hierarchy.FullName).Collect().WithTrackingName(TrackingNames.Names);
        context.RegisterSourceOutput(resolved.Combine(names), static (spc, pair) =>
        {
            var spec = pair.Left.Spec;
            if (HintName(spec.Hierarchy.FullName, pair.Right) is not string hintName)
                return;
            if (Emit.LayerEmitters.FirstUnknownKind(spec) is string unknown)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LayerWithoutEmitter, Location.None, spec.Hierarchy.FullName, unknown));
                return;
            }
            string source = Emitter.Emit(spec);
            spc.AddSource(hintName, SourceText.From(source, Encoding.UTF8));
        });

        // Layer attributes on a type without [Network]: one diagnostic per type, from its first layer attribute.
        foreach (string layerAttribute in Parser.LayerAttributeNames)
        {
            string metadataName = layerAttribute;
            var orphans = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    metadataName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    (ctx, _) => Parser.ParseOrphanLayer(ctx, metadataName))
                .Where(static d => d is not null)
                .WithTrackingName(TrackingNames.OrphanDense);
            Report(context, orphans.Select(static (d, _) => d!));
        }
    }
}
