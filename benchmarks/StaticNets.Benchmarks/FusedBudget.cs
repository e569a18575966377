using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>fused</c> mode: for dense chains of several shapes, the single-sample forward with the fused methods against
/// the per-layer code of the same generated network, plus generated size and compile time. Each shape is declared
/// with <c>[Network]</c>, run through the generator in-process and compiled twice (Release): once as generated, once
/// with the fused dispatch cut out of <c>Forward</c> (so the per-layer code runs: the path a network outside the fused
/// budget gets). Both are timed interleaved, in alternating order, over several rounds; medians are printed.
/// </summary>
internal static class FusedBudget
{
    private static readonly (string Name, string Attribute)[] Shapes =
    {
        ("2-3-1 sigmoid", "[Network(2, 3, 1)]"),
        ("2-8-1 relu", "[Network(2, 8, 1, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("4-16-3 relu/softmax", "[Network(4, 16, 3, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]"),
        ("8-32-32-4 relu/softmax (N1)", "[Network(8, 32, 32, 4, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]"),
        ("8-32-32-4 relu/identity", "[Network(8, 32, 32, 4, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("64-32-10 sigmoid", "[Network(64, 32, 10)]"),
        ("16-64-16 relu", "[Network(16, 64, 16, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("64-64-64 relu (2 × 64)", "[Network(64, 64, 64, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("3 × 64 relu", "[Network(64, 64, 64, 64, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("4 × 64 relu", "[Network(64, 64, 64, 64, 64, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("4 × 32 relu", "[Network(32, 32, 32, 32, 32, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("8 × 16 relu", "[Network(16, 16, 16, 16, 16, 16, 16, 16, 16, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("12 × 64 relu", "[Network(64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("4 × 64 tanh", "[Network(64, 64, 64, 64, 64, Hidden = Activation.Tanh, Output = Activation.Identity)]"),
        ("2-64-1 relu", "[Network(2, 64, 1, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("16-48-16 relu", "[Network(16, 48, 16, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("8 × 32 relu", "[Network(32, 32, 32, 32, 32, 32, 32, 32, 32, Hidden = Activation.ReLU, Output = Activation.Identity)]"),
        ("64-64-10 sigmoid", "[Network(64, 64, 10)]"),
        ("64-64-10 relu/softmax", "[Network(64, 64, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]"),
    };

    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 && int.TryParse(args[0], out int r) ? r : 9;
        string? only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
        s_warmupMilliseconds = int.TryParse(args.SkipWhile(a => a != "--warmup-ms").Skip(1).FirstOrDefault(), out int warmup) ? warmup : 500;
        Console.WriteLine($"Fused single-sample forward against the per-layer code of the same network; {rounds} interleaved rounds, medians of the thread's CPU time per call.");
        Console.WriteLine($"{"shape",-30} {"fused?",-7} {"source KB",10} {"plain KB",9} {"compile s",10} {"plain s",8} {"fused ns",9} {"plain ns",9} {"fused/plain",12}");
        foreach (var (name, attribute) in Shapes)
        {
            if (only is not null && !name.Contains(only, StringComparison.Ordinal))
                continue;
            string source = $"using StaticNets;\n{attribute}\npublic partial class F;";
            string generated = Generate(source);
            bool fused = generated.Contains("ForwardFused512(", StringComparison.Ordinal);
            string plain = fused ? CutDispatch(generated) : generated;
            var (fusedNet, fusedCompile) = Compile(source, generated, "Fused");
            var (plainNet, plainCompile) = Compile(source, plain, "Plain");
            var (fusedNs, plainNs) = fused ? Time(fusedNet, plainNet, rounds) : (double.NaN, Time(plainNet, plainNet, rounds).Item2);
            Console.WriteLine($"{name,-30} {(fused ? "yes" : "no"),-7} {generated.Length / 1024.0,10:F0} {plain.Length / 1024.0,9:F0} {fusedCompile,10:F2} {plainCompile,8:F2} {fusedNs,9:F0} {plainNs,9:F0} {fusedNs / plainNs,12:F2}");
        }
        return 0;
    }

    /// <summary>The generator's output for the declaration.</summary>
    private static string Generate(string source)
    {
        var compilation = CSharpCompilation.Create("Probe", new[] { CSharpSyntaxTree.ParseText(source, ParseOptions) }, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var generator = (IIncrementalGenerator)Activator.CreateInstance(GeneratorType.Value)!;
        var driver = CSharpGeneratorDriver.Create(new[] { generator.AsSourceGenerator() }, parseOptions: ParseOptions).RunGenerators(compilation);
        return driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();
    }

    /// <summary>The same source with the fused dispatch of Forward removed: Forward then runs the per-layer code.</summary>
    private static string CutDispatch(string generated)
    {
        var lines = generated.Split('\n').ToList();
        int start = lines.FindIndex(l => l.Contains("// Small network: one fused method", StringComparison.Ordinal));
        int end = lines.FindIndex(start, l => l.Contains("ReadOnlySpan<float> p = _parameters;", StringComparison.Ordinal) || l.Contains("ReadOnlySpan<double> p = _parameters;", StringComparison.Ordinal));
        if (start < 0 || end < 0)
            throw new InvalidOperationException("The fused dispatch was not found in the generated Forward.");
        lines.RemoveRange(start, end - start);
        return string.Join('\n', lines);
    }

    private static (INetwork<float> Network, double CompileSeconds) Compile(string source, string generated, string assemblyName)
    {
        var watch = Stopwatch.StartNew();
        var compilation = CSharpCompilation.Create(assemblyName + Guid.NewGuid().ToString("N"),
            new[] { CSharpSyntaxTree.ParseText(source, ParseOptions), CSharpSyntaxTree.ParseText(generated, ParseOptions) }, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, allowUnsafe: true));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
        double seconds = watch.Elapsed.TotalSeconds;
        var assembly = new AssemblyLoadContext(assemblyName, isCollectible: false).LoadFromStream(new MemoryStream(image.ToArray()));
        var network = (INetwork<float>)Activator.CreateInstance(assembly.GetType("F")!, 1)!;
        return (network, seconds);
    }

    /// <summary>Median ns per Forward of each network, rounds interleaved in alternating order; checks both agree.</summary>
    private static (double, double) Time(INetwork<float> a, INetwork<float> b, int rounds)
    {
        var input = BenchData.Inputs(a.InputSize, 7);
        var outputA = new float[a.OutputSize];
        var outputB = new float[b.OutputSize];
        a.Forward(input, outputA);
        b.Forward(input, outputB);
        for (int i = 0; i < outputA.Length; i++)
        {
            if (MathF.Abs(outputA[i] - outputB[i]) > 1e-4f * (1 + MathF.Abs(outputB[i])))
                throw new InvalidOperationException($"The fused and per-layer forwards disagree at output {i}: {outputA[i]} vs {outputB[i]}.");
        }
        // Warm-up past tiering (half a second of calls each by default, in five parts with a pause for the
        // background JIT after each), and the iteration count for ~20 ms per measurement.
        int iterations = 1000;
        for (int warm = 0; warm < 5; warm++)
        {
            var watch = Stopwatch.StartNew();
            while (watch.ElapsedMilliseconds < s_warmupMilliseconds / 5)
            {
                Measure(a, input, outputA, 100);
                Measure(b, input, outputB, 100);
            }
            System.Threading.Thread.Sleep(50);
        }
        double probe = Measure(b, input, outputB, iterations);
        iterations = Math.Max(1000, (int)(20e6 / Math.Max(probe, 1)));
        var timesA = new List<double>();
        var timesB = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                timesA.Add(Measure(a, input, outputA, iterations));
                timesB.Add(Measure(b, input, outputB, iterations));
            }
            else
            {
                timesB.Add(Measure(b, input, outputB, iterations));
                timesA.Add(Measure(a, input, outputA, iterations));
            }
        }
        return (Median(timesA), Median(timesB));
    }

    // The machine this was written on is shared: wall-clock time includes the time other processes run on this
    // core. The thread's own CPU time (CLOCK_THREAD_CPUTIME_ID on Linux) leaves that out; elsewhere, wall clock.
    private static double Measure(INetwork<float> network, float[] input, float[] output, int iterations)
    {
        long start = ThreadNanoseconds();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
            network.Forward(input, output);
        long end = ThreadNanoseconds();
        return (start >= 0 && end >= 0 ? end - start : watch.Elapsed.TotalNanoseconds) / (double)iterations;
    }

    private static long ThreadNanoseconds()
    {
        if (!OperatingSystem.IsLinux())
            return -1;
        return ClockGetTime(3, out var spec) == 0 ? spec.Seconds * 1_000_000_000 + spec.Nanoseconds : -1;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static int s_warmupMilliseconds = 500;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<Type> GeneratorType = new(() =>
    {
        // The generator assembly the benchmarks project is built with (an analyzer, so not a reference): next to this one.
        string path = Path.Combine(AppContext.BaseDirectory, "StaticNets.Generator.dll");
        return Assembly.LoadFrom(path).GetType("StaticNets.Generator.NetworkGenerator", throwOnError: true)!;
    });

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "mscorlib.dll" or "netstandard.dll"))
            .Append(typeof(INetwork<float>).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());
}
