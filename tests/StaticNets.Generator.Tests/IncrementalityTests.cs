using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>The parsed spec is the cache boundary: unrelated edits leave it cached and nothing is re-emitted.</summary>
public class IncrementalityTests
{
    private const string Network = "using StaticNets;\nnamespace App;\n[Network(64, 32, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]\npublic partial class DigitsNet;\n";

    [Fact]
    public void Unrelated_edit_keeps_the_spec_cached()
    {
        var compilation = GeneratorHarness.Compile(Network, "namespace App; public class Other { public int X; }");
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        // Edit another file: add a member to an unrelated class.
        var otherTree = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(otherTree, CSharpSyntaxTree.ParseText("namespace App; public class Other { public int X; public int Y; }", GeneratorHarness.ParseOptions, path: otherTree.FilePath));
        driver = driver.RunGenerators(edited);

        var run = driver.GetRunResult().Results.Single();
        var specs = run.TrackedSteps[NetworkGenerator.TrackingNames.Specs].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(specs);
        Assert.All(specs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"spec step was {o.Reason}"));
        Assert.All(run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output step was {o.Reason}"));
    }

    [Fact]
    public void Editing_the_network_file_without_changing_the_network_reuses_the_spec()
    {
        var compilation = GeneratorHarness.Compile(Network);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Network + "// a comment\npublic class Unrelated { }\n", GeneratorHarness.ParseOptions, path: tree.FilePath));
        driver = driver.RunGenerators(edited);

        var run = driver.GetRunResult().Results.Single();
        // The parse step re-runs (its file changed) but produces an equal spec, so emission is skipped.
        var specs = run.TrackedSteps[NetworkGenerator.TrackingNames.Specs].SelectMany(s => s.Outputs).ToList();
        Assert.All(specs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"spec step was {o.Reason}"));
    }

    [Fact]
    public void Changing_a_size_regenerates()
    {
        var compilation = GeneratorHarness.Compile(Network);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Network.Replace("32, 10", "33, 10", System.StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: tree.FilePath));
        driver = driver.RunGenerators(edited);

        var run = driver.GetRunResult().Results.Single();
        var specs = run.TrackedSteps[NetworkGenerator.TrackingNames.Specs].SelectMany(s => s.Outputs).ToList();
        Assert.Contains(specs, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("public const int Layer0Size = 33;", run.GeneratedSources.Single().SourceText.ToString(), System.StringComparison.Ordinal);
    }
}

/// <summary>The same cache boundary for a shaped (CNN) declaration.</summary>
public class LayerIncrementalityTests
{
    private const string Cnn = "using StaticNets;\nnamespace App;\n[Network(Input = new[] { 1, 28, 28 }, Loss = Loss.CrossEntropy)]\n[Conv2D(6, 5, Padding = 2, Activation = Activation.ReLU)]\n[MaxPool2D(2)]\n[Flatten]\n[Dropout(0.25)]\n[Dense(10, Activation.Softmax)]\npublic partial class Cnn;\n";

    [Fact]
    public void Editing_an_unrelated_part_of_the_file_keeps_the_cnn_spec_cached()
    {
        var compilation = GeneratorHarness.Compile(Cnn + "public class Unrelated { public int X; }\n");
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Cnn + "// a comment\npublic class Unrelated { public int X; public int Y => X; }\n", GeneratorHarness.ParseOptions, path: tree.FilePath));
        driver = driver.RunGenerators(edited);

        var run = driver.GetRunResult().Results.Single();
        var specs = run.TrackedSteps[NetworkGenerator.TrackingNames.Specs].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(specs);
        Assert.All(specs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"spec step was {o.Reason}"));
        // An equal spec skips emission: every output step is cached.
        Assert.All(run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output step was {o.Reason}"));
        Assert.Contains("Cnn", run.GeneratedSources.Single().HintName, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_kernel_size_regenerates_the_cnn()
    {
        var compilation = GeneratorHarness.Compile(Cnn);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Cnn.Replace("Conv2D(6, 5, Padding = 2", "Conv2D(6, 3, Padding = 1", System.StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: tree.FilePath));
        driver = driver.RunGenerators(edited);

        var run = driver.GetRunResult().Results.Single();
        var specs = run.TrackedSteps[NetworkGenerator.TrackingNames.Specs].SelectMany(s => s.Outputs).ToList();
        Assert.Contains(specs, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("KernelHeight: 3, KernelWidth: 3", run.GeneratedSources.Single().SourceText.ToString(), System.StringComparison.Ordinal);
    }
}
