using System;
using Xunit;

namespace StaticNets.Tests.Data;

public class OneHotTests
{
    [Fact]
    public void Encode_Labels_ReturnsContiguousRows()
    {
        double[] rows = OneHot.Encode<double>([1, 0, 2], 3);
        Assert.Equal([0.0, 1, 0, 1, 0, 0, 0, 0, 1], rows);
        Assert.Empty(OneHot.Encode<float>([], 4));
    }

    [Fact]
    public void Encode_Labels_RejectsOutOfRange_NamingIndexAndValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>("labels", () => OneHot.Encode<float>([0, 1, 3], 3));
        Assert.Contains("index 2 is 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 3)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>("labels", () => OneHot.Encode<float>([-1], 3));
        Assert.Throws<ArgumentOutOfRangeException>("classes", () => OneHot.Encode<float>([0], 0));
    }

    [Fact]
    public void Encode_Single_OverwritesTheDestination()
    {
        Span<float> row = [5, 5, 5, 5];
        OneHot.Encode(2, row);
        Assert.Equal([0f, 0, 1, 0], row.ToArray());
        var e = Assert.Throws<ArgumentOutOfRangeException>("label", () => OneHot.Encode(4, new float[4].AsSpan()));
        Assert.Contains("[0, 4)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgMax_ReturnsFirstLargest_AndFlagsNaN()
    {
        Assert.Equal(2, OneHot.ArgMax<float>([0.1f, 0.2f, 0.7f]));
        Assert.Equal(0, OneHot.ArgMax<double>([0.5, 0.5, 0.1]));
        Assert.Equal(1, OneHot.ArgMax<double>([0.5, double.NaN, 0.9]));
        Assert.Equal(0, OneHot.ArgMax<float>([-3f]));
        Assert.Throws<ArgumentException>("values", () => OneHot.ArgMax<float>([]));
    }
}
