using System;
using Xunit;

namespace StaticNets.Tests.Networks;

/// <summary>Wrong span lengths and workspaces get an exception naming the argument, with expected vs actual.</summary>
public class ValidationTests
{
    private readonly DigitsNet _net = new(1);

    [Fact]
    public void Forward_rejects_wrong_input_length()
    {
        var ex = Assert.Throws<ArgumentException>(() => _net.Forward(new float[63], new float[10]));
        Assert.Equal("input", ex.ParamName);
        Assert.StartsWith("Expected 64 elements but got 63.", ex.Message);
    }

    [Fact]
    public void Forward_rejects_wrong_output_length()
    {
        var ex = Assert.Throws<ArgumentException>(() => _net.Forward(new float[64], new float[11]));
        Assert.Equal("output", ex.ParamName);
        Assert.StartsWith("Expected 10 elements but got 11.", ex.Message);
    }

    [Fact]
    public void Counts_of_one_are_singular()
    {
        var net = new XorNet(1);
        var output = Assert.Throws<ArgumentException>(() => net.Forward(new float[2], new float[2]));
        Assert.StartsWith("Expected 1 element but got 2.", output.Message);
        var rows = Assert.Throws<ArgumentException>(() => _net.Forward(new float[65], new float[10], _net.CreateWorkspace(2)));
        Assert.StartsWith("Expected a whole number of rows of 64 elements but got 65 elements (1 row and 1 left over).", rows.Message);
        Assert.Equal("1 element", Guard.Count(1, "element"));
        Assert.Equal("0 elements", Guard.Count(0, "element"));
        Assert.Equal("2 rows", Guard.Count(2, "row"));
    }

    [Fact]
    public void Batch_must_be_whole_rows_within_capacity()
    {
        var ws = _net.CreateWorkspace(2);
        var ragged = Assert.Throws<ArgumentException>(() => _net.Forward(new float[100], new float[20], ws));
        Assert.Equal("inputs", ragged.ParamName);
        Assert.Contains("whole number of rows of 64", ragged.Message);
        var tooMany = Assert.Throws<ArgumentException>(() => _net.Forward(new float[3 * 64], new float[30], ws));
        Assert.Contains("at most 2 rows", tooMany.Message);
        var empty = Assert.Throws<ArgumentException>(() => _net.Forward(Array.Empty<float>(), Array.Empty<float>(), ws));
        Assert.Contains("at least one row", empty.Message);
    }

    [Fact]
    public void Backward_checks_targets_gradient_and_workspace()
    {
        var ws = _net.CreateWorkspace(2);
        var targets = Assert.Throws<ArgumentException>(() => _net.Backward(new float[128], new float[10], new float[DigitsNet.ParameterCount], ws));
        Assert.Equal("targets", targets.ParamName);
        Assert.StartsWith("Expected 20 elements but got 10.", targets.Message);
        var gradient = Assert.Throws<ArgumentException>(() => _net.Backward(new float[128], new float[20], new float[5], ws));
        Assert.Equal("gradient", gradient.ParamName);
        var foreign = Assert.Throws<ArgumentException>(() => _net.Backward(new float[128], new float[20], new float[DigitsNet.ParameterCount], new N1(1).CreateWorkspace(2)));
        Assert.Equal("workspace", foreign.ParamName);
        Assert.Contains("N1+Workspace", foreign.Message);
    }

    [Fact]
    public void Workspace_capacity_must_be_positive()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _net.CreateWorkspace(0));
        Assert.Equal("batchCapacity", ex.ParamName);
    }

    [Fact]
    public void Constants_and_views_follow_the_documented_layout()
    {
        Assert.Equal(64, DigitsNet.InputSize);
        Assert.Equal(10, DigitsNet.OutputSize);
        Assert.Equal(64 * 32 + 32 + 32 * 10 + 10, DigitsNet.ParameterCount);
        Assert.Equal(2048, DigitsNet.Layer0BiasOffset);
        Assert.Equal(2080, DigitsNet.Layer1WeightOffset);
        using (var edit = _net.EditParameters())
            edit.Span[DigitsNet.Layer1WeightOffset + 3 * 32 + 5] = 42f; // w[3, 5] of layer 1
        Assert.Equal(42f, _net.Layer1Weights[3 * 32 + 5]);
        Assert.Equal(DigitsNet.Architecture, ((INetwork<float>)_net).Info);
        Assert.Equal("64-32(ReLU)-10(Softmax), CrossEntropy, Single", DigitsNet.Architecture.ToString());
    }
}
