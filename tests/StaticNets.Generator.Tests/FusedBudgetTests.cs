using System;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// The fused single-sample forward stays within its generated-size budget (1,536 vector multiply-adds over its three
/// methods, docs/generator.md): small chains are fused and the header says how much of the budget they use; wider or
/// deeper ones get the per-layer code, and the header says why.
/// </summary>
public class FusedBudgetTests
{
    private static string Generate(string sizes)
    {
        var run = GeneratorHarness.Run($"using StaticNets;\n[Network({sizes}, Hidden = Activation.ReLU, Output = Activation.Identity)]\npublic partial class Net;");
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
        return run.Sources.Single().Source;
    }

    private static int Count(string source, string text) => Regex.Matches(source, Regex.Escape(text)).Count;

    [Theory]
    [InlineData("2, 8, 1", 12)]
    [InlineData("8, 32, 32, 4", 528)]
    [InlineData("32, 32, 32, 32, 32", 1368)]
    [InlineData("16, 16, 16, 16, 16, 16, 16, 16, 16", 808)]
    public void A_fused_network_states_its_multiply_adds_and_writes_exactly_that_many(string sizes, int multiplyAdds)
    {
        string source = Generate(sizes);
        Assert.True(source.Contains($"//   Single-sample forward: fused (every layer ≤ 64 × 64, {multiplyAdds} vector multiply-adds written out, budget 1536): one method per vector width", StringComparison.Ordinal), source.Split("\n").FirstOrDefault(l => l.Contains("Single-sample forward:", StringComparison.Ordinal)));
        // The fused methods come first, then the lane methods of the batched forward (which the budget admits too).
        int fused = source.IndexOf("private void ForwardFused", StringComparison.Ordinal), lanes = source.IndexOf("private void ForwardLanes", StringComparison.Ordinal);
        Assert.True(fused > 0 && lanes > fused);
        Assert.Equal(multiplyAdds, Count(source.Substring(fused, lanes - fused), "global::StaticNets.Kernels.FusedSimd.MultiplyAdd("));
        Assert.Equal(3, Count(source, "private void ForwardFused"));
        Assert.Equal(3, Count(source, "private void ForwardLanes"));
        Assert.Contains("//   Batched forward (Forward with a workspace): in lanes of 16/8/4 samples", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64, 64, 64", 1824)]
    [InlineData("32, 32, 32, 32, 32, 32, 32, 32, 32", 3160)]
    [InlineData("64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64", 19744)]
    public void A_network_over_the_budget_gets_the_per_layer_code_and_says_why(string sizes, int multiplyAdds)
    {
        string source = Generate(sizes);
        Assert.Contains($"//   Single-sample forward: per layer, not fused: the fused methods would write {multiplyAdds} vector multiply-adds, over the budget of 1536 (above it they measured slower than the per-layer code).", source, StringComparison.Ordinal);
        Assert.Equal(0, Count(source, "ForwardFused"));
        Assert.Equal(0, Count(source, "ForwardLanes"));
        Assert.Equal(0, Count(source, "_fused"));
    }

    [Fact]
    public void Twelve_layers_of_64_generate_kilobytes_not_megabytes()
    {
        // Fused, this network's source was 3.3 MB (6 s to compile) and its Forward 3× slower than per layer.
        string source = Generate("64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64");
        Assert.True(source.Length < 200_000, $"{source.Length} characters");
    }
}
