using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// A generator warning must be suppressible in source with <c>#pragma warning disable</c>. Roslyn checks pragmas only for
/// diagnostics whose location lies in a syntax tree of the compilation (<see cref="LocationKind.SourceFile"/>); a location
/// made from a file path (<see cref="LocationKind.ExternalFile"/>) is never checked, so the pragma has no effect and a
/// project with warnings as errors fails to build (found declaring a pool with a remainder, SNN023, in the runtime tests).
/// </summary>
public class PragmaSuppressionTests
{
    [Fact]
    public void Generator_diagnostics_are_located_in_the_source_tree_so_pragmas_apply()
    {
        const string source = """
            using StaticNets;

            #pragma warning disable SNN023
            [Network(Input = new[] { 1, 9, 8 })]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(2)]
            public partial class RemainderNet;
            #pragma warning restore SNN023
            """;
        var run = GeneratorHarness.Run(source);
        var warning = Assert.Single(run.Diagnostics, d => d.Id == "SNN023");
        Assert.Equal(LocationKind.SourceFile, warning.Location.Kind);
        Assert.Same(run.Output.SyntaxTrees.First(), warning.Location.SourceTree);
    }
}
