using System;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace StaticNets.Tests.Data;

public sealed class CsvLoaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Digits_LoadsTheRealFile()
    {
        var data = Datasets.Digits<float>(TestData.DigitsPath);
        Assert.Equal(1797, data.Count);
        Assert.Equal(64, data.InputSize);
        Assert.Equal(10, data.TargetSize);
        Assert.True(data.HasLabels);

        var histogram = new int[10];
        foreach (int label in data.Labels)
            histogram[label]++;
        Assert.All(histogram, n => Assert.InRange(n, 174, 183));
        Assert.Equal(1797, histogram.Sum());

        foreach (float v in data.Inputs)
            Assert.InRange(v, 0f, 1f);
        Assert.Equal(1f, data.Inputs.ToArray().Max());
        for (int i = 0; i < data.Count; i++)
            Assert.Equal(data.Label(i), OneHot.ArgMax(data.Target(i)));

        // First row of the file: 0,0,5,13,9,1,0,0,… label 0; the second has label 1.
        Assert.Equal([0f, 0, 5 / 16f, 13 / 16f, 9 / 16f, 1 / 16f, 0, 0], data.Input(0)[..8].ToArray());
        Assert.Equal(0, data.Label(0));
        Assert.Equal(1, data.Label(1));
    }

    [Fact]
    public void Digits_DoubleMatchesSingle()
    {
        var f = Datasets.Digits<float>(TestData.DigitsPath);
        var d = Datasets.Digits<double>(TestData.DigitsPath);
        Assert.Equal(f.Inputs.ToArray().Select(v => (double)v), d.Inputs.ToArray());
        Assert.Equal(f.Labels.ToArray(), d.Labels.ToArray());
    }

    [Fact]
    public void Load_Digits_InfersTenClasses()
    {
        var data = CsvLoader.Load<double>(TestData.DigitsPath, new CsvOptions());
        Assert.Equal(10, data.TargetSize);
        Assert.Equal(16.0, data.Inputs.ToArray().Max());
    }

    [Fact]
    public void Digits_RejectsOtherShapes()
    {
        string path = _temp.Write("small.csv", "1,2,3\n4,5,6\n");
        var e = Assert.Throws<InvalidDataException>(() => Datasets.Digits<float>(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 65 columns", e.Message, StringComparison.Ordinal);
        Assert.Contains("found 3", e.Message, StringComparison.Ordinal);

        string pixels = string.Join(',', Enumerable.Repeat("17", 64));
        string big = _temp.Write("big.csv", pixels + ",3\n");
        var r = Assert.Throws<InvalidDataException>(() => Datasets.Digits<float>(big));
        Assert.Contains("found 17", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GzipIsDetectedByMagicNotName()
    {
        const string csv = "0.5,1.5,1\n2,3,0\n-1,4e2,2\n";
        byte[] raw = Encoding.UTF8.GetBytes(csv);
        var plain = CsvLoader.Load<double>(_temp.Write("data.gz", raw));              // raw, misleading name
        var packed = CsvLoader.Load<double>(_temp.Write("data.csv", TestData.Gzip(raw))); // gzip, plain name
        foreach (var data in new[] { plain, packed })
        {
            Assert.Equal(3, data.Count);
            Assert.Equal(2, data.InputSize);
            Assert.Equal(3, data.TargetSize);
            Assert.Equal([0.5, 1.5, 2, 3, -1, 400], data.Inputs.ToArray());
            Assert.Equal([1, 0, 2], data.Labels.ToArray());
        }
    }

    [Fact]
    public void Load_FromNonSeekableStreams_PlainAndGzip()
    {
        byte[] raw = Encoding.UTF8.GetBytes("1,2,0\n3,4,1\n");
        foreach (byte[] bytes in new[] { raw, TestData.Gzip(raw) })
        {
            using var stream = new NonSeekableStream(bytes);
            var data = CsvLoader.Load<float>(stream, null, "mem");
            Assert.Equal([1f, 2, 3, 4], data.Inputs.ToArray());
            Assert.Equal([1f, 0, 0, 1], data.Targets.ToArray());
        }
    }

    [Fact]
    public void Load_StreamIsLeftOpen()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("1,0\n2,1\n"));
        CsvLoader.Load<float>(stream);
        Assert.True(stream.CanRead);
    }

    [Fact]
    public void Load_HonoursHeaderSeparatorLabelColumnScaleAndClasses()
    {
        string path = _temp.Write("h.csv", "label;a;b\r\n2;10;20\r\n\r\n0; 30 ;40\r\n");
        var data = CsvLoader.Load<float>(path, new CsvOptions
        {
            HasHeader = true, Separator = ';', LabelColumn = 0, InputScale = 0.1, Classes = 4,
        });
        Assert.Equal(2, data.Count);
        Assert.Equal([1f, 2, 3, 4], data.Inputs.ToArray());
        Assert.Equal(4, data.TargetSize);
        Assert.Equal([0f, 0, 1, 0, 1, 0, 0, 0], data.Targets.ToArray());
    }

    [Fact]
    public void Load_SkipsAUtf8ByteOrderMark()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("1.25,1\n2,0")];
        var data = CsvLoader.Load<double>(_temp.Write("bom.csv", TestData.Gzip(bytes)));
        Assert.Equal([1.25, 2], data.Inputs.ToArray());
        Assert.Equal([1, 0], data.Labels.ToArray());
    }

    [Fact]
    public void Load_InfersAtLeastTwoClasses()
    {
        var data = CsvLoader.Load<float>(_temp.Write("z.csv", "1,0\n2,0\n"));
        Assert.Equal(2, data.TargetSize);
    }

    [Fact]
    public void Load_RegressionTargets()
    {
        string path = _temp.Write("r.csv", "1,2,0.5,-0.5\n3,4,1.5,2.5\n");
        var data = CsvLoader.Load<double>(path, new CsvOptions { RegressionTargets = 2, InputScale = 2 });
        Assert.False(data.HasLabels);
        Assert.Equal(2, data.InputSize);
        Assert.Equal([2.0, 4, 6, 8], data.Inputs.ToArray());
        Assert.Equal([0.5, -0.5, 1.5, 2.5], data.Targets.ToArray()); // targets are not scaled

        var first = CsvLoader.Load<double>(path, new CsvOptions { RegressionTargets = 1, LabelColumn = 0 });
        Assert.Equal([1.0, 3], first.Targets.ToArray());
        Assert.Equal([2.0, 0.5, -0.5, 4, 1.5, 2.5], first.Inputs.ToArray());
    }

    [Fact]
    public void Load_WrongColumnCount_NamesFileLineAndCounts()
    {
        string path = _temp.Write("cols.csv", "1,2,0\n3,4,1\n5,1\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 3 columns, found 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongColumnCountInGzip_NamesLine()
    {
        string path = _temp.Write("cols.csv.gz", TestData.Gzip(Encoding.UTF8.GetBytes("1,2,0\n\n3,4,5,1\n")));
        var e = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(path));
        Assert.Contains("line 3: expected 3 columns, found 4", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1,abc,0", "line 2, column 2: expected a number, found 'abc'")]
    [InlineData("1,,0", "line 2, column 2: expected a number, found an empty field")]
    [InlineData("1,2,x", "line 2, column 3: expected an integer class label, found 'x'")]
    [InlineData("1,2,1.5", "line 2, column 3: expected an integer class label, found '1.5'")]
    [InlineData("1,2,-1", "line 2, column 3: expected a non-negative class label, found '-1'")]
    [InlineData("1,NaN,0", "line 2, column 2: expected a finite number (after InputScale), found 'NaN'")]
    [InlineData("Infinity,1,0", "line 2, column 1: expected a finite number (after InputScale), found 'Infinity'")]
    [InlineData("1e300,1,0", "line 2, column 1: expected a finite number (after InputScale), found '1e300'")]
    [InlineData("1,2,3", "line 2, column 3: expected a class label in [0, 3), found '3'")]
    public void Load_BadField_NamesFileLineColumnExpectedAndFound(string badLine, string expected)
    {
        string path = _temp.Write("bad.csv", "0,0,1\n" + badLine + "\n");
        var options = badLine == "1,2,3" ? new CsvOptions { Classes = 3 } : null;
        var e = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(path, options));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NaNRegressionTarget_IsRejected()
    {
        string path = _temp.Write("nan.csv", "1,2\n3,nan\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<double>(path, new CsvOptions { RegressionTargets = 1 }));
        Assert.Contains("line 2, column 2: expected a finite number, found 'nan'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LongFieldsAreShortenedInMessages()
    {
        string path = _temp.Write("long.csv", "1," + new string('z', 500) + ",0\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(path));
        Assert.Contains("(500 characters)", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 300);
    }

    [Fact]
    public void Load_EmptyFilesAreRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(_temp.Write("empty.csv", "\n\n")));
        Assert.Contains("no", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected at least one data row", e.Message, StringComparison.Ordinal);
        var h = Assert.Throws<InvalidDataException>(() =>
            CsvLoader.Load<float>(_temp.Write("header.csv", "a,b,label\n"), new CsvOptions { HasHeader = true }));
        Assert.Contains("expected at least one data row", h.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(new MemoryStream(TestData.Gzip([]))));
    }

    [Fact]
    public void Load_LayoutThatDoesNotFit_IsRejected()
    {
        string path = _temp.Write("one.csv", "1\n2\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(path));
        Assert.Contains("line 1: expected at least 2 columns", e.Message, StringComparison.Ordinal);
        var c = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(_temp.Write("c.csv", "1,2\n"), new CsvOptions { LabelColumn = 5 }));
        Assert.Contains("found 2 columns", c.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsInconsistentOptions()
    {
        string path = _temp.Write("ok.csv", "1,0\n");
        Assert.Throws<ArgumentOutOfRangeException>("options", () => CsvLoader.Load<float>(path, new CsvOptions { SkipLines = -1 }));
        Assert.Throws<ArgumentException>("options", () => CsvLoader.Load<float>(path, new CsvOptions { Classes = 3, RegressionTargets = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => CsvLoader.Load<float>(path, new CsvOptions { Classes = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => CsvLoader.Load<float>(path, new CsvOptions { InputScale = double.NaN }));
        Assert.Throws<ArgumentException>("options", () => CsvLoader.Load<float>(path, new CsvOptions { Separator = '\n' }));
        Assert.Throws<FileNotFoundException>(() => CsvLoader.Load<float>(Path.Combine(_temp.Path, "missing.csv")));
    }
}
