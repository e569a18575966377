using System;
using System.Collections.Generic;
using System.Text;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Baking;

/// <summary>
/// Reads the <c>.snet</c> format (version 1, documented in docs/persistence.md) with plain byte arrays, as
/// netstandard2.0 allows. It mirrors the runtime's reader: magic, version, length, CRC-32, then every field;
/// the tests check both against the same files. Returns an error text instead of throwing.
/// </summary>
internal static class SnetReader
{
    public const int Version = 1;
    private const int FixedHeaderSize = 28;
    private const int LayerRecordSize = 8;
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>What a file holds: the architecture and where the parameters lie.</summary>
    public sealed class Contents
    {
        public Contents(ScalarKind scalar, LossKind loss, int inputSize, int[] outputs, int[] activations, int parameterStart, int parameterBytes, uint checksum)
        {
            Scalar = scalar;
            Loss = loss;
            InputSize = inputSize;
            Outputs = outputs;
            Activations = activations;
            ParameterStart = parameterStart;
            ParameterBytes = parameterBytes;
            Checksum = checksum;
        }

        public ScalarKind Scalar { get; }
        public LossKind Loss { get; }
        public int InputSize { get; }
        public int[] Outputs { get; }
        public int[] Activations { get; }
        public int ParameterStart { get; }
        public int ParameterBytes { get; }
        public uint Checksum { get; }

        /// <summary>"64-32(ReLU)-10(Softmax), CrossEntropy, Single": the runtime's NetworkInfo.ToString().</summary>
        public string Describe()
        {
            var sb = new StringBuilder().Append(InputSize);
            for (int l = 0; l < Outputs.Length; l++)
                sb.Append('-').Append(Outputs[l]).Append('(').Append(ActivationName(Activations[l])).Append(')');
            return sb.Append(", ").Append(Loss).Append(", ").Append(Scalar).ToString();
        }
    }

    public static string ActivationName(int code) => Enum.IsDefined(typeof(ActivationKind), code) ? ((ActivationKind)code).ToString() : $"activation {code}";

    /// <summary>Parses <paramref name="data"/>; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static Contents? Read(byte[] data, out string? error)
    {
        error = null;
        int length = data.Length;
        if (length < 4 || data[0] != (byte)'S' || data[1] != (byte)'N' || data[2] != (byte)'E' || data[3] != (byte)'T')
        {
            error = "it is not a StaticNets network file (it does not start with \"SNET\")";
            return null;
        }
        if (length < 16)
        {
            error = $"it is truncated ({length} bytes)";
            return null;
        }
        int version = U16(data, 4);
        if (version != Version)
        {
            error = $"it has format version {version}, but this generator reads version {Version}";
            return null;
        }
        long declared = I64(data, 8);
        if (declared != length)
        {
            error = declared > length ? $"it is truncated: the header announces {declared} bytes but the file has {length}" : $"it has {length - declared} bytes of trailing data after the {declared} the header announces";
            return null;
        }
        if (length < FixedHeaderSize + LayerRecordSize + 8 + 4 + 4)
        {
            error = $"it is too short ({length} bytes) to hold a network";
            return null;
        }
        int body = length - 4;
        uint stored = (uint)I32(data, body), computed = Crc32(data, body);
        if (stored != computed)
        {
            error = $"its checksum does not match (stored 0x{stored:X8}, computed 0x{computed:X8}): the file is corrupted";
            return null;
        }
        if (U16(data, 6) != 0 || U16(data, 18) != 0 || data[16] > 1 || !Enum.IsDefined(typeof(LossKind), (int)data[17]))
        {
            error = "its header has an invalid element type, loss or reserved field";
            return null;
        }
        var scalar = (ScalarKind)data[16];
        var loss = (LossKind)data[17];
        int inputSize = I32(data, 20), layerCount = I32(data, 24);
        if (inputSize < 1 || layerCount < 1 || (long)layerCount * LayerRecordSize > body - FixedHeaderSize - 12)
        {
            error = $"its header declares an invalid input size ({inputSize}) or layer count ({layerCount})";
            return null;
        }
        var outputs = new int[layerCount];
        var activations = new int[layerCount];
        long parameters = 0;
        int previous = inputSize, at = FixedHeaderSize;
        for (int l = 0; l < layerCount; l++, at += LayerRecordSize)
        {
            outputs[l] = I32(data, at);
            activations[l] = data[at + 5];
            if (outputs[l] < 1 || data[at + 4] != 0 || U16(data, at + 6) != 0)
            {
                error = $"layer {l} has an invalid size ({outputs[l]}), kind or reserved field";
                return null;
            }
            parameters += (long)previous * outputs[l] + outputs[l];
            previous = outputs[l];
        }
        long count = I64(data, at);
        at += 8;
        int elementSize = scalar == ScalarKind.Single ? 4 : 8;
        if (count != parameters || parameters * elementSize > body - at - 4)
        {
            error = $"it declares {count} parameters where its layers need {parameters}, or they do not fit in the file";
            return null;
        }
        int parameterStart = at;
        at += (int)parameters * elementSize;
        int sections = I32(data, at);
        at += 4;
        for (int s = 0; s < sections && at <= body; s++)
        {
            if (body - at < 2)
                break;
            // name length, name, value type (0 float32, 1 float64, 2 int64), value count, values
            int nameLength = U16(data, at);
            at += 2 + nameLength;
            if (body - at < 9 || nameLength < 1 || data[at] > 2)
            {
                at = body + 1;
                break;
            }
            int valueSize = data[at] == 0 ? 4 : 8;
            long values = I64(data, at + 1);
            at += 9;
            if (values < 0 || values > (body - at) / valueSize)
            {
                at = body + 1;
                break;
            }
            at += (int)values * valueSize;
        }
        if (sections < 0 || at != body)
        {
            error = "its optional sections do not end where the checksum starts";
            return null;
        }
        return new Contents(scalar, loss, inputSize, outputs, activations, parameterStart, (int)parameters * elementSize, stored);
    }

    public static uint Crc32(byte[] data, int count)
    {
        uint crc = 0xFFFFFFFFu;
        for (int i = 0; i < count; i++)
            crc = CrcTable[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
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

    private static int U16(byte[] d, int at) => d[at] | d[at + 1] << 8;

    private static int I32(byte[] d, int at) => d[at] | d[at + 1] << 8 | d[at + 2] << 16 | d[at + 3] << 24;

    private static long I64(byte[] d, int at) => (uint)I32(d, at) | (long)I32(d, at + 4) << 32;
}
