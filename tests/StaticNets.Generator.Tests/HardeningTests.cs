using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// The declarations of issue 14 that once threw CS8785 or produced errors in generated code, each with its exact
/// outcome: the files generated, the diagnostics with full text, and a compilation without added errors.
/// </summary>
public class HardeningTests
{
    private static GeneratorRun Run(string source) => GeneratorHarness.Run("using StaticNets;\n" + source);

    private static string[] Hints(GeneratorRun run) => run.Sources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal).ToArray();

    private static string[] Errors(GeneratorRun run) => run.CompilationErrors.Select(GeneratorHarness.Format).ToArray();

    private static string[] Diagnostics(GeneratorRun run) => run.Diagnostics.Select(GeneratorHarness.Format).OrderBy(s => s, StringComparer.Ordinal).ToArray();

    private static void AssertNoGeneratorException(GeneratorRun run)
        => Assert.DoesNotContain(run.Diagnostics, d => d.Id == "CS8785");

    [Fact]
    public void Types_whose_names_differ_only_in_case_each_get_a_network()
    {
        var run = Run("namespace CI { [Network(2, 3, 1)] partial class Net; [Network(2, 3, 1)] partial class NET; }\n"
            + "static class Use { public static int N => CI.Net.InputSize + CI.NET.OutputSize + new CI.Net().Parameters.Length + new CI.NET().Parameters.Length; }");
        AssertNoGeneratorException(run);
        Assert.Equal(new[] { "CI.NET.g.cs", "CI.Net.2.g.cs" }, Hints(run));
        Assert.Empty(Errors(run));
        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public void Namespaces_that_differ_only_in_case_each_get_a_network()
    {
        var run = Run("namespace A { [Network(2, 3, 1)] partial class Net; }\nnamespace a { [Network(4, 2)] partial class Net; }\n"
            + "static class Use { public static int N => A.Net.InputSize + a.Net.InputSize; }");
        AssertNoGeneratorException(run);
        Assert.Equal(new[] { "A.Net.g.cs", "a.Net.2.g.cs" }, Hints(run));
        Assert.Empty(Errors(run));
    }

    [Fact]
    public void Verbatim_identifiers_are_written_verbatim_and_hint_names_hold_none()
    {
        var run = Run("namespace @namespace.@event { [Network(2, 3, 1)] partial class @class; }\n"
            + "partial class @struct { [Network(2, 3, 1)] internal partial class M; }\n"
            + "[Network(2, 3, 1)] partial class @partial;\n"
            + "static class Use { public static int N => @namespace.@event.@class.InputSize + @struct.M.InputSize + @partial.InputSize + new @partial().Parameters.Length; }");
        AssertNoGeneratorException(run);
        Assert.Equal(new[] { "namespace.event.class.g.cs", "partial.g.cs", "struct.M.g.cs" }, Hints(run));
        Assert.Empty(Errors(run));
        Assert.Contains("namespace @namespace.@event", run.Sources.Single(s => s.HintName == "namespace.event.class.g.cs").Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Network_on_two_partial_parts_generates_nothing_beside_the_compilers_CS0579()
    {
        var run = Run("[Network(2, 3, 1)] partial class M { }\n[Network(2, 3, 1)] partial class M { }");
        AssertNoGeneratorException(run);
        Assert.Empty(run.Sources);
        Assert.Equal(new[] { "CS0579 Error (3,2)-(3,9): Duplicate 'Network' attribute" }, Errors(run));
    }

    [Fact]
    public void SNN031_a_primary_constructor()
    {
        var run = Run("[Network(2, 3, 1)] partial class M(int x) { public int X => x; }");
        Assert.Equal(new[] { "SNN031 Error (2,35)-(2,42): Network 'M' has the primary constructor (int x), but the generator declares the constructors M() and M(int seed), which would have to call it; remove the parameter list and keep any state in fields or properties" },
            Diagnostics(run));
        Assert.Empty(run.Sources);
        Assert.Empty(Errors(run));
    }

    [Fact]
    public void SNN031_a_primary_constructor_on_another_part()
    {
        var run = Run("[Network(2, 3, 1)] partial class M;\npartial class M() { }");
        Assert.Equal(new[] { "SNN031 Error (3,16)-(3,18): Network 'M' has the primary constructor (), but the generator declares the constructors M() and M(int seed), which would have to call it; remove the parameter list and keep any state in fields or properties" },
            Diagnostics(run));
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("Forward")]
    [InlineData("InputSize")]
    [InlineData("Parameters")]
    [InlineData("Workspace")]
    [InlineData("Classify")]
    [InlineData("Layer1Weights")]
    [InlineData("_parameters")]
    public void SNN032_a_type_named_like_a_generated_member(string name)
    {
        var run = Run($"[Network(2, 3, 1)] partial class {name};");
        int end = 34 + name.Length;
        Assert.Equal(new[] { $"SNN032 Error (2,34)-(2,{end}): The network type '{name}' has the name of a member the generator adds to it (or starts with a prefix reserved for them: _, t_, s_, ForwardFused), and a member cannot be named like its type (CS0542); rename the type, e.g. to '{name}Net'" },
            Diagnostics(run));
        Assert.Empty(run.Sources);
        Assert.Empty(Errors(run));
    }

    [Theory]
    [InlineData("Layer2Weights")] // a two-layer network has layers 0 and 1 only
    [InlineData("Layer0")]
    [InlineData("Net")]
    [InlineData("Dropout")]
    public void Names_near_generated_members_are_fine(string name)
    {
        var run = Run($"[Network(2, 3, 1)] partial class {name};");
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
        Assert.Empty(Errors(run));
    }

    [Fact]
    public void SNN033_a_file_local_type()
    {
        var run = Run("[Network(2, 3, 1)] file partial class M;");
        Assert.Equal(new[] { "SNN033 Error (2,39)-(2,40): Network 'M' is or is nested in the file-local type 'M', which only its own file can complete, so the generated members would go to another type of that name; remove the 'file' modifier (make the type internal instead)" },
            Diagnostics(run));
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("[Network(2, 3, 1)] partial class ;")]
    [InlineData("[Network(2, 3, 1)] partial class")]
    [InlineData("[Network(2, 3, 1)] partial class M<> { }")]
    [InlineData("namespace N. { [Network(2, 3, 1)] partial class M; }")]
    public void A_declaration_with_syntax_errors_generates_nothing(string source)
    {
        var run = Run(source);
        AssertNoGeneratorException(run);
        Assert.Empty(run.Sources);
        Assert.Empty(run.Diagnostics.Where(d => d.Id.StartsWith("SNN", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("readonly partial struct")]
    [InlineData("ref partial struct")]
    [InlineData("partial interface")]
    [InlineData("partial record struct")]
    public void Network_on_what_is_not_a_class_leaves_only_the_compilers_CS0592(string kind)
    {
        var run = Run($"[Network(2, 3, 1)] {kind} M {{ }}");
        Assert.Empty(run.Sources);
        Assert.Equal(new[] { "CS0592 Error (2,2)-(2,9): Attribute 'Network' is not valid on this declaration type. It is only valid on 'class' declarations." }, Errors(run));
    }
}
