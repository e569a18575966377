using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets;

/// <summary>
/// A network with a named code layer (<c>[Network(…, Code = "code")]</c> with <c>[Dense(32, Activation.Sigmoid, Name = "code")]</c>):
/// <see cref="Encode(ReadOnlySpan{T}, Span{T})"/> runs the input up to and including that layer, as the full forward
/// pass would, and writes its activations — an autoencoder's code. The generator implements it.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IEncoder<T> : INetwork<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Values of one sample's code: the code layer's outputs.</summary>
    int CodeSize { get; }

    /// <summary>Index of the code layer in <see cref="NetworkInfo.Layers"/>.</summary>
    int CodeLayer { get; }

    /// <summary>Encodes one sample. Allocates nothing after a thread's first call; safe to call from many threads at once.</summary>
    /// <param name="input">Exactly <see cref="INetwork{T}.InputSize"/> values.</param>
    /// <param name="code">Exactly <see cref="CodeSize"/> values, overwritten.</param>
    void Encode(ReadOnlySpan<T> input, Span<T> code);

    /// <summary>Encodes a batch, row-major, on the caller's workspace (from <see cref="INetwork{T}.CreateWorkspace"/>). Allocates nothing.</summary>
    /// <param name="inputs">A whole number of samples, at most the workspace's capacity.</param>
    /// <param name="codes">Exactly one code of <see cref="CodeSize"/> values per sample, overwritten.</param>
    /// <param name="workspace">A workspace of this network.</param>
    void Encode(ReadOnlySpan<T> inputs, Span<T> codes, INetworkWorkspace<T> workspace);
}

/// <summary>Helpers over <see cref="IEncoder{T}"/>: whole data sets to codes, and to packed binary codes.</summary>
public static class Encoders
{
    /// <summary>The codes of every row of <paramref name="inputs"/>, in batches of <paramref name="batchSize"/> on one workspace.</summary>
    /// <param name="encoder">The network.</param>
    /// <param name="inputs">A whole number of samples, row-major.</param>
    /// <param name="batchSize">Samples per batch (default 256).</param>
    /// <returns>One code of <see cref="IEncoder{T}.CodeSize"/> values per sample, row-major.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> is not whole samples.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T[] EncodeAll<T>(this IEncoder<T> encoder, ReadOnlySpan<T> inputs, int batchSize = 256) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(encoder);
        int n = encoder.InputSize, c = encoder.CodeSize;
        if (inputs.Length % n != 0)
            throw new ArgumentException($"Expected a whole number of samples of {n} inputs, actual {inputs.Length} values.", nameof(inputs));
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"Expected a batch size of at least 1, actual {batchSize}.");
        int count = inputs.Length / n;
        var codes = new T[(long)count * c];
        var workspace = encoder.CreateWorkspace(Math.Min(batchSize, Math.Max(1, count)));
        for (int start = 0; start < count; start += batchSize)
        {
            int m = Math.Min(batchSize, count - start);
            encoder.Encode(inputs.Slice(start * n, m * n), codes.AsSpan(start * c, m * c), workspace);
        }
        return codes;
    }

    /// <summary>The codes of every row, thresholded at <paramref name="threshold"/> and packed (<see cref="BinaryCodes.Pack{T}(ReadOnlySpan{T}, int, Span{ulong}, double)"/>).</summary>
    /// <returns>⌈CodeSize / 64⌉ words per sample.</returns>
    public static ulong[] EncodeBits<T>(this IEncoder<T> encoder, ReadOnlySpan<T> inputs, double threshold = 0.5, int batchSize = 256) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var codes = EncodeAll(encoder, inputs, batchSize);
        int c = encoder.CodeSize, words = BinaryCodes.WordsFor(c);
        var bits = new ulong[(long)(codes.Length / c) * words];
        BinaryCodes.Pack<T>(codes, c, bits, threshold);
        return bits;
    }
}
