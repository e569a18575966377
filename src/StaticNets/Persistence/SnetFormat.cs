// Linked into the generator (netstandard2.0) so that the runtime's NetworkFile and the generator's baked weights
// read .snet files with one piece of code: keep it plain C# (spans and BinaryPrimitives come from System.Memory)
// with no runtime-only API, no records, no init accessors and no ranges.
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace StaticNets.Persistence;

/// <summary>Why a file was rejected; the values are those of the runtime's <c>NetworkFileProblem</c>.</summary>
internal enum SnetProblem
{
    BadMagic = 0,
    UnsupportedVersion = 1,
    Truncated = 2,
    TrailingData = 3,
    ChecksumMismatch = 4,
    Malformed = 5,
}

/// <summary>A rejected file: the kind of problem and what was expected and found, in words.</summary>
internal sealed class SnetError
{
    public SnetError(SnetProblem problem, string what, string expected, string actual)
    {
        Problem = problem;
        What = what;
        Expected = expected;
        Actual = actual;
    }

    public SnetProblem Problem { get; }
    public string What { get; }
    public string Expected { get; }
    public string Actual { get; }

    public override string ToString() => $"{What}: expected {Expected} but found {Actual}";
}

/// <summary>Thrown by <see cref="SnetFormat.Parse"/>; callers turn it into their own error (an exception or a diagnostic).</summary>
internal sealed class SnetFormatException : Exception
{
    public SnetFormatException(SnetError error)
        : base(error.ToString()) => Error = error;

    public SnetError Error { get; }
}

/// <summary>One parameter block of a layer: PyTorch's name, its role (0 weight, 1 bias, 2 shift, 3 scale) and shape. Offsets follow from the order.</summary>
internal sealed class SnetBlock
{
    public SnetBlock(string name, int role, int[] shape)
    {
        Name = name;
        Role = role;
        Shape = shape;
    }

    public string Name { get; }
    public int Role { get; }
    public int[] Shape { get; }
    public long Count => SnetFormat.Size(Shape);

    public bool SameAs(SnetBlock other) => other.Name == Name && other.Role == Role && SnetFormat.SameShape(other.Shape, Shape);
}

/// <summary>One layer record: kind and activation codes, bias flag, shapes, the kind's hyperparameters and its blocks.</summary>
internal sealed class SnetLayer
{
    public SnetLayer(int kind, int activation, bool hasBias, int[] inputShape, int[] outputShape, int[] hyperparameters, double rate, SnetBlock[] blocks)
    {
        Kind = kind;
        Activation = activation;
        HasBias = hasBias;
        InputShape = inputShape;
        OutputShape = outputShape;
        Hyperparameters = hyperparameters;
        Rate = rate;
        Blocks = blocks;
    }

    /// <summary>The <c>LayerKind</c> value.</summary>
    public int Kind { get; }

    /// <summary>The <c>Activation</c> value (0, identity, for kinds without one).</summary>
    public int Activation { get; }

    public bool HasBias { get; }
    public int[] InputShape { get; }
    public int[] OutputShape { get; }

    /// <summary>The kind's int32 hyperparameters in the order of <see cref="SnetKind.HyperparameterNames"/>.</summary>
    public int[] Hyperparameters { get; }

    /// <summary>The dropout rate (0 for the other kinds).</summary>
    public double Rate { get; }

    public SnetBlock[] Blocks { get; }

    public long ParameterCount
    {
        get
        {
            long count = 0;
            foreach (var block in Blocks)
                count += block.Count;
            return count;
        }
    }

    /// <summary>Same kind, activation, bias, shapes, hyperparameters, rate and blocks.</summary>
    public bool SameAs(SnetLayer other)
    {
        if (other.Kind != Kind || other.Activation != Activation || other.HasBias != HasBias || !SnetFormat.SameShape(other.InputShape, InputShape)
            || !SnetFormat.SameShape(other.OutputShape, OutputShape) || !SnetFormat.SameShape(other.Hyperparameters, Hyperparameters)
            || BitConverter.DoubleToInt64Bits(other.Rate) != BitConverter.DoubleToInt64Bits(Rate) || other.Blocks.Length != Blocks.Length)
            return false;
        for (int i = 0; i < Blocks.Length; i++)
        {
            if (!Blocks[i].SameAs(other.Blocks[i]))
                return false;
        }
        return true;
    }
}

/// <summary>An optional section: name, value type (0 float32, 1 float64, 2 int64), value count and where the values lie (or, to write, the values).</summary>
internal sealed class SnetSection
{
    public SnetSection(string name, int type, long count, int start, int byteLength, byte[]? values = null)
    {
        Name = name;
        Type = type;
        Count = count;
        Start = start;
        ByteLength = byteLength;
        Values = values;
    }

    public string Name { get; }
    public int Type { get; }
    public long Count { get; }
    public int Start { get; }
    public int ByteLength { get; }
    public byte[]? Values { get; }
}

/// <summary>A verified file as plain records.</summary>
internal sealed class SnetFile
{
    public SnetFile(int version, int elementCode, int lossCode, int[] inputShape, SnetLayer[] layers, long parameterCount, int parameterStart, int parameterByteLength, SnetSection[] sections, uint checksum)
    {
        Version = version;
        ElementCode = elementCode;
        LossCode = lossCode;
        InputShape = inputShape;
        Layers = layers;
        ParameterCount = parameterCount;
        ParameterStart = parameterStart;
        ParameterByteLength = parameterByteLength;
        Sections = sections;
        Checksum = checksum;
    }

