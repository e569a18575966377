using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace StaticNets.Generator.Model;

/// <summary>
/// A diagnostic as plain values (descriptor, location parts, message arguments), so the parse step's
/// result stays equatable and no <see cref="Location"/> (which holds a syntax tree) is cached.
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
        => new(descriptor, LocationInfo.From(location), new EquatableArray<string>(arguments));

    /// <summary>
    /// The diagnostic, located in <paramref name="compilation"/>'s own syntax tree when it has the file: only such a
    /// location lets <c>#pragma warning disable</c> and editor squiggles apply (a path-only location is an external file).
    /// </summary>
    public Diagnostic ToDiagnostic(Compilation? compilation = null)
        => Diagnostic.Create(Descriptor, Location?.ToLocation(compilation), messageArgs: ToObjects(Arguments));

    private static object[] ToObjects(EquatableArray<string> arguments)
    {
        var result = new object[arguments.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = arguments[i];
        return result;
    }
}

internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location)
        => location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation(Compilation? compilation = null)
    {
        if (compilation is not null)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == FilePath && Span.End <= tree.Length)
                    return Microsoft.CodeAnalysis.Location.Create(tree, Span);
            }
        }
        return Microsoft.CodeAnalysis.Location.Create(FilePath, Span, LineSpan);
    }
}
