using System;
using StaticNets.Persistence;
using Xunit;

namespace StaticNets.Tests.Persistence;

/// <summary>
/// CRC-32 (zlib's) sliced by 8: the standard check value, and a bit-by-bit reference over every length 0…300 from
/// every start offset 0…7 (the 8-byte loop and the tail), and appending in pieces gives the CRC of the whole.
/// </summary>
public class Crc32Tests
{
    [Fact]
    public void TheCheckValue_IsZlibs()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void EveryLengthAndOffset_MatchesTheBitByBitDefinition()
    {
        var data = new byte[308];
        new Random(12).NextBytes(data);
        for (int offset = 0; offset < 8; offset++)
        {
            for (int length = 0; length <= 300; length++)
            {
                var piece = data.AsSpan(offset, length);
                Assert.True(Reference(piece) == Crc32.Compute(piece), $"offset {offset}, length {length}");
            }
        }
    }

    [Fact]
    public void AppendingInPieces_GivesTheCrcOfTheWhole()
    {
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        uint whole = Crc32.Compute(data);
        for (int cut = 0; cut <= data.Length; cut += 37)
            Assert.Equal(whole, Crc32.Append(Crc32.Compute(data.AsSpan(0, cut)), data.AsSpan(cut)));
    }

    // The reflected polynomial 0xEDB88320 one bit at a time, initial and final XOR 0xFFFFFFFF.
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFFu;
    }
}
