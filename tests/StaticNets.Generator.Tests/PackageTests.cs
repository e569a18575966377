using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Generator.Tests;

/// <summary>
/// What docs/getting-started.md tells a new user, done for real: pack StaticNets and StaticNets.Onnx into a local
/// feed in a temporary folder, make a console app with <c>dotnet new console</c>, a <c>nuget.config</c> with that
/// feed and nuget.org, and <c>dotnet add package</c>, put the README's first example in <c>Program.cs</c>, build it
/// (no warnings: the generator ran from the package) and run it (it trains and prints a test accuracy); then the
/// same with StaticNets.Onnx's package readme example (an ONNX export). Then a
/// build without the generator must warn SNN100, the package's build check.
/// Needs the solution built in this configuration (the packs use --no-build) and the package registry for
/// System.Numerics.Tensors and Google.Protobuf; packages restore into a private folder, so nothing is cached
/// between runs and the user's NuGet folder is left alone.
/// </summary>
public class PackageTests(ITestOutputHelper output)
{
    /// <summary>Everything the test writes: the feed, the app and the restored packages.</summary>
    private readonly string _root = Path.Combine(Path.GetTempPath(), "staticnets-package-test-" + Guid.NewGuid().ToString("N")[..12]);

    private static readonly Assembly ThisAssembly = typeof(PackageTests).Assembly;

