using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using StaticNets.Generator.Model;
using StaticNets.Persistence;

namespace StaticNets.Generator.Baking;

/// <summary>Reads <c>.snet</c> additional files and matches them to declarations with <c>Weights = "..."</c>.</summary>
internal static class BakedWeightsResolver
{
    /// <summary>The pipeline step for one <c>.snet</c> additional file: its bytes, or why they could not be read.</summary>
    public static WeightsFile ReadFile(AdditionalText text, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
#pragma warning disable RS1035 // AdditionalText only offers GetText, which decodes the bytes as text (and rejects binary content); the weights are binary, so read the file the compiler was given.
            byte[] bytes = File.ReadAllBytes(text.Path);
#pragma warning restore RS1035
            return new WeightsFile(text.Path, new EquatableArray<byte>(bytes), null);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new WeightsFile(text.Path, EquatableArray<byte>.Empty, ex.Message);
        }
    }

    /// <summary>Attaches the verified weights to a spec that asks for them, or a diagnostic saying why it cannot.</summary>
    public static ResolvedSpec Resolve(NetworkSpec spec, ImmutableArray<WeightsFile> files)
    {
        var request = spec.Weights;
        if (request is null)
            return new ResolvedSpec(spec, null);
        string name = spec.Hierarchy.Type.Name;
        try
        {
            var file = Find(request.Path, files);
            if (file is null)
                return Fail(spec, DiagnosticDescriptors.WeightsFileNotFound, name, request.Path);
            if (file.Error is not null)
                return Fail(spec, DiagnosticDescriptors.WeightsFileUnreadable, name, request.Path, file.Error.TrimEnd('.'));
            byte[] bytes = file.Bytes.ToArray();
            // The runtime's own reader (linked source): what it rejects, the generator rejects, with the same words.
            var contents = SnetFormat.TryParse(bytes, out var error);
            if (contents is null)
                return Fail(spec, DiagnosticDescriptors.WeightsFileUnreadable, name, request.Path, Sentence(error));
            var expected = SpecRecords.From(spec, out string? unsupported);
            if (expected is null)
                return Fail(spec, DiagnosticDescriptors.WeightsFileUnreadable, name, request.Path, unsupported ?? "the declaration has a layer the weights file format cannot describe");
            int[] input = SpecRecords.InputShape(spec);
            if (contents.ElementCode != (int)spec.Scalar || contents.LossCode != (int)spec.Loss || !SnetFormat.SameShape(contents.InputShape, input) || !SnetFormat.SameLayout(contents.Layers, expected))
                return Fail(spec, DiagnosticDescriptors.WeightsArchitectureMismatch, name, request.Path, contents.Describe(), SnetFormat.Describe(input, expected, (int)spec.Loss, (int)spec.Scalar));
            var parameters = new byte[contents.ParameterByteLength];
            Array.Copy(bytes, contents.ParameterStart, parameters, 0, parameters.Length);
            return new ResolvedSpec(spec with { Baked = new BakedWeightsData(Path.GetFileName(file.Path), new EquatableArray<byte>(parameters), contents.Checksum) }, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The generator never throws; a file this code did not foresee is reported as unreadable.
            return Fail(spec, DiagnosticDescriptors.WeightsFileUnreadable, name, request.Path, ex.Message);
        }
    }

    /// <summary>The reader's error as a clause of SNN051: "checksum mismatch, the file is corrupted: expected … but found …".</summary>
    private static string Sentence(SnetError? error)
    {
        string text = error?.ToString() ?? "it is not a valid network file";
        return text.Length > 0 ? char.ToLowerInvariant(text[0]) + text.Substring(1) : text;
    }

    /// <summary>The additional file whose path is the requested one or ends with it, segment-wise.</summary>
    private static WeightsFile? Find(string requested, ImmutableArray<WeightsFile> files)
    {
        string wanted = Normalize(requested).TrimStart('.', '/');
        if (wanted.Length == 0)
            return null;
        return files.FirstOrDefault(f => Normalize(f.Path) == Normalize(requested))
            ?? files.FirstOrDefault(f => Normalize(f.Path).EndsWith("/" + wanted, StringComparison.Ordinal) || Normalize(f.Path) == wanted);
    }

    private static string Normalize(string path) => path.Replace('\\', '/');

    private static ResolvedSpec Fail(NetworkSpec spec, DiagnosticDescriptor descriptor, params string[] arguments)
        => new(spec, new DiagnosticInfo(descriptor, spec.Weights?.Location, new EquatableArray<string>(arguments)));
}
