using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using StaticNets.Persistence;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Persistence;

/// <summary>Hand-made architectures of every layer kind, for the version-2 tests.</summary>
internal static class Architectures
{
    /// <summary>1×12×12 → Conv2D(4@3×3, pad 1, ReLU) → MaxPool(2) → Conv2D(6@3×3, no bias, Tanh) → AvgPool(2) → Flatten → Dropout(0.25) → Dense 10 → Softmax.</summary>
    public static NetworkInfo LeNet(Precision precision = Precision.Single, double dropout = 0.25, int secondFilters = 6)
    {
        var layers = new List<LayerInfo>();
        int offset = 0;
        T Add<T>(T layer) where T : LayerInfo
        {
            layers.Add(layer);
            offset += layer.ParameterCount;
            return layer;
        }
        var conv1 = Add(new Conv2DLayerInfo(Shape.Image(1, 12, 12), 4, 3, 3, 1, 1, 1, 1, 1, 1, Activation.ReLU, offset));
        var pool1 = Add(new MaxPool2DLayerInfo(conv1.OutputShape, 2, 2, 2, 2, offset));
        var conv2 = Add(new Conv2DLayerInfo(pool1.OutputShape, secondFilters, 3, 3, 1, 1, 0, 0, 0, 0, Activation.Tanh, offset, bias: false));
        var pool2 = Add(new AvgPool2DLayerInfo(conv2.OutputShape, 2, 2, 2, 2, offset));
        var flat = Add(new FlattenLayerInfo(pool2.OutputShape, offset));
        var drop = Add(new DropoutLayerInfo(flat.OutputShape, dropout, offset));
        var dense = Add(new DenseLayerInfo(drop.Outputs, 10, Activation.Identity, offset));
        Add(new ActivationLayerInfo(dense.OutputShape, Activation.Softmax, offset));
        return new NetworkInfo("LeNet", precision, Loss.CrossEntropy, Shape.Image(1, 12, 12), layers);
    }

    /// <summary>3×7×9 → Conv2D(2@2×3, stride 2×1, pad 0,1,1,0, Sigmoid) → Flatten → Dense 3 (no bias, GELU).</summary>
    public static NetworkInfo Asymmetric()
    {
        var conv = new Conv2DLayerInfo(Shape.Image(3, 7, 9), 2, 2, 3, 2, 1, 0, 1, 1, 0, Activation.Sigmoid, 0);
        var flat = new FlattenLayerInfo(conv.OutputShape, conv.ParameterCount);
        var dense = new DenseLayerInfo(flat.Outputs, 3, Activation.GELU, conv.ParameterCount, bias: false);
        return new NetworkInfo("Asymmetric", Precision.Double, Loss.Quadratic, Shape.Image(3, 7, 9), new LayerInfo[] { conv, flat, dense });
    }

    /// <summary>4-8(ReLU)-3(Softmax) with dropout at <paramref name="rate"/> after the hidden layer (none when null).</summary>
    public static NetworkInfo DenseWithDropout(double? rate, Precision precision = Precision.Single)
    {
        var hidden = new DenseLayerInfo(4, 8, Activation.ReLU, 0);
        var output = new DenseLayerInfo(8, 3, Activation.Softmax, hidden.ParameterCount);
        var layers = rate is double r
            ? new LayerInfo[] { hidden, new DropoutLayerInfo(hidden.OutputShape, r, hidden.ParameterCount), output }
            : new LayerInfo[] { hidden, output };
        return new NetworkInfo("Dropout", precision, Loss.CrossEntropy, Shape.Vector(4), layers);
    }

