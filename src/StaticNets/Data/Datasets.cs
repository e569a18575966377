using System;
using System.IO;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticNets;

/// <summary>Ready-made loaders for the standard data sets: the scikit-learn 8×8 digits and MNIST.</summary>
public static class Datasets
{
    private const int DigitsPixels = 64;
    private const int DigitsMaxPixel = 16;
    private const int MnistClasses = 10;

    /// <summary>
    /// Loads the scikit-learn "digits" CSV (<c>digits.csv.gz</c>, plain or gzip-compressed): rows of 64 pixel values
    /// 0…16 and a label 0…9, no header. Pixels are scaled to [0, 1]; targets are one-hot over 10 classes; labels are kept.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The CSV file.</param>
    /// <returns>1,797 samples for the file shipped with scikit-learn.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, has other than 64 pixel columns, or pixels outside 0…16.</exception>
    public static Dataset<T> Digits<T>(string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var data = CsvLoader.Load<T>(path, new CsvOptions { InputScale = 1.0 / DigitsMaxPixel, Classes = MnistClasses });
        if (data.InputSize != DigitsPixels)
            throw new InvalidDataException($"{path}: expected {DigitsPixels + 1} columns (64 pixels and a label), found {data.InputSize + 1}.");
        int low = TensorPrimitives.IndexOfMin(data.Inputs), high = TensorPrimitives.IndexOfMax(data.Inputs);
        foreach (int i in (ReadOnlySpan<int>)[low, high])
        {
            T v = data.Inputs[i];
            if (v < T.Zero || v > T.One)
                throw new InvalidDataException(
                    $"{path}: expected pixel values in 0…{DigitsMaxPixel}, found {double.CreateTruncating(v) * DigitsMaxPixel} (sample {i / DigitsPixels}, column {i % DigitsPixels + 1}).");
        }
        return data;
    }

    /// <summary>
    /// Loads MNIST from <paramref name="directory"/>: the training set (60,000 samples) or the test set (10,000).
    /// Looks for <c>train-images-idx3-ubyte</c> / <c>train-labels-idx1-ubyte</c> (or <c>t10k-…</c>), with or without
    /// <c>.gz</c> (the <c>train-images.idx3-ubyte</c> spelling is accepted too). Pixels are scaled to [0, 1]
    /// (divided by 255); targets are one-hot over 10 classes; labels are kept.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="directory">Folder holding the IDX files.</param>
    /// <param name="train"><see langword="true"/> for the training files, <see langword="false"/> for the test (<c>t10k</c>) files.</param>
    /// <returns>784 inputs (28×28, row-major) and 10 targets per sample.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">An image or label file is missing (the message lists the names tried).</exception>
    /// <exception cref="InvalidDataException">A file is malformed, the image and label counts differ, or a label is not 0…9.</exception>
    public static Dataset<T> Mnist<T>(string directory, bool train)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"MNIST directory not found: {directory}");
        string prefix = train ? "train" : "t10k";
        string imagesPath = Find(directory, prefix, "images", "idx3");
        string labelsPath = Find(directory, prefix, "labels", "idx1");

        byte[] pixels = IdxLoader.ReadImages(imagesPath, out int count, out int rows, out int cols);
        byte[] labelBytes = IdxLoader.ReadLabels(labelsPath);
        if (labelBytes.Length != count)
            throw new InvalidDataException(
                $"{imagesPath} holds {count} images but {labelsPath} holds {labelBytes.Length} labels; expected equal counts.");

        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = labelBytes[i];
            if (label >= MnistClasses)
                throw new InvalidDataException($"{labelsPath}: expected labels 0…9, found {label} at index {i}.");
            labels[i] = label;
        }

        T[] inputs = ScalePixels<T>(pixels);
        return Dataset<T>.CreateTrusted(inputs, rows * cols, OneHot.Encode<T>(labels, MnistClasses), MnistClasses, labels);
    }

    /// <summary>
    /// Each pixel p becomes the exactly rounded p / 255 (so 255 maps to exactly 1), through a 256-entry table.
    /// Compiled fully optimised at once: it typically runs once per process, so tiered compilation would
    /// otherwise start its 47-million-step loop in unoptimised code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T[] ScalePixels<T>(byte[] pixels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> table = stackalloc T[256];
        for (int p = 0; p < table.Length; p++)
            table[p] = T.CreateTruncating(p) / T.CreateTruncating(255);
        var inputs = GC.AllocateUninitializedArray<T>(pixels.Length);
        for (int i = 0; i < pixels.Length; i++)
            inputs[i] = table[pixels[i]];
        return inputs;
    }

    private static string Find(string directory, string prefix, string kind, string idx)
    {
        string[] names =
        [
            $"{prefix}-{kind}-{idx}-ubyte.gz",
            $"{prefix}-{kind}-{idx}-ubyte",
            $"{prefix}-{kind}.{idx}-ubyte.gz",
            $"{prefix}-{kind}.{idx}-ubyte",
        ];
        foreach (string name in names)
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException($"No MNIST {kind} file in {directory}; expected one of: {string.Join(", ", names)}.", Path.Combine(directory, names[0]));
    }
}
