using System;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using StaticNets.Persistence;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// <c>Weights = "file.snet"</c>: the generator reads files the runtime's <see cref="NetworkFile"/> wrote, bakes
/// their parameters in, and reports SNN050–SNN052 with full text when it cannot.
/// </summary>
public sealed class BakedWeightsTests : IDisposable
{
    private const string Declaration = "using StaticNets;\nnamespace App;\n[Network(2, 3, 1, Weights = \"models/xor.snet\")]\npublic partial class XorNet;\n";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "staticnets-baked-" + Guid.NewGuid().ToString("N"));

    public BakedWeightsTests() => Directory.CreateDirectory(Path.Combine(_directory, "models"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A 2-3-1 sigmoid network's file with parameters 0.5, 1.5, … as the runtime writes it.</summary>
    private static byte[] XorFile(Precision precision = Precision.Single, Activation output = Activation.Sigmoid, int hidden = 3)
    {
        var info = new NetworkInfo("XorNet", precision, Loss.Quadratic, new[] { 2, hidden, 1 }, new[] { Activation.Sigmoid, output });
        return precision == Precision.Single
            ? NetworkFile.ToBytes(new FakeNetwork<float>(info, Enumerable.Range(0, info.ParameterCount).Select(i => i + 0.5f).ToArray()))
            : NetworkFile.ToBytes(new FakeNetwork<double>(info, Enumerable.Range(0, info.ParameterCount).Select(i => i + 0.5).ToArray()));
    }

    private string Write(string relative, byte[] bytes)
    {
        string path = Path.Combine(_directory, relative);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static GeneratorDriver Driver(params string[] additionalFiles)
        => CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            additionalFiles.Select(p => (AdditionalText)new FileText(p)),
            GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static (GeneratorDriver Driver, Compilation Output, string[] Diagnostics) Run(string source, params string[] additionalFiles)
    {
        var driver = Driver(additionalFiles).RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(source), out var output, out var diagnostics);
        return (driver, output, diagnostics.Select(GeneratorHarness.Format).ToArray());
    }

    [Fact]
    public void Weights_from_a_runtime_file_are_baked_in_and_load_without_io()
    {
        byte[] file = XorFile();
        var (driver, output, diagnostics) = Run(Declaration, Write("models/xor.snet", file), Write("other.snet", new byte[] { 1, 2, 3 }));
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        string source = driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();
        Assert.Contains("public static global::System.ReadOnlySpan<byte> BakedWeightBytes => new byte[]", source, StringComparison.Ordinal);
        Assert.Contains($"CRC-32 0x{BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4)):X8}", source, StringComparison.Ordinal);

        // Load the compiled assembly and check the baked parameters against the file, read by the runtime.
        using var image = new MemoryStream();
        Assert.True(output.Emit(image).Success);
        var context = new AssemblyLoadContext("baked", isCollectible: true);
        try
        {
            var type = context.LoadFromStream(new MemoryStream(image.ToArray())).GetType("App.XorNet")!;
            var network = (INetwork<float>)type.GetMethod("FromBakedWeights")!.Invoke(null, null)!;
            var expected = NetworkFile.Read(new MemoryStream(file)).GetParameters<float>();
            Assert.Equal(expected, network.Parameters.ToArray());
            network.Initialize(5);
            Assert.NotEqual(expected, network.Parameters.ToArray());
            type.GetMethod("LoadBakedWeights")!.Invoke(network, null);
            Assert.Equal(expected, network.Parameters.ToArray());
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void A_tied_autoencoder_bakes_its_weights_and_a_file_without_the_tie_is_another_architecture()
    {
        var info = new NetworkInfo("Tied", Precision.Single, Loss.Quadratic, Shape.Vector(4),
            new LayerInfo[] { new DenseLayerInfo(4, 2, Activation.Sigmoid, 0), new TiedDenseLayerInfo(2, 4, Activation.Sigmoid, 0, 10) });
        byte[] file = NetworkFile.ToBytes(new FakeNetwork<float>(info, Enumerable.Range(0, info.ParameterCount).Select(i => i + 0.5f).ToArray()));
        const string Tied = "using StaticNets;\nnamespace App;\n[Network(4, Weights = \"models/tied.snet\")]\n[Dense(2, Name = \"enc\")]\n[Dense(4, TiedTo = \"enc\")]\npublic partial class Tied;\n";
        var (_, output, diagnostics) = Run(Tied, Write("models/tied.snet", file));
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var (_, _, untied) = Run(Tied.Replace("TiedTo = \"enc\"", "Name = \"dec\""), Write("models/tied.snet", file));
        Assert.Contains(untied, d => d.StartsWith("SNN052", StringComparison.Ordinal) && d.Contains("4(Sigmoid, tied to layer 0)", StringComparison.Ordinal));
    }

    [Fact]
    public void Baked_members_snapshot()
    {
        var (driver, _, diagnostics) = Run(Declaration, Write("models/xor.snet", XorFile()));
        Assert.Empty(diagnostics);
        string source = driver.GetRunResult().GeneratedTrees.Single().GetText().ToString();
        // Only the baked members: the rest of the file belongs to the network snapshots.
        int start = source.LastIndexOf('\n', source.IndexOf("// Weights baked in at build time", StringComparison.Ordinal)) + 1;
        int end = source.IndexOf("return network;", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start);
        end = source.IndexOf('}', end) + 1;
        Snapshot.Verify(source[start..end] + "\n", "XorNet.baked.txt");
    }

    [Fact]
    public void A_checkpoint_with_optimizer_sections_bakes_its_parameters()
    {
        var info = new NetworkInfo("XorNet", Precision.Single, Loss.Quadratic, new[] { 2, 3, 1 }, new[] { Activation.Sigmoid, Activation.Sigmoid });
        var net = new FakeNetwork<float>(info, Enumerable.Range(0, 13).Select(i => i * 0.25f).ToArray());
        var adam = new StaticNets.Training.Adam<float>();
        using (var edit = net.EditParameters())
            adam.Step(edit.Span, Enumerable.Repeat(0.5f, 13).ToArray(), 0.1f);
        using var checkpoint = new MemoryStream();
        NetworkFile.Save(net, checkpoint, adam);

        var (driver, _, diagnostics) = Run(Declaration, Write("models/xor.snet", checkpoint.ToArray()));
        Assert.Empty(diagnostics);
        var expected = net.Parameters.ToArray().SelectMany(BitConverter.GetBytes).ToArray();
        Assert.Contains("    " + string.Join(",", expected.Take(32)) + ",", driver.GetRunResult().GeneratedTrees.Single().GetText().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Double_weights_are_baked_in_for_double_networks()
    {
        var (driver, output, diagnostics) = Run(Declaration.Replace("Weights =", "Precision = Precision.Double, Weights =", StringComparison.Ordinal), Write("models/xor.snet", XorFile(Precision.Double)));
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains("BakedWeights.CopyTo<double>", driver.GetRunResult().GeneratedTrees.Single().GetText().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SNN050_missing_file()
    {
        var (driver, _, diagnostics) = Run(Declaration, Write("xor.snet.bak", XorFile()));
        Assert.Equal(new[] { "SNN050 Error (3,19)-(3,46): Network 'XorNet' bakes in weights from 'models/xor.snet', but no AdditionalFiles item of the project has that path; add <AdditionalFiles Include=\"models/xor.snet\" /> to the project file" }, diagnostics);
        // The network itself is still generated, without baked members.
        Assert.DoesNotContain("BakedWeightBytes", driver.GetRunResult().GeneratedTrees.Single().GetText().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SNN051_corrupt_truncated_or_foreign_files()
    {
        var good = XorFile();
        var flipped = (byte[])good.Clone();
        flipped[60] ^= 1;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(good.Length - 4));
        string computed = NetworkFileTestsChecksum(flipped).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new[] { $"SNN051 Error (3,19)-(3,46): The weights file 'models/xor.snet' of network 'XorNet' cannot be baked in: checksum mismatch, the file is corrupted: expected CRC-32 0x{computed} (computed) but found 0x{stored:X8} (stored); save it again with NetworkFile.Save" },
            Run(Declaration, Write("models/xor.snet", flipped)).Diagnostics);
        Assert.Equal(new[] { $"SNN051 Error (3,19)-(3,46): The weights file 'models/xor.snet' of network 'XorNet' cannot be baked in: file is truncated: expected {good.Length} bytes (from the header) but found {good.Length - 5} bytes; save it again with NetworkFile.Save" },
            Run(Declaration, Write("models/xor.snet", good[..^5])).Diagnostics);
        Assert.Equal(new[] { "SNN051 Error (3,19)-(3,46): The weights file 'models/xor.snet' of network 'XorNet' cannot be baked in: not a StaticNets network file (wrong magic bytes): expected \"SNET\" (53 4E 45 54) but found 7B22302E; save it again with NetworkFile.Save" },
            Run(Declaration, Write("models/xor.snet", "{\"0.weight\": 1}"u8.ToArray())).Diagnostics);
    }

    [Fact]
    public void SNN051_a_section_count_of_int_MaxValue_with_no_sections()
    {
        // The generator's old reader took this file (it looped over no sections); the one shared reader rejects it, as the runtime does.
        var file = XorFile();
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(file.Length - 8), int.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), NetworkFileTestsChecksum(file));
        Assert.Equal(new[] { "SNN051 Error (3,19)-(3,46): The weights file 'models/xor.snet' of network 'XorNet' cannot be baked in: malformed network file: expected a section count that fits the file but found 2147483647; save it again with NetworkFile.Save" },
            Run(Declaration, Write("models/xor.snet", file)).Diagnostics);
        var runtime = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Read(new MemoryStream(file)));
        Assert.Equal(NetworkFileProblem.Malformed, runtime.Problem);
        Assert.Equal("a section count that fits the file", runtime.Expected);
    }

    [Fact]
    public void A_version_1_file_and_a_file_with_dropout_bake_into_the_dense_declaration()
    {
        var info = new NetworkInfo("XorNet", Precision.Single, Loss.Quadratic, new[] { 2, 3, 1 }, new[] { Activation.Sigmoid, Activation.Sigmoid });
        var parameters = Enumerable.Range(0, 13).Select(i => i + 0.5f).ToArray();
        var (_, _, v1Diagnostics) = Run(Declaration, Write("models/xor.snet", V1File(info, parameters)));
        Assert.Empty(v1Diagnostics);

        var hidden = new DenseLayerInfo(2, 3, Activation.Sigmoid, 0);
        var withDropout = new NetworkInfo("XorNet", Precision.Single, Loss.Quadratic, Shape.Vector(2),
            new LayerInfo[] { hidden, new DropoutLayerInfo(hidden.OutputShape, 0.5, 9), new DenseLayerInfo(3, 1, Activation.Sigmoid, 9) });
        var (driver, _, diagnostics) = Run(Declaration, Write("models/xor.snet", NetworkFile.ToBytes(new FakeNetwork<float>(withDropout, parameters))));
        Assert.Empty(diagnostics);
        Assert.Contains("BakedWeightBytes", driver.GetRunResult().GeneratedTrees.Single().GetText().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_of_a_convolutional_network_are_baked_in()
    {
        const string declaration = "using StaticNets;\nnamespace App;\n[Network(Input = new[] { 1, 4, 4 }, Weights = \"models/cnn.snet\")]\n"
            + "[Conv2D(2, 3, Activation = Activation.ReLU)]\n[MaxPool2D(2)]\n[Flatten]\n[Dense(1, Activation.Sigmoid)]\npublic partial class CnnNet;\n";
        var conv = new Conv2DLayerInfo(Shape.Image(1, 4, 4), 2, 3, 3, 1, 1, 0, 0, 0, 0, Activation.ReLU, 0);
        var pool = new MaxPool2DLayerInfo(conv.OutputShape, 2, 2, 2, 2, conv.ParameterCount);
        var flat = new FlattenLayerInfo(pool.OutputShape, conv.ParameterCount);
        var dense = new DenseLayerInfo(2, 1, Activation.Sigmoid, conv.ParameterCount);
        var info = new NetworkInfo("CnnNet", Precision.Single, Loss.Quadratic, Shape.Image(1, 4, 4), new LayerInfo[] { conv, pool, flat, dense });
        var parameters = Enumerable.Range(0, info.ParameterCount).Select(i => i * 0.125f - 1).ToArray();
        byte[] file = NetworkFile.ToBytes(new FakeNetwork<float>(info, parameters));

        var (_, output, diagnostics) = Run(declaration, Write("models/cnn.snet", file));
        Assert.Empty(diagnostics);
        using var image = new MemoryStream();
        Assert.True(output.Emit(image).Success);
        var context = new AssemblyLoadContext("baked-cnn", isCollectible: true);
        try
        {
            var type = context.LoadFromStream(new MemoryStream(image.ToArray())).GetType("App.CnnNet")!;
            var network = (INetwork<float>)type.GetMethod("FromBakedWeights")!.Invoke(null, null)!;
            Assert.Equal(info, network.Info);
            Assert.Equal(parameters, network.Parameters.ToArray());
        }
        finally
        {
            context.Unload();
        }

        // The same file against a declaration with another kernel size names both architectures.
        string other = declaration.Replace("[Conv2D(2, 3,", "[Conv2D(2, 2,", StringComparison.Ordinal).Replace("[MaxPool2D(2)]", "[MaxPool2D(3)]", StringComparison.Ordinal);
        var mismatch = Assert.Single(Run(other, Write("models/cnn.snet", file)).Diagnostics);
        Assert.StartsWith("SNN052 Error", mismatch, StringComparison.Ordinal);
        Assert.Contains("Conv2D(2@3×3", mismatch, StringComparison.Ordinal);
        Assert.Contains("Conv2D(2@2×2", mismatch, StringComparison.Ordinal);
    }

    [Fact]
    public void SNN052_a_conv_file_for_a_dense_declaration_names_both()
    {
        var conv = new Conv2DLayerInfo(Shape.Image(1, 2, 2), 2, 2, 2, 1, 1, 0, 0, 0, 0, Activation.ReLU, 0);
        var flat = new FlattenLayerInfo(conv.OutputShape, conv.ParameterCount);
        var dense = new DenseLayerInfo(2, 1, Activation.Sigmoid, conv.ParameterCount);
        var info = new NetworkInfo("Conv", Precision.Single, Loss.Quadratic, Shape.Image(1, 2, 2), new LayerInfo[] { conv, flat, dense });
        var file = NetworkFile.ToBytes(new FakeNetwork<float>(info, new float[info.ParameterCount]));
        Assert.Equal(new[] { $"SNN052 Error (3,19)-(3,46): The weights file 'models/xor.snet' holds a {info} network, but 'XorNet' is declared as 2-3(Sigmoid)-1(Sigmoid), Quadratic, Single; save the declared network to that file, or declare the network the file holds" },
            Run(Declaration, Write("models/xor.snet", file)).Diagnostics);
        Assert.Equal("1×2×2 → Conv2D(2@2×2, stride 1×1, pad 0,0,0,0, ReLU) → 2×1×1 → Flatten-1(Sigmoid), Quadratic, Single", info.ToString());
    }

    /// <summary>A version-1 file of a dense network, byte for byte as the version-1 writer wrote it.</summary>
    private static byte[] V1File(NetworkInfo info, float[] parameters)
    {
        var file = new byte[28 + 8 * info.Layers.Count + 8 + 4 * parameters.Length + 4 + 4];
        "SNET"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(4), 1);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(8), file.Length);
        file[16] = (byte)info.Precision;
        file[17] = (byte)info.Loss;
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(20), info.InputSize);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(24), info.Layers.Count);
        int at = 28;
        foreach (var layer in info.Layers)
        {
            BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(at), layer.Outputs);
            file[at + 5] = (byte)layer.Activation;
            at += 8;
        }
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(at), parameters.Length);
        at += 8;
        foreach (float p in parameters)
        {
            BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(at), p);
            at += 4;
        }
        at += 4;   // no sections
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), NetworkFileTestsChecksum(file));
        return file;
    }

    [Fact]
    public void SNN052_architecture_mismatch_names_both_shapes()
    {
        Assert.Equal(new[] { "SNN052 Error (3,19)-(3,46): The weights file 'models/xor.snet' holds a 2-4(Sigmoid)-1(Sigmoid), Quadratic, Single network, but 'XorNet' is declared as 2-3(Sigmoid)-1(Sigmoid), Quadratic, Single; save the declared network to that file, or declare the network the file holds" },
            Run(Declaration, Write("models/xor.snet", XorFile(hidden: 4))).Diagnostics);
        Assert.Equal(new[] { "SNN052 Error (3,19)-(3,46): The weights file 'models/xor.snet' holds a 2-3(Sigmoid)-1(Tanh), Quadratic, Single network, but 'XorNet' is declared as 2-3(Sigmoid)-1(Sigmoid), Quadratic, Single; save the declared network to that file, or declare the network the file holds" },
            Run(Declaration, Write("models/xor.snet", XorFile(output: Activation.Tanh))).Diagnostics);
        Assert.Equal(new[] { "SNN052 Error (3,19)-(3,46): The weights file 'models/xor.snet' holds a 2-3(Sigmoid)-1(Sigmoid), Quadratic, Double network, but 'XorNet' is declared as 2-3(Sigmoid)-1(Sigmoid), Quadratic, Single; save the declared network to that file, or declare the network the file holds" },
            Run(Declaration, Write("models/xor.snet", XorFile(Precision.Double))).Diagnostics);
    }

    [Fact]
    public void Unrelated_edits_keep_baked_output_cached_and_a_new_file_regenerates()
    {
        var original = new FileText(Write("models/xor.snet", XorFile()));
        var compilation = GeneratorHarness.Compile(Declaration, "namespace App; public class Other { }");
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() }, new AdditionalText[] { original }, GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true)).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(), CSharpSyntaxTree.ParseText("namespace App; public class Other { int X; }", GeneratorHarness.ParseOptions, path: compilation.SyntaxTrees.Last().FilePath));
        driver = driver.RunGenerators(edited);
        var run = driver.GetRunResult().Results.Single();
        Assert.All(run.TrackedSteps[NetworkGenerator.TrackingNames.Resolved].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"resolved step was {o.Reason}"));
        Assert.All(run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output step was {o.Reason}"));
        string before = run.GeneratedSources.Single().SourceText.ToString();

        // A retrained file (the IDE hands the generator a new AdditionalText) changes the baked bytes.
        var retrained = XorFile();
        retrained[140] ^= 0x40;   // a parameter (they start at byte 135 of this v2 file)
        BinaryPrimitives.WriteUInt32LittleEndian(retrained.AsSpan(retrained.Length - 4), NetworkFileTestsChecksum(retrained));
        var replacement = new FileText(Write("models/xor.snet", retrained));
        driver = driver.ReplaceAdditionalText(original, replacement).RunGenerators(edited);
        var after = driver.GetRunResult().Results.Single();
        Assert.Contains(after.TrackedSteps[NetworkGenerator.TrackingNames.Resolved].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.NotEqual(before, after.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void Damaged_weight_files_never_make_the_generator_throw()
    {
        var good = XorFile();
        var rng = new Random(7);
        int runs = 0;
        for (int i = 0; i < 120; i++)
        {
            var bytes = (byte[])good.Clone();
            int changes = 1 + rng.Next(4);
            for (int c = 0; c < changes; c++)
                bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            if (i % 2 == 0)   // half keep a valid checksum so the structure checks are exercised
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), NetworkFileTestsChecksum(bytes));
            if (i % 7 == 0)
                bytes = bytes[..rng.Next(bytes.Length)];
            var driver = Driver(Write("models/xor.snet", bytes)).RunGenerators(GeneratorHarness.Compile(Declaration));
            var result = driver.GetRunResult();
            Assert.All(result.Results, r => Assert.Null(r.Exception));
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785");
            runs++;
        }
        Assert.Equal(120, runs);
    }

    [Fact]
    public void Normalize_statistics_are_baked_in_with_the_weights_and_standardise_the_input()
    {
        const string source = "using StaticNets;\nnamespace App;\n[Network(Input = new[] { 3 }, Weights = \"models/norm.snet\")]\n[Normalize]\n[Dense(2)]\npublic partial class NormNet;\n";
        var info = new NetworkInfo("NormNet", Precision.Single, Loss.Quadratic, Shape.Vector(3),
            new LayerInfo[] { new NormalizeLayerInfo(Shape.Vector(3), 0), new DenseLayerInfo(3, 2, Activation.Sigmoid, 6) });
        // mean 1, 2, 3; scale 0.5, 2, 4; then the dense weights and biases.
        float[] parameters = { 1, 2, 3, 0.5f, 2, 4, 0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f, 0.05f, -0.05f };
        byte[] file = NetworkFile.ToBytes(new FakeNetwork<float>(info, parameters));
        var (_, output, diagnostics) = Run(source, Write("models/norm.snet", file));
        Assert.Empty(diagnostics);
        using var image = new MemoryStream();
        Assert.True(output.Emit(image).Success);
        var context = new AssemblyLoadContext("baked-normalize", isCollectible: true);
        try
        {
            var type = context.LoadFromStream(new MemoryStream(image.ToArray())).GetType("App.NormNet")!;
            var network = (INetwork<float>)type.GetMethod("FromBakedWeights")!.Invoke(null, null)!;
            Assert.Equal(parameters, network.Parameters.ToArray());
            Assert.Equal(info, network.Info);
            float[] x = { 3, 1, 3.5f };
            var y = new float[2];
            network.Forward(x, y);
            double[] n = { (3 - 1) * 0.5, (1 - 2) * 2.0, (3.5 - 3) * 4.0 };
            for (int j = 0; j < 2; j++)
            {
                double z = parameters[12 + j];
                for (int k = 0; k < 3; k++)
                    z += parameters[6 + j * 3 + k] * n[k];
                Assert.Equal(1 / (1 + Math.Exp(-z)), y[j], 6);
            }
        }
        finally
        {
            context.Unload();
        }
    }

    private static uint NetworkFileTestsChecksum(byte[] file)
    {
        uint crc = 0xFFFFFFFF;
        for (int i = 0; i < file.Length - 4; i++)
        {
            crc ^= file[i];
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>An additional file that exists on disk; the generator reads its bytes, never its text.</summary>
    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) => throw new InvalidOperationException("the generator must not decode weight files as text");
    }

    /// <summary>Just enough of a network for the runtime's writer.</summary>
    private sealed class FakeNetwork<T>(NetworkInfo info, T[] parameters) : INetwork<T> where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        public NetworkInfo Info => info;
        public int InputSize => info.InputSize;
        public int OutputSize => info.OutputSize;
        public int ParameterCount => parameters.Length;
        public ReadOnlySpan<T> Parameters => parameters;
        public ParameterEdit<T> EditParameters() => new(parameters, this);
        public void OnParametersWritten() { }
        public void Initialize(int seed) { }
        public void Forward(ReadOnlySpan<T> input, Span<T> output) { }
        public void Forward(ReadOnlySpan<T> inputs, Span<T> outputs, INetworkWorkspace<T> workspace) { }
        public T Backward(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> gradient, INetworkWorkspace<T> workspace) => T.Zero;
        public T Backward(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> gradient, Span<T> inputGradient, INetworkWorkspace<T> workspace) => throw new NotSupportedException("not used by this test");
        public void BackwardFromOutputGradient(ReadOnlySpan<T> inputs, ReadOnlySpan<T> outputGradient, Span<T> gradient, Span<T> inputGradient, INetworkWorkspace<T> workspace) => throw new NotSupportedException("not used by this test");
        public INetworkWorkspace<T> CreateWorkspace(int batchCapacity) => throw new NotSupportedException();
    }
}
