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
    /// leaves <paramref name="stream"/> open.
    /// </summary>
    internal static Stream Decode(Stream stream)
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
        return gzip ? new GZipStream(raw, CompressionMode.Decompress, leaveOpen: false) : raw;
    }

    /// <summary>Fills <paramref name="buffer"/> as far as the stream allows; returns the bytes read.</summary>
    internal static int ReadFully(Stream stream, Span<byte> buffer) =>
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

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
