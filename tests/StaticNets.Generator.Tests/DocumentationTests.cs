using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md, docs/*.md and the package readmes (src/*/PACKAGE.md) compiles, with the
/// generator running, against the runtime, StaticNets.Onnx and StaticNets.Gpu — as the <c>Program.cs</c> (or any other file) of a
/// fresh <c>dotnet new console</c> project with its implicit usings, so documentation cannot rot. Blocks marked
/// <c>```csharp fragment</c> need context they do not show (a <c>net</c>, a data set) and are only checked to
/// parse. The rules are in docs/contributing.md.
/// </summary>
public class DocumentationTests
{
    private static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(
        typeof(DocumentationTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "..", ".."));

    /// <summary>The implicit usings of a console project (Microsoft.NET.Sdk with ImplicitUsings enabled).</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    public sealed record Block(string File, int Line, bool Fragment, string Code)
    {
        public override string ToString() => $"{File}:{Line}{(Fragment ? " (fragment)" : "")}";
    }

    /// <summary>The csharp blocks of the documentation, with file and 1-based line of the opening fence.</summary>
    public static IReadOnlyList<Block> Blocks()
    {
        var files = new List<string> { Path.Combine(RepositoryRoot, "README.md") };
        files.AddRange(Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").OrderBy(f => f, StringComparer.Ordinal));
        files.AddRange(Directory.GetDirectories(Path.Combine(RepositoryRoot, "src")).OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "PACKAGE.md")).Where(File.Exists));
        var blocks = new List<Block>();
        foreach (string file in files)
        {
            string relative = Path.GetRelativePath(RepositoryRoot, file).Replace('\\', '/');
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("```", StringComparison.Ordinal))
                    continue;
                string[] info = lines[i].Substring(3).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int end = i + 1;
                while (end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal))
                    end++;
                Assert.True(end < lines.Length, $"{relative}:{i + 1}: code block is not closed");
                if (info.Length > 0 && info[0] is "csharp" or "cs" or "c#")
                {
                    Assert.True(info.Skip(1).All(word => word == "fragment"), $"{relative}:{i + 1}: unknown info string '{lines[i]}' (only 'fragment' is understood)");
                    blocks.Add(new Block(relative, i + 1, info.Contains("fragment"), string.Join("\n", lines, i + 1, end - i - 1)));
                }
                i = end;
            }
        }
        return blocks;
    }

    public static TheoryData<string> BlockNames()
    {
        var data = new TheoryData<string>();
        foreach (var block in Blocks())
            data.Add(block.ToString());
        return data;
    }

    [Fact]
    public void The_documentation_has_the_blocks_this_test_expects()
    {
        // A guard against a test that passes on nothing (a moved folder, a changed fence): at the time of writing
        // there are 23 blocks, 14 of them complete files.
        var blocks = Blocks();
        Assert.True(blocks.Count >= 20, $"found only {blocks.Count} csharp blocks");
        Assert.True(blocks.Count(b => !b.Fragment) >= 10, $"found only {blocks.Count(b => !b.Fragment)} complete csharp blocks");
        Assert.Contains(blocks, b => b.File == "README.md" && !b.Fragment && b.Line < 20);   // the README's first example
        Assert.Contains(blocks, b => b.File == "docs/getting-started.md" && !b.Fragment);
    }

    [Theory]
    [MemberData(nameof(BlockNames))]
    public void Block_compiles(string name)
    {
        var block = Blocks().Single(b => b.ToString() == name);
        if (block.Fragment)
        {
            // Top-level statements (and declarations) that use names the block does not declare: syntax only.
            var tree = CSharpSyntaxTree.ParseText(block.Code, GeneratorHarness.ParseOptions, path: block.File);
            var errors = tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => Format(block, d)).ToArray();
            Assert.True(errors.Length == 0, string.Join("\n", errors));
            return;
        }

        var errorsOf = Compile(block);
        Assert.True(errorsOf.Length == 0, $"{block} does not compile as a file of a console project:\n" + string.Join("\n", errorsOf));
    }

    [Fact]
    public void A_broken_block_is_reported()
    {
        // The test can fail: a type declaration before top-level statements (CS8803), and a network without the
        // generator's members, are reported with the block's location.
        var broken = new Block("README.md", 9, Fragment: false, """
            using StaticNets;
            [Network(2, 3, 1)]
            public partial class XorNet;
            var net = new XorNet(seed: 1);
            """);
        var errors = Compile(broken);
        Assert.Contains(errors, e => e.Contains("CS8803", StringComparison.Ordinal) && e.StartsWith("README.md:13", StringComparison.Ordinal));
        var unknownMember = new Block("docs/x.md", 1, Fragment: false, "using StaticNets;\n[Network(2, 3, 1)]\npublic partial class XorNet;\nstatic class C { static int N => XorNet.NoSuchMember; }");
        Assert.Contains(Compile(unknownMember), e => e.Contains("CS0117", StringComparison.Ordinal));
    }

    /// <summary>Compiles a complete block with the generator; the errors (and generator warnings) as "file:line: ID message".</summary>
    private static string[] Compile(Block block)
    {
        var parse = GeneratorHarness.ParseOptions;
        var tree = CSharpSyntaxTree.ParseText(block.Code, parse, path: block.File);
        bool program = tree.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "DocumentationBlock",
            new[] { tree, CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "GlobalUsings.g.cs") },
            References.Value,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        // Weight files the documentation bakes in (Weights = "digits.snet") are the samples' .snet files.
        var weights = Directory.GetFiles(Path.Combine(RepositoryRoot, "samples"), "*.snet", SearchOption.AllDirectories)
            .Select(p => (AdditionalText)new FileText(p));
        CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, weights, parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return generatorDiagnostics
            .Concat(output.GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.Id.StartsWith("SNN", StringComparison.Ordinal)))
            .Select(d => Format(block, d))
            .Distinct()
            .ToArray();
    }

    private static string Format(Block block, Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        string where = d.Location.IsInSource && span.Path == block.File ? $"{block.File}:{block.Line + 1 + span.StartLinePosition.Line}" : block.ToString();
        return $"{where}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll"))
            .Append(typeof(StaticNets.NetworkAttribute).Assembly.Location)
            .Append(typeof(StaticNets.Interop.OnnxExport).Assembly.Location)
            .Append(typeof(StaticNets.Gpu.GpuTrainer).Assembly.Location)
            .Append(typeof(ILGPU.Context).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });

    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(Path));
    }
}
