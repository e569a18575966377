using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using StaticNets.Generator.Model;

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
            var contents = SnetReader.Read(bytes, out string? error);
            if (contents is null)
                return Fail(spec, DiagnosticDescriptors.WeightsFileUnreadable, name, request.Path, error ?? "it is not a valid network file");
            string declared = Describe(spec);
            if (contents.Describe() != declared)
                return Fail(spec, DiagnosticDescriptors.WeightsArchitectureMismatch, name, request.Path, contents.Describe(), declared);
            var parameters = new byte[contents.ParameterBytes];
            Array.Copy(bytes, contents.ParameterStart, parameters, 0, parameters.Length);
            return new ResolvedSpec(spec with { Baked = new BakedWeightsData(Path.GetFileName(file.Path), new EquatableArray<byte>(parameters), contents.Checksum) }, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The generator never throws; a file this code did not foresee is reported as unreadable.
            return Fail(spec, DiagnosticDescriptors.WeightsFileUnreadable, name, request.Path, ex.Message);
        }
    }

    /// <summary>The declared architecture in the runtime's NetworkInfo.ToString() form.</summary>
    public static string Describe(NetworkSpec spec)
    {
        var sb = new StringBuilder().Append(spec.InputSize);
        foreach (var layer in spec.Layers)
            sb.Append('-').Append(layer.Outputs).Append('(').Append(layer.Activation).Append(')');
        return sb.Append(", ").Append(spec.Loss).Append(", ").Append(spec.Scalar).ToString();
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
