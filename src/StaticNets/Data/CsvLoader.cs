using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Text;

namespace StaticNets;

/// <summary>
/// Loads numeric CSV files into a <see cref="Dataset{T}"/>. Gzip-compressed input is recognised by its magic bytes
/// (0x1f 0x8b), whatever the file is called. Numbers are parsed with the invariant culture (<c>.</c> decimal point).
/// </summary>
/// <remarks>
/// <para>Every row must have the same number of columns (set by the first data row). Blank lines are skipped, and
/// so are the first <see cref="CsvOptions.SkipLines"/> lines. Fields are not quoted. A header (<see cref="CsvOptions.HasHeader"/>)
/// holds column names, or is scikit-learn's <c>n_samples,n_features,class names…</c> line (see there).</para>
/// <para>Problems in the content throw <see cref="InvalidDataException"/> whose message names the file, the line
/// and column (both 1-based), what was expected and what was found — e.g. <c>digits.csv, line 12: expected 65
/// columns, found 64.</c></para>
/// </remarks>
public static partial class CsvLoader
{
    private const int MaxShownField = 40;

    /// <summary>
    /// The most classes inferred from the labels when <see cref="CsvOptions.Classes"/> is not set (labels 0 to 65535):
    /// a stray large label is reported with its line and column instead of allocating a one-hot target of that width.
    /// Set <see cref="CsvOptions.Classes"/> for more classes.
    /// </summary>
    public const int MaxInferredClasses = 65536;

    /// <summary>Loads the CSV file at <paramref name="path"/>, plain or gzip-compressed.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="options">The layout; <see langword="null"/> means <see cref="CsvOptions.Default"/>.</param>
    /// <returns>The data set; labelled in classification, with one-hot targets.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or <paramref name="options"/> are inconsistent.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The content is malformed (the message names file, line and column).</exception>
    public static Dataset<T> Load<T>(string path, CsvOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (options ?? CsvOptions.Default).Validate(nameof(options));
        using var file = DataStreams.OpenFile(path);
        return Load<T>(file, options, path);
    }

