using System;
using System.IO;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace StaticNets.Benchmarks.Peers;

/// <summary>
/// Encodes a minimal ONNX <c>ModelProto</c> for a dense ReLU…softmax network straight from the protobuf
/// field numbers of onnx.proto (Gemm with transB = 1, Relu, Softmax; opset 13), so the ONNX Runtime peer
/// gets exactly the StaticNets weights without depending on the product's exporter.
/// </summary>
public static class OnnxModelBuilder
{
    // onnx.proto field numbers.
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelGraph = 7, ModelOpsetImport = 8;
    private const int OpsetDomain = 1, OpsetVersion = 2;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeInt = 3, AttributeType = 20, AttributeTypeInt = 2;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9, TensorFloat = 1;
    private const int ValueInfoName = 1, ValueInfoType = 2, TypeTensor = 1, TensorTypeElem = 1, TensorTypeShape = 2;
    private const int ShapeDim = 1, DimValue = 1, DimParam = 2;

    /// <summary>The serialized model: input "x" [N, sizes[0]], output "y" [N, sizes[^1]].</summary>
    public static byte[] Build(int[] sizes, ReadOnlySpan<float> parameterSpan)
    {
        float[] parameters = parameterSpan.ToArray();
        byte[] graph = Message(g =>
        {
            string input = "x";
            int offset = 0;
            for (int l = 0; l < sizes.Length - 1; l++)
            {
                int nIn = sizes[l], nOut = sizes[l + 1];
                bool last = l == sizes.Length - 2;
                string w = $"W{l}", b = $"B{l}", z = $"z{l}", a = last ? "y" : $"a{l}";
                g.WriteTag(GraphInitializer, WireFormat.WireType.LengthDelimited);
                g.WriteBytes(ByteString.CopyFrom(Tensor(w, new long[] { nOut, nIn }, parameters.AsSpan(offset, nIn * nOut))));
                offset += nIn * nOut;
                g.WriteTag(GraphInitializer, WireFormat.WireType.LengthDelimited);
                g.WriteBytes(ByteString.CopyFrom(Tensor(b, new long[] { nOut }, parameters.AsSpan(offset, nOut))));
                offset += nOut;
                WriteMessage(g, GraphNode, Node("Gemm", $"gemm{l}", new[] { input, w, b }, z, transB: true));
                WriteMessage(g, GraphNode, Node(last ? "Softmax" : "Relu", $"act{l}", new[] { z }, a, transB: false));
                input = a;
            }
            g.WriteString(GraphName, "staticnets_benchmark");
            WriteMessage(g, GraphInput, ValueInfo("x", sizes[0]));
            WriteMessage(g, GraphOutput, ValueInfo("y", sizes[^1]));
        });

        return Message(m =>
        {
            m.WriteTag(ModelIrVersion, WireFormat.WireType.Varint);
            m.WriteInt64(8);
            m.WriteString(ModelProducerName, "StaticNets.Benchmarks");
            WriteMessage(m, ModelGraph, graph);
            WriteMessage(m, ModelOpsetImport, Message(o =>
            {
                o.WriteString(OpsetDomain, "");
                o.WriteTag(OpsetVersion, WireFormat.WireType.Varint);
                o.WriteInt64(13);
            }));
        });
    }

    private static byte[] Node(string opType, string name, string[] inputs, string output, bool transB) => Message(n =>
    {
        foreach (string input in inputs)
            n.WriteString(NodeInput, input);
        n.WriteString(NodeOutput, output);
        n.WriteString(NodeName, name);
        n.WriteString(NodeOpType, opType);
        if (transB)
        {
            WriteMessage(n, NodeAttribute, Message(a =>
            {
                a.WriteString(AttributeName, "transB");
                a.WriteTag(AttributeInt, WireFormat.WireType.Varint);
                a.WriteInt64(1);
                a.WriteTag(AttributeType, WireFormat.WireType.Varint);
                a.WriteInt32(AttributeTypeInt);
            }));
        }
    });

    private static byte[] Tensor(string name, long[] dims, ReadOnlySpan<float> values)
    {
        byte[] raw = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian.");
        return Message(t =>
        {
            foreach (long dim in dims)
            {
                t.WriteTag(TensorDims, WireFormat.WireType.Varint);
                t.WriteInt64(dim);
            }
            t.WriteTag(TensorDataType, WireFormat.WireType.Varint);
            t.WriteInt32(TensorFloat);
            t.WriteString(TensorName, name);
            t.WriteTag(TensorRawData, WireFormat.WireType.LengthDelimited);
            t.WriteBytes(ByteString.CopyFrom(raw));
        });
    }

    private static byte[] ValueInfo(string name, int features) => Message(v =>
    {
        v.WriteString(ValueInfoName, name);
        WriteMessage(v, ValueInfoType, Message(type =>
            WriteMessage(type, TypeTensor, Message(tensor =>
            {
                tensor.WriteTag(TensorTypeElem, WireFormat.WireType.Varint);
                tensor.WriteInt32(TensorFloat);
                WriteMessage(tensor, TensorTypeShape, Message(shape =>
                {
                    WriteMessage(shape, ShapeDim, Message(d => d.WriteString(DimParam, "N")));
                    WriteMessage(shape, ShapeDim, Message(d =>
                    {
                        d.WriteTag(DimValue, WireFormat.WireType.Varint);
                        d.WriteInt64(features);
                    }));
                }));
            }))));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
            write(output);
        return buffer.ToArray();
    }

    private static void WriteMessage(CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }
}

internal static class CodedOutputStreamExtensions
{
    public static void WriteString(this CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }
}
