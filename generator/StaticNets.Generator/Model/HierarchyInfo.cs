namespace StaticNets.Generator.Model;

/// <summary>
/// Where the network type lives, as plain strings: its namespace, its own declaration and the chain of
/// containing types, outermost first. Enough to re-open every declaration as <c>partial</c>.
/// </summary>
internal sealed record HierarchyInfo(string? Namespace, TypeDeclarationInfo Type, EquatableArray<TypeDeclarationInfo> ContainingTypes)
{
    /// <summary>Fully qualified metadata-style name used for the hint file name, e.g. <c>Games.Outer.PolicyNet</c>.</summary>
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
}

/// <summary>One type declaration: its keyword (<c>class</c>, <c>record</c>, <c>struct</c>, <c>record struct</c>, <c>interface</c>) and name.</summary>
internal sealed record TypeDeclarationInfo(string Keyword, string Name);
