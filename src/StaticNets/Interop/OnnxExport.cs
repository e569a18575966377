using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using StaticNets.Persistence;

namespace StaticNets.Interop;

/// <summary>
/// Exports a generated dense network as an ONNX model (opset 13) that ONNX Runtime and other runtimes run:
/// one <c>Gemm</c> per layer (weights <c>[out, in]</c> with <c>transB = 1</c>, so the parameter layout is used as
/// is) followed by its activation. Input <c>"input"</c> is <c>[N, InputSize]</c> with a symbolic batch
/// dimension <c>N</c>; output <c>"output"</c> is <c>[N, OutputSize]</c>.
/// </summary>
public static class OnnxExport
{
    /// <summary>The operator set the exported models declare.</summary>
    public const int Opset = 13;

    /// <summary>The IR version that goes with <see cref="Opset"/> 13.</summary>
    public const int IrVersion = 7;

    /// <summary>Name of the model's input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the model's output.</summary>
    public const string OutputName = "output";

    /// <summary>Writes the ONNX model of <paramref name="network"/> to <paramref name="path"/> atomically.</summary>
    public static void Export<T>(INetwork<T> network, string path, OnnxExportOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        NetworkFile.WriteAtomically(path, ToBytes(network, options));
    }

    /// <summary>Writes the ONNX model of <paramref name="network"/> to <paramref name="stream"/>.</summary>
    public static void Export<T>(INetwork<T> network, Stream stream, OnnxExportOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes(network, options));
        stream.Flush();
    }

    /// <summary>The serialised ONNX <c>ModelProto</c> of <paramref name="network"/>.</summary>
    /// <exception cref="NotSupportedException">A layer uses an activation that has no ONNX mapping.</exception>
    public static byte[] ToBytes<T>(INetwork<T> network, OnnxExportOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= OnnxExportOptions.Default;
        var info = network.Info;
        bool asDouble = typeof(T) == typeof(double) && options.ElementType == OnnxElementType.Native;
        int dataType = asDouble ? OnnxProto.Double : OnnxProto.Float;
        ReadOnlySpan<T> parameters = network.Parameters;

        var nodes = new List<byte[]>();
        var initializers = new List<byte[]>();
        var constants = new Dictionary<double, string>();
        string Constant(double value)
        {
            if (!constants.TryGetValue(value, out string? name))
            {
                name = $"const_{constants.Count}";
                constants.Add(value, name);
                initializers.Add(OnnxProto.Tensor(name, dataType, Array.Empty<long>(), Raw<T>(stackalloc T[] { T.CreateChecked(value) }, asDouble)));
            }
            return name;
        }

        string current = InputName;
        for (int l = 0; l < info.Layers.Count; l++)
        {
            var layer = info.Layers[l];
            bool last = l == info.Layers.Count - 1;
            string weights = $"layer{l}.weight", biases = $"layer{l}.bias";
            initializers.Add(OnnxProto.Tensor(weights, dataType, new long[] { layer.Outputs, layer.Inputs }, Raw(parameters.Slice(layer.WeightOffset, layer.WeightCount), asDouble)));
            initializers.Add(OnnxProto.Tensor(biases, dataType, new long[] { layer.Outputs }, Raw(parameters.Slice(layer.BiasOffset, layer.Outputs), asDouble)));
            bool identity = layer.Activation == Activation.Identity;
            string z = last && identity ? OutputName : $"layer{l}.z";
            // z = input · Wᵀ + b: Gemm with transB = 1 reads the [out, in] weights as stored.
            nodes.Add(OnnxProto.Node("Gemm", $"layer{l}.gemm", new[] { current, weights, biases }, z, OnnxProto.IntAttribute("transB", 1)));
            current = identity ? z : AddActivation(nodes, layer.Activation, l, z, last ? OutputName : $"layer{l}.a", asDouble, Constant);
        }

        string graphName = options.GraphName ?? info.Name;
        byte[] graph = OnnxProto.Message(o =>
        {
            // GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12.
            foreach (var node in nodes)
                OnnxProto.Embedded(o, 1, node);
            OnnxProto.String(o, 2, graphName);
            foreach (var initializer in initializers)
                OnnxProto.Embedded(o, 5, initializer);
            OnnxProto.String(o, 10, $"StaticNets network {info}");
            OnnxProto.Embedded(o, 11, OnnxProto.Matrix(InputName, dataType, "N", info.InputSize));
            OnnxProto.Embedded(o, 12, OnnxProto.Matrix(OutputName, dataType, "N", info.OutputSize));
        });
        string version = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0";
        return OnnxProto.Model(IrVersion, Opset, "StaticNets", version, graph);
    }

    /// <summary>
    /// Appends the nodes of one activation and returns the name of its result. Activations are matched by
    /// name so that values added to <see cref="Activation"/> later map as soon as they have an ONNX form here.
    /// </summary>
    private static string AddActivation(List<byte[]> nodes, Activation activation, int layer, string z, string a, bool asDouble, Func<double, string> constant)
    {
        string name = activation.ToString();
        string prefix = $"layer{layer}.";
        switch (name.ToUpperInvariant())
        {
            case "SIGMOID":
                nodes.Add(OnnxProto.Node("Sigmoid", prefix + "sigmoid", new[] { z }, a));
                break;
            case "TANH":
                nodes.Add(OnnxProto.Node("Tanh", prefix + "tanh", new[] { z }, a));
                break;
            case "RELU":
                nodes.Add(OnnxProto.Node("Relu", prefix + "relu", new[] { z }, a));
                break;
            case "LEAKYRELU":
                // max(z, 0.01·z) is LeakyReLU for a slope below 1, and runs for float and double alike.
                nodes.Add(OnnxProto.Node("Mul", prefix + "leaky_scale", new[] { z, constant(0.01) }, prefix + "leaky"));
                nodes.Add(OnnxProto.Node("Max", prefix + "leaky_max", new[] { z, prefix + "leaky" }, a));
                break;
            case "SOFTMAX":
                nodes.Add(OnnxProto.Node("Softmax", prefix + "softmax", new[] { z }, a, OnnxProto.IntAttribute("axis", 1)));
                break;
            case "ELU" when !asDouble:
                nodes.Add(OnnxProto.Node("Elu", prefix + "elu", new[] { z }, a, OnnxProto.FloatAttribute("alpha", 1f)));
                break;
            case "ELU":
                // ONNX Runtime has no double Elu kernel: relu(z) + (exp(min(z, 0)) − 1) is the same function.
                nodes.Add(OnnxProto.Node("Relu", prefix + "elu_pos", new[] { z }, prefix + "elu_pos"));
                nodes.Add(OnnxProto.Node("Min", prefix + "elu_min", new[] { z, constant(0) }, prefix + "elu_min"));
                nodes.Add(OnnxProto.Node("Exp", prefix + "elu_exp", new[] { prefix + "elu_min" }, prefix + "elu_exp"));
                nodes.Add(OnnxProto.Node("Sub", prefix + "elu_neg", new[] { prefix + "elu_exp", constant(1) }, prefix + "elu_neg"));
                nodes.Add(OnnxProto.Node("Add", prefix + "elu", new[] { prefix + "elu_pos", prefix + "elu_neg" }, a));
                break;
            case "SOFTPLUS" when !asDouble:
                nodes.Add(OnnxProto.Node("Softplus", prefix + "softplus", new[] { z }, a));
                break;
            case "SOFTPLUS":
                // No double Softplus kernel either: the overflow-free relu(z) + ln(1 + e^−|z|).
                nodes.Add(OnnxProto.Node("Relu", prefix + "softplus_pos", new[] { z }, prefix + "softplus_pos"));
                nodes.Add(OnnxProto.Node("Abs", prefix + "softplus_abs", new[] { z }, prefix + "softplus_abs"));
                nodes.Add(OnnxProto.Node("Neg", prefix + "softplus_negabs", new[] { prefix + "softplus_abs" }, prefix + "softplus_negabs"));
                nodes.Add(OnnxProto.Node("Exp", prefix + "softplus_exp", new[] { prefix + "softplus_negabs" }, prefix + "softplus_exp"));
                nodes.Add(OnnxProto.Node("Add", prefix + "softplus_1p", new[] { prefix + "softplus_exp", constant(1) }, prefix + "softplus_1p"));
                nodes.Add(OnnxProto.Node("Log", prefix + "softplus_log", new[] { prefix + "softplus_1p" }, prefix + "softplus_log"));
                nodes.Add(OnnxProto.Node("Add", prefix + "softplus", new[] { prefix + "softplus_pos", prefix + "softplus_log" }, a));
                break;
            case "SWISH" or "SILU" when !asDouble:
                nodes.Add(OnnxProto.Node("Sigmoid", prefix + "swish_sigmoid", new[] { z }, prefix + "swish_s"));
                nodes.Add(OnnxProto.Node("Mul", prefix + "swish", new[] { z, prefix + "swish_s" }, a));
                break;
            case "SWISH" or "SILU":
                // ONNX Runtime fuses z·sigmoid(z) into QuickGelu, which has no double kernel: z / (1 + e^−z) avoids the pattern.
                nodes.Add(OnnxProto.Node("Neg", prefix + "swish_neg", new[] { z }, prefix + "swish_neg"));
                nodes.Add(OnnxProto.Node("Exp", prefix + "swish_exp", new[] { prefix + "swish_neg" }, prefix + "swish_exp"));
                nodes.Add(OnnxProto.Node("Add", prefix + "swish_1p", new[] { prefix + "swish_exp", constant(1) }, prefix + "swish_1p"));
                nodes.Add(OnnxProto.Node("Div", prefix + "swish", new[] { z, prefix + "swish_1p" }, a));
                break;
            case "GELU":
                // StaticNets' GELU is the tanh form, ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))) (PyTorch's
                // approximate='tanh'); the Gelu operator would need opset 20, so it is spelled out.
                nodes.Add(OnnxProto.Node("Mul", prefix + "gelu_z2", new[] { z, z }, prefix + "gelu_z2"));
                nodes.Add(OnnxProto.Node("Mul", prefix + "gelu_z3", new[] { prefix + "gelu_z2", z }, prefix + "gelu_z3"));
                nodes.Add(OnnxProto.Node("Mul", prefix + "gelu_cubic", new[] { prefix + "gelu_z3", constant(0.044715) }, prefix + "gelu_cubic"));
                nodes.Add(OnnxProto.Node("Add", prefix + "gelu_inner", new[] { z, prefix + "gelu_cubic" }, prefix + "gelu_inner"));
                nodes.Add(OnnxProto.Node("Mul", prefix + "gelu_scaled", new[] { prefix + "gelu_inner", constant(Math.Sqrt(2 / Math.PI)) }, prefix + "gelu_scaled"));
                nodes.Add(OnnxProto.Node("Tanh", prefix + "gelu_tanh", new[] { prefix + "gelu_scaled" }, prefix + "gelu_tanh"));
                nodes.Add(OnnxProto.Node("Add", prefix + "gelu_1p", new[] { prefix + "gelu_tanh", constant(1) }, prefix + "gelu_1p"));
                nodes.Add(OnnxProto.Node("Mul", prefix + "gelu_z1p", new[] { z, prefix + "gelu_1p" }, prefix + "gelu_z1p"));
                nodes.Add(OnnxProto.Node("Mul", prefix + "gelu_half", new[] { prefix + "gelu_z1p", constant(0.5) }, a));
                break;
            default:
                throw new NotSupportedException($"Layer {layer} uses the activation {name}, which the ONNX exporter cannot map yet.");
        }
        return a;
    }

    /// <summary>Little-endian bytes of <paramref name="values"/>, as float64 or rounded to float32.</summary>
    private static byte[] Raw<T>(ReadOnlySpan<T> values, bool asDouble) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) || asDouble)
        {
            var bytes = new byte[values.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
            NetworkFileFormat.WriteValues(values, bytes);
            return bytes;
        }
        var floats = new float[values.Length];
        for (int i = 0; i < floats.Length; i++)
            floats[i] = float.CreateChecked(values[i]);
        var raw = new byte[floats.Length * 4];
        NetworkFileFormat.WriteValues<float>(floats, raw);
        return raw;
    }
}
