using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using StaticNets.Persistence;

namespace StaticNets.Interop;

/// <summary>
/// Exports a network as an ONNX model (opset 13) that ONNX Runtime and other runtimes run. Dense layers are
/// <c>Gemm</c> (weights <c>[out, in]</c> with <c>transB = 1</c>, so the parameter layout is used as is),
/// convolutions <c>Conv</c> (weights <c>[out_c, in_c, kh, kw]</c>, pads <c>[top, left, bottom, right]</c>), pooling
/// <c>MaxPool</c> / <c>AveragePool</c>, flatten <c>Flatten(axis = 1)</c>, normalize <c>Sub</c> then <c>Mul</c> with its
/// <c>mean</c> and <c>scale</c> initializers; each is followed by its activation, and
/// dropout (the identity at inference) adds nothing. Input <c>"input"</c> is <c>[N, C, H, W]</c> for image
/// networks and <c>[N, InputSize]</c> for vector ones, with a symbolic batch dimension <c>N</c>; output
/// <c>"output"</c> is <c>[N]</c> followed by the output shape. See docs/interop.md for the operators.
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
    /// <exception cref="NotSupportedException">A layer kind or activation has no ONNX mapping.</exception>
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

        // The last layer that adds a node writes the graph output; dropout (the identity at inference) and
        // standalone identity activations add none.
        int lastNode = -1;
        for (int l = 0; l < info.Layers.Count; l++)
        {
            if (AddsNodes(info.Layers[l]))
                lastNode = l;
        }
        if (lastNode < 0)
            nodes.Add(OnnxProto.Node("Identity", "identity", new[] { InputName }, OutputName));

        string current = InputName;
        for (int l = 0; l < info.Layers.Count; l++)
        {
            var layer = info.Layers[l];
            if (!AddsNodes(layer))
                continue;
            string result = l == lastNode ? OutputName : $"layer{l}.a";
            string prefix = $"layer{l}.";
            // Parameter blocks become initializers named like the safetensors tensors, with the blocks' PyTorch shapes.
            var inputs = new List<string> { current };
            // A recurrent layer's blocks are reordered into ONNX's gate order instead (AddRecurrent).
            foreach (var block in layer is RecurrentLayerInfo ? Array.Empty<ParameterBlock>() : layer.Blocks)
            {
                string name = prefix + block.Name;
                var dims = new long[block.Shape.Rank];
                for (int d = 0; d < dims.Length; d++)
                    dims[d] = block.Shape[d];
                initializers.Add(OnnxProto.Tensor(name, dataType, dims, Raw(parameters.Slice(block.Offset, block.Count), asDouble)));
                inputs.Add(name);
            }
            // A tied layer reads the weight initializer of the layer it is tied to (stored once), before its own bias.
            if (layer is TiedDenseLayerInfo tiedLayer)
                inputs.Insert(1, $"layer{tiedLayer.TiedTo}.weight");
            bool identity = layer.Activation == Activation.Identity;
            string z = identity ? result : prefix + "z";
            switch (layer)
            {
                case DenseLayerInfo { InputShape.Rank: 2 } d:
                    // Applied to every step of [N, steps, in]: Gemm is 2-D only, so z = input · Transpose(W) (+ b) by MatMul.
                    nodes.Add(OnnxProto.Node("Transpose", prefix + "weight_t", new[] { inputs[1] }, prefix + "weight_t", OnnxProto.IntsAttribute("perm", 1, 0)));
                    nodes.Add(OnnxProto.Node("MatMul", prefix + "matmul", new[] { current, prefix + "weight_t" }, d.HasBias ? prefix + "matmul" : z));
                    if (d.HasBias)
                        nodes.Add(OnnxProto.Node("Add", prefix + "bias", new[] { prefix + "matmul", inputs[2] }, z));
                    if (d.Activation == Activation.Softmax)
                    {
                        // Per step: opset 13's Softmax along the last axis.
                        nodes.Add(OnnxProto.Node("Softmax", prefix + "softmax", new[] { z }, result, OnnxProto.IntAttribute("axis", 2)));
                        current = result;
                        continue;
                    }
                    break;
                case RecurrentLayerInfo r:
                    AddRecurrent(nodes, initializers, r, prefix, current, z, parameters, asDouble, dataType);
                    break;
                case TiedDenseLayerInfo:
                    // Tied: z = input · W (+ b) with W the [in, out] weights of the encoder layer as stored, so Gemm with transB = 0.
                    nodes.Add(OnnxProto.Node("Gemm", prefix + "gemm", inputs.ToArray(), z, OnnxProto.IntAttribute("transB", 0)));
                    break;
                case DenseLayerInfo:
                    // z = input · Wᵀ (+ b): Gemm with transB = 1 reads the [out, in] weights as stored; C is optional.
                    nodes.Add(OnnxProto.Node("Gemm", prefix + "gemm", inputs.ToArray(), z, OnnxProto.IntAttribute("transB", 1)));
                    break;
                case Conv2DLayerInfo c when asDouble:
                    AddDoubleConv(nodes, initializers, c, prefix, inputs, z);
                    break;
                case Conv2DLayerInfo c:
                    // ONNX pads are [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right]; W is [out_c, in_c, kh, kw].
                    nodes.Add(OnnxProto.Node("Conv", prefix + "conv", inputs.ToArray(), z,
                        OnnxProto.IntsAttribute("kernel_shape", c.KernelHeight, c.KernelWidth),
                        OnnxProto.IntsAttribute("strides", c.StrideY, c.StrideX),
                        OnnxProto.IntsAttribute("pads", c.PadTop, c.PadLeft, c.PadBottom, c.PadRight),
                        OnnxProto.IntsAttribute("dilations", 1, 1),
                        OnnxProto.IntAttribute("group", 1)));
                    break;
                case AvgPool2DLayerInfo p when asDouble:
                    AddDoubleAveragePool(nodes, initializers, p, prefix, current, z);
                    break;
                case Pool2DLayerInfo p:
                    // No padding and floor rounding (ceil_mode 0), as the layer model.
                    nodes.Add(OnnxProto.Node(p is MaxPool2DLayerInfo ? "MaxPool" : "AveragePool", prefix + "pool", new[] { current }, z,
                        OnnxProto.IntsAttribute("kernel_shape", p.WindowHeight, p.WindowWidth),
                        OnnxProto.IntsAttribute("strides", p.StrideY, p.StrideX),
                        OnnxProto.IntsAttribute("pads", 0, 0, 0, 0)));
                    break;
                case FlattenLayerInfo:
                    // Flatten(axis = 1) keeps the batch dimension and reads NCHW row-major, PyTorch's order.
                    nodes.Add(OnnxProto.Node("Flatten", prefix + "flatten", new[] { current }, z, OnnxProto.IntAttribute("axis", 1)));
                    break;
                case ActivationLayerInfo:
                    z = current;
                    break;
                case NormalizeLayerInfo:
                    // (x − mean) · scale; the statistics are shaped as one sample and broadcast over the batch.
                    nodes.Add(OnnxProto.Node("Sub", prefix + "sub", new[] { current, inputs[1] }, prefix + "centred"));
                    nodes.Add(OnnxProto.Node("Mul", prefix + "mul", new[] { prefix + "centred", inputs[2] }, z));
                    break;
                default:
                    throw new NotSupportedException($"Layer {l} is a {layer.Kind} layer, which the ONNX exporter cannot map yet.");
            }
            current = identity ? z : AddActivation(nodes, initializers, layer.Activation, l, z, result, layer.OutputShape, asDouble, Constant);
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
            OnnxProto.Embedded(o, 11, OnnxProto.BatchedTensor(InputName, dataType, "N", info.InputShape.Dimensions));
            OnnxProto.Embedded(o, 12, OnnxProto.BatchedTensor(OutputName, dataType, "N", info.OutputShape.Dimensions));
        });
        string version = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0";
        return OnnxProto.Model(IrVersion, Opset, "StaticNets", version, graph);
    }

    /// <summary>
    /// A float64 convolution from operators ONNX Runtime's CPU provider runs in double (it has no double
    /// <c>Conv</c> kernel): pad, flatten each sample, gather the receptive fields into <c>[N, in_c·kh·kw, positions]</c>
    /// with a fixed index table, multiply by the weights viewed as <c>[out_c, in_c·kh·kw]</c>, add the bias as
    /// <c>[out_c, 1]</c>, and reshape to <c>[N, out_c, out_h, out_w]</c>.
    /// </summary>
    private static void AddDoubleConv(List<byte[]> nodes, List<byte[]> initializers, Conv2DLayerInfo c, string prefix, List<string> inputs, string z)
    {
        Shape input = c.InputShape, output = c.OutputShape;
        int channels = input.Channels, paddedH = input.Height + c.PadTop + c.PadBottom, paddedW = input.Width + c.PadLeft + c.PadRight;
        int kh = c.KernelHeight, kw = c.KernelWidth, outH = output.Height, outW = output.Width, fields = channels * kh * kw, positions = outH * outW;
        string x = inputs[0];
        if (c.PadTop + c.PadLeft + c.PadBottom + c.PadRight > 0)
        {
            // Pad's pads are [begin of each axis…, end of each axis…] over N, C, H, W.
            initializers.Add(Int64Tensor(prefix + "pads", new long[] { 8 }, new long[] { 0, 0, c.PadTop, c.PadLeft, 0, 0, c.PadBottom, c.PadRight }));
            nodes.Add(OnnxProto.Node("Pad", prefix + "pad", new[] { x, prefix + "pads" }, prefix + "padded"));
            x = prefix + "padded";
        }
        nodes.Add(OnnxProto.Node("Flatten", prefix + "flatten", new[] { x }, prefix + "flat", OnnxProto.IntAttribute("axis", 1)));
        var indices = new long[(long)fields * positions];
        for (int ch = 0; ch < channels; ch++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                    for (int oy = 0; oy < outH; oy++)
                        for (int ox = 0; ox < outW; ox++)
                            indices[(((long)ch * kh + ky) * kw + kx) * positions + oy * outW + ox] = ((long)ch * paddedH + oy * c.StrideY + ky) * paddedW + ox * c.StrideX + kx;
        initializers.Add(Int64Tensor(prefix + "fields", new long[] { fields, positions }, indices));
        nodes.Add(OnnxProto.Node("Gather", prefix + "gather", new[] { prefix + "flat", prefix + "fields" }, prefix + "columns", OnnxProto.IntAttribute("axis", 1)));
        initializers.Add(Int64Tensor(prefix + "weight_shape", new long[] { 2 }, new long[] { c.Filters, fields }));
        nodes.Add(OnnxProto.Node("Reshape", prefix + "weight_matrix", new[] { inputs[1], prefix + "weight_shape" }, prefix + "weight_matrix"));
        string product = c.HasBias ? prefix + "product" : prefix + "sum";
        nodes.Add(OnnxProto.Node("MatMul", prefix + "matmul", new[] { prefix + "weight_matrix", prefix + "columns" }, product));
        if (c.HasBias)
        {
            initializers.Add(Int64Tensor(prefix + "bias_shape", new long[] { 2 }, new long[] { c.Filters, 1 }));
            nodes.Add(OnnxProto.Node("Reshape", prefix + "bias_column", new[] { inputs[2], prefix + "bias_shape" }, prefix + "bias_column"));
            nodes.Add(OnnxProto.Node("Add", prefix + "bias_add", new[] { product, prefix + "bias_column" }, prefix + "sum"));
        }
        initializers.Add(Int64Tensor(prefix + "output_shape", new long[] { 4 }, new long[] { -1, c.Filters, outH, outW }));
        nodes.Add(OnnxProto.Node("Reshape", prefix + "reshape", new[] { prefix + "sum", prefix + "output_shape" }, z));
    }

    /// <summary>
    /// A float64 average pool (ONNX Runtime's CPU provider has no double <c>AveragePool</c> kernel): flatten each
    /// sample, gather every window into <c>[N, channels·out_h·out_w, window]</c> and take <c>ReduceMean</c> over the
    /// window, then reshape to <c>[N, channels, out_h, out_w]</c>.
    /// </summary>
    private static void AddDoubleAveragePool(List<byte[]> nodes, List<byte[]> initializers, Pool2DLayerInfo p, string prefix, string x, string z)
    {
        Shape input = p.InputShape, output = p.OutputShape;
        int window = p.WindowHeight * p.WindowWidth, outH = output.Height, outW = output.Width;
        var indices = new long[(long)output.Size * window];
        long i = 0;
        for (int ch = 0; ch < output.Channels; ch++)
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++)
                    for (int wy = 0; wy < p.WindowHeight; wy++)
                        for (int wx = 0; wx < p.WindowWidth; wx++)
                            indices[i++] = ((long)ch * input.Height + oy * p.StrideY + wy) * input.Width + ox * p.StrideX + wx;
        nodes.Add(OnnxProto.Node("Flatten", prefix + "flatten", new[] { x }, prefix + "flat", OnnxProto.IntAttribute("axis", 1)));
        initializers.Add(Int64Tensor(prefix + "windows", new long[] { output.Size, window }, indices));
        nodes.Add(OnnxProto.Node("Gather", prefix + "gather", new[] { prefix + "flat", prefix + "windows" }, prefix + "gathered", OnnxProto.IntAttribute("axis", 1)));
        nodes.Add(OnnxProto.Node("ReduceMean", prefix + "mean", new[] { prefix + "gathered" }, prefix + "mean",
            OnnxProto.IntsAttribute("axes", 2), OnnxProto.IntAttribute("keepdims", 0)));
        initializers.Add(Int64Tensor(prefix + "output_shape", new long[] { 4 }, new long[] { -1, output.Channels, outH, outW }));
        nodes.Add(OnnxProto.Node("Reshape", prefix + "reshape", new[] { prefix + "mean", prefix + "output_shape" }, z));
    }

    /// <summary>An int64 initializer (shapes, pads, gather indices).</summary>
    private static byte[] Int64Tensor(string name, long[] dims, long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        return OnnxProto.Tensor(name, OnnxProto.Int64Type, dims, bytes);
    }

    /// <summary>
    /// An LSTM or GRU as ONNX's own operator (forward, one direction, opset 13 has no batch-first layout): the input
    /// <c>[N, steps, in]</c> is transposed to <c>[steps, N, in]</c>; W, R and B are PyTorch's blocks with the gates
    /// reordered (LSTM i, f, g, o → ONNX i, o, f, c; GRU r, z, n → z, r, h, with <c>linear_before_reset = 1</c>, which is
    /// PyTorch's GRU); the output is Y transposed back to <c>[N, steps, hidden]</c>, or Y_h as <c>[N, hidden]</c>.
    /// </summary>
    private static void AddRecurrent<T>(List<byte[]> nodes, List<byte[]> initializers, RecurrentLayerInfo r, string prefix, string x, string z, ReadOnlySpan<T> parameters, bool asDouble, int dataType)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int h = r.Units, f = r.Features, gates = r.Gates;
        int[] order = r is LstmLayerInfo ? new[] { 0, 3, 1, 2 } : new[] { 1, 0, 2 };
        var w = Reordered(parameters.Slice(r.InputWeights.Offset, r.InputWeights.Count), order, h * f);
        var rw = Reordered(parameters.Slice(r.HiddenWeights.Offset, r.HiddenWeights.Count), order, h * h);
        var b = new T[2 * gates * h];
        Reordered(parameters.Slice(r.InputBiases.Offset, r.InputBiases.Count), order, h).CopyTo(b, 0);
        Reordered(parameters.Slice(r.HiddenBiases.Offset, r.HiddenBiases.Count), order, h).CopyTo(b, gates * h);
        initializers.Add(OnnxProto.Tensor(prefix + "W", dataType, new long[] { 1, gates * h, f }, Raw<T>(w, asDouble)));
        initializers.Add(OnnxProto.Tensor(prefix + "R", dataType, new long[] { 1, gates * h, h }, Raw<T>(rw, asDouble)));
        initializers.Add(OnnxProto.Tensor(prefix + "B", dataType, new long[] { 1, 2 * gates * h }, Raw<T>(b, asDouble)));
        nodes.Add(OnnxProto.Node("Transpose", prefix + "to_time_major", new[] { x }, prefix + "x", OnnxProto.IntsAttribute("perm", 1, 0, 2)));
        string op = r is LstmLayerInfo ? "LSTM" : "GRU";
        var attributes = r is LstmLayerInfo
            ? new[] { OnnxProto.IntAttribute("hidden_size", h) }
            : new[] { OnnxProto.IntAttribute("hidden_size", h), OnnxProto.IntAttribute("linear_before_reset", 1) };
        string y = prefix + "y", yh = prefix + "y_h";
        nodes.Add(OnnxProto.Node(op, prefix + op.ToLowerInvariant(), new[] { prefix + "x", prefix + "W", prefix + "R", prefix + "B" },
            r.ReturnSequences ? new[] { y } : new[] { "", yh }, attributes));
        if (r.ReturnSequences)
        {
            // Y is [steps, 1, N, hidden]: drop the direction axis, then back to batch-first.
            initializers.Add(Int64Tensor(prefix + "squeeze_axes", new long[] { 1 }, new long[] { 1 }));
            nodes.Add(OnnxProto.Node("Squeeze", prefix + "squeeze", new[] { y, prefix + "squeeze_axes" }, prefix + "y_tnh"));
            nodes.Add(OnnxProto.Node("Transpose", prefix + "to_batch_major", new[] { prefix + "y_tnh" }, z, OnnxProto.IntsAttribute("perm", 1, 0, 2)));
        }
        else
        {
            // Y_h is [1, N, hidden].
            initializers.Add(Int64Tensor(prefix + "squeeze_axes", new long[] { 1 }, new long[] { 0 }));
            nodes.Add(OnnxProto.Node("Squeeze", prefix + "squeeze", new[] { yh, prefix + "squeeze_axes" }, z));
        }
    }

    /// <summary>The gate blocks of <paramref name="source"/> (each <paramref name="blockSize"/> values) in the order <paramref name="order"/> names.</summary>
    private static T[] Reordered<T>(ReadOnlySpan<T> source, int[] order, int blockSize)
    {
        var result = new T[source.Length];
        for (int g = 0; g < order.Length; g++)
            source.Slice(order[g] * blockSize, blockSize).CopyTo(result.AsSpan(g * blockSize));
        return result;
    }

    /// <summary>Whether a layer adds nodes to the graph: dropout and standalone identity activations do not.</summary>
    private static bool AddsNodes(LayerInfo layer)
        => layer is not DropoutLayerInfo && !(layer is ActivationLayerInfo && layer.Activation == Activation.Identity);

    /// <summary>
    /// Appends the nodes of one activation and returns the name of its result. Activations are matched by
    /// name so that values added to <see cref="Activation"/> later map as soon as they have an ONNX form here.
    /// </summary>
    private static string AddActivation(List<byte[]> nodes, List<byte[]> initializers, Activation activation, int layer, string z, string a, Shape shape, bool asDouble, Func<double, string> constant)
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
            case "SOFTMAX" when shape.Rank == 1:
                nodes.Add(OnnxProto.Node("Softmax", prefix + "softmax", new[] { z }, a, OnnxProto.IntAttribute("axis", 1)));
                break;
            case "SOFTMAX":
                // Softmax normalises all of a sample's values, but opset 13's Softmax works along one axis: flatten
                // each sample to [N, size], normalise along axis 1, and reshape back to [N, dims…].
                var dims = new long[shape.Rank + 1];
                dims[0] = -1;
                for (int d = 0; d < shape.Rank; d++)
                    dims[d + 1] = shape[d];
                initializers.Add(Int64Tensor(prefix + "softmax_shape", new long[] { dims.Length }, dims));
                nodes.Add(OnnxProto.Node("Flatten", prefix + "softmax_flatten", new[] { z }, prefix + "softmax_flat", OnnxProto.IntAttribute("axis", 1)));
                nodes.Add(OnnxProto.Node("Softmax", prefix + "softmax", new[] { prefix + "softmax_flat" }, prefix + "softmax_out", OnnxProto.IntAttribute("axis", 1)));
                nodes.Add(OnnxProto.Node("Reshape", prefix + "softmax_reshape", new[] { prefix + "softmax_out", prefix + "softmax_shape" }, a));
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
