using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Generator.Tests;

/// <summary>
/// A hostile user's declarations, one family per shape of input the generator once broke on: names that differ
/// only in case, verbatim identifiers, [Network] on several partial parts, primary constructors, type names that
/// equal generated members, broken syntax and every kind of type. For each case: the generator throws nothing
/// (no CS8785), no error lies in generated code, and code the compiler accepts stays free of errors once the
/// generated code is added. Seeds are fixed; the whole family runs in well under a minute.
/// </summary>
public class GeneratorFuzzTests
{
    private readonly ITestOutputHelper _output;

    public GeneratorFuzzTests(ITestOutputHelper output) => _output = output;

    private const string Net = "[Network(2, 3, 1)]";

    /// <summary>C# keywords, each usable only as a verbatim identifier (@class), and contextual ones, usable bare.</summary>
    private static readonly string[] Keywords = { "class", "struct", "event", "namespace", "int", "this", "global", "object", "string", "return", "new", "base", "void", "params", "fixed", "checked" };
    private static readonly string[] ContextualKeywords = { "var", "dynamic", "nameof", "async", "await", "value", "partial", "when", "unmanaged", "notnull", "file", "required", "scoped", "args", "field", "nint" };

    public static IEnumerable<object[]> Families() => new[]
    {
        new object[] { "case collisions" },
        new object[] { "verbatim identifiers" },
        new object[] { "partial parts" },
        new object[] { "primary constructors" },
        new object[] { "member-name clashes" },
        new object[] { "broken syntax" },
        new object[] { "every type kind" },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void The_generator_never_throws_and_never_adds_an_error(string family)
    {
        var cases = Cases(family).ToList();
        var failures = new List<string>();
        foreach (var (source, expectedNetworks) in cases)
        {
            string? failure = Check(source, expectedNetworks);
            if (failure is not null)
                failures.Add(failure);
        }
        _output.WriteLine($"{family}: {cases.Count} cases, {failures.Count} failures");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases of '{family}' failed:\n\n" + string.Join("\n\n", failures.Take(8)));
    }

    /// <summary>The cases of one family: a source and, where it is certain, how many networks it must generate.</summary>
    private static IEnumerable<(string Source, int? Networks)> Cases(string family)
    {
        switch (family)
        {
            case "case collisions":
                foreach (var (a, b) in new[] { ("Net", "NET"), ("net", "Net"), ("Xor", "XOR") })
                {
                    yield return ($"using StaticNets;\nnamespace CI {{ {Net} partial class {a}; {Net} partial class {b}; }}", 2);
                    yield return ($"using StaticNets;\nnamespace {a} {{ {Net} partial class M; }}\nnamespace {b} {{ {Net} partial class M; }}", 2);
                    yield return ($"using StaticNets;\n{Net} partial class {a}; {Net} partial class {b};\nnamespace N {{ {Net} partial class {a}; }}", 3);
                    yield return ($"using StaticNets;\npartial class Outer {{ {Net} partial class {a}; }}\npartial class OUTER {{ {Net} partial class {a}; }}", 2);
                    yield return ($"using StaticNets;\nnamespace A.{a} {{ {Net} partial class M; }}\nnamespace A {{ partial class {b} {{ {Net} partial class M; }} }}", 2);
                }
                // Names whose hint-name characters differ: letters outside ASCII, combining marks, connector punctuation.
                yield return ("using StaticNets;\nnamespace Ünï { " + Net + " partial class Δelta; " + Net + " partial class ΔELTA; }", 2);
                yield return ("using StaticNets;\n" + Net + " partial class A\u203FB; " + Net + " partial class A_B;", 2);
                yield return ("using StaticNets;\n" + Net + " partial class e\u0301; " + Net + " partial class E\u0301;", 2);
                break;

            case "verbatim identifiers":
                {
                    var rng = new Random(14);
                    foreach (var keyword in Keywords)
                    {
                        yield return ($"using StaticNets;\nnamespace @{keyword} {{ {Net} partial class M; }}", 1);
                        yield return ($"using StaticNets;\n{Net} partial class @{keyword};", 1);
                        yield return ($"using StaticNets;\npartial class @{keyword} {{ {Net} partial class M; }}", 1);
                    }
                    foreach (var keyword in ContextualKeywords)
                    {
                        yield return ($"using StaticNets;\nnamespace {keyword} {{ {Net} partial class M; }}", 1);
                        yield return ($"using StaticNets;\nnamespace N {{ {Net} partial class {keyword}; }}", null);
                        yield return ($"using StaticNets;\nnamespace N {{ partial class {keyword} {{ {Net} partial class M; }} }}", null);
                    }
                    for (int i = 0; i < 12; i++)
                    {
                        string Pick() => "@" + Keywords[rng.Next(Keywords.Length)];
                        yield return ($"using StaticNets;\nnamespace {Pick()}.{Pick()} {{ partial class {Pick()} {{ partial record {Pick()} {{ [Network(2)] [Dense(3)] [Dense(1)] partial class {Pick()}; }} }} }}", null);
                    }
                    yield return ("using StaticNets;\nnamespace @namespace.@event { " + Net + " partial class @class; }", 1);
                    yield return ("using StaticNets;\npartial class @struct { " + Net + " partial class M; }", 1);
                    yield return ("using StaticNets;\n" + Net + " partial class \\u0041bc;", 1);
                    break;
                }

            case "partial parts":
                yield return ($"using StaticNets;\n{Net} partial class M; {Net} partial class M;", 0);
                yield return ($"using StaticNets;\nnamespace N {{ {Net} partial class M {{ }} partial class M {{ }} {Net} partial class M {{ }} }}", 0);
                yield return ($"using StaticNets;\n{Net} partial class M {{ }} [Network(4, 2)] partial class M {{ }}", 0);
                yield return ("using StaticNets;\n[Network(2)] partial class M { } [Dense(3)] [Dense(1)] partial class M { }", 1);
                yield return ("using StaticNets;\n[Network(2)] [Dense(3)] partial class M { } [Dense(1)] partial class M { } partial class M { public int Extra => 1; }", 1);
                yield return ($"using StaticNets;\n{Net} partial class M {{ }} class M {{ }}", null);
                yield return ($"using StaticNets;\n{Net} partial class M {{ }} partial struct M {{ }}", null);
                yield return ($"using StaticNets;\npartial class O {{ {Net} partial class M; }} partial class O {{ {Net} partial class M; }}", 0);
                break;

            case "primary constructors":
                yield return ($"using StaticNets;\n{Net} partial class M(int x);", 0);
                yield return ($"using StaticNets;\n{Net} partial class M();", 0);
                yield return ($"using StaticNets;\n{Net} partial class M {{ }} partial class M(int x) {{ public int X => x; }}", 0);
                yield return ($"using StaticNets;\n{Net} partial record R(int X);", 0);
                yield return ($"using StaticNets;\n{Net} partial record R();", 0);
                yield return ($"using StaticNets;\n{Net} partial record struct R(int X);", 0);
                yield return ($"using StaticNets;\n{Net} partial struct S(int x);", 0);
                yield return ($"using StaticNets;\n{Net} partial class M(string name, int seed);", 0);
                yield return ($"using StaticNets;\npartial class O(int x) {{ {Net} partial class M; public int X => x; }}", 1);
                break;

            case "member-name clashes":
                // Every member the generator declares, for several kinds of network: a type of that name would clash.
                foreach (var declaration in new[]
                {
                    Net,
                    "[Network(4, 8, 3, Dropout = 0.2, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]",
                    "[Network(Input = new[] { 1, 6, 6 })] [Conv2D(2, 3)] [MaxPool2D(2)] [Flatten] [Dense(3)]",
                    "[Network(4, 64, 64, 2)]",
                    "[Network(2)] [Dense(3, Bias = false)] [Activation(Activation.Tanh)] [Dropout(0.1)] [Dense(1)]",
                    "[Network(Input = new[] { 3, 2 })] [Lstm(4, ReturnSequences = true)] [Dropout(0.1)] [Gru(3)] [Dense(2)]",
                })
                {
                    foreach (string member in GeneratedMemberNames(declaration))
                        yield return ($"using StaticNets;\nnamespace N {{ {declaration} partial class {member}; }}", 0);
                }
                foreach (string name in new[] { "Net", "Network", "Layer", "Layer0", "LayerX", "Trainer", "Activation", "Dense", "System", "StaticNets", "Math", "Span", "Vector", "Unsafe", "MemoryMarshal", "INetwork", "Workspaces", "T", "TNet", "Single", "Double" })
                    yield return ($"using StaticNets;\nnamespace N {{ {Net} partial class {name}; }}", 1);
                break;

            case "broken syntax":
                {
                    yield return ($"using StaticNets;\n{Net} partial class ;", 0);
                    yield return ($"using StaticNets;\n{Net} partial class", 0);
                    yield return ($"using StaticNets;\n{Net} partial class {{ }}", 0);
                    yield return ($"using StaticNets;\n{Net} partial class 1M {{ }}", 0);
                    yield return ($"using StaticNets;\n{Net} partial class M<> {{ }}", 0);
                    yield return ($"using StaticNets;\n{Net} partial partial class M {{ }}", null);
                    yield return ($"using StaticNets;\nnamespace {{ {Net} partial class M; }}", null);
                    yield return ($"using StaticNets;\nnamespace N. {{ {Net} partial class M; }}", null);
                    yield return ($"using StaticNets;\npartial class {{ {Net} partial class M; }}", null);
                    yield return ($"using StaticNets;\n{Net} partial class M : {{ }}", null);
                    yield return ($"using StaticNets;\n{Net} partial class M where {{ }}", null);
                    yield return ($"using StaticNets;\n{Net} public public partial class M {{ }}", null);
                    var rng = new Random(1_414);
                    string seed = "using StaticNets;\nnamespace A.B { partial class O { [Network(2, 3, 1, Hidden = Activation.ReLU)] internal partial class Net { public int X; } } }";
                    for (int i = 0; i < 40; i++)
                    {
                        var mutated = new StringBuilder(seed);
                        int position = rng.Next(seed.IndexOf("namespace", StringComparison.Ordinal), mutated.Length);
                        switch (rng.Next(3))
                        {
                            case 0: mutated.Remove(position, Math.Min(rng.Next(1, 5), mutated.Length - position)); break;
                            case 1: mutated.Insert(position, "(),[]-0\"=;{}@<>:"[rng.Next(16)]); break;
                            default: mutated[position] = (char)rng.Next(32, 127); break;
                        }
                        yield return (mutated.ToString(), null);
                    }
                    break;
                }

            case "every type kind":
                foreach (var (kind, networks) in new[]
                {
                    ("partial class", 1), ("public partial class", 1), ("internal sealed partial class", 1), ("abstract partial class", 1),
                    ("unsafe partial class", 1), ("file partial class", 0), ("static partial class", 0),
                    ("partial struct", 0), ("readonly partial struct", 0), ("ref partial struct", 0), ("readonly ref partial struct", 0),
                    ("partial record", 0), ("partial record class", 0), ("partial record struct", 0), ("readonly partial record struct", 0),
                    ("partial interface", 0), ("class", 0), ("struct", 0), ("interface", 0), ("record", 0),
                })
                {
                    yield return ($"using StaticNets;\nnamespace N {{ {Net} {kind} M {{ }} }}", networks);
                    yield return ($"using StaticNets;\n{Net} {kind} M;", networks);
                    yield return ($"using StaticNets;\n[Network(2)] [Dense(3)] [Dense(1)] {kind} M {{ }}", networks);
                }
                foreach (var container in new[] { "partial struct", "partial record", "partial record struct", "partial interface", "readonly partial struct", "ref partial struct", "static partial class", "abstract partial class", "sealed partial class" })
                    yield return ($"using StaticNets;\nnamespace N {{ {container} O {{ {Net} public partial class M; }} }}", null);
                yield return ($"using StaticNets;\n{Net} enum M {{ A }}", 0);
                yield return ($"using StaticNets;\n{Net} delegate void M();", 0);
                yield return ($"using StaticNets;\nclass C {{ {Net} void M() {{ }} }}", 0);
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(family), family, "unknown family");
        }
    }

