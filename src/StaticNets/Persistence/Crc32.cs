using System;

namespace StaticNets.Persistence;

/// <summary>
/// CRC-32 as in zlib, PNG and Python's <c>zlib.crc32</c> (reflected polynomial 0xEDB88320, initial and final
/// XOR 0xFFFFFFFF), so a file can be checked with a one-line script. Linked into the generator with SnetFormat.cs:
/// plain netstandard2.0 C#.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>The CRC of the data so far followed by <paramref name="data"/>: start from 0, the CRC of nothing.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = crc ^ 0xFFFFFFFFu;
        foreach (byte b in data)
            c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
