using System;
using System.IO;
using System.Linq;
using StaticNets.Persistence;
using StaticNets.Tests.Persistence;
using StaticNets.Unsupervised;
using Xunit;

namespace StaticNets.Tests.Unsupervised;

/// <summary>RBMs in <c>.snet</c> files: bit-exact round trips, the file as a one-layer network, corrupt files rejected.</summary>
public class RbmPersistenceTests
{
    private static Rbm<T> Trained<T>(VisibleUnits visible, HiddenUnits hidden) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var rbm = new Rbm<T>(12, 5, visible, hidden, seed: 3);
        var rng = new SplitMix64(4);
        var data = Enumerable.Range(0, 40 * 12).Select(_ => T.CreateChecked(rng.Next(2))).ToArray();
        new RbmTrainer<T>(rbm, new RbmTrainingOptions { Epochs = 2, BatchSize = 10, LearningRate = 0.01, MonitorSamples = 0 }).Train(data);
        return rbm;
    }

    [Theory]
    [InlineData(VisibleUnits.Bernoulli, HiddenUnits.Bernoulli)]
    [InlineData(VisibleUnits.Gaussian, HiddenUnits.Bernoulli)]
    [InlineData(VisibleUnits.Bernoulli, HiddenUnits.Gaussian)]
    public void Round_trips_are_bit_exact(VisibleUnits visible, HiddenUnits hidden)
    {
        using var dir = new TempDirectory();
        var rbm = Trained<float>(visible, hidden);
        rbm.Save(dir.File("rbm.snet"));
        var loaded = Rbm<float>.Load(dir.File("rbm.snet"));
        Assert.Equal(visible, loaded.VisibleUnits);
        Assert.Equal(hidden, loaded.HiddenUnits);
        Assert.True(rbm.Parameters.SequenceEqual(loaded.Parameters));
        Assert.False(File.Exists(dir.File(".rbm.snet.tmp")));

        var doubles = Trained<double>(visible, hidden);
        using var stream = new MemoryStream();
        doubles.Save(stream);
        stream.Position = 0;
        Assert.True(doubles.Parameters.SequenceEqual(Rbm<double>.Load(stream).Parameters));
        // A float file read as double converts exactly.
        Assert.True(rbm.Parameters.ToArray().Select(x => (double)x).SequenceEqual(Rbm<double>.FromBytes(rbm.ToBytes()).Parameters.ToArray()));
    }

    [Fact]
    public void The_file_loads_as_the_dense_layer_it_unrolls_into()
    {
        using var dir = new TempDirectory();
        var rbm = new Rbm<float>(64, 32, seed: 5);
        rbm.HiddenBias[3] = 0.25f;
        rbm.Save(dir.File("rbm.snet"));
        var net = new RbmFeatureNet(seed: 1);
        NetworkFile.Load(net, dir.File("rbm.snet"));
        var v = Enumerable.Range(0, 64).Select(i => (i % 3) / 2f).ToArray();
        var expected = new float[32];
        var actual = new float[32];
        rbm.HiddenProbabilities(v, expected);
        net.Forward(v, actual);
        // The same sums in another order (the RBM's dot-product kernel runs two chains per row, the network's fused
        // forward eight, and which is faster depends on the vector width): equal within a few roundings, where a wrong
        // layout or a missing bias would be off in the first digits.
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(expected[j] - actual[j]) <= 4 * MathF.Pow(2, -24), $"hidden {j}: {expected[j]:R} vs {actual[j]:R}");
        Assert.Equal(new[] { Rbm<float>.VisibleBiasSection, Rbm<float>.VisibleUnitsSection }, NetworkFile.Read(dir.File("rbm.snet")).SectionNames);
    }

    [Fact]
    public void Corrupt_and_truncated_files_are_rejected()
    {
        var bytes = Trained<float>(VisibleUnits.Bernoulli, HiddenUnits.Bernoulli).ToBytes();
        for (int at = 0; at < bytes.Length; at += 37)
        {
            var corrupt = bytes.ToArray();
            corrupt[at] ^= 0x10;
            Assert.Throws<InvalidNetworkFileException>(() => Rbm<float>.FromBytes(corrupt));
        }
        var flipped = bytes.ToArray();
        flipped[bytes.Length / 2] ^= 1;
        Assert.Equal(NetworkFileProblem.ChecksumMismatch, Assert.Throws<InvalidNetworkFileException>(() => Rbm<float>.FromBytes(flipped)).Problem);
        Assert.Equal(NetworkFileProblem.Truncated, Assert.Throws<InvalidNetworkFileException>(() => Rbm<float>.FromBytes(bytes.AsSpan(0, bytes.Length - 9))).Problem);
    }

    [Fact]
    public void Network_files_are_not_rbms()
    {
        var classifier = Assert.Throws<InvalidNetworkFileException>(() => Rbm<float>.FromBytes(NetworkFile.ToBytes(new DbnClassifierNet(seed: 1))));
        Assert.Equal(NetworkFileProblem.ArchitectureMismatch, classifier.Problem);
        Assert.Contains("Not an RBM file", classifier.Message);
        // The right single layer, but saved from a network: no visible biases.
        var layer = Assert.Throws<InvalidNetworkFileException>(() => Rbm<float>.FromBytes(NetworkFile.ToBytes(new RbmFeatureNet(seed: 1))));
        Assert.Equal(NetworkFileProblem.MissingTensor, layer.Problem);
        Assert.Contains(Rbm<float>.VisibleBiasSection, layer.Message);
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("rbm.snet");
        var first = new Rbm<float>(6, 3, seed: 1);
        first.Save(path);
        var original = File.ReadAllBytes(path);
        // A directory of the temporary file's name makes the save fail before the rename.
        Directory.CreateDirectory(dir.File(".rbm.snet.tmp"));
        Assert.ThrowsAny<Exception>(() => new Rbm<float>(6, 3, seed: 2).Save(path));
        Assert.Equal(original, File.ReadAllBytes(path));
    }
}
