using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Numerics;
using StaticNets.Persistence;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Persistence;

public class NetworkFileTests
{
    private static void AssertBitEqual<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual) where T : unmanaged
        => Assert.True(System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual)), "parameters differ bit-wise");

    private static void RoundTrip<T>(INetwork<T> saved, INetwork<T> fresh) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var dir = new TempDirectory();
        string path = dir.File("net.snet");
        NetworkFile.Save(saved, path);
        Assert.False(saved.Parameters.SequenceEqual(fresh.Parameters));
        NetworkFile.Load(fresh, path);
        AssertBitEqual<T>(saved.Parameters, fresh.Parameters);

        var input = NetworkCatalog.Random<T>(saved.InputSize, 5);
        T[] a = new T[saved.OutputSize], b = new T[saved.OutputSize];
        saved.Forward(input, a);
        fresh.Forward(input, b);
        AssertBitEqual<T>(a, b);
        Assert.Equal(new[] { "net.snet" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(NetworkCatalog.SingleNames), MemberType = typeof(NetworkCatalog))]
    public void Float_round_trip_is_bit_exact(string name)
        => RoundTrip(NetworkCatalog.Single[name](1), NetworkCatalog.Single[name](2));

    [Theory]
    [MemberData(nameof(NetworkCatalog.DoubleNames), MemberType = typeof(NetworkCatalog))]
    public void Double_round_trip_is_bit_exact(string name)
        => RoundTrip(NetworkCatalog.Double[name](1), NetworkCatalog.Double[name](2));

    [Fact]
    public void Special_values_survive_bit_exactly()
    {
        var net = new XorNet(1);
        float[] specials = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue, BitConverter.Int32BitsToSingle(0x7FC00123) };
        using (var edit = net.EditParameters()) specials.CopyTo(edit.Span);
        var copy = new XorNet(2);
        NetworkFile.Load(copy, NetworkFile.ToBytes(net));
        AssertBitEqual<float>(net.Parameters, copy.Parameters);
    }

    [Fact]
    public void Stream_round_trip_with_optimizer_state()
    {
        var net = new Odd13BD(3);
        var state = NetworkCatalog.Random<double>(2 * Odd13BD.ParameterCount, 9);
        using var stream = new MemoryStream();
        NetworkFile.Save(net, stream, state);
        stream.Position = 0;
        var copy = new Odd13BD(4);
        var restored = new double[state.Length];
        NetworkFile.Load(copy, stream, restored);
        AssertBitEqual<double>(net.Parameters, copy.Parameters);
        AssertBitEqual<double>(state, restored);

        stream.Position = 0;
        var contents = NetworkFile.Read(stream);
        Assert.Equal(new[] { "optimizer" }, contents.SectionNames);
        Assert.Equal(state, contents.GetSection<double>("optimizer"));
        Assert.Equal(Odd13BD.Architecture, contents.Architecture);
    }

    [Fact]
    public void Optimizer_state_missing_or_of_another_length_is_rejected_without_loading()
    {
        using var dir = new TempDirectory();
        var net = new XorNet(1);
        NetworkFile.Save(net, dir.File("plain.snet"));
        NetworkFile.Save(net, dir.File("state.snet"), new float[] { 1, 2, 3 });

        var target = new XorNet(2);
        var before = target.Parameters.ToArray();
        var missing = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, dir.File("plain.snet"), new float[3]));
        Assert.Equal(NetworkFileProblem.MissingTensor, missing.Problem);
        var wrong = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, dir.File("state.snet"), new float[4]));
        Assert.Equal(NetworkFileProblem.LengthMismatch, wrong.Problem);
        Assert.Equal("4 values", wrong.Expected);
        Assert.Equal("3 values", wrong.Actual);
        Assert.Equal(before, target.Parameters.ToArray());

        // Loading without asking for the state ignores it.
        NetworkFile.Load(target, dir.File("state.snet"));
        Assert.Equal(net.Parameters.ToArray(), target.Parameters.ToArray());
    }

    /// <summary>Mean-gradient steps of <paramref name="optimizer"/> on fixed batches, as a trainer would take them.</summary>
    private static void Train(Odd13B net, StaticNets.Training.IOptimizer<float> optimizer, int steps, int seed)
    {
        var workspace = net.CreateWorkspace(8);
        var gradient = new float[Odd13B.ParameterCount];
        for (int s = 0; s < steps; s++)
        {
            var inputs = NetworkCatalog.Random<float>(8 * Odd13B.InputSize, seed + s);
            var targets = NetworkCatalog.Targets<float>(Odd13B.Architecture, 8, seed + s);
            Array.Clear(gradient);
            net.Backward(inputs, targets, gradient, workspace);
            for (int i = 0; i < gradient.Length; i++)
                gradient[i] /= 8;
            using (var edit = net.EditParameters()) optimizer.Step(edit.Span, gradient, 0.01f);
        }
    }

    [Fact]
    public void Saving_with_the_optimizer_resumes_training_bit_exactly()
    {
        using var dir = new TempDirectory();
        var net = new Odd13B(1);
        var adam = new StaticNets.Training.Adam<float>();
        Train(net, adam, 5, 100);
        NetworkFile.Save(net, dir.File("checkpoint.snet"), adam);

        // Straight on: five more steps.
        Train(net, adam, 5, 200);

        // Resumed in a fresh network and a fresh optimizer: the same five steps.
        var resumed = new Odd13B(2);
        var resumedAdam = new StaticNets.Training.Adam<float>();
        NetworkFile.Load(resumed, dir.File("checkpoint.snet"), resumedAdam);
        Assert.Equal(5, resumedAdam.StepCount);
        Train(resumed, resumedAdam, 5, 200);
        AssertBitEqual<float>(net.Parameters, resumed.Parameters);

        var contents = NetworkFile.Read(dir.File("checkpoint.snet"));
        Assert.Equal(new[] { "optimizer", "optimizer.steps" }, contents.SectionNames);
        Assert.Equal(new[] { 5.0 }, contents.GetSection<double>("optimizer.steps"));
        Assert.Equal(2 * Odd13B.ParameterCount, contents.GetSection<float>("optimizer").Length);
    }

    [Fact]
    public void Optimizer_state_of_another_kind_or_none_is_rejected_before_loading()
    {
        using var dir = new TempDirectory();
        var net = new Odd13B(1);
        var adam = new StaticNets.Training.Adam<float>();
        Train(net, adam, 2, 1);
        NetworkFile.Save(net, dir.File("adam.snet"), adam);
        NetworkFile.Save(net, dir.File("plain.snet"));
        NetworkFile.Save(net, dir.File("span.snet"), adam.State);

        var target = new Odd13B(3);
        var before = target.Parameters.ToArray();
        var momentum = new StaticNets.Training.Momentum<float>();
        var wrongKind = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, dir.File("adam.snet"), momentum));
        Assert.Equal(NetworkFileProblem.LengthMismatch, wrongKind.Problem);
        Assert.Equal($"1 slot(s) × {Odd13B.ParameterCount} parameters = {Odd13B.ParameterCount} values and a step count ≥ 0", wrongKind.Expected);
        Assert.Equal($"{2 * Odd13B.ParameterCount} values after 2 steps", wrongKind.Actual);
        Assert.Contains("Optimizer state does not fit Momentum: expected", wrongKind.Message, StringComparison.Ordinal);
        Assert.Equal(NetworkFileProblem.MissingTensor, Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, dir.File("plain.snet"), momentum)).Problem);
        Assert.Equal(NetworkFileProblem.MissingTensor, Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, dir.File("span.snet"), momentum)).Problem);
        Assert.Equal(before, target.Parameters.ToArray());
        Assert.Equal(0, momentum.StepCount);

        // Sgd keeps no state but its step counter; an optimizer saved before its first step restores as fresh.
        var sgd = new StaticNets.Training.Sgd<float>();
        Train(net, sgd, 3, 1);
        NetworkFile.Save(net, dir.File("sgd.snet"), sgd);
        var sgdResumed = new StaticNets.Training.Sgd<float>();
        NetworkFile.Load(target, dir.File("sgd.snet"), sgdResumed);
        Assert.Equal(3, sgdResumed.StepCount);
        NetworkFile.Save(net, dir.File("fresh.snet"), new StaticNets.Training.Adam<float>());
        var freshAdam = new StaticNets.Training.Adam<float>();
        NetworkFile.Load(target, dir.File("fresh.snet"), freshAdam);
        Assert.Equal(0, freshAdam.StepCount);
        Assert.Equal(net.Parameters.ToArray(), target.Parameters.ToArray());
    }

    [Fact]
    public void Architecture_mismatch_names_both_architectures()
    {
        var bytes = NetworkFile.ToBytes(new DigitsNet(1));
        var target = new N1(2);
        var before = target.Parameters.ToArray();
        var ex = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, bytes));
        Assert.Equal(NetworkFileProblem.ArchitectureMismatch, ex.Problem);
        Assert.Equal("8-32(ReLU)-32(ReLU)-4(Softmax), CrossEntropy, Single", ex.Expected);
        Assert.Equal("64-32(ReLU)-10(Softmax), CrossEntropy, Single", ex.Actual);
        Assert.Contains("'N1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Actual, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, target.Parameters.ToArray());

        // Same sizes, another activation or loss: still a mismatch.
        var odd = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(new Odd13C(1), NetworkFile.ToBytes(new Odd13A(1))));
        Assert.Equal(NetworkFileProblem.ArchitectureMismatch, odd.Problem);
    }

    [Fact]
    public void Element_type_mismatch_is_reported_as_such()
    {
        var ex = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(new DigitsNetD(1), NetworkFile.ToBytes(new DigitsNet(1))));
        Assert.Equal(NetworkFileProblem.ElementTypeMismatch, ex.Problem);
        Assert.Equal("float64 (Double)", ex.Expected);
        Assert.Equal("float32 (Single)", ex.Actual);
    }

    [Fact]
    public void Each_kind_of_damage_gets_its_own_message()
    {
        var good = NetworkFile.ToBytes(new XorNet(1));
        var target = new XorNet(2);

        InvalidNetworkFileException Reject(byte[] bytes) => Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, bytes));

        var magic = (byte[])good.Clone();
        magic[0] = (byte)'X';
        Assert.Equal(NetworkFileProblem.BadMagic, Reject(magic).Problem);
        Assert.Equal(NetworkFileProblem.Truncated, Reject(Array.Empty<byte>()).Problem);

        var version = (byte[])good.Clone();
        version[4] = 3;
        var v = Reject(version);
        Assert.Equal(NetworkFileProblem.UnsupportedVersion, v.Problem);
        Assert.Equal("version 1 or 2", v.Expected);
        Assert.Equal("version 3", v.Actual);

        var truncated = Reject(good[..^1]);
        Assert.Equal(NetworkFileProblem.Truncated, truncated.Problem);
        Assert.Equal($"{good.Length} bytes (from the header)", truncated.Expected);

        var trailing = Reject(good.Concat(new byte[] { 0 }).ToArray());
        Assert.Equal(NetworkFileProblem.TrailingData, trailing.Problem);

        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x10;
        Assert.Equal(NetworkFileProblem.ChecksumMismatch, Reject(flipped).Problem);

        // A structurally wrong file with a correct checksum: the structure checks still catch it.
        var resized = (byte[])good.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(resized.AsSpan(127), 14);   // 14 parameters, not 13
        BinaryPrimitives.WriteUInt32LittleEndian(resized.AsSpan(resized.Length - 4), Checksum(resized.AsSpan(0, resized.Length - 4)));
        var malformed = Reject(resized);
        Assert.Equal(NetworkFileProblem.Malformed, malformed.Problem);
        Assert.Contains("parameters", malformed.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_matches_the_documented_format()
    {
        var net = new XorNet(7);
        var bytes = NetworkFile.ToBytes(net);
        Assert.Equal("SNET"u8.ToArray(), bytes[..4]);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(bytes.Length, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(0, bytes[16]);                                   // float32
        Assert.Equal((byte)Loss.Quadratic, bytes[17]);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20)));   // layers
        Assert.Equal(1, bytes[24]);                                   // input shape: rank 1
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(25)));   //   of 2
        int[] starts = { 29, 78 };
        int[][] shapes = { new[] { 2, 3 }, new[] { 3, 1 } };
        for (int l = 0; l < 2; l++)
        {
            int at = starts[l], inputs = shapes[l][0], outputs = shapes[l][1];
            Assert.Equal(new byte[] { (byte)LayerKind.Dense, (byte)Activation.Sigmoid, 1, 0 }, bytes[at..(at + 4)]);   // kind, activation, flags (bias), reserved
            Assert.Equal(1, bytes[at + 4]);
            Assert.Equal(inputs, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 5)));
            Assert.Equal(1, bytes[at + 9]);
            Assert.Equal(outputs, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 10)));
            Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 14)));    // hyperparameter bytes
            Assert.Equal(outputs, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 16)));   // units
            Assert.Equal(2, bytes[at + 20]);                                                     // blocks
            Assert.Equal("\u0006weight\0\u0002"u8.ToArray(), bytes[(at + 21)..(at + 30)]);       // name, role 0, rank 2
            Assert.Equal(outputs, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 30)));
            Assert.Equal(inputs, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 34)));
            Assert.Equal("\u0004bias\u0001\u0001"u8.ToArray(), bytes[(at + 38)..(at + 45)]);     // name, role 1, rank 1
            Assert.Equal(outputs, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 45)));
        }
        Assert.Equal(13, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(127)));  // parameter count
        for (int i = 0; i < 13; i++)
            Assert.Equal(net.Parameters[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(135 + 4 * i)));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(187)));   // no sections
        Assert.Equal(195, bytes.Length);
        Assert.Equal(Checksum(bytes.AsSpan(0, 191)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(191)));
    }

    [Fact]
    public void A_v1_file_as_the_old_writer_wrote_it_still_loads()
    {
        var net = new XorNet(7);
        var v1 = Architectures.V1File(XorNet.Architecture, net.Parameters);
        Assert.Equal(112, v1.Length);
        var copy = new XorNet(8);
        NetworkFile.Load(copy, v1);
        AssertBitEqual<float>(net.Parameters, copy.Parameters);
        // Its checks are those of version 1: a layer of another kind is malformed.
        var conv = (byte[])v1.Clone();
        conv[32] = (byte)LayerKind.Conv2D;
        var ex = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(copy, Architectures.Rechecksum(conv)));
        Assert.Equal(NetworkFileProblem.Malformed, ex.Problem);
        Assert.Equal("layer 0 of kind 0 (dense)", ex.Expected);
    }

    [Fact]
    public void Crc_matches_the_zlib_check_value()
        => Assert.Equal(0xCBF43926u, Checksum("123456789"u8));

    [Fact]
    public void A_failed_save_leaves_the_previous_file_intact()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.snet");
        var net = new XorNet(1);
        NetworkFile.Save(net, path);
        var before = File.ReadAllBytes(path);

        Assert.Throws<InvalidOperationException>(() => NetworkFile.Save(new FailingNetwork(), path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));

        // Overwriting with a good save replaces the content completely.
        var other = new XorNet(2);
        NetworkFile.Save(other, path);
        var loaded = new XorNet(3);
        NetworkFile.Load(loaded, path);
        Assert.Equal(other.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Read_describes_a_file_without_a_network()
    {
        using var dir = new TempDirectory();
        var net = new PerLayerNet(5);
        NetworkFile.Save(net, dir.File("p.snet"));
        var contents = NetworkFile.Read(dir.File("p.snet"));
        Assert.Equal("5-9(Tanh)-4(Softmax), CrossEntropy, Single", contents.Architecture.ToString());
        Assert.Equal(net.Parameters.ToArray().Select(v => (double)v), contents.GetParameters<double>());
        Assert.Empty(contents.SectionNames);
        Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => contents.GetSection<float>("optimizer"));
    }

    internal static uint Checksum(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A network whose parameters cannot be read: a save that fails half way.</summary>
    private sealed class FailingNetwork : INetwork<float>
    {
        public NetworkInfo Info => XorNet.Architecture;
        public int InputSize => 2;
        public int OutputSize => 1;
        public int ParameterCount => 13;
        public ReadOnlySpan<float> Parameters => throw new InvalidOperationException("disk on fire");
        public ParameterEdit<float> EditParameters() => throw new InvalidOperationException("disk on fire");
        public void OnParametersWritten() { }
        public void Initialize(int seed) { }
        public void Forward(ReadOnlySpan<float> input, Span<float> output) { }
        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, INetworkWorkspace<float> workspace) { }
        public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> gradient, INetworkWorkspace<float> workspace) => 0;
        public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> gradient, Span<float> inputGradient, INetworkWorkspace<float> workspace) => throw new NotSupportedException("not used by this test");
        public void BackwardFromOutputGradient(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradient, Span<float> gradient, Span<float> inputGradient, INetworkWorkspace<float> workspace) => throw new NotSupportedException("not used by this test");
        public INetworkWorkspace<float> CreateWorkspace(int batchCapacity) => throw new NotSupportedException();
    }
}