    /// <summary>A version-1 file image of a dense network, byte for byte as the version-1 writer wrote it.</summary>
    public static byte[] V1File(NetworkInfo info, ReadOnlySpan<float> parameters)
    {
        var file = new byte[28 + 8 * info.Layers.Count + 8 + 4 * parameters.Length + 4 + 4];
        var span = file.AsSpan();
        "SNET"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], 1);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], file.Length);
        span[16] = (byte)info.Precision;
        span[17] = (byte)info.Loss;
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], info.InputSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], info.Layers.Count);
        int at = 28;
        foreach (var layer in info.Layers)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], layer.Outputs);
            span[at + 4] = (byte)layer.Kind;
            span[at + 5] = (byte)layer.Activation;
            at += 8;
        }
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], parameters.Length);
        at += 8;
        foreach (float p in parameters)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[at..], p);
            at += 4;
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], 0);
        at += 4;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], NetworkFileTests.Checksum(span[..at]));
        return file;
    }

    public static byte[] Rechecksum(byte[] file)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), NetworkFileTests.Checksum(file.AsSpan(0, file.Length - 4)));
        return file;
    }

    /// <summary>Where the fields of a version-2 file's layer records lie: each activation byte, and each dropout rate.</summary>
    public static (int End, List<int> Activations, List<Range> Rates) V2Records(byte[] file)
    {
        int at = 24;
        at += 1 + 4 * file[at];
        var activations = new List<int>();
        var rates = new List<Range>();
        int layers = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(20));
        for (int l = 0; l < layers; l++)
        {
            int kind = file[at];
            activations.Add(at + 1);
            at += 4;
            at += 1 + 4 * file[at];
            at += 1 + 4 * file[at];
            int hyper = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at));
            at += 2;
            if (kind == (int)LayerKind.Dropout)
                rates.Add(new Range(at + hyper - 8, at + hyper));
            at += hyper;
            int blocks = file[at++];
            for (int b = 0; b < blocks; b++)
            {
                at += 1 + file[at] + 1;
                at += 1 + 4 * file[at];
            }
        }
        return (at + 8, activations, rates);
    }
}

public class NetworkFileV2Tests
{
    public static TheoryData<string> Names => new() { "LeNet", "LeNet double", "Asymmetric", "Dense dropout" };

    private static NetworkInfo Named(string name) => name switch
    {
        "LeNet" => Architectures.LeNet(),
        "LeNet double" => Architectures.LeNet(Precision.Double),
        "Asymmetric" => Architectures.Asymmetric(),
        _ => Architectures.DenseWithDropout(0.5),
    };