    /// <summary>The format version the file was written in (1 or 2).</summary>
    public int Version { get; }
    public int ElementCode { get; }
    public int LossCode { get; }
    public int[] InputShape { get; }
    public SnetLayer[] Layers { get; }
    public long ParameterCount { get; }
    public int ParameterStart { get; }
    public int ParameterByteLength { get; }
    public SnetSection[] Sections { get; }

    /// <summary>The stored (and verified) CRC-32.</summary>
    public uint Checksum { get; }

    /// <summary>The runtime's <c>NetworkInfo.ToString()</c> of the stored architecture.</summary>
    public string Describe() => SnetFormat.Describe(InputShape, Layers, LossCode, ElementCode);
}

/// <summary>From a kind's input shape, hyperparameters and bias flag: its output shape and blocks, or why they are invalid.</summary>
internal delegate string? SnetInfer(int[] input, int[] hyperparameters, bool bias, out int[] output, out SnetBlock[] blocks);

/// <summary>One entry of the layer-kind table: how the kind's record is encoded and checked. A new kind adds one entry.</summary>
internal sealed class SnetKind
{
    public SnetKind(int code, string name, string[] hyperparameterNames, bool hasRate, bool allowsBias, bool hasActivation, SnetInfer infer, Func<SnetLayer, string> describe)
    {
        Code = code;
        Name = name;
        HyperparameterNames = hyperparameterNames;
        HasRate = hasRate;
        AllowsBias = allowsBias;
        HasActivation = hasActivation;
        Infer = infer;
        Describe = describe;
    }

    /// <summary>The <c>LayerKind</c> value stored in the record.</summary>
    public int Code { get; }

    /// <summary>The <c>LayerKind</c> name.</summary>
    public string Name { get; }

    /// <summary>Names of the int32 hyperparameters, in file order.</summary>
    public string[] HyperparameterNames { get; }

    /// <summary>Whether a float64 rate follows the int32 hyperparameters (dropout).</summary>
    public bool HasRate { get; }

    /// <summary>Whether the bias flag may be set (otherwise it must be clear).</summary>
    public bool AllowsBias { get; }

    /// <summary>Whether the kind has an activation (otherwise the code must be 0, identity).</summary>
    public bool HasActivation { get; }

    public SnetInfer Infer { get; }

    /// <summary>The layer's part of <c>NetworkInfo.ToString()</c>, as its <c>LayerInfo</c> writes it.</summary>
    public Func<SnetLayer, string> Describe { get; }

    /// <summary>Bytes of the kind's hyperparameters in a record.</summary>
    public int HyperparameterBytes => 4 * HyperparameterNames.Length + (HasRate ? 8 : 0);
}

/// <summary>
/// The <c>.snet</c> byte layout, versions 1 (dense only, read) and 2 (any layer kind, read and written), as
/// docs/persistence.md documents it byte by byte. Every length is checked against the bytes present before
/// anything is allocated from it; every field is validated; problems throw <see cref="SnetFormatException"/>.
/// </summary>
internal static class SnetFormat
{
    public const int Version1 = 1;
    public const int Version2 = 2;

    /// <summary>The version writers write.</summary>
    public const int CurrentVersion = Version2;

    public const int ChecksumSize = 4;
    public const int V1FixedHeaderSize = 28;
    public const int V1LayerRecordSize = 8;
    public const int MaxRank = 4;
    public const int MaxBlocks = 16;
    public const int Int64Code = 2;

    /// <summary>Layer kind codes (<c>LayerKind</c>).</summary>
    public const int Dense = 0, Activation = 1, Conv2D = 2, MaxPool2D = 3, AvgPool2D = 4, Flatten = 5, Dropout = 6, Normalize = 7, Lstm = 8, Gru = 9, TiedDense = 10;

    /// <summary>Smallest v2 layer record: kind, activation, flags, reserved, two rank-1 shapes, hyperparameter length, block count.</summary>
    public const int V2MinLayerRecordSize = 4 + 5 + 5 + 2 + 1;

    /// <summary>Smallest possible file of each version: header, one layer, parameter count, section count, checksum.</summary>
    public static int MinimumLength(int version) => version == Version1
        ? V1FixedHeaderSize + V1LayerRecordSize + 8 + 4 + ChecksumSize
        : 24 + 5 + V2MinLayerRecordSize + 8 + 4 + ChecksumSize;

