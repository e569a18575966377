using System;
using System.Buffers.Binary;
using System.Linq;
using StaticNets.Interop;
using StaticNets.Persistence;
using StaticNets.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Interop;

/// <summary>Damaged safetensors files either load (a change inside tensor data is still a valid file) or throw the documented exception; nothing else.</summary>
public class SafetensorsFuzzTests(ITestOutputHelper output)
{
    /// <summary>Characters that keep a mutated header close to JSON, so the deeper checks are reached.</summary>
    private const string Alphabet = "{}[]\":,0123456789-eE .FIU";

    [Fact]
    public void Damaged_files_are_rejected_with_the_documented_exception_or_load_completely()
    {
        var good = Safetensors.ToBytes(new Odd13B(1));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        var rng = new Random(99);
        int rejected = 0, loaded = 0;
        for (int i = 0; i < 1500; i++)
        {
            var bytes = (byte[])good.Clone();
            switch (i % 3)
            {
                case 0:   // one to three changed header characters
                    for (int c = rng.Next(1, 4); c > 0; c--)
                        bytes[8 + rng.Next(headerEnd - 8)] = (byte)Alphabet[rng.Next(Alphabet.Length)];
                    break;
                case 1:   // truncation anywhere
                    bytes = bytes[..rng.Next(bytes.Length)];
                    break;
                default:  // any byte anywhere, header length included
                    bytes[rng.Next(bytes.Length)] ^= (byte)(1 + rng.Next(255));
                    break;
            }
            var net = new Odd13B(2);
            var before = net.Parameters.ToArray();
            try
            {
                Safetensors.Import(net, bytes);
                loaded++;
                Assert.True(i % 3 != 1, "a truncated file loaded");
            }
            catch (InvalidNetworkFileException)
            {
                rejected++;
                Assert.Equal(before, net.Parameters.ToArray());
            }
        }
        output.WriteLine($"{rejected} damaged safetensors files rejected, {loaded} still valid (changes inside tensor data or harmless header whitespace).");
        Assert.True(rejected > 900, $"only {rejected} rejected");
    }
}
