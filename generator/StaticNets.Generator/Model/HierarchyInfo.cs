using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace StaticNets.Generator.Model;

/// <summary>
/// Where the network type lives, as plain strings: its namespace, its own declaration and the chain of
/// containing types, outermost first. Enough to re-open every declaration as <c>partial</c>. Names are the
/// identifiers' values (<c>class</c> for <c>@class</c>); <see cref="NamespaceCode"/> and
/// <see cref="TypeDeclarationInfo.Identifier"/> give them as C# source.
/// </summary>
internal sealed record HierarchyInfo(string? Namespace, TypeDeclarationInfo Type, EquatableArray<TypeDeclarationInfo> ContainingTypes)
{
    /// <summary>Fully qualified metadata-style name, e.g. <c>Games.Outer.PolicyNet</c>: messages and, made safe, the hint name.</summary>
    public string FullName
    {
        get
        {
            var name = Namespace is null ? "" : Namespace + ".";
            foreach (var containing in ContainingTypes)
                name += containing.Name + ".";
            return name + Type.Name;
        }
    }

    /// <summary>The namespace as C# source: keywords among its parts become verbatim identifiers (<c>@namespace.@event</c>).</summary>
    public string? NamespaceCode => Namespace is null ? null : string.Join(".", Namespace.Split('.').Select(TypeDeclarationInfo.ToIdentifier));
}

/// <summary>One type declaration: its keyword (<c>class</c>, <c>record</c>, <c>struct</c>, <c>record struct</c>, <c>interface</c>) and name.</summary>
internal sealed record TypeDeclarationInfo(string Keyword, string Name)
{
    /// <summary>The name as C# source: <c>@class</c> for a type named <c>class</c>.</summary>
    public string Identifier => ToIdentifier(Name);

    /// <summary>
    /// A name as an identifier in source: keywords get '@', contextual ones too (<c>@partial</c>, <c>@var</c>: bare, a
    /// type named <c>partial</c> would turn its constructor into a modifier, and <c>file</c> or <c>scoped</c> are errors).
    /// </summary>
    public static string ToIdentifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
