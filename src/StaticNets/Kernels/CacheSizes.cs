using System;
using System.Globalization;
using System.IO;

namespace StaticNets.Kernels;

/// <summary>
/// The data cache sizes the GEMM blocking is chosen from, as the operating system reports them for the first
/// core (Linux: <c>/sys/devices/system/cpu/cpu0/cache</c>); where it reports nothing, the smallest sizes of
/// current x64 and Arm cores (32 KiB L1d, 512 KiB L2), which every blocking here is safe with. Read once.
/// </summary>
internal static class CacheSizes
{
    private const int FallbackL1 = 32 * 1024, FallbackL2 = 512 * 1024;

    private static readonly (int L1, int L2) Sizes = Read();

    /// <summary>Bytes of level-1 data cache per core.</summary>
    public static int L1Data => Sizes.L1;

    /// <summary>Bytes of level-2 cache per core.</summary>
    public static int L2 => Sizes.L2;

    /// <summary>Where the sizes came from, for benchmark reports.</summary>
    public static string Describe() => $"L1d {L1Data / 1024} KiB, L2 {L2 / 1024} KiB";

    private static (int, int) Read()
    {
        int l1 = FallbackL1, l2 = FallbackL2;
        try
        {
            const string root = "/sys/devices/system/cpu/cpu0/cache";
            if (!Directory.Exists(root))
                return (l1, l2);
            foreach (string index in Directory.GetDirectories(root, "index*"))
            {
                string level = ReadText(Path.Combine(index, "level"));
                string type = ReadText(Path.Combine(index, "type"));
                int size = ParseSize(ReadText(Path.Combine(index, "size")));
                if (size <= 0)
                    continue;
                if (level == "1" && type == "Data")
                    l1 = size;
                else if (level == "2" && type is "Unified" or "Data")
                    l2 = size;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Sandboxed or unusual systems: the fallbacks are safe.
        }
        return (Math.Clamp(l1, 16 * 1024, 256 * 1024), Math.Clamp(l2, 128 * 1024, 8 * 1024 * 1024));
    }

    private static string ReadText(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "";

    // "32K", "1024K", "2M" or a plain number of bytes.
    internal static int ParseSize(string text)
    {
        if (text.Length == 0)
            return 0;
        long scale = 1;
        char unit = char.ToUpperInvariant(text[^1]);
        if (unit is 'K' or 'M' or 'G')
        {
            scale = unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : 1024L * 1024 * 1024;
            text = text[..^1];
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value * scale <= int.MaxValue
            ? (int)(value * scale)
            : 0;
    }
}