    private static void RoundTrip<T>(NetworkInfo info) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var saved = new FakeNetwork<T>(info, 1);
        var bytes = NetworkFile.ToBytes(saved);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));

        var contents = NetworkFile.Read(new System.IO.MemoryStream(bytes));
        Assert.Equal(2, contents.FormatVersion);
        Assert.Equal(info, contents.Architecture);            // NetworkInfo equality: every layer, shape, block and hyperparameter
        Assert.Equal(info.ToString(), contents.Architecture.ToString());
        Assert.Equal(info.InputShape, contents.InputShape);
        Assert.Equal(info.Layers, contents.Layers);
        Assert.Equal(saved.Parameters.ToArray(), contents.GetParameters<T>());

        var loaded = new FakeNetwork<T>(info, 2);
        NetworkFile.Load(loaded, bytes);
        Assert.Equal(saved.Parameters.ToArray(), loaded.Parameters.ToArray());

        // The shared reader (the one the generator links) sees the same records and describes them as NetworkInfo does.
        var records = SnetFormat.Parse(bytes);
        Assert.Equal(info.ToString(), records.Describe());
        Assert.True(SnetFormat.SameLayout(records.Layers, NetworkFileFormat.ToRecords(info)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_layer_kind_round_trips(string name)
    {
        var info = Named(name);
        if (info.Precision == Precision.Single)
            RoundTrip<float>(info);
        else
            RoundTrip<double>(info);
    }

    [Fact]
    public void LeNet_describes_every_kind()
        => Assert.Equal("1×12×12 → Conv2D(4@3×3, stride 1×1, pad 1,1,1,1, ReLU) → 4×12×12 → MaxPool2D(2×2, stride 2×2) → 4×6×6 → Conv2D(6@3×3, stride 1×1, pad 0,0,0,0, no bias, Tanh) → 6×4×4 → AvgPool2D(2×2, stride 2×2) → 6×2×2 → Flatten → Dropout(0.25)-10(Identity) → Softmax, CrossEntropy, Single",
            Architectures.LeNet().ToString());

    [Fact]
    public void The_shared_tables_match_the_runtime_enums()
    {
        Assert.Equal(Enum.GetNames<Activation>(), SnetFormat.ActivationNames);
        Assert.Equal(Enum.GetValues<Activation>().Select(a => (int)a), Enumerable.Range(0, SnetFormat.ActivationNames.Length));
        Assert.Equal(Enum.GetNames<Loss>(), SnetFormat.LossNames);
        Assert.Equal(Enum.GetNames<Precision>(), SnetFormat.PrecisionNames);
        Assert.Equal(Enum.GetValues<LayerKind>().Select(k => ((int)k, k.ToString())), SnetFormat.Kinds.Select(k => (k.Code, k.Name)));
        Assert.Equal(Enum.GetNames<SnetProblem>(), Enum.GetNames<NetworkFileProblem>().Take(Enum.GetNames<SnetProblem>().Length));
    }

    [Fact]
    public void Dropout_is_not_part_of_the_parameter_layout()
    {
        var withDropout = new FakeNetwork<float>(Architectures.DenseWithDropout(0.5), 1);
        var plain = new FakeNetwork<float>(Architectures.DenseWithDropout(null), 2);
        var otherRate = new FakeNetwork<float>(Architectures.DenseWithDropout(0.1), 3);

        NetworkFile.Load(plain, NetworkFile.ToBytes(withDropout));
        Assert.Equal(withDropout.Parameters.ToArray(), plain.Parameters.ToArray());
        NetworkFile.Load(otherRate, NetworkFile.ToBytes(withDropout));
        Assert.Equal(withDropout.Parameters.ToArray(), otherRate.Parameters.ToArray());
        var back = new FakeNetwork<float>(Architectures.DenseWithDropout(0.5), 4);
        NetworkFile.Load(back, NetworkFile.ToBytes(plain));
        Assert.Equal(plain.Parameters.ToArray(), back.Parameters.ToArray());

        // Read still reports the dropout layer the file holds.
        Assert.Contains(NetworkFile.Read(new System.IO.MemoryStream(NetworkFile.ToBytes(withDropout))).Layers, l => l is DropoutLayerInfo { Rate: 0.5 });

        // The same holds for conv nets: only parameter-owning and shape-changing layers count.
        var lenet = new FakeNetwork<float>(Architectures.LeNet(dropout: 0.25), 5);
        var lenetOther = new FakeNetwork<float>(Architectures.LeNet(dropout: 0.75), 6);
        NetworkFile.Load(lenetOther, NetworkFile.ToBytes(lenet));
        Assert.Equal(lenet.Parameters.ToArray(), lenetOther.Parameters.ToArray());
    }

    [Fact]
    public void A_v1_file_loads_into_the_equivalent_v2_networks()
    {
        var xor = new XorNet(1);
        var v1 = Architectures.V1File(XorNet.Architecture, xor.Parameters);
        var copy = new XorNet(2);
        NetworkFile.Load(copy, v1);
        Assert.Equal(xor.Parameters.ToArray(), copy.Parameters.ToArray());
        var contents = NetworkFile.Read(new System.IO.MemoryStream(v1));
        Assert.Equal(1, contents.FormatVersion);
        Assert.Equal(XorNet.Architecture, contents.Architecture);

        // A v1 file of the dense network loads into the same network with dropout, and re-saves as v2.
        var dense = new FakeNetwork<float>(Architectures.DenseWithDropout(null), 1);
        var withDropout = new FakeNetwork<float>(Architectures.DenseWithDropout(0.3), 2);
        NetworkFile.Load(withDropout, Architectures.V1File(dense.Info, dense.Parameters));
        Assert.Equal(dense.Parameters.ToArray(), withDropout.Parameters.ToArray());
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(NetworkFile.ToBytes(withDropout).AsSpan(4)));
    }

    [Fact]
    public void Conv_architecture_mismatch_names_both_architectures()
    {
        var saved = new FakeNetwork<float>(Architectures.LeNet(), 1);
        var target = new FakeNetwork<float>(Architectures.LeNet(secondFilters: 5), 2);
        var before = target.Parameters.ToArray();
        var ex = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, NetworkFile.ToBytes(saved)));
        Assert.Equal(NetworkFileProblem.ArchitectureMismatch, ex.Problem);
        Assert.Equal(target.Info.ToString(), ex.Expected);
        Assert.Equal(saved.Info.ToString(), ex.Actual);
        Assert.Contains("Conv2D(5@3×3", ex.Expected, StringComparison.Ordinal);
        Assert.Contains("Conv2D(6@3×3", ex.Actual, StringComparison.Ordinal);
        Assert.Contains(ex.Expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Actual, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, target.Parameters.ToArray());

        // A dense file into a conv network and the reverse.
        Assert.Equal(NetworkFileProblem.ArchitectureMismatch, Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(target, NetworkFile.ToBytes(new XorNet(1)))).Problem);
        Assert.Equal(NetworkFileProblem.ArchitectureMismatch, Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(new XorNet(1), NetworkFile.ToBytes(saved))).Problem);
    }

    [Fact]
    public void A_section_count_of_int_MaxValue_with_no_sections_is_rejected()
    {
        var bytes = NetworkFile.ToBytes(new XorNet(1));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(bytes.Length - 8), int.MaxValue);
        Architectures.Rechecksum(bytes);
        var ex = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Load(new XorNet(2), bytes));
        Assert.Equal(NetworkFileProblem.Malformed, ex.Problem);
        Assert.Equal("a section count that fits the file", ex.Expected);
        Assert.Equal($"{int.MaxValue}", ex.Actual);
    }

    [Fact]
    public void Structural_problems_are_named()
    {
        var good = NetworkFile.ToBytes(new FakeNetwork<float>(Architectures.LeNet(), 1));
        InvalidNetworkFileException Reject(Action<byte[]> damage)
        {
            var copy = (byte[])good.Clone();
            damage(copy);
            var ex = Assert.Throws<InvalidNetworkFileException>(() => NetworkFile.Read(new System.IO.MemoryStream(Architectures.Rechecksum(copy))));
            Assert.Equal(NetworkFileProblem.Malformed, ex.Problem);
            return ex;
        }
        int layer0 = 24 + 1 + 4 * 3;
        Assert.Contains("a known layer kind", Reject(f => f[layer0] = 200).Expected, StringComparison.Ordinal);
        Assert.Equal("rank 5", Reject(f => f[24] = 5).Actual);
        Assert.Contains("a layer count between 1 and", Reject(f => BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(20), int.MaxValue)).Expected, StringComparison.Ordinal);
        // Conv1's stored output height 12 → 11: not what a 3×3 kernel with pad 1 gives.
        int output = layer0 + 4 + 13 + 1 + 4;
        Assert.Equal("output 4×11×12", Reject(f => BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(output), 11)).Actual);
        // Conv1's kernel height 3 → 5: the hyperparameters no longer imply the stored output.
        int kernel = layer0 + 4 + 13 + 13 + 2 + 4;
        Assert.Contains("what its input and hyperparameters imply", Reject(f => BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(kernel), 5)).Expected, StringComparison.Ordinal);
        // The bias flag cleared: the blocks no longer match what the kind implies.
        Assert.Contains("1 parameter blocks", Reject(f => f[layer0 + 2] = 0).Expected, StringComparison.Ordinal);
    }
}
