using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace StaticNets.Tests.Data;

public class DatasetTests
{
    /// <summary>n samples with one input equal to the sample index, labels i % classes, one-hot targets.</summary>
    private static Dataset<double> Indexed(int n, int classes)
    {
        var inputs = new double[n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            inputs[i] = i;
            labels[i] = i % classes;
        }
        return Dataset<double>.FromLabels(inputs, 1, labels, classes);
    }

    private static int[] Ids(Dataset<double> data) => data.Inputs.ToArray().Select(v => (int)v).ToArray();

    [Fact]
    public void Constructor_KeepsRowsAndSizes()
    {
        var data = new Dataset<float>([1, 2, 3, 4, 5, 6], 3, [0.5f, 1, 0, 0], 2);
        Assert.Equal(2, data.Count);
        Assert.Equal(3, data.InputSize);
        Assert.Equal(2, data.TargetSize);
        Assert.False(data.HasLabels);
        Assert.True(data.Labels.IsEmpty);
        Assert.Equal([4f, 5, 6], data.Input(1).ToArray());
        Assert.Equal([0f, 0], data.Target(1).ToArray());
        Assert.Equal(6, data.Inputs.Length);
        Assert.Equal(4, data.Targets.Length);
        Assert.Contains("2 samples", data.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsNullArrays()
    {
        Assert.Throws<ArgumentNullException>("inputs", () => new Dataset<float>(null!, 1, [1f], 1));
        Assert.Throws<ArgumentNullException>("targets", () => new Dataset<float>([1f], 1, null!, 1));
    }

    [Fact]
    public void Constructor_RejectsBadSizes()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>("inputSize", () => new Dataset<float>([1f], 0, [1f], 1));
        Assert.Contains("actual 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>("targetSize", () => new Dataset<float>([1f], 1, [1f], -1));
    }

    [Fact]
    public void Constructor_RejectsPartialRows()
    {
        var e = Assert.Throws<ArgumentException>("inputs", () => new Dataset<float>([1, 2, 3, 4, 5], 2, [0, 1], 1));
        Assert.Contains("multiple of 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("actual 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsEmptyData()
    {
        var e = Assert.Throws<ArgumentException>("inputs", () => new Dataset<float>([], 2, [], 1));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsTargetCountMismatch()
    {
        var e = Assert.Throws<ArgumentException>("targets", () => new Dataset<float>([1, 2, 3, 4], 2, [0, 1, 0], 1));
        Assert.Contains("Expected 2 target values", e.Message, StringComparison.Ordinal);
        Assert.Contains("actual 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsLabelProblems()
    {
        var e = Assert.Throws<ArgumentException>("labels", () => new Dataset<float>([1, 2], 1, [1, 0, 0, 1], 2, [0]));
        Assert.Contains("(2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("actual 1", e.Message, StringComparison.Ordinal);

        var r = Assert.Throws<ArgumentOutOfRangeException>("labels", () => new Dataset<float>([1, 2], 1, [1, 0, 0, 1], 2, [0, 2]));
        Assert.Contains("labels[1] is 2", r.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>("labels", () => new Dataset<float>([1, 2], 1, [1, 0, 0, 1], 2, [-1, 0]));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Constructor_RejectsNonFiniteInputs_NamingSampleAndColumn(double bad, string shown)
    {
        double[] inputs = [0, 1, 2, 3, 4, 5];
        inputs[5] = bad;
        var e = Assert.Throws<ArgumentException>("inputs", () => new Dataset<double>(inputs, 3, [0, 1], 1));
        Assert.Contains($"inputs holds {shown} at sample 1, column 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsNonFiniteTargets()
    {
        var e = Assert.Throws<ArgumentException>("targets", () => new Dataset<float>([0, 1], 1, [0, float.NaN], 1));
        Assert.Contains("targets holds NaN at sample 1, column 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_UsesLabelsThenArgMaxThenThreshold()
    {
        Assert.Equal(1, new Dataset<float>([0, 0], 1, [1, 0, 0, 1], 2, [1, 1]).Label(0));
        var argmax = new Dataset<float>([0, 0], 1, [0.1f, 0.7f, 0.2f, 0.5f, 0.5f, 0.1f], 3);
        Assert.Equal(1, argmax.Label(0));
        Assert.Equal(0, argmax.Label(1)); // first on ties
        var binary = new Dataset<float>([0, 0, 0], 1, [0.49f, 0.5f, 1f], 1);
        Assert.Equal([0, 1, 1], Enumerable.Range(0, 3).Select(binary.Label).ToArray());
        Assert.Equal(2, binary.ClassCount);
        Assert.Throws<ArgumentOutOfRangeException>("index", () => binary.Label(3));
        Assert.Throws<ArgumentOutOfRangeException>("index", () => binary.Input(-1));
        Assert.Throws<ArgumentOutOfRangeException>("index", () => binary.Target(3));
    }

    [Fact]
    public void FromLabels_BuildsOneHotTargetsAndKeepsLabels()
    {
        var data = Dataset<float>.FromLabels([1, 2, 3, 4, 5, 6], 2, [2, 0, 1], 3);
        Assert.Equal(3, data.Count);
        Assert.Equal(3, data.TargetSize);
        Assert.True(data.HasLabels);
        Assert.Equal([2, 0, 1], data.Labels.ToArray());
        Assert.Equal([0f, 0, 1, 1, 0, 0, 0, 1, 0], data.Targets.ToArray());
    }

    [Fact]
    public void FromLabels_RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>("classes", () => Dataset<float>.FromLabels([1, 2], 1, [0, 0], 1));
        var e = Assert.Throws<ArgumentException>("labels", () => Dataset<float>.FromLabels([1, 2], 1, [0], 2));
        Assert.Contains("(2), actual 1", e.Message, StringComparison.Ordinal);
        var r = Assert.Throws<ArgumentOutOfRangeException>("labels", () => Dataset<float>.FromLabels([1, 2], 1, [0, 5], 3));
        Assert.Contains("labels[1] is 5", r.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>("labels", () => Dataset<float>.FromLabels([1, 2], 1, null!, 3));
        Assert.Throws<ArgumentException>("inputs", () => Dataset<float>.FromLabels([1, float.NaN], 1, [0, 1], 2));
    }

    [Fact]
    public void Split_IsDeterministicForASeed()
    {
        var data = Indexed(100, 4);
        var (trainA, testA) = data.Split(0.8, seed: 7);
        var (trainB, testB) = data.Split(0.8, seed: 7);
        var (trainC, _) = data.Split(0.8, seed: 8);
        Assert.Equal(Ids(trainA), Ids(trainB));
        Assert.Equal(Ids(testA), Ids(testB));
        Assert.NotEqual(Ids(trainA), Ids(trainC));
    }

    [Fact]
    public void Split_IsDisjointAndCoversEverySampleOnce()
    {
        var data = Indexed(97, 3);
        var (train, test) = data.Split(0.75, seed: 1);
        Assert.Equal(73, train.Count); // round(97 × 0.75) = 72.75 → 73
        Assert.Equal(24, test.Count);
        var all = Ids(train).Concat(Ids(test)).OrderBy(i => i).ToArray();
        Assert.Equal(Enumerable.Range(0, 97).ToArray(), all);
        // Labels and targets travel with their inputs.
        for (int k = 0; k < train.Count; k++)
        {
            int id = (int)train.Input(k)[0];
            Assert.Equal(id % 3, train.Label(k));
            Assert.Equal(id % 3, OneHot.ArgMax(train.Target(k)));
        }
        // Shuffled, not in index order.
        Assert.NotEqual(Ids(train).OrderBy(i => i).ToArray(), Ids(train));
    }

    [Fact]
    public void Split_IsStratified()
    {
        // 90 of class 0, 10 of class 1.
        var labels = Enumerable.Range(0, 100).Select(i => i < 90 ? 0 : 1).ToArray();
        var data = Dataset<float>.FromLabels(Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), 1, labels, 2);
        for (int seed = 0; seed < 5; seed++)
        {
            var (train, test) = data.Split(0.8, seed);
            Assert.Equal(8, train.Labels.ToArray().Count(l => l == 1));
            Assert.Equal(2, test.Labels.ToArray().Count(l => l == 1));
        }
    }

    [Fact]
    public void Split_OfRegressionData_IsAPlainShuffle()
    {
        var data = new Dataset<double>(Enumerable.Range(0, 10).Select(i => (double)i).ToArray(), 1, new double[10], 1);
        var (train, test) = data.Split(0.5, 3);
        Assert.Equal(5, train.Count);
        Assert.Equal(Enumerable.Range(0, 10), Ids(train).Concat(Ids(test)).OrderBy(i => i));
    }

    [Fact]
    public void Split_KeepsBothPartsNonEmpty()
    {
        var data = Indexed(3, 2);
        Assert.Equal(2, data.Split(0.99, 0).Train.Count);
        Assert.Equal(1, data.Split(0.01, 0).Train.Count);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Split_RejectsBadFractions(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>("trainFraction", () => Indexed(10, 2).Split(fraction, 0));
    }

    [Fact]
    public void Split_RejectsASingleSample()
    {
        Assert.Throws<InvalidOperationException>(() => Indexed(1, 2).Split(0.5, 0));
    }

    [Fact]
    public void Subset_CopiesRowsInOrderWithRepeats()
    {
        var data = Indexed(10, 3);
        var subset = data.Subset([7, 2, 7]);
        Assert.Equal([7, 2, 7], Ids(subset));
        Assert.Equal([1, 2, 1], subset.Labels.ToArray());
        Assert.Equal([0.0, 1, 0, 0, 0, 1, 0, 1, 0], subset.Targets.ToArray());
    }

    [Fact]
    public void Subset_RejectsBadIndices()
    {
        var data = Indexed(10, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>("indices", () => data.Subset([1, 10]));
        Assert.Contains("indices[1] is 10", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 10)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("indices", () => data.Subset([]));
    }

    [Fact]
    public void Take_ReturnsThePrefix()
    {
        var data = Indexed(10, 3);
        var first = data.Take(4);
        Assert.Equal([0, 1, 2, 3], Ids(first));
        Assert.Equal([0, 1, 2, 0], first.Labels.ToArray());
        Assert.Equal(12, first.Targets.Length);
        Assert.Throws<ArgumentOutOfRangeException>("count", () => data.Take(0));
        Assert.Throws<ArgumentOutOfRangeException>("count", () => data.Take(11));
    }

    [Fact]
    public void CopyBatch_CopiesRowsContiguously()
    {
        var data = new Dataset<float>([1, 2, 3, 4, 5, 6], 2, [10, 20, 30], 1);
        var inputs = new float[6];
        var targets = new float[3];
        data.CopyBatch([2, 0, 2], inputs, targets);
        Assert.Equal([5f, 6, 1, 2, 5, 6], inputs);
        Assert.Equal([30f, 10, 30], targets);
    }

    [Fact]
    public void CopyBatch_ValidatesLengthsAndIndices()
    {
        var data = new Dataset<float>([1, 2, 3, 4, 5, 6], 2, [10, 20, 30], 1);
        var e = Assert.Throws<ArgumentException>("inputs", () => data.CopyBatch([0, 1], new float[3], new float[2]));
        Assert.Contains("Expected 4 values", e.Message, StringComparison.Ordinal);
        Assert.Contains("actual 3", e.Message, StringComparison.Ordinal);
        var t = Assert.Throws<ArgumentException>("targets", () => data.CopyBatch([0, 1], new float[4], new float[3]));
        Assert.Contains("Expected 2 values", t.Message, StringComparison.Ordinal);
        Assert.Contains("actual 3", t.Message, StringComparison.Ordinal);
        var r = Assert.Throws<ArgumentOutOfRangeException>("indices", () => data.CopyBatch([0, -1], new float[4], new float[2]));
        Assert.Contains("indices[1] is -1", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CopyBatch_AllocatesNothing()
    {
        var data = Indexed(1000, 10);
        var rng = new SplitMix64(5);
        var order = Shuffle.Permutation(data.Count, rng);
        var inputs = new double[32 * data.InputSize];
        var targets = new double[32 * data.TargetSize];
        data.CopyBatch(order.AsSpan(0, 32), inputs, targets); // warm-up (JIT)
        Shuffle.FisherYates(order, rng);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Shuffle.FisherYates(order, rng);
            for (int start = 0; start + 32 <= order.Length; start += 32)
                data.CopyBatch(order.AsSpan(start, 32), inputs, targets);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Dataset_DoublePrecisionAndSinglePrecisionAgree()
    {
        var labels = new List<int> { 0, 1, 2 };
        var f = Dataset<float>.FromLabels([0.25f, 0.5f, 0.75f], 1, labels.ToArray(), 3);
        var d = Dataset<double>.FromLabels([0.25, 0.5, 0.75], 1, labels.ToArray(), 3);
        Assert.Equal(f.Targets.ToArray().Select(v => (double)v), d.Targets.ToArray());
    }
}
