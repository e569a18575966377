using System;
using System.IO;
using Google.Protobuf;

namespace StaticNets.Interop;

/// <summary>
/// The few ONNX protobuf messages the exporter needs, encoded field by field with Google.Protobuf's
/// <see cref="CodedOutputStream"/> (no generated classes, no reflection, so the runtime stays trim- and AOT-safe).
/// Field numbers are those of onnx.proto; see docs/interop.md.
/// </summary>
internal static class OnnxProto
{
    // TensorProto.DataType
    public const int Float = 1;
    public const int Double = 11;
    public const int Int64Type = 7;

    // AttributeProto.AttributeType
    private const int AttributeFloat = 1;
    private const int AttributeInt = 2;
    private const int AttributeInts = 7;

    /// <summary>Encodes one message by running <paramref name="write"/> on a fresh stream.</summary>
    public static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }

    public static void Embedded(CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }

    public static void String(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    public static void Int64(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    /// <summary>ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8.</summary>
    public static byte[] Model(long irVersion, int opset, string producer, string producerVersion, byte[] graph)
        => Message(o =>
        {
            Int64(o, 1, irVersion);
            String(o, 2, producer);
            String(o, 3, producerVersion);
            Embedded(o, 7, graph);
            // OperatorSetIdProto: domain 1 ("" is the default ONNX domain), version 2.
            Embedded(o, 8, Message(s => { String(s, 1, ""); Int64(s, 2, opset); }));
        });

    /// <summary>NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.</summary>
    public static byte[] Node(string opType, string name, string[] inputs, string output, params byte[][] attributes)
        => Message(o =>
        {
            foreach (string input in inputs)
                String(o, 1, input);
            String(o, 2, output);
            String(o, 3, name);
            String(o, 4, opType);
            foreach (var attribute in attributes)
                Embedded(o, 5, attribute);
        });

    /// <summary>A node with several outputs (an empty name skips an optional one).</summary>
    public static byte[] Node(string opType, string name, string[] inputs, string[] outputs, params byte[][] attributes)
        => Message(o =>
        {
            foreach (string input in inputs)
                String(o, 1, input);
            foreach (string output in outputs)
                String(o, 2, output);
            String(o, 3, name);
            String(o, 4, opType);
            foreach (var attribute in attributes)
                Embedded(o, 5, attribute);
        });

    /// <summary>AttributeProto with a float: name 1, f 2, type 20.</summary>
    public static byte[] FloatAttribute(string name, float value)
        => Message(o =>
        {
            String(o, 1, name);
            o.WriteTag(2, WireFormat.WireType.Fixed32);
            o.WriteFloat(value);
            o.WriteTag(20, WireFormat.WireType.Varint);
            o.WriteInt32(AttributeFloat);
        });

    /// <summary>AttributeProto with an integer: name 1, i 3, type 20.</summary>
    public static byte[] IntAttribute(string name, long value)
        => Message(o =>
        {
            String(o, 1, name);
            Int64(o, 3, value);
            o.WriteTag(20, WireFormat.WireType.Varint);
            o.WriteInt32(AttributeInt);
        });

    /// <summary>AttributeProto with a list of integers: name 1, ints 8 (one varint per value), type 20.</summary>
    public static byte[] IntsAttribute(string name, params long[] values)
        => Message(o =>
        {
            String(o, 1, name);
            foreach (long v in values)
                Int64(o, 8, v);
            o.WriteTag(20, WireFormat.WireType.Varint);
            o.WriteInt32(AttributeInts);
        });

    /// <summary>TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian values).</summary>
    public static byte[] Tensor(string name, int dataType, long[] dims, ReadOnlySpan<byte> raw)
    {
        var data = ByteString.CopyFrom(raw);
        return Message(o =>
        {
            foreach (long d in dims)
                Int64(o, 1, d);
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt32(dataType);
            String(o, 8, name);
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(data);
        });
    }

    /// <summary>
    /// ValueInfoProto (name 1, type 2) of a tensor [batch, dims…]: TypeProto.tensor_type 1 → elem_type 1,
    /// shape 2 → TensorShapeProto.dim 1 → Dimension { dim_value 1 | dim_param 2 }.
    /// </summary>
    public static byte[] BatchedTensor(string name, int dataType, string batchDimension, ReadOnlySpan<int> dims)
    {
        var sizes = dims.ToArray();
        return Message(o =>
        {
            String(o, 1, name);
            Embedded(o, 2, Message(type => Embedded(type, 1, Message(tensor =>
            {
                tensor.WriteTag(1, WireFormat.WireType.Varint);
                tensor.WriteInt32(dataType);
                Embedded(tensor, 2, Message(shape =>
                {
                    Embedded(shape, 1, Message(d => String(d, 2, batchDimension)));
                    foreach (int size in sizes)
                        Embedded(shape, 1, Message(d => Int64(d, 1, size)));
                }));
            }))));
        });
    }
}
