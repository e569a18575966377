using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// The first half of the stale-parameter sequence cannot be written any more: <c>Parameters</c> is a
/// <c>ReadOnlySpan</c>, so neither keeping it as a writable span nor writing through it compiles; the edit window does.
/// </summary>
public class ReadOnlyParametersTests
{
    private const string Network = """
        using System;
        using StaticNets;

        [Network(Input = new[] { 1, 6, 6 })]
        [Conv2D(2, 3)]
        [Flatten]
        [Dense(3, Activation.Softmax)]
        public partial class Cnn;
        """;

    private static string[] Errors(string body)
    {
        var run = GeneratorHarness.Run(Network, "using System; using StaticNets; public static class User { public static void M(Cnn net, INetwork<float> any) { " + body + " } }");
        Assert.Empty(run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        return run.CompilationErrors.Select(d => d.Id).ToArray();
    }

    [Fact]
    public void A_writable_span_over_Parameters_does_not_compile()
    {
        Assert.Equal(new[] { "CS0029" }, Errors("Span<float> p = net.Parameters;"));
        Assert.Equal(new[] { "CS0029" }, Errors("Span<float> p = any.Parameters;"));
    }

    [Fact]
    public void Writing_through_Parameters_does_not_compile()
    {
        Assert.Equal(new[] { "CS8331" }, Errors("net.Parameters[0] = 1f;"));
        Assert.Equal(new[] { "CS8331" }, Errors("any.Parameters[0] += 1f;"));
    }

    [Fact]
    public void Reading_Parameters_and_writing_through_an_edit_compile()
    {
        Assert.Empty(Errors("ReadOnlySpan<float> p = net.Parameters; float first = p[0]; using (var e = net.EditParameters()) { Span<float> s = e.Span; s[0] = first + 1; }"));
        Assert.Empty(Errors("using var e = any.EditParameters(); e.Span[1] += 1;"));
    }
}