    /// <summary>Loads CSV data from <paramref name="stream"/>, plain or gzip-compressed. The stream is read to its end and left open.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="stream">A readable stream, UTF-8 (a byte-order mark is honoured).</param>
    /// <param name="options">The layout; <see langword="null"/> means <see cref="CsvOptions.Default"/>.</param>
    /// <param name="sourceName">Name used in error messages (e.g. the file name); <c>&lt;stream&gt;</c> when <see langword="null"/>.</param>
    /// <returns>The data set; labelled in classification, with one-hot targets.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are inconsistent.</exception>
    /// <exception cref="InvalidDataException">The content is malformed (the message names source, line and column).</exception>
    public static Dataset<T> Load<T>(Stream stream, CsvOptions? options = null, string? sourceName = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= CsvOptions.Default;
        options.Validate(nameof(options));
        string source = sourceName ?? "<stream>";
        using var decoded = DataStreams.Decode(stream, source);
        using var reader = new StreamReader(decoded, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return Parse<T>(reader, options, source);
    }

    private static Dataset<T> Parse<T>(TextReader reader, CsvOptions options, string source)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool regression = options.RegressionTargets > 0;
        int targetColumns = regression ? options.RegressionTargets : 1;
        char separator = options.Separator;
        double scale = options.InputScale;

        int columns = -1, firstTarget = 0, inputSize = 0;
        var inputs = new Growable<T>();
        var targets = new Growable<T>();
        var labels = new List<int>();
        int maxLabel = -1;
        bool headerPending = options.HasHeader;
        CsvHeader? header = null;
        var names = ClassNameMap.For(options);
        int lineNumber = 0;

        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (lineNumber <= options.SkipLines || string.IsNullOrWhiteSpace(line))
                continue;
            if (headerPending)
            {
                headerPending = false;
                header = new CsvHeader(lineNumber, line, separator);
                continue;
            }
            ReadOnlySpan<char> rest = line;
            int fields = rest.Count(separator) + 1;
            if (columns < 0)
            {
                columns = fields;
                inputSize = columns - targetColumns;
                string what = regression ? $"{targetColumns} target column(s)" : "a label column";
                if (inputSize < 1)
                    throw Error(source, lineNumber, null, $"at least {targetColumns + 1} columns ({what} and at least one input)", $"{columns}");
                header?.Interpret(columns, inputSize, options, source);
                firstTarget = TargetColumn(options, header, columns, targetColumns, source, lineNumber, what);
                names?.UseHeader(header, source);
            }
            else if (fields != columns)
            {
                throw Error(source, lineNumber, null, $"{columns} columns", $"{fields}");
            }

            for (int column = 0; column < columns; column++)
            {
                int end = rest.IndexOf(separator);
                ReadOnlySpan<char> field = (end < 0 ? rest : rest[..end]).Trim();
                rest = end < 0 ? ReadOnlySpan<char>.Empty : rest[(end + 1)..];
                bool isTarget = column >= firstTarget && column < firstTarget + targetColumns;
                if (isTarget && !regression)
                {
                    int label = names is not null
                        ? names.Index(field, source, lineNumber, column)
                        : IntegerLabel(field, options.Classes ?? header?.ClassNames?.Length, header?.ClassNames is not null && options.Classes is null, source, lineNumber, column);
                    labels.Add(label);
                    maxLabel = Math.Max(maxLabel, label);
                }
                else
                {
                    if (field.IsEmpty)
                        throw Error(source, lineNumber, column, "a number", "an empty field");
                    if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                        throw Error(source, lineNumber, column, "a number", Show(field));
                    T value = T.CreateTruncating(isTarget ? number : number * scale);
                    if (!T.IsFinite(value))
                        throw Error(source, lineNumber, column, isTarget ? "a finite number" : "a finite number (after InputScale)", Show(field));
                    if (isTarget)
                        targets.Add(value);
                    else
                        inputs.Add(value);
                }
            }
        }

        int count = inputSize == 0 ? 0 : inputs.Count / inputSize;
        if (count == 0)
            throw new InvalidDataException($"{source}: expected at least one data row, found none ({lineNumber} line(s) read).");
        header?.CheckSamples(count, source);
        if (regression)
            return Dataset<T>.CreateTrusted(inputs.ToArray(), inputSize, targets.ToArray(), targetColumns, null);
        int[] labelArray = labels.ToArray();
        string[]? classNames = names is not null ? names.Finish(labelArray, options.Classes, source) : header?.ClassNames;
        int classCount = options.Classes ?? Math.Max(2, classNames is not null ? classNames.Length : maxLabel + 1);
        if ((long)count * classCount > Array.MaxLength)
            throw new InvalidDataException($"{source}: expected one-hot targets that fit in one array (at most {Array.MaxLength} values), found {count} rows × {classCount} classes = {(long)count * classCount} values.");
        return Dataset<T>.CreateTrusted(inputs.ToArray(), inputSize, OneHot.Encode<T>(labelArray, classCount), classCount, labelArray, classNames);
    }

    private static string Show(ReadOnlySpan<char> field) =>
        field.Length <= MaxShownField ? $"'{field}'" : $"'{field[..MaxShownField]}…' ({field.Length} characters)";

    private static InvalidDataException Error(string source, int line, int? column, string expected, string found) =>
        new(column is int c
            ? $"{source}, line {line}, column {c + 1}: expected {expected}, found {found}."
            : $"{source}, line {line}: expected {expected}, found {found}.");

    /// <summary>An append-only list over a plain array, so the values end up contiguous without boxing.</summary>
    private sealed class Growable<TValue>
    {
        private TValue[] _items = new TValue[1024];

        public int Count { get; private set; }

        public void Add(TValue value)
        {
            if (Count == _items.Length)
                Array.Resize(ref _items, checked(_items.Length * 2));
            _items[Count++] = value;
        }

        public TValue[] ToArray() => _items.AsSpan(0, Count).ToArray();
    }
}
