using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;
using StaticNets;
using StaticNets.Training;

namespace SemanticHashing;

/// <summary>Grids of 28 × 28 digits written as greyscale PNGs (a few dozen lines of PNG: signature, IHDR, one zlib IDAT, IEND).</summary>
internal static class Images
{
    private const int Side = 28, Gap = 4;

    /// <summary>One row per digit 0–9: the first test image of that digit, then its 12 nearest training images by Hamming distance.</summary>
    public static void Neighbours(HammingIndex index, ulong[] testCodes, Dataset<float> train, Dataset<float> test, string path)
    {
        const int Shown = 12;
        var grid = new Grid(1 + Shown, 10);
        var neighbours = new int[Shown];
        for (int digit = 0; digit < 10; digit++)
        {
            int query = 0;
            while (test.Label(query) != digit)
                query++;
            grid.Draw(0, digit, test.Input(query), extraGap: 0);
            index.Nearest(testCodes.AsSpan(query * index.Words, index.Words), neighbours);
            for (int i = 0; i < Shown; i++)
                grid.Draw(1 + i, digit, train.Input(neighbours[i]), extraGap: 2 * Gap);
        }
        grid.Save(path);
    }

    /// <summary>
    /// Ten test digits: clean (top row), with half the pixels masked (middle) and restored by the denoiser (bottom).
    /// Returns the mean squared error per image of the masked and the restored digits against the clean ones, over the first 1,000 test images.
    /// </summary>
    public static (double Masked, double Restored) Denoising(Denoiser denoiser, Dataset<float> test, string path, out string written)
    {
        const int Count = 1000;
        var masked = test.Inputs.Slice(0, Count * 784).ToArray();
        InputNoise.Masking(0.5).Apply<float>(masked, seed: 42, step: 0);
        var restored = new float[masked.Length];
        INetwork<float> net = denoiser;
        net.Forward(masked, restored, net.CreateWorkspace(Count));
        double maskedError = 0, restoredError = 0;
        var clean = test.Inputs;
        for (int i = 0; i < masked.Length; i++)
        {
            maskedError += (masked[i] - clean[i]) * (masked[i] - clean[i]);
            restoredError += (restored[i] - clean[i]) * (restored[i] - clean[i]);
        }
        var grid = new Grid(10, 3);
        for (int i = 0; i < 10; i++)
        {
            grid.Draw(i, 0, clean.Slice(i * 784, 784), 0);
            grid.Draw(i, 1, masked.AsSpan(i * 784, 784), 0);
            grid.Draw(i, 2, restored.AsSpan(i * 784, 784), 0);
        }
        written = Path.GetFullPath(path);
        grid.Save(written);
        return (maskedError / Count, restoredError / Count);
    }

    private sealed class Grid
    {
        private readonly byte[] _pixels;
        private readonly int _width, _height;

        public Grid(int columns, int rows)
        {
            _width = columns * (Side + Gap) + 3 * Gap;
            _height = rows * (Side + Gap) + Gap;
            _pixels = new byte[_width * _height];
            Array.Fill(_pixels, (byte)255);
        }

        /// <summary>Dark ink on white: pixel value 1 is black.</summary>
        public void Draw(int column, int row, ReadOnlySpan<float> image, int extraGap)
        {
            int x0 = Gap + column * (Side + Gap) + extraGap, y0 = Gap + row * (Side + Gap);
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                    _pixels[(y0 + y) * _width + x0 + x] = (byte)(255 - Math.Clamp((int)MathF.Round(image[y * Side + x] * 255), 0, 255));
        }

        public void Save(string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var file = File.Create(path);
            file.Write(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
            var header = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, _width);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), _height);
            header[8] = 8; // bit depth; colour type 0 (greyscale), deflate, no filter method, no interlace
            Chunk(file, "IHDR", header);
            using var raw = new MemoryStream();
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int y = 0; y < _height; y++)
                {
                    z.WriteByte(0); // filter: none
                    z.Write(_pixels, y * _width, _width);
                }
            }
            Chunk(file, "IDAT", raw.ToArray());
            Chunk(file, "IEND", Array.Empty<byte>());
        }

        private static void Chunk(Stream stream, string type, byte[] data)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
            stream.Write(length);
            var typed = new byte[4 + data.Length];
            Encoding.ASCII.GetBytes(type, typed);
            data.CopyTo(typed, 4);
            stream.Write(typed);
            var crc = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc(typed));
            stream.Write(crc);
        }

        private static uint Crc(byte[] bytes)
        {
            uint c = 0xFFFFFFFF;
            foreach (byte b in bytes)
            {
                c ^= b;
                for (int k = 0; k < 8; k++)
                    c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
            return ~c;
        }
    }
}