    private static string Metadata(string key)
        => ThisAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(Metadata("ProjectDirectory"), "..", ".."));

    [Fact]
    public void Packed_packages_build_and_run_the_README_example_in_a_fresh_console_app()
    {
        var clock = Stopwatch.StartNew();
        string root = _root;
        Directory.CreateDirectory(root);
        try
        {
            // A pre-release version of its own, so that no restore anywhere can pick up an older pack of 0.1.0.
            string suffix = "test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
            string feed = Path.Combine(root, "staticnets-feed");
            string configuration = Metadata("Configuration");
            foreach (string packed in new[] { "src/StaticNets/StaticNets.csproj", "src/StaticNets.Onnx/StaticNets.Onnx.csproj" })
                Dotnet(root, "pack", Path.Combine(RepositoryRoot, packed), "-c", configuration, "--no-build", "-o", feed, $"-p:VersionSuffix={suffix}");
            string version = Path.GetFileNameWithoutExtension(Directory.GetFiles(feed, "StaticNets.0*.nupkg").Single())["StaticNets.".Length..];
            Assert.EndsWith("-" + suffix, version, StringComparison.Ordinal);
            foreach (string package in new[] { "StaticNets", "StaticNets.Onnx" })
            {
                Assert.True(File.Exists(Path.Combine(feed, $"{package}.{version}.nupkg")), $"{package}.{version}.nupkg");
                Assert.True(File.Exists(Path.Combine(feed, $"{package}.{version}.snupkg")), $"{package}.{version}.snupkg (symbols)");
            }

            // The runtime depends on System.Numerics.Tensors alone, carries the generator, its build check and a readme;
            // Google.Protobuf comes only with StaticNets.Onnx.
            Assert.Equal(new[] { "System.Numerics.Tensors" }, Dependencies(Path.Combine(feed, $"StaticNets.{version}.nupkg")));
            Assert.Equal(new[] { "Google.Protobuf", "StaticNets" }, Dependencies(Path.Combine(feed, $"StaticNets.Onnx.{version}.nupkg")));
            using (var runtime = ZipFile.OpenRead(Path.Combine(feed, $"StaticNets.{version}.nupkg")))
            {
                var entries = runtime.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
                foreach (string entry in new[] { "analyzers/dotnet/cs/StaticNets.Generator.dll", "buildTransitive/StaticNets.targets", "build/StaticNets.targets", "README.md", "lib/net8.0/StaticNets.dll" })
                    Assert.True(entries.Contains(entry), $"the package lacks {entry}");
            }

            // docs/getting-started.md, step by step.
            Dotnet(root, "new", "console", "-o", "DigitsApp");
            string app = Path.Combine(root, "DigitsApp");
            File.WriteAllText(Path.Combine(app, "nuget.config"), NugetConfig());
            Dotnet(app, "add", "package", "StaticNets", "--version", version);
            Dotnet(app, "add", "package", "StaticNets.Onnx", "--version", version);
            File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeFirstExample());
            File.Copy(Path.Combine(RepositoryRoot, "samples", "Digits", "data", "digits.csv.gz"), Path.Combine(app, "digits.csv.gz"));

            string build = Dotnet(app, "build", "-c", "Release");
            Assert.DoesNotMatch(@"warning [A-Z]+[0-9]+", build);   // no CS, NU or SNN warning: the generator ran, SNN100 is quiet
            Assert.Contains(" 0 Warning(s)", build, StringComparison.Ordinal);
            string run = Dotnet(app, "run", "-c", "Release", "--no-build");
            string[] lines = run.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            double accuracy = double.Parse(lines[0], CultureInfo.InvariantCulture);
            Assert.InRange(accuracy, 0.9, 1.0);   // the README says ≈ 0.97
            Assert.Matches(@"^\d with p = [01]\.\d\d; 64-32\(ReLU\)-10\(Softmax\), CrossEntropy, Single$", lines[1]);

            // StaticNets.Onnx from the feed, with Google.Protobuf from the registry: its package readme's example.
            var onnxExample = DocumentationTests.Blocks().Single(b => b.File == "src/StaticNets.Onnx/PACKAGE.md");
            File.WriteAllText(Path.Combine(app, "Program.cs"), onnxExample.Code + "\n");
            Dotnet(app, "build", "-c", "Release");
            string onnx = Dotnet(app, "run", "-c", "Release", "--no-build");
            Assert.Matches(@"^\d+ bytes, input 'input', output 'output'\s*$", onnx);
            Assert.True(new FileInfo(Path.Combine(app, "digits.onnx")).Length > 64 * 32 * 4, "digits.onnx holds the weights");

            // The mistake: the runtime without its generator (here a build customisation drops the analyzer; a
            // ProjectReference to the runtime alone is the usual way). The build warns SNN100, then fails on the
            // members the generator would have written.
            string projectFile = Path.Combine(app, "DigitsApp.csproj");
            string project = File.ReadAllText(projectFile);
            File.WriteAllText(projectFile, project.Replace("</Project>", """
                  <Target Name="DropTheGenerator" AfterTargets="ResolveLockFileAnalyzers">
                    <ItemGroup>
                      <Analyzer Remove="@(Analyzer)" Condition="'%(Filename)' == 'StaticNets.Generator'" />
                    </ItemGroup>
                  </Target>
                </Project>
                """, StringComparison.Ordinal));
            string broken = Dotnet(app, expectSuccess: false, "build", "-c", "Release");
            Assert.Contains("warning SNN100", broken, StringComparison.Ordinal);
            Assert.Contains("DigitsApp references the StaticNets runtime but not its source generator", broken, StringComparison.Ordinal);
            Assert.Matches("error CS(1729|1739|0117)", broken);
            output.WriteLine($"pack, consume, run and the SNN100 check took {clock.Elapsed.TotalSeconds:F0} s");
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // a build server may still hold a file; the folder is in the temp directory
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>The ids of a package's dependencies, from its .nuspec, sorted.</summary>
    private static string[] Dependencies(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var document = XDocument.Load(stream);
        return document.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!)
            .Distinct().OrderBy(id => id, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The nuget.config of getting-started.md: the local feed beside the app, then nuget.org.</summary>
    private static string NugetConfig()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "getting-started.md"));
        int start = doc.IndexOf("<configuration>", StringComparison.Ordinal);
        int end = doc.IndexOf("</configuration>", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "getting-started.md has no nuget.config");
        string config = doc[start..(end + "</configuration>".Length)];
        Assert.Contains("value=\"../staticnets-feed\"", config, StringComparison.Ordinal);
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + config + "\n";
    }

    /// <summary>The README's first csharp block, as it stands, plus nothing.</summary>
    private static string ReadmeFirstExample()
    {
        var block = DocumentationTests.Blocks().First(b => b.File == "README.md");
        Assert.False(block.Fragment);
        Assert.Contains("Console.WriteLine(Evaluator.Evaluate(net, test).Accuracy);", block.Code, StringComparison.Ordinal);
        // getting-started.md shows the same program.
        Assert.Equal(block.Code, DocumentationTests.Blocks().Single(b => b.File == "docs/getting-started.md" && !b.Fragment).Code);
        return block.Code + "\n";
    }

    private string Dotnet(string directory, params string[] arguments) => Dotnet(directory, expectSuccess: true, arguments);

    /// <summary>Runs the SDK's dotnet in <paramref name="directory"/>; returns stdout and stderr. At most two minutes.</summary>
    private string Dotnet(string directory, bool expectSuccess, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        if (arguments[0] is "build" or "pack")
        {
            start.ArgumentList.Add("-nodeReuse:false");
            start.ArgumentList.Add("--disable-build-servers");
        }
        // The test host's own MSBuild settings must not leak into a separate build.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "packages");

        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} took more than 2 minutes:\n{text}");
        }
        process.WaitForExit();
        string result;
        lock (text)
            result = text.ToString();
        output.WriteLine($"$ dotnet {string.Join(' ', arguments)}   ({clock.Elapsed.TotalSeconds:F1} s, exit {process.ExitCode})");
        if (expectSuccess)
            Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{result}");
        else
            Assert.True(process.ExitCode != 0, $"dotnet {string.Join(' ', arguments)} was expected to fail:\n{result}");
        return result;
    }
}
