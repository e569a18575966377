using System;
using System.IO;
using System.IO.Compression;

namespace StaticNets;

/// <summary>Opening data files: gzip is recognised by its magic bytes (0x1f 0x8b), never by the file name.</summary>
internal static class DataStreams
{
    /// <summary>Buffer size for file streams that feed the loaders.</summary>
    internal const int FileBufferSize = 1 << 16;

    /// <summary>Opens <paramref name="path"/> for one sequential read.</summary>
    internal static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize, FileOptions.SequentialScan);
    }

    /// <summary>
    /// Returns a stream of the decompressed content when <paramref name="stream"/> starts with the gzip magic,
    /// otherwise a stream of its bytes as they are. Only the returned stream needs disposing; disposing it
    /// leaves <paramref name="stream"/> open. Gzip content is verified when it ends: the last 8 bytes of the stream
    /// must be the trailer of what was decompressed (CRC-32 and length), so a truncated file, bytes after the gzip
    /// data and a corrupt stream are <see cref="InvalidDataException"/>s naming <paramref name="sourceName"/>.
    /// </summary>
    internal static Stream Decode(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
            throw new ArgumentException("The stream must be readable.", nameof(stream));
        Span<byte> head = stackalloc byte[2];
        int read = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        bool gzip = read == 2 && head[0] == 0x1f && head[1] == 0x8b;
        Stream raw;
        if (stream.CanSeek)
        {
            stream.Seek(-read, SeekOrigin.Current);
            raw = new NonClosingStream(stream, ReadOnlySpan<byte>.Empty);
        }
        else
        {
            raw = new NonClosingStream(stream, head[..read]);
        }
        return gzip ? new VerifiedGzipStream(raw, sourceName ?? "<stream>") : raw;
    }

    /// <summary>
    /// The bytes left in <paramref name="original"/> when <paramref name="decoded"/> (from <see cref="Decode"/>) reads
    /// it as it is and its length is known; null for gzip content or a stream without a length.
    /// </summary>
    internal static long? Remaining(Stream original, Stream decoded)
    {
        if (decoded is VerifiedGzipStream || !original.CanSeek)
            return null;
        try
        {
            return Math.Max(0, original.Length - original.Position);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Fills <paramref name="buffer"/> as far as the stream allows; returns the bytes read.</summary>
    internal static int ReadFully(Stream stream, Span<byte> buffer) =>
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    /// <summary>
    /// Gzip decompression that checks the trailer: <see cref="GZipStream"/> accepts a file missing its last bytes (the
    /// CRC-32 and length) and ignores bytes after the data. This stream computes the CRC-32 and length of what it
    /// decompresses, and at the end reads the compressed stream to its end and compares them with its last 8 bytes.
    /// One gzip member is expected (what gzip and <see cref="GZipStream"/> write); concatenated members are rejected.
    /// </summary>
    private sealed class VerifiedGzipStream : Stream
    {
        private readonly TailStream _compressed;
        private readonly GZipStream _gzip;
        private readonly string _source;
        private uint _crc;
        private long _length;
        private bool _verified;

        public VerifiedGzipStream(Stream raw, string source)
        {
            _compressed = new TailStream(raw);
            _gzip = new GZipStream(_compressed, CompressionMode.Decompress, leaveOpen: false);
            _source = source;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 1 ? one[0] : -1;
        }

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty)
                return 0;
            int read;
            try
            {
                read = _gzip.Read(buffer);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{_source}: corrupt gzip data after {_length} decompressed bytes: {ex.Message}", ex);
            }
            if (read > 0)
            {
                _crc = Persistence.Crc32.Append(_crc, buffer[..read]);
                _length += read;
                return read;
            }
            if (!_verified)
                Verify();
            return 0;
        }

        private void Verify()
        {
            _verified = true;
            _compressed.ReadToEnd();
            if (_compressed.Total < 18 || _compressed.TailCount < 8)
                throw new InvalidDataException($"{_source}: truncated gzip data: {_compressed.Total} bytes cannot hold a gzip header and trailer.");
            uint crc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(_compressed.Tail);
            uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(_compressed.Tail[4..]);
            if (crc != _crc || size != (uint)_length)
                throw new InvalidDataException(
                    $"{_source}: the gzip trailer does not match the data: expected CRC-32 0x{_crc:X8} and length {(uint)_length} in the last 8 bytes, found 0x{crc:X8} and {size} " +
                    "(the file is truncated, has bytes after the gzip data, is corrupt, or holds several gzip members).");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _gzip.Dispose();
            base.Dispose(disposing);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A read-only pass-through that remembers the last 8 bytes read and how many were read in all.</summary>
    private sealed class TailStream : Stream
    {
        private readonly Stream _inner;
        private readonly byte[] _tail = new byte[8];

        public TailStream(Stream inner) => _inner = inner;

        public long Total { get; private set; }

        public int TailCount => (int)Math.Min(Total, 8);

        /// <summary>The last <see cref="TailCount"/> bytes read, oldest first.</summary>
        public ReadOnlySpan<byte> Tail => _tail.AsSpan(8 - TailCount);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read = _inner.Read(buffer);
            Remember(buffer[..read]);
            return read;
        }

        /// <summary>Reads what is left of the inner stream, keeping only its last bytes.</summary>
        public void ReadToEnd()
        {
            Span<byte> scratch = stackalloc byte[4096];
            while (Read(scratch) > 0)
            {
            }
        }

        private void Remember(ReadOnlySpan<byte> data)
        {
            if (data.IsEmpty)
                return;
            if (data.Length >= 8)
            {
                data[^8..].CopyTo(_tail);
            }
            else
            {
                // Shift the kept bytes left and append the new ones.
                _tail.AsSpan(data.Length).CopyTo(_tail);
                data.CopyTo(_tail.AsSpan(8 - data.Length));
            }
            Total += data.Length;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A read-only view of a stream that first replays a few already-read bytes and never closes the inner stream.</summary>
    private sealed class NonClosingStream : Stream
    {
        private readonly Stream _inner;
        private readonly byte[] _prefix;
        private int _prefixPosition;

        public NonClosingStream(Stream inner, ReadOnlySpan<byte> prefix)
        {
            _inner = inner;
            _prefix = prefix.ToArray();
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty)
                return 0;
            int remaining = _prefix.Length - _prefixPosition;
            if (remaining > 0)
            {
                int n = Math.Min(remaining, buffer.Length);
                _prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
                _prefixPosition += n;
                return n;
            }
            return _inner.Read(buffer);
        }

        public override int ReadByte()
        {
            if (_prefixPosition < _prefix.Length)
                return _prefix[_prefixPosition++];
            return _inner.ReadByte();
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
