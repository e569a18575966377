using System;
using System.Collections.Generic;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StaticNets;

/// <summary>
/// An immutable set of samples for training and evaluation: inputs and targets stored row-major in two contiguous
/// arrays (sample after sample), plus optional class labels.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>, matching the network's precision.</typeparam>
/// <remarks>
/// <para>The constructor keeps the arrays it is given (no copy), so a large data set is held once; do not change
/// them afterwards. It validates everything up front: sizes, lengths, finiteness and label range.</para>
/// <para><see cref="Label(int)"/> gives the class of a sample for accuracy and confusion matrices: the stored label
/// when there are labels, otherwise the arg-max of the target row, or for one target <c>target ≥ 0.5 ? 1 : 0</c>.</para>
/// <para>Nothing changes after construction, so one instance may be read from many threads at once.</para>
/// </remarks>
public sealed class Dataset<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _inputs;
    private readonly T[] _targets;
    private readonly int[]? _labels;

    /// <summary>Creates a data set from row-major inputs and targets, validating every value.</summary>
    /// <param name="inputs"><c>Count × inputSize</c> values, sample after sample; kept, not copied.</param>
    /// <param name="inputSize">Values per input row; at least 1.</param>
    /// <param name="targets"><c>Count × targetSize</c> values, sample after sample; kept, not copied.</param>
    /// <param name="targetSize">Values per target row; at least 1.</param>
    /// <param name="labels">
    /// Optional class index per sample (<c>Count</c> of them; kept, not copied), in [0, <paramref name="targetSize"/>)
    /// — or in {0, 1} when <paramref name="targetSize"/> is 1.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or <paramref name="targets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or a label is out of range.</exception>
    /// <exception cref="ArgumentException">
    /// An array is not a whole number of rows, the arrays disagree on the number of samples, there are no samples,
    /// or a value is NaN or infinite (the message names the array, the sample and the column).
    /// </exception>
    public Dataset(T[] inputs, int inputSize, T[] targets, int targetSize, int[]? labels = null)
    {
        int count = CountRows(inputs, inputSize, nameof(inputs), nameof(inputSize));
        ArgumentNullException.ThrowIfNull(targets);
        if (targetSize < 1)
            throw new ArgumentOutOfRangeException(nameof(targetSize), targetSize, $"Expected a target size of at least 1, actual {targetSize}.");
        long expectedTargets = (long)count * targetSize;
        if (targets.Length != expectedTargets)
            throw new ArgumentException(
                $"Expected {expectedTargets} target values ({count} samples × targetSize {targetSize}, to match the inputs), actual {targets.Length}.",
                nameof(targets));
        if (labels is not null)
            CheckLabels(labels, count, targetSize);
        CheckFinite(inputs, inputSize, nameof(inputs));
        CheckFinite(targets, targetSize, nameof(targets));
        _inputs = inputs;
        _targets = targets;
        _labels = labels;
        InputSize = inputSize;
        TargetSize = targetSize;
        Count = count;
    }

    /// <summary>For data already known to be valid (subsets of a data set, loader output): no checks.</summary>
    private Dataset(T[] inputs, int inputSize, T[] targets, int targetSize, int[]? labels, int count)
    {
        _inputs = inputs;
        _targets = targets;
        _labels = labels;
        InputSize = inputSize;
        TargetSize = targetSize;
        Count = count;
    }

    /// <summary>Number of samples; at least 1.</summary>
    public int Count { get; }

    /// <summary>Values per input row.</summary>
    public int InputSize { get; }

    /// <summary>Values per target row.</summary>
    public int TargetSize { get; }

    /// <summary>Number of classes <see cref="Label(int)"/> ranges over: <see cref="TargetSize"/>, or 2 when it is 1.</summary>
    public int ClassCount => Math.Max(TargetSize, 2);

    /// <summary>Whether a class label is stored per sample.</summary>
    public bool HasLabels => _labels is not null;

    /// <summary>The stored labels, one per sample; empty when <see cref="HasLabels"/> is <see langword="false"/>.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>
    /// The name of each class by index, when the loader knew them (<see cref="CsvLoader"/> with string class labels, or
    /// the class names of a scikit-learn header); <see langword="null"/> otherwise. Subsets and splits keep them.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; internal init; }

    /// <summary>All input rows, row-major: <see cref="Count"/> × <see cref="InputSize"/> values.</summary>
    public ReadOnlySpan<T> Inputs => _inputs;

    /// <summary>All target rows, row-major: <see cref="Count"/> × <see cref="TargetSize"/> values.</summary>
    public ReadOnlySpan<T> Targets => _targets;

    /// <summary>The input row of sample <paramref name="index"/>.</summary>
    /// <param name="index">Sample index in [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public ReadOnlySpan<T> Input(int index)
    {
        CheckIndex(index);
        return new ReadOnlySpan<T>(_inputs, index * InputSize, InputSize);
    }

    /// <summary>The target row of sample <paramref name="index"/>.</summary>
    /// <param name="index">Sample index in [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public ReadOnlySpan<T> Target(int index)
    {
        CheckIndex(index);
        return new ReadOnlySpan<T>(_targets, index * TargetSize, TargetSize);
    }

    /// <summary>
    /// The class of sample <paramref name="index"/>: the stored label if there are labels, otherwise the arg-max of
    /// its target row (first on ties), or for a single target <c>target ≥ 0.5 ? 1 : 0</c>.
    /// </summary>
    /// <param name="index">Sample index in [0, <see cref="Count"/>).</param>
    /// <returns>A class in [0, <see cref="ClassCount"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public int Label(int index)
    {
        CheckIndex(index);
        if (_labels is not null)
            return _labels[index];
        if (TargetSize == 1)
            return _targets[index] >= T.One / (T.One + T.One) ? 1 : 0;
        return OneHot.ArgMax<T>(new ReadOnlySpan<T>(_targets, index * TargetSize, TargetSize));
    }

    /// <summary>
    /// Splits the samples at random into a training and a test set. The split is stratified by <see cref="Label(int)"/>
    /// when the data has classes (labels, or more than one target), so each class keeps its share in both parts;
    /// the order inside each part is shuffled too. Equal seeds give equal splits (it draws from <see cref="SplitMix64"/>).
    /// </summary>
    /// <param name="trainFraction">Share of samples for training, in (0, 1); the training set gets
    /// <c>round(Count × trainFraction)</c> samples, kept between 1 and <c>Count − 1</c>.</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <returns>Two disjoint data sets that together hold every sample once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainFraction"/> is not strictly between 0 and 1.</exception>
    /// <exception cref="InvalidOperationException">The data set has a single sample.</exception>
    public (Dataset<T> Train, Dataset<T> Test) Split(double trainFraction, int seed)
    {
        if (!(trainFraction > 0 && trainFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, $"Expected a fraction strictly between 0 and 1, actual {trainFraction}.");
        if (Count < 2)
            throw new InvalidOperationException($"Splitting needs at least 2 samples; this data set has {Count}.");
        int trainCount = (int)Math.Clamp(Math.Round(Count * trainFraction, MidpointRounding.AwayFromZero), 1, Count - 1);

        bool stratify = _labels is not null || (TargetSize > 1 && !IsAutoencoding);
        int classes = stratify ? ClassCount : 1;
        var perClass = new int[classes];
        var classOf = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            int c = stratify ? Label(i) : 0;
            classOf[i] = c;
            perClass[c]++;
        }

        // Group the sample indices by class (a counting sort keeps index order inside a class), then shuffle each group.
        var start = new int[classes + 1];
        for (int c = 0; c < classes; c++)
            start[c + 1] = start[c] + perClass[c];
        var next = (int[])start.Clone();
        var grouped = new int[Count];
        for (int i = 0; i < Count; i++)
            grouped[next[classOf[i]]++] = i;
        var rng = new SplitMix64(seed);
        for (int c = 0; c < classes; c++)
            Shuffle.FisherYates(grouped.AsSpan(start[c], perClass[c]), rng);

        // Each class gives floor(n_c × trainCount / Count) samples; the remainder goes to the classes with the
        // largest fractional parts (lowest class first on ties), so the total is exactly trainCount.
        var take = new int[classes];
        var fraction = new long[classes];
        int assigned = 0;
        for (int c = 0; c < classes; c++)
        {
            long scaled = (long)perClass[c] * trainCount;
            take[c] = (int)(scaled / Count);
            fraction[c] = scaled % Count;
            assigned += take[c];
        }
        var byFraction = new int[classes];
        Shuffle.Identity(byFraction);
        Array.Sort(byFraction, (a, b) => fraction[a] != fraction[b] ? fraction[b].CompareTo(fraction[a]) : a.CompareTo(b));
        for (int k = 0; assigned < trainCount; k++, assigned++)
            take[byFraction[k]]++;

        var train = new int[trainCount];
        var test = new int[Count - trainCount];
        int t = 0, s = 0;
        for (int c = 0; c < classes; c++)
        {
            var group = grouped.AsSpan(start[c], perClass[c]);
            group[..take[c]].CopyTo(train.AsSpan(t));
            t += take[c];
            group[take[c]..].CopyTo(test.AsSpan(s));
            s += group.Length - take[c];
        }
        Shuffle.FisherYates(train, rng);
        Shuffle.FisherYates(test, rng);
        return (SubsetUnchecked(train), SubsetUnchecked(test));
    }

    /// <summary>A new data set of the given samples, in the given order (repeats allowed); rows are copied.</summary>
    /// <param name="indices">At least one sample index, each in [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (the message gives its position and value).</exception>
    public Dataset<T> Subset(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty)
            throw new ArgumentException("Expected at least one sample index, actual 0; an empty data set is not allowed.", nameof(indices));
        CheckIndices(indices);
        return SubsetUnchecked(indices);
    }

    /// <summary>A new data set of the first <paramref name="count"/> samples; rows are copied.</summary>
    /// <param name="count">Number of samples, in [1, <see cref="Count"/>].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is out of range.</exception>
    public Dataset<T> Take(int count)
    {
        if (count < 1 || count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected a count in [1, {Count}], actual {count}.");
        var inputs = _inputs.AsSpan(0, count * InputSize).ToArray();
        return new Dataset<T>(
            inputs, InputSize,
            IsAutoencoding ? inputs : _targets.AsSpan(0, count * TargetSize).ToArray(), TargetSize,
            _labels?.AsSpan(0, count).ToArray(), count) { ClassNames = ClassNames };
    }

    /// <summary>
    /// Copies the input and target rows of the given samples, in order, into contiguous row-major buffers — a
    /// mini-batch for <see cref="INetwork{T}.Backward(System.ReadOnlySpan{T}, System.ReadOnlySpan{T}, System.Span{T}, INetworkWorkspace{T})"/>. Allocates nothing.
    /// </summary>
    /// <param name="indices">Sample indices, each in [0, <see cref="Count"/>).</param>
    /// <param name="inputs">Exactly <c>indices.Length × InputSize</c> values.</param>
    /// <param name="targets">Exactly <c>indices.Length × TargetSize</c> values.</param>
    /// <exception cref="ArgumentException">A buffer's length is not the expected one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (the message gives its position and value).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyBatch(ReadOnlySpan<int> indices, Span<T> inputs, Span<T> targets)
    {
        if (inputs.Length != (long)indices.Length * InputSize)
            ThrowBufferLength(nameof(inputs), indices.Length, InputSize, "InputSize", inputs.Length);
        if (targets.Length != (long)indices.Length * TargetSize)
            ThrowBufferLength(nameof(targets), indices.Length, TargetSize, "TargetSize", targets.Length);
        int inputSize = InputSize, targetSize = TargetSize;
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count)
                ThrowIndex(nameof(indices), k, i, Count);
            new ReadOnlySpan<T>(_inputs, i * inputSize, inputSize).CopyTo(inputs.Slice(k * inputSize, inputSize));
            new ReadOnlySpan<T>(_targets, i * targetSize, targetSize).CopyTo(targets.Slice(k * targetSize, targetSize));
        }
    }

    /// <summary>
    /// A classification data set: inputs plus a label per sample; the targets are the labels one-hot encoded
    /// (<see cref="OneHot.Encode{T}(ReadOnlySpan{int}, int)"/>) and the labels are kept.
    /// </summary>
    /// <param name="inputs"><c>Count × inputSize</c> values; kept, not copied.</param>
    /// <param name="inputSize">Values per input row; at least 1.</param>
    /// <param name="labels">One class per sample, each in [0, <paramref name="classes"/>); kept, not copied.</param>
    /// <param name="classes">Number of classes (the target size); at least 2.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or <paramref name="labels"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range, or a label is.</exception>
    /// <exception cref="ArgumentException">The inputs are not whole rows, are empty, disagree with the number of labels, or hold NaN or ∞.</exception>
    public static Dataset<T> FromLabels(T[] inputs, int inputSize, int[] labels, int classes)
    {
        int count = CountRows(inputs, inputSize, nameof(inputs), nameof(inputSize));
        ArgumentNullException.ThrowIfNull(labels);
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"Expected at least 2 classes, actual {classes}.");
        CheckLabels(labels, count, classes);
        CheckFinite(inputs, inputSize, nameof(inputs));
        return new Dataset<T>(inputs, inputSize, OneHot.Encode<T>(labels, classes), classes, labels, count);
    }

    /// <summary>
    /// An unlabelled data set for an autoencoder: each sample's target is its own input. The targets are the inputs
    /// array itself (<see cref="IsAutoencoding"/>), so the data is held once; <see cref="Subset"/>, <see cref="Take"/>
    /// and <see cref="Split"/> keep the aliasing. Training copies each mini-batch into separate input and target
    /// buffers, so input noise (<see cref="Training.FitOptions{T}.InputNoise"/>) never reaches the targets.
    /// </summary>
    /// <param name="inputs"><c>Count × inputSize</c> values, sample after sample; kept, not copied.</param>
    /// <param name="inputSize">Values per row; at least 1. The network must have as many outputs as inputs.</param>
    /// <param name="labels">Optional class per sample (kept, not copied), for evaluating the codes (retrieval precision), not for training; each in [0, max(<paramref name="inputSize"/>, 2)).</param>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputSize"/> is less than 1, or a label is negative.</exception>
    /// <exception cref="ArgumentException">The inputs are not whole rows, are empty, hold NaN or ∞, or disagree with the number of labels.</exception>
    public static Dataset<T> Unlabelled(T[] inputs, int inputSize, int[]? labels = null)
    {
        int count = CountRows(inputs, inputSize, nameof(inputs), nameof(inputSize));
        CheckFinite(inputs, inputSize, nameof(inputs));
        if (labels is not null)
            CheckLabels(labels, count, inputSize);
        return new Dataset<T>(inputs, inputSize, inputs, inputSize, labels, count);
    }

    /// <summary>Whether the targets are the inputs themselves (one array, from <see cref="Unlabelled"/>): a data set for an autoencoder.</summary>
    public bool IsAutoencoding => ReferenceEquals(_inputs, _targets);

    /// <summary>For loaders whose output is valid by construction: no checks, no copies.</summary>
    internal static Dataset<T> CreateTrusted(T[] inputs, int inputSize, T[] targets, int targetSize, int[]? labels, IReadOnlyList<string>? classNames = null) =>
        new(inputs, inputSize, targets, targetSize, labels, inputs.Length / inputSize) { ClassNames = classNames };

    /// <summary>A one-line description, e.g. <c>Dataset&lt;Single&gt;: 1797 samples, 64 inputs, 10 targets, labelled</c>.</summary>
    public override string ToString() =>
        $"Dataset<{typeof(T).Name}>: {Count} samples, {InputSize} inputs, {TargetSize} targets{(HasLabels ? ", labelled" : "")}";

    private Dataset<T> SubsetUnchecked(ReadOnlySpan<int> indices)
    {
        var inputs = new T[indices.Length * InputSize];
        T[] targets;
        if (IsAutoencoding)
        {
            // Targets stay the inputs: one copy of the rows, not two.
            targets = inputs;
            for (int k = 0; k < indices.Length; k++)
                new ReadOnlySpan<T>(_inputs, indices[k] * InputSize, InputSize).CopyTo(inputs.AsSpan(k * InputSize, InputSize));
        }
        else
        {
            targets = new T[indices.Length * TargetSize];
            CopyBatch(indices, inputs, targets);
        }
        int[]? labels = null;
        if (_labels is not null)
        {
            labels = new int[indices.Length];
            for (int k = 0; k < indices.Length; k++)
                labels[k] = _labels[indices[k]];
        }
        return new Dataset<T>(inputs, InputSize, targets, TargetSize, labels, indices.Length) { ClassNames = ClassNames };
    }

    private static int CountRows(T[] values, int rowSize, string valuesName, string rowSizeName)
    {
        ArgumentNullException.ThrowIfNull(values, valuesName);
        if (rowSize < 1)
            throw new ArgumentOutOfRangeException(rowSizeName, rowSize, $"Expected a size of at least 1, actual {rowSize}.");
        if (values.Length % rowSize != 0)
            throw new ArgumentException(
                $"Expected a whole number of rows of {rowSizeName} {rowSize} (a multiple of {rowSize} values), actual {values.Length} values.",
                valuesName);
        if (values.Length == 0)
            throw new ArgumentException("Expected at least one sample, actual 0; an empty data set is not allowed.", valuesName);
        return values.Length / rowSize;
    }

    private static void CheckLabels(int[] labels, int count, int targetSize)
    {
        if (labels.Length != count)
            throw new ArgumentException($"Expected one label per sample ({count}), actual {labels.Length}.", nameof(labels));
        int classes = Math.Max(targetSize, 2);
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"labels[{i}] is {labels[i]}; expected a class in [0, {classes}).");
        }
    }

    private static void CheckFinite(T[] values, int rowSize, string name)
    {
        if (TensorPrimitives.IsFiniteAll<T>(values))
            return;
        for (int i = 0; i < values.Length; i++)
        {
            T v = values[i];
            if (!T.IsFinite(v))
            {
                string what = T.IsNaN(v) ? "NaN" : T.IsNegative(v) ? "-Infinity" : "+Infinity";
                throw new ArgumentException(
                    $"Expected finite values, but {name} holds {what} at sample {i / rowSize}, column {i % rowSize}.", name);
            }
        }
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a sample index in [0, {Count}), actual {index}.");
    }

    private void CheckIndices(ReadOnlySpan<int> indices)
    {
        for (int k = 0; k < indices.Length; k++)
        {
            if ((uint)indices[k] >= (uint)Count)
                ThrowIndex(nameof(indices), k, indices[k], Count);
        }
    }

    private static void ThrowBufferLength(string name, int samples, int rowSize, string rowName, int actual) =>
        throw new ArgumentException($"Expected {(long)samples * rowSize} values ({samples} samples × {rowName} {rowSize}), actual {actual}.", name);

    private static void ThrowIndex(string name, int position, int value, int count) =>
        throw new ArgumentOutOfRangeException(name, value, $"{name}[{position}] is {value}; expected a sample index in [0, {count}).");
}
