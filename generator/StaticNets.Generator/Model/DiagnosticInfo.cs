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

    public Diagnostic ToDiagnostic()
        => Diagnostic.Create(Descriptor, Location?.ToLocation(), messageArgs: ToObjects(Arguments));

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

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}
