using System;
using System.Buffers.Binary;
using System.IO;

namespace StaticNets;

/// <summary>
/// Reads the IDX files of MNIST (and compatible sets such as Fashion-MNIST): unsigned-byte images (magic 2051) and
/// labels (magic 2049). Every header integer is a big-endian int32. Gzip-compressed and raw files are both accepted;
/// gzip is recognised by its magic bytes, not by the file name.
/// </summary>
/// <remarks>
/// The data is streamed straight into one array. Malformed files — wrong magic, a non-positive count or size, fewer
/// bytes than the header promises, or bytes after the data — throw <see cref="InvalidDataException"/> naming the
/// file and giving expected and actual values. A header never costs more memory than the file holds: a raw file's
/// length is checked before the array is allocated, and for gzip (whose trailer is verified) the array grows with
/// the data as it arrives.
/// </remarks>
public static class IdxLoader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (three dimensions): 0x00000803.</summary>
    public const int ImageMagic = 2051;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (one dimension): 0x00000801.</summary>
    public const int LabelMagic = 2049;

    /// <summary>Reads an IDX image file: <paramref name="count"/> images of <paramref name="rows"/> × <paramref name="cols"/> bytes, row-major, image after image.</summary>
    /// <param name="path">The file, raw or gzip-compressed.</param>
    /// <param name="count">The number of images.</param>
    /// <param name="rows">Rows per image.</param>
    /// <param name="cols">Columns per image.</param>
    /// <returns><c>count × rows × cols</c> pixel bytes.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX image file.</exception>
    public static byte[] ReadImages(string path, out int count, out int rows, out int cols)
    {
        using var file = DataStreams.OpenFile(path);
        return ReadImages(file, out count, out rows, out cols, path);
    }

    /// <summary>Reads IDX image data from <paramref name="stream"/> (raw or gzip-compressed), which is left open.</summary>
    /// <param name="stream">A readable stream positioned at the start of the IDX data.</param>
    /// <param name="count">The number of images.</param>
    /// <param name="rows">Rows per image.</param>
    /// <param name="cols">Columns per image.</param>
    /// <param name="sourceName">Name used in error messages; <c>&lt;stream&gt;</c> when <see langword="null"/>.</param>
    /// <returns><c>count × rows × cols</c> pixel bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidDataException">The data is not a well-formed IDX image file.</exception>
    public static byte[] ReadImages(Stream stream, out int count, out int rows, out int cols, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = sourceName ?? "<stream>";
        using var decoded = DataStreams.Decode(stream, source);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(decoded, header, ImageMagic, source);
        count = ReadPositive(header, 4, "image count", source);
        rows = ReadPositive(header, 8, "row count", source);
        cols = ReadPositive(header, 12, "column count", source);
        long total = (long)count * rows * cols;
        if (total > Array.MaxLength)
            throw new InvalidDataException($"{source}: {count} images of {rows}×{cols} are {total} bytes, more than an array can hold ({Array.MaxLength}).");
        return ReadBody(decoded, (int)total, $"pixel data ({count} images × {rows}×{cols})", source, DataStreams.Remaining(stream, decoded));
    }

    /// <summary>Reads an IDX label file: one byte per sample.</summary>
    /// <param name="path">The file, raw or gzip-compressed.</param>
    /// <returns>The labels, one byte each.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX label file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var file = DataStreams.OpenFile(path);
        return ReadLabels(file, path);
    }

    /// <summary>Reads IDX label data from <paramref name="stream"/> (raw or gzip-compressed), which is left open.</summary>
    /// <param name="stream">A readable stream positioned at the start of the IDX data.</param>
    /// <param name="sourceName">Name used in error messages; <c>&lt;stream&gt;</c> when <see langword="null"/>.</param>
    /// <returns>The labels, one byte each.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidDataException">The data is not a well-formed IDX label file.</exception>
    public static byte[] ReadLabels(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = sourceName ?? "<stream>";
        using var decoded = DataStreams.Decode(stream, source);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(decoded, header, LabelMagic, source);
        int count = ReadPositive(header, 4, "label count", source);
        if (count > Array.MaxLength)
            throw new InvalidDataException($"{source}: {count} labels are more than an array can hold ({Array.MaxLength}).");
        return ReadBody(decoded, count, $"labels ({count} labels)", source, DataStreams.Remaining(stream, decoded));
    }

    /// <summary>Bytes allocated first when the stream's length is unknown; the array doubles as the data arrives.</summary>
    private const int GrowFrom = 1 << 20;

    private static void ReadHeader(Stream stream, Span<byte> header, int expectedMagic, string source)
    {
        int read = DataStreams.ReadFully(stream, header[..4]);
        if (read < 4)
            throw new InvalidDataException($"{source}: truncated: expected a 4-byte magic number, found {read} byte(s).");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            string hint = magic switch
            {
                ImageMagic => " (an IDX image file)",
                LabelMagic => " (an IDX label file)",
                _ => "",
            };
            throw new InvalidDataException(
                $"{source}: expected IDX magic number {expectedMagic} (0x{expectedMagic:X8}), found {magic} (0x{magic:X8}){hint}.");
        }
        read += DataStreams.ReadFully(stream, header[4..]);
        if (read < header.Length)
            throw new InvalidDataException($"{source}: truncated: expected a {header.Length}-byte header, found {read} byte(s).");
    }

    private static int ReadPositive(ReadOnlySpan<byte> header, int offset, string what, string source)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(header[offset..]);
        if (value <= 0)
            throw new InvalidDataException($"{source}: expected a positive {what}, found {value}.");
        return value;
    }

    /// <summary>
    /// Reads the <paramref name="length"/> bytes the header promises. Where the stream's length is known (a raw file) a
    /// promise it cannot keep is refused before anything is allocated; otherwise (gzip, a pipe) the array grows with the
    /// data as it arrives, so a header claiming gigabytes in a small file costs no more memory than the file holds.
    /// </summary>
    private static byte[] ReadBody(Stream stream, int length, string what, string source, long? available)
    {
        if (available is long left && left < length)
            throw new InvalidDataException($"{source}: truncated: expected {length} bytes of {what}, found {left}.");
        byte[] data;
        int read;
        if (available is not null)
        {
            data = GC.AllocateUninitializedArray<byte>(length);
            read = DataStreams.ReadFully(stream, data);
        }
        else
        {
            data = GC.AllocateUninitializedArray<byte>(Math.Min(length, GrowFrom));
            read = 0;
            while (read < length)
            {
                if (read == data.Length)
                    Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
                int n = stream.Read(data.AsSpan(read));
                if (n == 0)
                    break;
                read += n;
            }
        }
        if (read < length)
            throw new InvalidDataException($"{source}: truncated: expected {length} bytes of {what}, found {read}.");
        if (stream.ReadByte() >= 0)
            throw new InvalidDataException(
                $"{source}: expected the data to end after {length} bytes of {what}, found more (is the count or size in the header wrong?).");
        return data;
    }
}
