using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace StaticNets.Tests.Data;

/// <summary>
/// Tiny bad files never allocate gigabytes, and every rejection is an <see cref="InvalidDataException"/> naming the
/// file (and line and column for CSV): headers claiming more than the file holds, labels near int.MaxValue, and
/// gzip files truncated, padded or corrupted.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Runs <paramref name="action"/>, which must throw, and returns the exception and the bytes this thread allocated meanwhile.</summary>
    private static (InvalidDataException Exception, long Allocated) Measure(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(action);
        return (ex, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private const long FewMegabytes = 8 << 20;

    private static byte[] Header(int magic, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        return bytes;
    }

    [Fact]
    public void A_label_header_claiming_int_MaxValue_labels_is_refused_before_allocating()
    {
        string path = _temp.Write("labels.idx", Header(IdxLoader.LabelMagic, int.MaxValue));
        var (ex, allocated) = Measure(() => IdxLoader.ReadLabels(path));
        Assert.Equal($"{path}: 2147483647 labels are more than an array can hold ({Array.MaxLength}).", ex.Message);
        Assert.True(allocated < FewMegabytes, $"{allocated} bytes allocated");

        string counted = _temp.Write("labels2.idx", Header(IdxLoader.LabelMagic, 2_000_000_000));
        (ex, allocated) = Measure(() => IdxLoader.ReadLabels(counted));
        Assert.Equal($"{counted}: truncated: expected 2000000000 bytes of labels (2000000000 labels), found 0.", ex.Message);
        Assert.True(allocated < FewMegabytes, $"{allocated} bytes allocated");
    }

    [Fact]
    public void An_image_header_claiming_2e9_images_allocates_no_more_than_the_file_holds()
    {
        byte[] header = Header(IdxLoader.ImageMagic, 2_000_000_000, 1, 1);
        // Raw: the file's length is known, so the claim is refused before anything is allocated.
        string raw = _temp.Write("images.idx", header);
        var (ex, allocated) = Measure(() => IdxLoader.ReadImages(raw, out _, out _, out _));
        Assert.Equal($"{raw}: truncated: expected 2000000000 bytes of pixel data (2000000000 images × 1×1), found 0.", ex.Message);
        Assert.True(allocated < FewMegabytes, $"{allocated} bytes allocated");
        // Gzip, or a stream without a length: the array grows with the data, which ends after 3 bytes.
        string gzip = _temp.Write("images.idx.gz", TestData.Gzip(header.Concat(new byte[] { 1, 2, 3 }).ToArray()));
        (ex, allocated) = Measure(() => IdxLoader.ReadImages(gzip, out _, out _, out _));
        Assert.Equal($"{gzip}: truncated: expected 2000000000 bytes of pixel data (2000000000 images × 1×1), found 3.", ex.Message);
        Assert.True(allocated < FewMegabytes, $"{allocated} bytes allocated");
    }

    [Theory]
    [InlineData("400000000")]
    [InlineData("2147483647")]
    [InlineData("65536")]
    public void A_huge_label_is_refused_with_file_line_and_column_unless_Classes_allows_it(string label)
    {
        string path = _temp.Write("tiny.csv", $"0.5,0.25,1\n0.5,0.25,{label}\n");
        var (ex, allocated) = Measure(() => CsvLoader.Load<float>(path));
        Assert.Equal($"{path}, line 2, column 3: expected a class label below 65536 (the most classes inferred from the labels; set CsvOptions.Classes for more), found '{label}'.", ex.Message);
        Assert.True(allocated < FewMegabytes, $"{allocated} bytes allocated");
    }

    [Fact]
    public void The_largest_inferred_class_count_loads_and_more_classes_come_from_the_option()
    {
        string path = _temp.Write("wide.csv", "0.5,65535\n");
        Assert.Equal(CsvLoader.MaxInferredClasses, CsvLoader.Load<float>(path).ClassCount);
        string more = _temp.Write("more.csv", "0.5,70000\n");
        Assert.Equal(70001, CsvLoader.Load<float>(more, new CsvOptions { Classes = 70001 }).ClassCount);
        // Classes so large that the one-hot targets cannot be one array: refused, naming the file.
        var (ex, _) = Measure(() => CsvLoader.Load<float>(more, new CsvOptions { Classes = int.MaxValue }));
        Assert.Equal($"{more}: expected one-hot targets that fit in one array (at most {Array.MaxLength} values), found 1 rows × 2147483647 classes = 2147483647 values.", ex.Message);
    }

    private static readonly byte[] Csv = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"{i % 7},{i % 5},{i % 3}\n")));

    [Fact]
    public void A_whole_gzip_file_loads()
    {
        string path = _temp.Write("data.csv.gz", TestData.Gzip(Csv));
        Assert.Equal(200, CsvLoader.Load<float>(path).Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(9)]
    public void A_gzip_file_missing_its_last_bytes_is_refused_naming_the_file(int missing)
    {
        byte[] whole = TestData.Gzip(Csv);
        string path = _temp.Write("cut.csv.gz", whole[..^missing]);
        var (ex, _) = Measure(() => CsvLoader.Load<float>(path));
        Assert.StartsWith($"{path}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gzip", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_after_the_gzip_data_are_refused_with_expected_and_found_trailer()
    {
        byte[] whole = TestData.Gzip(Csv);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(whole.AsSpan(whole.Length - 8));
        string path = _temp.Write("padded.csv.gz", whole.Concat(Encoding.ASCII.GetBytes("garbage!")).ToArray());
        var (ex, _) = Measure(() => CsvLoader.Load<float>(path));
        uint foundCrc = BinaryPrimitives.ReadUInt32LittleEndian(Encoding.ASCII.GetBytes("garb"));
        uint foundSize = BinaryPrimitives.ReadUInt32LittleEndian(Encoding.ASCII.GetBytes("age!"));
        Assert.Equal($"{path}: the gzip trailer does not match the data: expected CRC-32 0x{crc:X8} and length {Csv.Length} in the last 8 bytes, found 0x{foundCrc:X8} and {foundSize} "
            + "(the file is truncated, has bytes after the gzip data, is corrupt, or holds several gzip members).", ex.Message);
        // The same through IdxLoader.
        byte[] labels = TestData.Gzip(TestData.Idx(IdxLoader.LabelMagic, [3], new byte[] { 1, 2, 3 }));
        string idx = _temp.Write("labels.gz", labels.Concat(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 }).ToArray());
        Assert.StartsWith($"{idx}: the gzip trailer does not match the data", Assert.Throws<InvalidDataException>(() => IdxLoader.ReadLabels(idx)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_gzip_stream_names_the_file()
    {
        byte[] whole = TestData.Gzip(Csv);
        int failures = 0;
        // Flip one byte of the compressed data at several places: each is refused, and the error names the file.
        for (int at = 10; at < whole.Length - 8; at += Math.Max(1, (whole.Length - 18) / 12))
        {
            byte[] bad = (byte[])whole.Clone();
            bad[at] ^= 0x5A;
            try
            {
                CsvLoader.Load<float>(new MemoryStream(bad), sourceName: "flipped.csv.gz");
            }
            catch (InvalidDataException ex)
            {
                Assert.StartsWith("flipped.csv.gz", ex.Message, StringComparison.Ordinal);
                failures++;
            }
        }
        Assert.True(failures >= 10, $"only {failures} flips were refused");
    }
}