    /// <summary>Names of the <c>Activation</c> values by code; a runtime test checks they match the enum.</summary>
    public static readonly string[] ActivationNames = { "Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "ELU", "GELU", "Softplus", "SiLU" };

    /// <summary>Names of the <c>Loss</c> values by code.</summary>
    public static readonly string[] LossNames = { "Quadratic", "CrossEntropy" };

    /// <summary>Names of the <c>Precision</c> values by element code.</summary>
    public static readonly string[] PrecisionNames = { "Single", "Double" };

    /// <summary>The layer-kind table, indexed by kind code.</summary>
    public static readonly SnetKind[] Kinds =
    {
        new(Dense, "Dense", new[] { "units" }, false, true, true, InferDense,
            l => $"{Size(l.OutputShape)}({ActivationName(l.Activation)}{(l.HasBias ? "" : ", no bias")})"),
        new(Activation, "Activation", Array.Empty<string>(), false, false, true, InferSame, l => ActivationName(l.Activation)),
        new(Conv2D, "Conv2D", new[] { "filters", "kernelHeight", "kernelWidth", "strideY", "strideX", "padTop", "padLeft", "padBottom", "padRight" }, false, true, true, InferConv2D,
            l => $"Conv2D({l.Hyperparameters[0]}@{l.Hyperparameters[1]}×{l.Hyperparameters[2]}, stride {l.Hyperparameters[3]}×{l.Hyperparameters[4]}, pad {l.Hyperparameters[5]},{l.Hyperparameters[6]},{l.Hyperparameters[7]},{l.Hyperparameters[8]}{(l.HasBias ? "" : ", no bias")}, {ActivationName(l.Activation)}) → {ShapeText(l.OutputShape)}"),
        new(MaxPool2D, "MaxPool2D", new[] { "windowHeight", "windowWidth", "strideY", "strideX" }, false, false, false, InferPool2D, DescribePool),
        new(AvgPool2D, "AvgPool2D", new[] { "windowHeight", "windowWidth", "strideY", "strideX" }, false, false, false, InferPool2D, DescribePool),
        new(Flatten, "Flatten", Array.Empty<string>(), false, false, false, InferFlatten, l => "Flatten"),
        new(Dropout, "Dropout", Array.Empty<string>(), true, false, false, InferSame,
            l => "Dropout(" + l.Rate.ToString("0.###", CultureInfo.InvariantCulture) + ")"),
        new(Normalize, "Normalize", Array.Empty<string>(), false, false, false, InferNormalize, l => "Normalize"),
        new(Lstm, "Lstm", new[] { "units", "returnSequences" }, false, true, false, (int[] i, int[] h, bool b, out int[] o, out SnetBlock[] k) => InferRecurrent(i, h, b, 4, "LSTM", out o, out k),
            l => $"LSTM({l.Hyperparameters[0]}{(l.Hyperparameters[1] != 0 ? ", sequences" : "")}) → {ShapeText(l.OutputShape)}"),
        new(Gru, "Gru", new[] { "units", "returnSequences" }, false, true, false, (int[] i, int[] h, bool b, out int[] o, out SnetBlock[] k) => InferRecurrent(i, h, b, 3, "GRU", out o, out k),
            l => $"GRU({l.Hyperparameters[0]}{(l.Hyperparameters[1] != 0 ? ", sequences" : "")}) → {ShapeText(l.OutputShape)}"),
        new(TiedDense, "TiedDense", new[] { "units", "tiedTo" }, false, true, true, InferTiedDense,
            l => $"{Size(l.OutputShape)}({ActivationName(l.Activation)}, tied to layer {l.Hyperparameters[1]}{(l.HasBias ? "" : ", no bias")})"),
    };

    /// <summary>The table entry of a kind code, or null for an unknown kind.</summary>
    public static SnetKind? Kind(int code)
    {
        // Codes are LayerKind values, which need not be dense in this table (a kind may be read by a newer build only).
        foreach (var kind in Kinds)
        {
            if (kind.Code == code)
                return kind;
        }
        return null;
    }

    public static string ActivationName(int code) => code >= 0 && code < ActivationNames.Length ? ActivationNames[code] : $"activation {code}";

    public static string KindName(int code) => Kind(code)?.Name ?? $"kind {code}";

    /// <summary>
    /// A layer record from its kind, activation, bias flag, input shape and hyperparameters, with the output shape
    /// and blocks the kind implies; null and the reason when they are invalid.
    /// </summary>
    public static SnetLayer? CreateLayer(int kind, int activation, bool bias, int[] input, int[] hyperparameters, double rate, out string? error)
    {
        var entry = Kind(kind);
        if (entry is null)
        {
            error = $"an unknown layer kind {kind}";
            return null;
        }
        error = CheckLayer(entry, activation, bias, input, hyperparameters, rate, out var output, out var blocks);
        return error is null ? new SnetLayer(kind, activation, bias, input, output, hyperparameters, rate, blocks) : null;
    }

    private static string? CheckLayer(SnetKind entry, int activation, bool bias, int[] input, int[] hyperparameters, double rate, out int[] output, out SnetBlock[] blocks)
    {
        output = Array.Empty<int>();
        blocks = Array.Empty<SnetBlock>();
        if (activation < 0 || activation >= ActivationNames.Length)
            return $"a known activation, not code {activation}";
        if (!entry.HasActivation && activation != 0)
            return $"activation 0 (identity) for a {entry.Name} layer, not {ActivationName(activation)}";
        if (bias && !entry.AllowsBias)
            return $"no bias flag on a {entry.Name} layer";
        if (hyperparameters.Length != entry.HyperparameterNames.Length)
            return $"{entry.HyperparameterNames.Length} hyperparameters for a {entry.Name} layer, not {hyperparameters.Length}";
        if (entry.HasRate && !(rate >= 0 && rate < 1))
            return $"a dropout rate in [0, 1), not {rate.ToString("R", CultureInfo.InvariantCulture)}";
        if (!entry.HasRate && rate != 0)
            return $"no rate on a {entry.Name} layer";
        string? shapeError = CheckShape(input);
        if (shapeError is not null)
            return $"a valid input shape ({shapeError})";
        string? error = entry.Infer(input, hyperparameters, bias, out output, out blocks);
        if (error is null && (shapeError = CheckShape(output)) is not null)
            error = $"a valid output shape ({shapeError})";
        return error;
    }

    /// <summary>Null when <paramref name="dims"/> is a valid shape: rank 1..4, every dimension at least 1, at most int.MaxValue elements.</summary>
    public static string? CheckShape(int[] dims)
    {
        if (dims.Length < 1 || dims.Length > MaxRank)
            return $"rank {dims.Length}, not 1 to {MaxRank}";
        long size = 1;
        foreach (int d in dims)
        {
            if (d < 1)
                return $"{ShapeText(dims)} has a dimension below 1";
            size *= d;
            if (size > int.MaxValue)
                return $"{ShapeText(dims)} holds more than int.MaxValue elements";
        }
        return null;
    }

    public static long Size(int[] dims)
    {
        long size = 1;
        foreach (int d in dims)
            size *= d;
        return size;
    }

    public static bool SameShape(int[] a, int[] b)
    {
        if (a.Length != b.Length)
            return false;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
                return false;
        }
        return true;
    }

