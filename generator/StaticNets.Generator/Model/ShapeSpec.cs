using System.Linq;

namespace StaticNets.Generator.Model;

/// <summary>The shape of one sample at a point in the network, outermost first (features, or channels × height × width).</summary>
internal sealed record ShapeSpec(EquatableArray<int> Dims)
{
    public static ShapeSpec Vector(int features) => new(new EquatableArray<int>(new[] { features }));

    public static ShapeSpec Matrix(int rows, int columns) => new(new EquatableArray<int>(new[] { rows, columns }));

    public static ShapeSpec Image(int channels, int height, int width) => new(new EquatableArray<int>(new[] { channels, height, width }));

    public int Rank => Dims.Count;

    public long Size => Dims.Aggregate(1L, (product, d) => product * d);

    public int Channels => Dims[0];

    public int Height => Dims[1];

    public int Width => Dims[2];

    /// <summary><c>6×28×28</c>, as the header comment and diagnostics write shapes.</summary>
    public override string ToString() => string.Join("×", Dims);

    /// <summary><c>new global::StaticNets.Shape(6, 28, 28)</c>.</summary>
    public string Expression => $"new global::StaticNets.Shape({string.Join(", ", Dims)})";
}

/// <summary>Mirror of <c>StaticNets.ParameterRole</c>.</summary>
internal enum BlockRole
{
    Weight = 0,
    Bias = 1,
    Shift = 2,
    Scale = 3,
}

/// <summary>One named block of a layer's parameters (PyTorch's name and shape) at its offset in the flat span.</summary>
internal sealed record BlockSpec(string Name, EquatableArray<int> Shape, long Offset, BlockRole Role)
{
    public long Count => Shape.Aggregate(1L, (product, d) => product * d);

    public string ShapeText => string.Join(", ", Shape);
}
