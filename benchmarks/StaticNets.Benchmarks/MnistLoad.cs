using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>mnist-load</c>: where loading MNIST spends its time (part of the end-to-end target): the training and test
/// sets through <see cref="Datasets.Mnist{T}"/>, and apart from it the bare gzip decompression of the training
/// images and the CRC-32 the loader checks their trailer with. Best of five.
/// </summary>
internal static class MnistLoad
{
    public static int Run()
    {
        string? dir = MnistLocator.Find();
        if (dir is null)
        {
            Console.WriteLine("MNIST not found (set STATICNETS_MNIST or put the IDX files in shared/data/mnist).");
            return 1;
        }
        string images = Path.Combine(dir, "train-images-idx3-ubyte.gz");
        byte[] raw = Array.Empty<byte>();
        Time("Datasets.Mnist(train)", () => Datasets.Mnist<float>(dir, train: true));
        Time("Datasets.Mnist(test)", () => Datasets.Mnist<float>(dir, train: false));
        Time("GZipStream, train images", () =>
        {
            using var file = File.OpenRead(images);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var memory = new MemoryStream();
            gzip.CopyTo(memory);
            raw = memory.ToArray();
        });
        Time($"CRC-32 of {raw.Length / 1e6:F1} MB", () => StaticNets.Persistence.Crc32.Compute(raw));
        return 0;
    }

    private static void Time(string name, Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, (Stopwatch.GetTimestamp() - start) * 1e3 / Stopwatch.Frequency);
        }
        Console.WriteLine($"{name,-32} {best,8:F1} ms");
    }
}
