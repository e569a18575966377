using System;
using System.Text;

namespace StaticNets;

/// <summary>
/// The shape of one sample's data at a point in a network, outermost dimension first: rank 1 is
/// <c>features</c>, rank 3 is <c>channels × height × width</c> (NCHW per sample, row-major), rank 2 is
/// <c>time × features</c>. Immutable, compared by value.
/// </summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] _dims;

    /// <summary>A shape with the given dimensions, each at least 1.</summary>
    /// <exception cref="ArgumentException">No dimensions, a dimension below 1, or more than int.MaxValue elements.</exception>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0)
            throw new ArgumentException("A shape needs at least one dimension.", nameof(dims));
        long size = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(dims), $"Every dimension must be at least 1; dimension {i} is {dims[i]}.");
            size *= dims[i];
            if (size > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(dims), $"The shape {string.Join("×", dims)} holds more than int.MaxValue elements.");
        }
        _dims = (int[])dims.Clone();
        Size = (int)size;
    }

    /// <summary>A rank-1 shape of <paramref name="features"/> values.</summary>
    public static Shape Vector(int features) => new(features);

    /// <summary>A rank-3 shape, channels × height × width.</summary>
    public static Shape Image(int channels, int height, int width) => new(channels, height, width);

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>Dimension <paramref name="index"/>, outermost first.</summary>
    public int this[int index] => _dims[index];

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Dimensions => _dims;

    /// <summary>Number of elements: the product of the dimensions.</summary>
    public int Size { get; }

    /// <summary>Channels of a rank-3 shape.</summary>
    public int Channels => Rank == 3 ? _dims[0] : throw new InvalidOperationException($"The shape {this} is not channels × height × width.");

    /// <summary>Height of a rank-3 shape.</summary>
    public int Height => Rank == 3 ? _dims[1] : throw new InvalidOperationException($"The shape {this} is not channels × height × width.");

    /// <summary>Width of a rank-3 shape.</summary>
    public int Width => Rank == 3 ? _dims[2] : throw new InvalidOperationException($"The shape {this} is not channels × height × width.");

    /// <summary>The dimensions joined by ×, e.g. <c>6×28×28</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < _dims.Length; i++)
            sb.Append(i == 0 ? "" : "×").Append(_dims[i]);
        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(Shape? other) => other is not null && other._dims.AsSpan().SequenceEqual(_dims);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int d in _dims)
            hash.Add(d);
        return hash.ToHashCode();
    }
}
