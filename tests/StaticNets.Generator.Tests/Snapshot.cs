using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// A small stand-in for Verify with its file names: <c>Snapshots/Class.Method#Hint.verified.cs</c> holds the
/// accepted text; on mismatch the new text goes to <c>….received.cs</c> beside it and the test fails.
/// Set STATICNETS_ACCEPT_SNAPSHOTS=1 to accept received text. Swapping in Verify later is a package change.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "STATICNETS_ACCEPT_SNAPSHOTS";

    private static readonly string ProjectDirectory = typeof(Snapshot).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ProjectDirectory").Value!;

    /// <summary>
    /// Line endings, and the generator's version in [GeneratedCode] (it follows VersionPrefix in Directory.Build.props,
    /// so a release does not rewrite every snapshot): compared and stored as "VERSION".
    /// </summary>
    private static string Normalize(string source)
        => System.Text.RegularExpressions.Regex.Replace(source.Replace("\r\n", "\n", StringComparison.Ordinal),
            "GeneratedCode\\(\"StaticNets\\.Generator\", \"[0-9.]+\"\\)", "GeneratedCode(\"StaticNets.Generator\", \"VERSION\")");

    /// <summary>
    /// Runs the generator on one declaration that must produce exactly one network without diagnostics, compares its
    /// source with the snapshot named after the calling test, and checks that it compiles.
    /// </summary>
    public static void VerifyNetwork(string source, string hint, [CallerMemberName] string method = "", [CallerFilePath] string callerFile = "")
    {
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        var generated = Assert.Single(run.Sources);
        Assert.Equal(hint, generated.HintName);
        Verify(generated.Source, generated.HintName, method, callerFile);
        Assert.Empty(run.CompilationErrors);
    }

    public static void Verify(string actual, string hintName, [CallerMemberName] string method = "", [CallerFilePath] string callerFile = "", string? className = null)
    {
        className ??= Path.GetFileNameWithoutExtension(callerFile);
        // Deterministic CI builds map source paths to /_/, so [CallerFilePath] gives only the file's name;
        // the project directory comes from the assembly's metadata instead.
        string directory = Path.Combine(ProjectDirectory, "Snapshots");
        string stem = $"{className}.{method}#{Path.GetFileNameWithoutExtension(hintName)}";
        string extension = Path.GetExtension(hintName);
        string verified = Path.Combine(directory, stem + ".verified" + extension);
        string received = Path.Combine(directory, stem + ".received" + extension);
        actual = Normalize(actual);

        if (File.Exists(verified) && Normalize(File.ReadAllText(verified)) == actual)
        {
            if (File.Exists(received))
                File.Delete(received);
            return;
        }

        Directory.CreateDirectory(directory);
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received))
                File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(File.Exists(verified)
            ? $"Snapshot {stem} changed. Compare {received} with {verified}; set {AcceptVariable}=1 to accept."
            : $"No snapshot {stem} yet; wrote {received}. Review it and set {AcceptVariable}=1 to accept.");
    }
}
