using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using StaticNets.Persistence;
using StaticNets.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Persistence;

/// <summary>
/// Thousands of damaged files built from real saved models: every one must be rejected with
/// <see cref="InvalidNetworkFileException"/>, and the target network must be left untouched.
/// </summary>
public class NetworkFileFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_corrupted_truncated_or_mutated_file_is_rejected()
    {
        var lenet = Architectures.LeNet();
        var dropout = Architectures.DenseWithDropout(0.5);
        var sources = new (string Name, byte[] Bytes, Func<INetwork<float>> Target)[]
        {
            ("LeNet (conv, pools, flatten, dropout, dense, softmax)", NetworkFile.ToBytes(new FakeNetwork<float>(lenet, 1)), () => new FakeNetwork<float>(lenet, 9)),
            ("LeNet + state", NetworkFile.ToBytes(new FakeNetwork<float>(lenet, 1), new float[] { 1, 2, 3 }), () => new FakeNetwork<float>(lenet, 9)),
            ("4-8-D-3", NetworkFile.ToBytes(new FakeNetwork<float>(dropout, 1)), () => new FakeNetwork<float>(dropout, 9)),
            ("2-3-1 v1", Architectures.V1File(XorNet.Architecture, new XorNet(1).Parameters), () => new XorNet(9)),
            ("2-3-1", NetworkFile.ToBytes(new XorNet(1)), () => new XorNet(9)),
            ("2-3-1 + state", NetworkFile.ToBytes(new XorNet(1), new float[] { 1, 2, 3, 4, 5 }), () => new XorNet(9)),
            ("2-3-1 + optimizer", OptimizerFile(), () => new XorNet(9)),
            ("13-7-5-3 B", NetworkFile.ToBytes(new Odd13B(1)), () => new Odd13B(9)),
            ("5-9-4", NetworkFile.ToBytes(new PerLayerNet(1)), () => new PerLayerNet(9)),
        };
        var rng = new Random(12345);
        var problems = new Dictionary<NetworkFileProblem, int>();
        int count = 0;

        foreach (var (name, good, target) in sources)
        {
            foreach (var damaged in Damage(good, rng))
            {
                var net = target();
                var before = net.Parameters.ToArray();
                InvalidNetworkFileException? ex = null;
                try
                {
                    NetworkFile.Load(net, damaged);
                }
                catch (InvalidNetworkFileException e)
                {
                    ex = e;
                }
                catch (Exception e)
                {
                    Assert.Fail($"{name}: a damaged file of {damaged.Length} bytes threw {e.GetType().Name} instead of InvalidNetworkFileException: {e}");
                }
                Assert.True(ex is not null, $"{name}: a damaged file of {damaged.Length} bytes was accepted");
                Assert.Equal(before, net.Parameters.ToArray());
                problems[ex!.Problem] = problems.GetValueOrDefault(ex.Problem) + 1;
                count++;
            }
        }

        output.WriteLine($"{count} damaged files rejected: " + string.Join(", ", problems.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        Assert.True(count >= 1000, $"only {count} damaged files");
        foreach (var expected in new[] { NetworkFileProblem.BadMagic, NetworkFileProblem.Truncated, NetworkFileProblem.TrailingData, NetworkFileProblem.ChecksumMismatch, NetworkFileProblem.Malformed, NetworkFileProblem.ArchitectureMismatch })
            Assert.True(problems.ContainsKey(expected), $"no file was rejected as {expected}");
    }

    /// <summary>A file saved with a Momentum optimizer after one step: state and step-count sections.</summary>
    private static byte[] OptimizerFile()
    {
        var net = new XorNet(1);
        var momentum = new StaticNets.Training.Momentum<float>();
        using (var edit = net.EditParameters()) momentum.Step(edit.Span, NetworkCatalog.Random<float>(XorNet.ParameterCount, 3), 0.1f);
        using var stream = new System.IO.MemoryStream();
        NetworkFile.Save(net, stream, momentum);
        return stream.ToArray();
    }

    private static IEnumerable<byte[]> Damage(byte[] good, Random rng)
    {
        // Every truncation.
        for (int length = 0; length < good.Length; length++)
            yield return good[..length];
        // Every single-byte change.
        for (int i = 0; i < good.Length; i++)
        {
            var copy = (byte[])good.Clone();
            copy[i] ^= (byte)(1 + rng.Next(255));
            yield return copy;
        }
        // Random multi-byte mutations, insertions, deletions and trailing garbage.
        for (int n = 0; n < 60; n++)
        {
            var copy = (byte[])good.Clone();
            int changes = 2 + rng.Next(8);
            for (int c = 0; c < changes; c++)
                copy[rng.Next(copy.Length)] ^= (byte)(1 + rng.Next(255));
            yield return copy;

            int at = rng.Next(good.Length);
            yield return good[..at].Concat(new[] { (byte)rng.Next(256) }).Concat(good[at..]).ToArray();
            yield return good[..at].Concat(good[(at + 1)..]).ToArray();
            var garbage = new byte[1 + rng.Next(16)];
            rng.NextBytes(garbage);
            yield return good.Concat(garbage).ToArray();
        }
        // Every single-bit flip of every header and layer-record byte (up to the parameters), with the checksum
        // recomputed: only the structural checks can catch these. A dropout rate is the one field a flip may
        // change into another valid file that loads (Dropout is not part of the parameter layout; a test of its
        // own covers that), so its bytes are left out.
        bool v1 = BinaryPrimitives.ReadUInt16LittleEndian(good.AsSpan(4)) == 1;
        int layers = BinaryPrimitives.ReadInt32LittleEndian(good.AsSpan(v1 ? 24 : 20));
        var (header, activations, rates) = v1
            ? (28 + 8 * layers + 8, Enumerable.Range(0, layers).Select(l => 28 + 8 * l + 5).ToList(), new List<Range>())
            : Architectures.V2Records(good);
        for (int i = 4; i < header; i++)
        {
            if (i is >= 8 and < 16 || rates.Any(r => i >= r.Start.Value && i < r.End.Value))
                continue;   // the length field: covered above
            for (int bit = 0; bit < 8; bit++)
            {
                var copy = (byte[])good.Clone();
                copy[i] ^= (byte)(1 << bit);
                yield return Rechecksum(copy);
            }
        }
        // Every other activation in every layer, and the other loss, re-checksummed: well-formed files of
        // another architecture (or, for layers without an activation, malformed ones).
        foreach (int at in activations)
        {
            foreach (byte activation in Enum.GetValues<Activation>().Select(a => (byte)a))
            {
                if (activation == good[at])
                    continue;
                var copy = (byte[])good.Clone();
                copy[at] = activation;
                yield return Rechecksum(copy);
            }
        }
        var loss = (byte[])good.Clone();
        loss[17] ^= 1;
        yield return Rechecksum(loss);
    }

    private static byte[] Rechecksum(byte[] file) => Architectures.Rechecksum(file);
}