    /// <summary>The names of the members the generator declares in a network declared with <paramref name="attributes"/>.</summary>
    private static IEnumerable<string> GeneratedMemberNames(string attributes)
    {
        var run = GeneratorHarness.Run($"using StaticNets;\nnamespace N {{ {attributes} partial class Probe; }}");
        Assert.Single(run.Sources);
        var root = CSharpSyntaxTree.ParseText(run.Sources[0].Source).GetRoot();
        var type = root.DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.ValueText == "Probe");
        return MemberNames(type).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    internal static IEnumerable<string> MemberNames(TypeDeclarationSyntax type)
    {
        foreach (var member in type.Members)
        {
            switch (member)
            {
                case BaseTypeDeclarationSyntax nested: yield return nested.Identifier.ValueText; break;
                case MethodDeclarationSyntax method when method.ExplicitInterfaceSpecifier is null: yield return method.Identifier.ValueText; break;
                case PropertyDeclarationSyntax property when property.ExplicitInterfaceSpecifier is null: yield return property.Identifier.ValueText; break;
                case EventDeclarationSyntax e when e.ExplicitInterfaceSpecifier is null: yield return e.Identifier.ValueText; break;
                case BaseFieldDeclarationSyntax field:
                    foreach (var variable in field.Declaration.Variables)
                        yield return variable.Identifier.ValueText;
                    break;
            }
        }
    }

