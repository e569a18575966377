using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace StaticNets.Tests.Data;

public sealed class IdxLoaderTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // Two 2×3 images and their labels.
    private static readonly byte[] Pixels = [0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 60];
    private static byte[] Images(int count = 2, int rows = 2, int cols = 3, byte[]? body = null) =>
        TestData.Idx(IdxLoader.ImageMagic, [count, rows, cols], body ?? Pixels);
    private static byte[] Labels(params byte[] labels) => TestData.Idx(IdxLoader.LabelMagic, [labels.Length], labels);

    [Fact]
    public void Mnist_LoadsTheRealFiles()
    {
        string? dir = TestData.FindMnistDirectory();
        if (dir is null)
        {
            output.WriteLine("MNIST not found (no shared/data/mnist above the test assembly); skipping.");
            return;
        }

        var watch = Stopwatch.StartNew();
        byte[] images = IdxLoader.ReadImages(Path.Combine(dir, "train-images-idx3-ubyte.gz"), out int count, out int rows, out int cols);
        output.WriteLine($"Read 60,000 training images in {watch.ElapsedMilliseconds} ms.");
        Assert.Equal(60000, count);
        Assert.Equal(28, rows);
        Assert.Equal(28, cols);
        Assert.Equal(60000 * 784, images.Length);
        Assert.Equal(255, images.Max());

        byte[] labels = IdxLoader.ReadLabels(Path.Combine(dir, "train-labels-idx1-ubyte.gz"));
        Assert.Equal(60000, labels.Length);
        Assert.Equal(5, labels[0]);

        watch.Restart();
        var train = Datasets.Mnist<float>(dir, train: true);
        output.WriteLine($"Datasets.Mnist<float>(train) took {watch.ElapsedMilliseconds} ms.");
        Assert.InRange(watch.ElapsedMilliseconds, 0, 10_000); // generous: CI machines are slow; typically well under 1 s
        Assert.Equal(60000, train.Count);
        Assert.Equal(784, train.InputSize);
        Assert.Equal(10, train.TargetSize);
        Assert.Equal(5, train.Label(0));
        Assert.Equal(1f, train.Target(0)[5]);
        var histogram = new int[10];
        foreach (int label in train.Labels)
            histogram[label]++;
        Assert.Equal(60000, histogram.Sum());
        Assert.All(histogram, n => Assert.InRange(n, 5000, 7000));
        Assert.Equal(0f, train.Inputs.ToArray().Min());
        Assert.Equal(1f, train.Inputs.ToArray().Max());
        Assert.Equal(images[200] / 255f, train.Inputs[200]);

        var test = Datasets.Mnist<double>(dir, train: false);
        Assert.Equal(10000, test.Count);
        Assert.Equal(784, test.InputSize);
        Assert.Equal(7, test.Label(0)); // the first t10k digit is a 7
        var testHistogram = new int[10];
        foreach (int label in test.Labels)
            testHistogram[label]++;
        Assert.Equal(10000, testHistogram.Sum());
    }

    [Fact]
    public void ReadImages_RawAndGzipGiveTheSameBytes()
    {
        foreach (var (name, bytes) in new[] { ("a.idx", Images()), ("b.idx", TestData.Gzip(Images())), ("c.gz", Images()) })
        {
            byte[] pixels = IdxLoader.ReadImages(_temp.Write(name, bytes), out int count, out int rows, out int cols);
            Assert.Equal((2, 2, 3), (count, rows, cols));
            Assert.Equal(Pixels, pixels);
        }
    }

    [Fact]
    public void Readers_AcceptNonSeekableStreams()
    {
        using (var raw = new NonSeekableStream(Images()))
            Assert.Equal(Pixels, IdxLoader.ReadImages(raw, out _, out _, out _));
        using (var gz = new NonSeekableStream(TestData.Gzip(Images())))
            Assert.Equal(Pixels, IdxLoader.ReadImages(gz, out _, out _, out _));
        using (var gz = new NonSeekableStream(TestData.Gzip(Labels(3, 1, 4))))
            Assert.Equal([3, 1, 4], IdxLoader.ReadLabels(gz));
        using var plain = new MemoryStream(Labels(9));
        Assert.Equal([9], IdxLoader.ReadLabels(plain, "labels"));
        Assert.True(plain.CanRead); // left open
    }

    [Fact]
    public void ReadImages_RejectsWrongMagic_WithPath()
    {
        foreach (bool gzip in new[] { false, true })
        {
            byte[] labels = Labels(1, 2);
            string path = _temp.Write($"labels{gzip}", gzip ? TestData.Gzip(labels) : labels);
            var e = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadImages(path, out _, out _, out _));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("expected IDX magic number 2051", e.Message, StringComparison.Ordinal);
            Assert.Contains("found 2049", e.Message, StringComparison.Ordinal);
            Assert.Contains("label file", e.Message, StringComparison.Ordinal);
        }
        var r = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadLabels(_temp.Write("text", "hello world")));
        Assert.Contains("expected IDX magic number 2049", r.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Readers_RejectTruncatedData_WithExpectedAndActualBytes(bool gzip)
    {
        byte[] Pack(byte[] b) => gzip ? TestData.Gzip(b) : b;

        string body = _temp.Write("body", Pack(Images()[..^5]));
        var e = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadImages(body, out _, out _, out _));
        Assert.Contains(body, e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 12 bytes of pixel data (2 images × 2×3), found 7", e.Message, StringComparison.Ordinal);

        string header = _temp.Write("header", Pack(Images()[..10]));
        var h = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadImages(header, out _, out _, out _));
        Assert.Contains("expected a 16-byte header, found 10", h.Message, StringComparison.Ordinal);

        string magic = _temp.Write("magic", Pack([0, 0]));
        var m = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadLabels(magic));
        Assert.Contains("expected a 4-byte magic number, found 2", m.Message, StringComparison.Ordinal);

        string labels = _temp.Write("labels", Pack(Labels(1, 2, 3)[..^1]));
        var l = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadLabels(labels));
        Assert.Contains("expected 3 bytes of labels (3 labels), found 2", l.Message, StringComparison.Ordinal);

        string empty = _temp.Write("empty", Pack([]));
        Assert.Throws<InvalidDataException>(() => IdxLoader.ReadLabels(empty));
    }

    [Fact]
    public void Readers_RejectTrailingData()
    {
        string path = _temp.Write("long", Images(body: [.. Pixels, 7]));
        var e = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadImages(path, out _, out _, out _));
        Assert.Contains("expected the data to end after 12 bytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 2, 3, "expected a positive image count, found 0")]
    [InlineData(-1, 2, 3, "expected a positive image count, found -1")]
    [InlineData(2, 0, 3, "expected a positive row count, found 0")]
    [InlineData(2, 2, -3, "expected a positive column count, found -3")]
    [InlineData(100000, 1000, 1000, "more than an array can hold")]
    public void ReadImages_RejectsBadDimensions(int count, int rows, int cols, string expected)
    {
        string path = _temp.Write("dims", Images(count, rows, cols));
        var e = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadImages(path, out _, out _, out _));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLabels_RejectsZeroCount()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxLoader.ReadLabels(_temp.Write("zero", TestData.Idx(IdxLoader.LabelMagic, [0], []))));
        Assert.Contains("expected a positive label count, found 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mnist_LoadsCraftedFiles_AnyNamingAndCompression()
    {
        _temp.Write("train-images-idx3-ubyte.gz", TestData.Gzip(Images()));
        _temp.Write("train-labels-idx1-ubyte", Labels(7, 2));
        _temp.Write("t10k-images.idx3-ubyte", Images());
        _temp.Write("t10k-labels.idx1-ubyte.gz", TestData.Gzip(Labels(0, 9)));

        var train = Datasets.Mnist<float>(_temp.Path, train: true);
        Assert.Equal(2, train.Count);
        Assert.Equal(6, train.InputSize);
        Assert.Equal([7, 2], train.Labels.ToArray());
        Assert.Equal(Pixels.Select(p => p / 255f), train.Inputs.ToArray());
        Assert.Equal(1f, train.Target(0)[7]);

        var test = Datasets.Mnist<double>(_temp.Path, train: false);
        Assert.Equal([0, 9], test.Labels.ToArray());
        Assert.Equal(Pixels.Select(p => p / 255.0), test.Inputs.ToArray());
    }

    [Fact]
    public void Mnist_RejectsCountMismatch_NamingBothFiles()
    {
        string images = _temp.Write("train-images-idx3-ubyte", Images());
        string labels = _temp.Write("train-labels-idx1-ubyte", Labels(1, 2, 3));
        var e = Assert.Throws<InvalidDataException>(() => Datasets.Mnist<float>(_temp.Path, train: true));
        Assert.Contains(images, e.Message, StringComparison.Ordinal);
        Assert.Contains(labels, e.Message, StringComparison.Ordinal);
        Assert.Contains("2 images", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mnist_RejectsLabelsAboveNine()
    {
        _temp.Write("train-images-idx3-ubyte", Images());
        string labels = _temp.Write("train-labels-idx1-ubyte", Labels(1, 10));
        var e = Assert.Throws<InvalidDataException>(() => Datasets.Mnist<float>(_temp.Path, train: true));
        Assert.Contains(labels, e.Message, StringComparison.Ordinal);
        Assert.Contains("found 10 at index 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mnist_ReportsMissingFilesAndFolders()
    {
        _temp.Write("train-images-idx3-ubyte", Images());
        var e = Assert.Throws<FileNotFoundException>(() => Datasets.Mnist<float>(_temp.Path, train: true));
        Assert.Contains("train-labels-idx1-ubyte.gz", e.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => Datasets.Mnist<float>(_temp.Path, train: false));
        Assert.Throws<DirectoryNotFoundException>(() => Datasets.Mnist<float>(Path.Combine(_temp.Path, "nope"), train: true));
        Assert.Throws<FileNotFoundException>(() => IdxLoader.ReadLabels(Path.Combine(_temp.Path, "nope")));
    }
}
