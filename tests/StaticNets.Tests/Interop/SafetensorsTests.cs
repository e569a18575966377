using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using StaticNets.Interop;
using StaticNets.Persistence;
using StaticNets.Tests.Networks;
using StaticNets.Tests.Persistence;
using Xunit;

namespace StaticNets.Tests.Interop;

public class SafetensorsTests
{
    /// <summary>Builds a safetensors file the way the published format describes it: u64 header size, JSON, data.</summary>
    internal static byte[] Build(string headerJson, byte[] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>Tensors (name, shape, float values) laid out one after another as F32, entries in the given order.</summary>
    internal static byte[] BuildF32(params (string Name, long[] Shape, float[] Values)[] tensors)
    {
        var data = new List<byte>();
        var entries = new List<string>();
        foreach (var (name, shape, values) in tensors)
        {
            int begin = data.Count;
            foreach (float v in values)
            {
                var b = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(b, v);
                data.AddRange(b);
            }
            entries.Add($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{data.Count}]}}");
        }
        return Build("{" + string.Join(",", entries) + "}", data.ToArray());
    }

    private static float[] Sequence(int count, float start) => Enumerable.Range(0, count).Select(i => start + i).ToArray();

    [Fact]
    public void Export_follows_the_format_and_round_trips_bit_exactly()
    {
        var net = new DigitsNet(3);
        var bytes = Safetensors.ToBytes(net);

        ulong headerSize = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0ul, headerSize % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerSize));
        var w0 = header.RootElement.GetProperty("layers.0.weight");
        Assert.Equal("F32", w0.GetProperty("dtype").GetString());
        Assert.Equal(new[] { 32, 64 }, w0.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(new[] { 0, 32 * 64 * 4 }, w0.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        var b1 = header.RootElement.GetProperty("layers.1.bias");
        Assert.Equal(new[] { 10 }, b1.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("64-32(ReLU)-10(Softmax), CrossEntropy, Single", header.RootElement.GetProperty("__metadata__").GetProperty("architecture").GetString());

        // Element [j, k] of layer 1's weight tensor is w[j, k] of layer 1.
        long dataStart = 8 + (long)headerSize;
        int begin = header.RootElement.GetProperty("layers.1.weight").GetProperty("data_offsets")[0].GetInt32();
        Assert.Equal(net.Layer1Weights[3 * 32 + 5], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(dataStart + begin + 4 * (3 * 32 + 5)))));

        var copy = new DigitsNet(4);
        Safetensors.Import(copy, bytes);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());

        using var dir = new TempDirectory();
        var d = new Odd13CD(1);
        Safetensors.Export(d, dir.File("m.safetensors"));
        var dcopy = new Odd13CD(2);
        Safetensors.Import(dcopy, dir.File("m.safetensors"));
        Assert.Equal(d.Parameters.ToArray(), dcopy.Parameters.ToArray());
        Assert.Equal("F64", SafetensorsFile.Parse(File.ReadAllBytes(dir.File("m.safetensors"))).Tensors[0].DType);
    }

    [Fact]
    public void Pytorch_sequential_names_map_in_natural_order_with_out_in_layout()
    {
        // nn.Sequential(Linear(2, 3), Sigmoid(), Linear(3, 1)) saves "0.*" and "2.*"; entries in any order.
        var w0 = Sequence(6, 1);      // [3, 2]
        var b0 = Sequence(3, 100);
        var w2 = Sequence(3, 200);    // [1, 3]
        var b2 = new[] { 300f };
        var file = BuildF32(("2.bias", new long[] { 1 }, b2), ("0.weight", new long[] { 3, 2 }, w0), ("2.weight", new long[] { 1, 3 }, w2), ("0.bias", new long[] { 3 }, b0));
        var net = new XorNet(1);
        Safetensors.Import(net, file);
        Assert.Equal(w0, net.Layer0Weights.ToArray());
        Assert.Equal(b0, net.Layer0Biases.ToArray());
        Assert.Equal(w2, net.Layer1Weights.ToArray());
        Assert.Equal(b2, net.Layer1Biases.ToArray());
        // w[j, k] is weight row j (output neuron), column k (input): the forward pass agrees.
        var output = new float[1];
        net.Forward(new float[] { 0.5f, -0.25f }, output);
        double[] h = Enumerable.Range(0, 3).Select(j => 1 / (1 + Math.Exp(-(w0[2 * j] * 0.5 + w0[2 * j + 1] * -0.25 + b0[j])))).ToArray();
        double z = w2[0] * h[0] + w2[1] * h[1] + w2[2] * h[2] + b2[0];
        Assert.Equal(1 / (1 + Math.Exp(-z)), output[0], 5);
    }

    [Fact]
    public void Numbered_names_sort_numerically_and_layer_names_option_maps_any_names()
    {
        var file = BuildF32(("fc10.weight", new long[] { 1, 3 }, Sequence(3, 20)), ("fc10.bias", new long[] { 1 }, new[] { 30f }),
                            ("fc2.weight", new long[] { 3, 2 }, Sequence(6, 1)), ("fc2.bias", new long[] { 3 }, Sequence(3, 10)));
        var net = new XorNet(1);
        Safetensors.Import(net, file);
        Assert.Equal(Sequence(6, 1), net.Layer0Weights.ToArray());

        var custom = BuildF32(("encoder.linear.w", new long[] { 3, 2 }, Sequence(6, 1)), ("encoder.linear.b", new long[] { 3 }, Sequence(3, 10)),
                              ("head.w", new long[] { 1, 3 }, Sequence(3, 20)), ("head.b", new long[] { 1 }, new[] { 30f }), ("step", new long[] { 1 }, new[] { 7f }));
        var options = new SafetensorsOptions { LayerNames = new[] { "encoder.linear", "head" }, WeightSuffix = "w", BiasSuffix = "b" };
        var other = new XorNet(2);
        Safetensors.Import(other, custom, options);
        Assert.Equal(net.Parameters.ToArray(), other.Parameters.ToArray());

        // Export with the same options writes those names.
        var exported = SafetensorsFile.Parse(Safetensors.ToBytes(other, options));
        Assert.Equal(new[] { "encoder.linear.w", "encoder.linear.b", "head.w", "head.b" }, exported.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void Half_precision_and_double_tensors_are_converted()
    {
        var data = new List<byte>();
        void Half(float v) { var b = new byte[2]; BinaryPrimitives.WriteHalfLittleEndian(b, (Half)v); data.AddRange(b); }
        void BFloat(float v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)(BitConverter.SingleToInt32Bits(v) >> 16)); data.AddRange(b); }
        void Double(double v) { var b = new byte[8]; BinaryPrimitives.WriteDoubleLittleEndian(b, v); data.AddRange(b); }
        foreach (float v in new[] { 0.5f, -1.5f, 2f, 0.25f, 3f, -4f }) Half(v);       // 0.weight [3, 2] F16, bytes 0..12
        foreach (float v in new[] { 1f, -2f, 0.125f }) BFloat(v);                     // 0.bias BF16, 12..18
        foreach (double v in new[] { 0.75, -0.5, 1.25 }) Double(v);                    // 1.weight F64, 18..42
        Double(-3);                                                                    // 1.bias, 42..50
        string header = "{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[3,2],\"data_offsets\":[0,12]},\"0.bias\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[12,18]},"
                      + "\"1.weight\":{\"dtype\":\"F64\",\"shape\":[1,3],\"data_offsets\":[18,42]},\"1.bias\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[42,50]}}";
        var net = new XorNet(1);
        Safetensors.Import(net, Build(header, data.ToArray()));
        Assert.Equal(new[] { 0.5f, -1.5f, 2f, 0.25f, 3f, -4f, 1f, -2f, 0.125f, 0.75f, -0.5f, 1.25f, -3f }, net.Parameters.ToArray());
    }

    public static IEnumerable<object[]> BadFiles()
    {
        string W(string dtype = "F32", string shape = "3,2", string offsets = "0,24") => $"\"0.weight\":{{\"dtype\":\"{dtype}\",\"shape\":[{shape}],\"data_offsets\":[{offsets}]}}";
        string B0(string offsets = "24,36") => $"\"0.bias\":{{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[{offsets}]}}";
        string L1(int start = 36) => $"\"1.weight\":{{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[{start},{start + 12}]}},\"1.bias\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[{start + 12},{start + 16}]}}";
        byte[] data = new byte[52];
        object[] Case(string name, byte[] file, NetworkFileProblem problem, string? expectedText = null) => new object[] { name, file, problem, expectedText ?? "" };

        yield return Case("valid control", Build("{" + W() + "," + B0() + "," + L1() + "}", data), (NetworkFileProblem)(-1));
        yield return Case("shorter than 8 bytes", new byte[5], NetworkFileProblem.Truncated);
        yield return Case("header length beyond the file", Build("{}", data)[..9], NetworkFileProblem.Truncated);
        var huge = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue);
        yield return Case("absurd header length", huge, NetworkFileProblem.Malformed, "Header too large");
        yield return Case("header not JSON", Build("{\"0.weight\": nope}", data), NetworkFileProblem.Malformed, "valid JSON");
        yield return Case("header cut short", Build("{" + W() + "," + B0(), data), NetworkFileProblem.Malformed, "valid JSON");
        yield return Case("header not UTF-8", Build("{\"0.weight\"\u00ff}", data).Select(b => b == 0xC3 ? (byte)0xC1 : b).ToArray(), NetworkFileProblem.Malformed, "invalid UTF-8");
        yield return Case("header an array", Build("[1, 2]", data), NetworkFileProblem.Malformed, "JSON object");
        yield return Case("entry without dtype", Build("{\"0.weight\":{\"shape\":[3,2],\"data_offsets\":[0,24]}}", data[..24]), NetworkFileProblem.Malformed, "\"dtype\"");
        yield return Case("negative dimension", Build("{" + W(shape: "-3,2") + "}", data[..24]), NetworkFileProblem.Malformed, "non-negative");
        yield return Case("unknown dtype", Build("{" + W(dtype: "F33") + "}", data[..24]), NetworkFileProblem.Malformed, "F33");
        yield return Case("integer dtype", Build("{" + W(dtype: "I32") + "," + B0() + "," + L1() + "}", data), NetworkFileProblem.ElementTypeMismatch, "I32");
        yield return Case("transposed weight", Build("{" + W(shape: "2,3") + "," + B0() + "," + L1() + "}", data), NetworkFileProblem.ShapeMismatch, "[2, 3]");
        yield return Case("bias of the wrong length", Build("{" + W(shape: "3,2") + "," + B0() + ",\"1.weight\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[36,48]},\"1.bias\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[48,52]}}", data), NetworkFileProblem.ShapeMismatch, "found [1, 1]");
        yield return Case("size not matching shape", Build("{" + W(offsets: "0,20") + "," + B0("20,36") + "," + L1() + "}", data), NetworkFileProblem.Malformed, "24 bytes");
        yield return Case("overlapping offsets", Build("{" + W() + "," + B0("20,32") + "," + L1(32) + "}", data[..48]), NetworkFileProblem.Malformed, "overlaps");
        yield return Case("gap between tensors", Build("{" + W() + "," + B0("28,40") + "," + L1(40) + "}", new byte[56]), NetworkFileProblem.Malformed, "Gap");
        yield return Case("offset out of range", Build("{" + W() + "," + B0() + "," + L1(40) + "}", data), NetworkFileProblem.Malformed, "out of range");
        yield return Case("reversed offsets", Build("{" + W(offsets: "24,0") + "}", data[..24]), NetworkFileProblem.Malformed, "begin <= end");
        yield return Case("trailing bytes", Build("{" + W() + "," + B0() + "," + L1() + "}", new byte[60]), NetworkFileProblem.TrailingData);
        yield return Case("duplicate name", Build("{" + W() + "," + W() + "}", data[..24]), NetworkFileProblem.Malformed, "twice");
        yield return Case("metadata not strings", Build("{\"__metadata__\":{\"a\":1}," + W() + "," + B0() + "," + L1() + "}", data), NetworkFileProblem.Malformed, "__metadata__");
        yield return Case("missing layer", Build("{" + W() + "," + B0() + "}", data[..36]), NetworkFileProblem.MissingTensor, "'0' [3, 2]");
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Malformed_files_are_rejected_with_a_clear_error_and_nothing_loaded(string name, byte[] file, NetworkFileProblem problem, string expectedText)
    {
        var net = new XorNet(1);
        var before = net.Parameters.ToArray();
        if ((int)problem == -1)
        {
            Safetensors.Import(net, file);   // the control case: the same builder makes valid files
            Assert.Equal(new float[13], net.Parameters.ToArray());
            return;
        }
        var ex = Assert.Throws<InvalidNetworkFileException>(() => Safetensors.Import(net, file));
        Assert.True(problem == ex.Problem, $"{name}: expected {problem} but got {ex.Problem}: {ex.Message}");
        Assert.Contains(expectedText, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void Shape_error_names_the_tensor_and_both_shapes()
    {
        var file = BuildF32(("0.weight", new long[] { 2, 3 }, new float[6]), ("0.bias", new long[] { 3 }, new float[3]), ("1.weight", new long[] { 1, 3 }, new float[3]), ("1.bias", new long[] { 1 }, new float[1]));
        var ex = Assert.Throws<InvalidNetworkFileException>(() => Safetensors.Import(new XorNet(1), file));
        Assert.Equal("Tensor '0.weight' has the wrong shape for layer 0: expected [3, 2] ([out, in], as nn.Linear.weight) but found [2, 3].", ex.Message);
    }

    [Fact]
    public void Wrong_number_of_layer_names_is_an_argument_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => Safetensors.ToBytes(new XorNet(1), new SafetensorsOptions { LayerNames = new[] { "only" } }));
        Assert.Contains("Expected 2 layer names", ex.Message, StringComparison.Ordinal);
    }
}
