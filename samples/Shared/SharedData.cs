using System.IO;

/// <summary>
/// Where the samples find the data sets of the repository's <c>shared/data</c> folder: <c>../shared/data</c> beside the
/// working directory first (the layout CI and the README's commands use), then <c>shared/data</c> under the working
/// directory or any folder above it. Linked into every sample that reads them, so the rule is written once.
/// </summary>
internal static class SharedData
{
    /// <summary>The full path of <c>shared/data/<paramref name="relative"/></c> (a file or a folder), or null when no candidate exists.</summary>
    /// <param name="relative">The path below <c>shared/data</c>, e.g. <c>mnist</c> or <c>tinyshakespeare/input.txt.gz</c>.</param>
    public static string? Find(string relative)
    {
        string sibling = Path.GetFullPath(Path.Combine("..", "shared", "data", relative));
        if (Exists(sibling))
            return sibling;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", relative);
            if (Exists(candidate))
                return candidate;
        }
        return null;
    }

    private static bool Exists(string path) => Directory.Exists(path) || File.Exists(path);
}