    /// <summary>Runs the generator over one source; null when every assertion holds, otherwise what went wrong.</summary>
    private static string? Check(string source, int? expectedNetworks)
    {
        var input = GeneratorHarness.Compile(source);
        var inputErrors = input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(input, out var output, out var driverDiagnostics);
        var result = driver.GetRunResult();
        var problems = new List<string>();
        foreach (var r in result.Results)
        {
            if (r.Exception is not null)
                problems.Add("generator exception: " + r.Exception.GetType().Name + ": " + r.Exception.Message);
        }
        foreach (var d in driverDiagnostics.Concat(result.Diagnostics).Where(d => d.Id == "CS8785"))
            problems.Add(d.Id + ": " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        var generated = result.GeneratedTrees.ToHashSet();
        var outputErrors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        foreach (var d in outputErrors.Where(d => d.Location.SourceTree is { } tree && generated.Contains(tree)).Take(3))
            problems.Add("error in generated code: " + GeneratorHarness.Format(d));
        if (inputErrors.Count == 0)
        {
            foreach (var d in outputErrors.Where(d => d.Location.SourceTree is not { } tree || !generated.Contains(tree)).Take(3))
                problems.Add("valid code got an error once generated code was added: " + GeneratorHarness.Format(d));
        }
        int networks = result.GeneratedTrees.Count(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal));
        if (expectedNetworks is int expected && networks != expected)
            problems.Add($"expected {expected} generated network(s), found {networks}: {string.Join(", ", result.GeneratedTrees.Select(t => System.IO.Path.GetFileName(t.FilePath)))}");
        if (problems.Count == 0)
            return null;
        var snnDiagnostics = result.Diagnostics.Where(d => d.Id.StartsWith("SNN", StringComparison.Ordinal)).Select(GeneratorHarness.Format);
        return $"--- {source}\n    " + string.Join("\n    ", problems)
            + (inputErrors.Count > 0 ? "\n    (input errors: " + string.Join("; ", inputErrors.Take(3).Select(GeneratorHarness.Format)) + ")" : "")
            + (snnDiagnostics.Any() ? "\n    (generator: " + string.Join("; ", snnDiagnostics) + ")" : "");
    }
}