    /// <summary>The dimensions joined by ×, as <c>Shape.ToString()</c>.</summary>
    public static string ShapeText(int[] dims)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < dims.Length; i++)
            sb.Append(i == 0 ? "" : "×").Append(dims[i].ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>The runtime's <c>NetworkInfo.ToString()</c>: <c>64-32(ReLU)-10(Softmax), CrossEntropy, Single</c>.</summary>
    public static string Describe(int[] inputShape, IReadOnlyList<SnetLayer> layers, int lossCode, int elementCode)
    {
        var sb = new StringBuilder(ShapeText(inputShape));
        foreach (var layer in layers)
        {
            var entry = Kind(layer.Kind);
            sb.Append(layer.Kind == Dense ? "-" : " → ").Append(entry is null ? KindName(layer.Kind) : entry.Describe(layer));
        }
        return sb.Append(", ").Append(lossCode >= 0 && lossCode < LossNames.Length ? LossNames[lossCode] : $"loss {lossCode}")
            .Append(", ").Append(elementCode >= 0 && elementCode < PrecisionNames.Length ? PrecisionNames[elementCode] : $"element type {elementCode}").ToString();
    }

    /// <summary>
    /// Whether two layer lists have the same parameter layout: equal layer by layer once Dropout layers, which
    /// own no parameters and change nothing at inference, are left out of both.
    /// </summary>
    public static bool SameLayout(IReadOnlyList<SnetLayer> a, IReadOnlyList<SnetLayer> b)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Count && a[i].Kind == Dropout)
                i++;
            while (j < b.Count && b[j].Kind == Dropout)
                j++;
            if (i == a.Count || j == b.Count)
                return i == a.Count && j == b.Count;
            if (!a[i].SameAs(b[j]))
                return false;
            i++;
            j++;
        }
    }

    // ---- The kinds -------------------------------------------------------------------------------------------

    private static SnetBlock Weight(params int[] shape) => new("weight", 0, shape);

    private static SnetBlock Bias(int count) => new("bias", 1, new[] { count });

    /// <summary>A tied dense layer owns only its bias; the weights are those of the layer it names (checked against the whole network by <c>NetworkInfo</c>).</summary>
    private static string? InferTiedDense(int[] input, int[] h, bool bias, out int[] output, out SnetBlock[] blocks)
    {
        output = Array.Empty<int>();
        blocks = Array.Empty<SnetBlock>();
        if (input.Length != 1)
            return $"a rank-1 input for a TiedDense layer, not {ShapeText(input)}";
        if (h[0] < 1)
            return $"at least 1 unit, not {h[0]}";
        if (h[1] < 0)
            return $"the index of an earlier layer to tie to, not {h[1]}";
        output = new[] { h[0] };
        blocks = bias ? new[] { Bias(h[0]) } : Array.Empty<SnetBlock>();
        return null;
    }

    private static string? InferDense(int[] input, int[] h, bool bias, out int[] output, out SnetBlock[] blocks)
    {
        output = Array.Empty<int>();
        blocks = Array.Empty<SnetBlock>();
        if (input.Length is not (1 or 2))
            return $"a rank-1 (or steps × features) input for a Dense layer, not {ShapeText(input)}";
        if (h[0] < 1)
            return $"at least 1 unit, not {h[0]}";
        int features = input[input.Length - 1];
        if ((long)h[0] * features + h[0] > int.MaxValue || (input.Length == 2 && (long)input[0] * h[0] > int.MaxValue))
            return $"at most int.MaxValue parameters and outputs, not {features}×{h[0]} weights";
        output = input.Length == 2 ? new[] { input[0], h[0] } : new[] { h[0] };
        blocks = bias ? new[] { Weight(h[0], features), Bias(h[0]) } : new[] { Weight(h[0], features) };
        return null;
    }

    private static string? InferRecurrent(int[] input, int[] h, bool bias, int gates, string name, out int[] output, out SnetBlock[] blocks)
    {
        output = Array.Empty<int>();
        blocks = Array.Empty<SnetBlock>();
        if (input.Length != 2)
            return $"a steps × features input for a {name} layer, not {ShapeText(input)}";
        if (h[0] < 1)
            return $"at least 1 unit, not {h[0]}";
        if (h[1] is not (0 or 1))
            return $"returnSequences 0 or 1, not {h[1]}";
        if (!bias)
            return $"the bias flag set on a {name} layer (its biases are always stored)";
        long rows = (long)gates * h[0];
        if (rows * ((long)input[1] + h[0] + 2) > int.MaxValue)
            return $"at most int.MaxValue parameters, not {rows * ((long)input[1] + h[0] + 2)}";
        int r = (int)rows;
        output = h[1] != 0 ? new[] { input[0], h[0] } : new[] { h[0] };
        blocks = new[] { new SnetBlock("weight_ih_l0", 0, new[] { r, input[1] }), new SnetBlock("weight_hh_l0", 0, new[] { r, h[0] }), new SnetBlock("bias_ih_l0", 1, new[] { r }), new SnetBlock("bias_hh_l0", 1, new[] { r }) };
        return null;
    }

    private static string? InferSame(int[] input, int[] h, bool bias, out int[] output, out SnetBlock[] blocks)
    {
        output = (int[])input.Clone();
        blocks = Array.Empty<SnetBlock>();
        return null;
    }

    private static string? InferFlatten(int[] input, int[] h, bool bias, out int[] output, out SnetBlock[] blocks)
    {
        output = new[] { (int)Size(input) };
        blocks = Array.Empty<SnetBlock>();
        return null;
    }

    /// <summary>Normalize: output as the input; blocks 'mean' (role 2, shift) and 'scale' (role 3), each shaped as one sample.</summary>
    private static string? InferNormalize(int[] input, int[] h, bool bias, out int[] output, out SnetBlock[] blocks)
    {
        output = (int[])input.Clone();
        blocks = new[] { new SnetBlock("mean", 2, (int[])input.Clone()), new SnetBlock("scale", 3, (int[])input.Clone()) };
        return 2 * Size(input) > int.MaxValue ? $"at most int.MaxValue parameters, not 2×{Size(input)} statistics" : null;
    }

    private static string? InferConv2D(int[] input, int[] h, bool bias, out int[] output, out SnetBlock[] blocks)
    {
        output = Array.Empty<int>();
        blocks = Array.Empty<SnetBlock>();
        if (input.Length != 3)
            return $"a channels × height × width input for a Conv2D layer, not {ShapeText(input)}";
        int filters = h[0], kh = h[1], kw = h[2], sy = h[3], sx = h[4], top = h[5], left = h[6], bottom = h[7], right = h[8];
        if (filters < 1 || kh < 1 || kw < 1 || sy < 1 || sx < 1)
            return $"filters, kernel sizes and strides of at least 1, not {filters} filters, kernel {kh}×{kw}, stride {sy}×{sx}";
        if (top < 0 || left < 0 || bottom < 0 || right < 0)
            return $"padding of at least 0, not {top},{left},{bottom},{right}";
        int height = ShapeArithmetic.OutputLength(input[1], kh, sy, top, bottom), width = ShapeArithmetic.OutputLength(input[2], kw, sx, left, right);
        if (height < 1 || width < 1)
            return $"a {kh}×{kw} kernel that fits the {ShapeText(input)} input padded by {top},{left},{bottom},{right}";
        long weights = (long)filters * input[0] * kh * kw;
        if (weights + filters > int.MaxValue || (long)input[0] * kh * kw > int.MaxValue)
            return $"at most int.MaxValue parameters, not {weights} weights";
        output = new[] { filters, height, width };
        blocks = bias ? new[] { Weight(filters, input[0], kh, kw), Bias(filters) } : new[] { Weight(filters, input[0], kh, kw) };
        return null;
    }

    private static string? InferPool2D(int[] input, int[] h, bool bias, out int[] output, out SnetBlock[] blocks)
    {
        output = Array.Empty<int>();
        blocks = Array.Empty<SnetBlock>();
        if (input.Length != 3)
            return $"a channels × height × width input for 2-D pooling, not {ShapeText(input)}";
        int wh = h[0], ww = h[1], sy = h[2], sx = h[3];
        if (wh < 1 || ww < 1 || sy < 1 || sx < 1)
            return $"windows and strides of at least 1, not window {wh}×{ww}, stride {sy}×{sx}";
        int height = ShapeArithmetic.OutputLength(input[1], wh, sy, 0, 0), width = ShapeArithmetic.OutputLength(input[2], ww, sx, 0, 0);
        if (height < 1 || width < 1)
            return $"a {wh}×{ww} window that fits the {ShapeText(input)} input";
        output = new[] { input[0], height, width };
        return null;
    }

    private static string DescribePool(SnetLayer l)
        => $"{KindName(l.Kind)}({l.Hyperparameters[0]}×{l.Hyperparameters[1]}, stride {l.Hyperparameters[2]}×{l.Hyperparameters[3]}) → {ShapeText(l.OutputShape)}";

    // ---- Reading ---------------------------------------------------------------------------------------------

    /// <summary>Parses and verifies a whole file; null and the reason when it is rejected. Never throws for any bytes.</summary>
    public static SnetFile? TryParse(ReadOnlySpan<byte> data, out SnetError? error)
    {
        try
        {
            error = null;
            return Parse(data);
        }
        catch (SnetFormatException ex)
        {
            error = ex.Error;
            return null;
        }
    }

    /// <summary>
    /// Verifies a whole file — magic, version, length, checksum, then every field — and describes it as records.
    /// Throws <see cref="SnetFormatException"/> on the first problem; never reads outside <paramref name="data"/>.
    /// </summary>
    public static SnetFile Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 ? !IsMagicPrefix(data) : !IsMagicPrefix(data.Slice(0, 4)))
            throw Fail(SnetProblem.BadMagic, "Not a StaticNets network file (wrong magic bytes)", "\"SNET\" (53 4E 45 54)", Hex(data.Slice(0, Math.Min(4, data.Length))));
        if (data.Length < 16)
            throw Fail(SnetProblem.Truncated, "Truncated header", "at least 16 bytes", $"{data.Length} bytes");
        int version = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(4));
        if (version != Version1 && version != Version2)
            throw Fail(SnetProblem.UnsupportedVersion, "Unsupported format version", "version 1 or 2", $"version {version}");
        long declared = BinaryPrimitives.ReadInt64LittleEndian(data.Slice(8));
        int minimum = MinimumLength(version);
        if (declared > data.Length)
            throw Fail(SnetProblem.Truncated, "File is truncated", $"{declared} bytes (from the header)", $"{data.Length} bytes");
        if (declared < data.Length)
        {
            if (declared < minimum)
                throw Malformed($"a total length of at least {minimum} bytes", $"{declared}");
            throw Fail(SnetProblem.TrailingData, "Unexpected data after the end of the file", $"{declared} bytes (from the header)", $"{data.Length} bytes ({data.Length - declared} trailing)");
        }
        if (data.Length < minimum)
            throw Malformed($"a total length of at least {minimum} bytes", $"{data.Length}");
        int body = data.Length - ChecksumSize;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(body)), computed = Crc32.Compute(data.Slice(0, body));
        if (stored != computed)
            throw Fail(SnetProblem.ChecksumMismatch, "Checksum mismatch, the file is corrupted", $"CRC-32 0x{computed:X8} (computed)", $"0x{stored:X8} (stored)");

        // From here the bytes are what the writer wrote, unless a writer was wrong: still check every field.
        if (BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(6)) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(18)) != 0)
            throw Malformed("reserved header fields to be 0", "non-zero values");
        int code = data[16];
        if (code >= PrecisionNames.Length)
            throw Malformed("element type 0 (float32) or 1 (float64)", $"{code}");
        int loss = data[17];
        if (loss >= LossNames.Length)
            throw Malformed("a defined Loss value", $"{loss}");
        var reader = new Reader(data.Slice(0, body), 20);
        int[] input;
        SnetLayer[] layers;
        if (version == Version1)
            ReadV1Architecture(ref reader, out input, out layers);
        else
            ReadV2Architecture(ref reader, out input, out layers);
        long parameters = 0;
        foreach (var layer in layers)
            parameters += layer.ParameterCount;
        if (parameters > int.MaxValue)
            throw Malformed("at most int.MaxValue parameters", $"{parameters}");

        long count = reader.Int64("the parameter count");
        if (count != parameters)
            throw Malformed($"{parameters} parameters for {Describe(input, layers, loss, code)}", $"{count}");
        int e = code == 0 ? 4 : 8;
        if (count * e > reader.Remaining - 4)
            throw Malformed($"{count} parameters of {e} bytes within the file", $"{reader.Remaining - 4} bytes left");
        int parameterStart = reader.Position;
        reader.Skip((int)count * e);
        int sectionCount = reader.Int32("the section count");
        // The smallest section (a one-byte name, no values) takes 12 bytes: a count the rest of the file cannot hold is rejected before anything is allocated.
        if (sectionCount < 0 || sectionCount > reader.Remaining / 12)
            throw Malformed("a section count that fits the file", $"{sectionCount}");
        var sections = new SnetSection[sectionCount];
        for (int s = 0; s < sectionCount; s++)
        {
            int nameLength = reader.UInt16($"section {s}");
            if (nameLength < 1 || nameLength > reader.Remaining - 9)
                throw Malformed($"a name of section {s} within the file", $"a name of {nameLength} bytes");
            string name = reader.Utf8(nameLength, $"a UTF-8 name for section {s}");
            int type = reader.Byte("a section value type");
            if (type > Int64Code)
                throw Malformed($"value type 0, 1 or 2 for section '{name}'", $"{type}");
            int size = type == 0 ? 4 : 8;
            long values = reader.Int64($"the value count of section '{name}'");
            if (values < 0 || values > reader.Remaining / size)
                throw Malformed($"section '{name}' to fit in the file", $"{values} values of {size} bytes with {reader.Remaining} bytes left");
            for (int t = 0; t < s; t++)
            {
                if (sections[t].Name == name)
                    throw Malformed("unique section names", $"'{name}' twice");
            }
            sections[s] = new SnetSection(name, type, values, reader.Position, (int)values * size);
            reader.Skip((int)values * size);
        }
        if (reader.Remaining != 0)
            throw Malformed($"the checksum right after the last section at byte {reader.Position}", $"{reader.Remaining} unaccounted bytes");
        return new SnetFile(version, code, loss, input, layers, count, parameterStart, (int)count * e, sections, stored);
    }

    private static void ReadV1Architecture(ref Reader reader, out int[] input, out SnetLayer[] layers)
    {
        int inputSize = reader.Int32("the input size");
        int layerCount = reader.Int32("the layer count");
        if (layerCount < 1 || layerCount > (reader.Remaining - 8 - 4) / V1LayerRecordSize)
            throw Malformed($"a layer count between 1 and what {reader.Length + ChecksumSize} bytes hold", $"{layerCount}");
        input = new[] { inputSize };
        if (inputSize < 1)
            throw Malformed("an input size of at least 1", $"{inputSize}");
        layers = new SnetLayer[layerCount];
        int[] previous = input;
        for (int l = 0; l < layerCount; l++)
        {
            int outputs = reader.Int32($"layer {l}");
            int kind = reader.Byte($"layer {l}"), activation = reader.Byte($"layer {l}");
            if (kind != Dense)
                throw Malformed($"layer {l} of kind 0 (dense)", $"kind {kind}");
            if (activation >= ActivationNames.Length)
                throw Malformed($"a defined Activation for layer {l}", $"{activation}");
            if (reader.UInt16($"layer {l}") != 0)
                throw Malformed($"reserved bytes of layer {l} to be 0", "non-zero values");
            var layer = CreateLayer(Dense, activation, true, previous, new[] { outputs }, 0, out string? error)
                ?? throw Malformed($"valid size of layer {l}: {error}", $"{outputs} outputs after {ShapeText(previous)}");
            layers[l] = layer;
            previous = layer.OutputShape;
        }
    }

    private static void ReadV2Architecture(ref Reader reader, out int[] input, out SnetLayer[] layers)
    {
        int layerCount = reader.Int32("the layer count");
        input = reader.Shape("the input shape");
        if (layerCount < 1 || layerCount > (reader.Remaining - 8 - 4) / V2MinLayerRecordSize)
            throw Malformed($"a layer count between 1 and what {reader.Length + ChecksumSize} bytes hold", $"{layerCount}");
        layers = new SnetLayer[layerCount];
        int[] previous = input;
        for (int l = 0; l < layerCount; l++)
        {
            string where = $"layer {l}";
            int kind = reader.Byte(where), activation = reader.Byte(where), flags = reader.Byte(where), reserved = reader.Byte(where);
            var entry = Kind(kind) ?? throw Malformed($"a known layer kind for {where} (0 to {Kinds.Length - 1})", $"kind {kind}");
            where = $"layer {l} ({entry.Name})";
            if ((flags & ~1) != 0 || reserved != 0)
                throw Malformed($"flags 0 or 1 and a reserved byte 0 in {where}", $"flags {flags}, reserved {reserved}");
            int[] inputShape = reader.Shape($"the input shape of {where}");
            int[] outputShape = reader.Shape($"the output shape of {where}");
            if (!SameShape(inputShape, previous))
                throw Malformed($"{where} to take {ShapeText(previous)}, what the {(l == 0 ? "input" : "layer before it")} gives", $"input {ShapeText(inputShape)}");
            int hyperBytes = reader.UInt16($"the hyperparameter length of {where}");
            if (hyperBytes != entry.HyperparameterBytes)
                throw Malformed($"{entry.HyperparameterBytes} bytes of hyperparameters in {where}", $"{hyperBytes}");
            var hyper = new int[entry.HyperparameterNames.Length];
            for (int i = 0; i < hyper.Length; i++)
                hyper[i] = reader.Int32($"{entry.HyperparameterNames[i]} of {where}");
            double rate = entry.HasRate ? BitConverter.Int64BitsToDouble(reader.Int64($"the rate of {where}")) : 0;
            string? error = CheckLayer(entry, activation, (flags & 1) != 0, inputShape, hyper, rate, out int[] impliedOutput, out var impliedBlocks);
            if (error is not null)
                throw Malformed($"{error} in {where}", "other values");
            if (!SameShape(outputShape, impliedOutput))
                throw Malformed($"output {ShapeText(impliedOutput)} for {where}, what its input and hyperparameters imply", $"output {ShapeText(outputShape)}");
            int blockCount = reader.Byte($"the block count of {where}");
            if (blockCount != impliedBlocks.Length)
                throw Malformed($"{impliedBlocks.Length} parameter blocks in {where}", $"{blockCount}");
            var blocks = new SnetBlock[blockCount];
            for (int b = 0; b < blockCount; b++)
            {
                var implied = impliedBlocks[b];
                int nameLength = reader.Byte($"block {b} of {where}");
                if (nameLength < 1 || nameLength > reader.Remaining)
                    throw Malformed($"a name of block {b} of {where} within the file", $"a name of {nameLength} bytes");
                string name = reader.Utf8(nameLength, $"a UTF-8 name for block {b} of {where}");
                int role = reader.Byte($"block '{name}' of {where}");
                int[] shape = reader.Shape($"the shape of block '{name}' of {where}");
                blocks[b] = new SnetBlock(name, role, shape);
                if (!blocks[b].SameAs(implied))
                    throw Malformed($"block {b} of {where} to be '{implied.Name}' (role {implied.Role}) of shape {ShapeText(implied.Shape)}", $"'{name}' (role {role}) of shape {ShapeText(shape)}");
            }
            layers[l] = new SnetLayer(kind, activation, (flags & 1) != 0, inputShape, outputShape, hyper, rate, blocks);
            previous = outputShape;
        }
    }

    private static bool IsMagicPrefix(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> magic = new byte[] { (byte)'S', (byte)'N', (byte)'E', (byte)'T' };
        return bytes.SequenceEqual(magic.Slice(0, bytes.Length));
    }

    private static SnetFormatException Fail(SnetProblem problem, string what, string expected, string actual)
        => new(new SnetError(problem, what, expected, actual));

    public static SnetFormatException Malformed(string expected, string actual)
        => Fail(SnetProblem.Malformed, "Malformed network file", expected, actual);

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return "an empty file";
        var sb = new StringBuilder();
        foreach (byte b in bytes)
            sb.Append(b.ToString("X2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>A bounds-checked little-endian cursor over the file's body (the checksum excluded).</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;

        public Reader(ReadOnlySpan<byte> data, int position)
        {
            _data = data;
            Position = position;
        }

        public int Position { get; private set; }
        public int Length => _data.Length;
        public int Remaining => _data.Length - Position;

        private ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count > Remaining)
                throw Malformed($"{what} within the file", "the end of the file");
            var slice = _data.Slice(Position, count);
            Position += count;
            return slice;
        }

        public void Skip(int count) => Take(count, "data");
        public int Byte(string what) => Take(1, what)[0];
        public int UInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));
        public int Int32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));
        public long Int64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));

        public string Utf8(int length, string what)
        {
            var bytes = Take(length, what).ToArray();
            try
            {
                return new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (ArgumentException)
            {
                throw Malformed(what, "invalid UTF-8");
            }
        }

        /// <summary>A shape: rank (uint8, 1..4), then rank int32 dimensions, each at least 1.</summary>
        public int[] Shape(string what)
        {
            int rank = Byte(what);
            if (rank < 1 || rank > MaxRank)
                throw Malformed($"{what} of rank 1 to {MaxRank}", $"rank {rank}");
            var dims = new int[rank];
            for (int i = 0; i < rank; i++)
                dims[i] = Int32(what);
            string? error = CheckShape(dims);
            if (error is not null)
                throw Malformed($"a valid {what}", error);
            return dims;
        }
    }

    // ---- Writing ---------------------------------------------------------------------------------------------

    /// <summary>
    /// Serialises a version-2 file: header, layer records, parameters (already little-endian bytes), sections
    /// (with their values) and checksum. The caller's records are written as given; the reader re-derives them.
    /// </summary>
    public static byte[] Write(int elementCode, int lossCode, int[] inputShape, IReadOnlyList<SnetLayer> layers, long parameterCount, ReadOnlySpan<byte> parameterBytes, IReadOnlyList<SnetSection> sections)
    {
        long length = 24 + ShapeBytes(inputShape) + 8 + parameterBytes.Length + 4 + ChecksumSize;
        var names = new byte[layers.Count][][];
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var entry = Kind(layer.Kind) ?? throw new ArgumentException($"Layer {l} has the unknown kind {layer.Kind}.", nameof(layers));
            if (layer.Hyperparameters.Length != entry.HyperparameterNames.Length || layer.Blocks.Length > MaxBlocks)
                throw new ArgumentException($"Layer {l} ({entry.Name}) needs {entry.HyperparameterNames.Length} hyperparameters and at most {MaxBlocks} blocks.", nameof(layers));
            length += 4 + ShapeBytes(layer.InputShape) + ShapeBytes(layer.OutputShape) + 2 + entry.HyperparameterBytes + 1;
            names[l] = new byte[layer.Blocks.Length][];
            for (int b = 0; b < layer.Blocks.Length; b++)
            {
                names[l][b] = Encoding.UTF8.GetBytes(layer.Blocks[b].Name);
                if (names[l][b].Length is < 1 or > 255)
                    throw new ArgumentException($"Block {b} of layer {l} needs a name of 1 to 255 UTF-8 bytes, not '{layer.Blocks[b].Name}'.", nameof(layers));
                length += 1 + names[l][b].Length + 1 + ShapeBytes(layer.Blocks[b].Shape);
            }
        }
        var sectionNames = new byte[sections.Count][];
        for (int s = 0; s < sections.Count; s++)
        {
            sectionNames[s] = Encoding.UTF8.GetBytes(sections[s].Name);
            length += 2 + sectionNames[s].Length + 1 + 8 + (sections[s].Values?.Length ?? 0);
        }
        if (length > 0x7FFFFFC7)
            throw new NotSupportedException($"The file would be {length} bytes, more than one array holds.");
        var file = new byte[length];
        var span = file.AsSpan();
        span[0] = (byte)'S';
        span[1] = (byte)'N';
        span[2] = (byte)'E';
        span[3] = (byte)'T';
        BinaryPrimitives.WriteUInt16LittleEndian(span.Slice(4), CurrentVersion);
        BinaryPrimitives.WriteInt64LittleEndian(span.Slice(8), length);
        span[16] = (byte)elementCode;
        span[17] = (byte)lossCode;
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice(20), layers.Count);
        int at = WriteShape(span, 24, inputShape);
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var entry = Kind(layer.Kind)!;
            span[at] = (byte)layer.Kind;
            span[at + 1] = (byte)layer.Activation;
            span[at + 2] = (byte)(layer.HasBias ? 1 : 0);
            at = WriteShape(span, at + 4, layer.InputShape);
            at = WriteShape(span, at, layer.OutputShape);
            BinaryPrimitives.WriteUInt16LittleEndian(span.Slice(at), (ushort)entry.HyperparameterBytes);
            at += 2;
            for (int i = 0; i < entry.HyperparameterNames.Length; i++, at += 4)
                BinaryPrimitives.WriteInt32LittleEndian(span.Slice(at), layer.Hyperparameters[i]);
            if (entry.HasRate)
            {
                BinaryPrimitives.WriteInt64LittleEndian(span.Slice(at), BitConverter.DoubleToInt64Bits(layer.Rate));
                at += 8;
            }
            span[at++] = (byte)layer.Blocks.Length;
            for (int b = 0; b < layer.Blocks.Length; b++)
            {
                span[at++] = (byte)names[l][b].Length;
                names[l][b].CopyTo(span.Slice(at));
                at += names[l][b].Length;
                span[at++] = (byte)layer.Blocks[b].Role;
                at = WriteShape(span, at, layer.Blocks[b].Shape);
            }
        }
        BinaryPrimitives.WriteInt64LittleEndian(span.Slice(at), parameterCount);
        at += 8;
        parameterBytes.CopyTo(span.Slice(at));
        at += parameterBytes.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice(at), sections.Count);
        at += 4;
        for (int s = 0; s < sections.Count; s++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span.Slice(at), (ushort)sectionNames[s].Length);
            sectionNames[s].CopyTo(span.Slice(at + 2));
            at += 2 + sectionNames[s].Length;
            span[at++] = (byte)sections[s].Type;
            BinaryPrimitives.WriteInt64LittleEndian(span.Slice(at), sections[s].Count);
            at += 8;
            if (sections[s].Values is byte[] values)
            {
                values.CopyTo(span.Slice(at));
                at += values.Length;
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span.Slice(at), Crc32.Compute(span.Slice(0, at)));
        return file;
    }

    private static int ShapeBytes(int[] shape) => 1 + 4 * shape.Length;

    private static int WriteShape(Span<byte> span, int at, int[] shape)
    {
        span[at++] = (byte)shape.Length;
        foreach (int d in shape)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(at), d);
            at += 4;
        }
        return at;
    }
}
