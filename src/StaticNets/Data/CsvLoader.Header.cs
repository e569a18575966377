using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace StaticNets;

// The header, label-column and class-name rules of CsvOptions (HasHeader, SkipLines, LabelColumn(Name),
// MapClassNames, ClassNames), kept apart from the row loop of CsvLoader.cs.
public static partial class CsvLoader
{
    private const int MaxShownNames = 8;

    /// <summary>The zero-based first target column: by header name, by index, or counted from the end when negative.</summary>
    private static int TargetColumn(CsvOptions options, CsvHeader? header, int columns, int targetColumns, string source, int line, string what)
    {
        int first;
        string given;
        if (options.LabelColumnName is string name)
        {
            first = header!.IndexOf(name, source);
            given = $"LabelColumnName '{name.Trim()}' at zero-based column {first}";
        }
        else
        {
            first = options.LabelColumn >= 0 ? options.LabelColumn : columns + options.LabelColumn + 1 - targetColumns;
            given = $"LabelColumn {options.LabelColumn}";
        }
        if (first < 0 || first + targetColumns > columns)
            throw Error(source, line, null, $"{what} starting at zero-based column {first} ({given}) to fit in the row", $"{columns} columns");
        return first;
    }

    /// <summary>An integer class label, in [0, classes) when the count is known.</summary>
    private static int IntegerLabel(ReadOnlySpan<char> field, int? classes, bool fromHeader, string source, int line, int column)
    {
        if (!int.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int label))
            throw Error(source, line, column, "an integer class label", Show(field) + " (set MapClassNames = true for class names)");
        if (label < 0 || (classes is int c && label >= c))
            throw Error(source, line, column,
                classes is int n ? $"a class label in [0, {n}){(fromHeader ? $" (the header names {n} classes)" : "")}" : "a non-negative class label", Show(field));
        if (classes is null && label >= MaxInferredClasses)
            throw Error(source, line, column,
                $"a class label below {MaxInferredClasses} (the most classes inferred from the labels; set CsvOptions.Classes for more)", Show(field));
        return label;
    }

    private static string ShowNames(IReadOnlyList<string> names)
        => string.Join(", ", names.Take(MaxShownNames).Select(n => $"'{n}'")) + (names.Count > MaxShownNames ? $", … ({names.Count} in all)" : "");

    /// <summary>
    /// The header line: column names when it has as many fields as the rows, or scikit-learn's
    /// <c>n_samples,n_features[,class names…]</c> line (two integers, n_features equal to the input columns), whatever its length.
    /// </summary>
    private sealed class CsvHeader
    {
        private readonly string _text;
        private int? _samples;

        public CsvHeader(int line, string text, char separator)
        {
            Line = line;
            _text = text;
            Fields = text.Split(separator).Select(f => f.Trim()).ToArray();
        }

        public int Line { get; }

        public string[] Fields { get; }

        /// <summary>The class names of a scikit-learn header (null when it names none, or is a header of column names).</summary>
        public string[]? ClassNames { get; private set; }

        /// <summary>Whether it is a header of column names.</summary>
        public bool HasColumnNames { get; private set; }

        /// <summary>Decides which kind of header this is from the first data row's width; throws when it is neither.</summary>
        public void Interpret(int columns, int inputs, CsvOptions options, string source)
        {
            int samples = 0, features = 0;
            bool shape = Fields.Length >= 2
                && int.TryParse(Fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out samples)
                && int.TryParse(Fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out features);
            if (shape && features == inputs)
            {
                _samples = samples;
                if (Fields.Length > 2)
                {
                    ClassNames = Fields[2..];
                    for (int i = 0; i < ClassNames.Length; i++)
                    {
                        if (ClassNames[i].Length == 0 || Array.IndexOf(ClassNames, ClassNames[i]) != i)
                            throw Error(source, Line, i + 2, "distinct, non-blank class names after n_samples and n_features", ClassNames[i].Length == 0 ? "an empty field" : $"'{ClassNames[i]}' twice");
                    }
                    if (options.Classes is int c && c < ClassNames.Length)
                        throw Error(source, Line, null, $"at most {c} class names (Classes = {c})", $"{ClassNames.Length}: {ShowNames(ClassNames)}");
                }
                return;
            }
            if (Fields.Length == columns)
            {
                HasColumnNames = true;
                return;
            }
            throw shape
                ? Error(source, Line, null, $"scikit-learn's 'n_samples,n_features,…' header with n_features = {inputs} (the input columns of the rows)", $"n_features {Fields[1]}")
                : Error(source, Line, null, $"a header of {columns} column names (as the rows have) or scikit-learn's 'n_samples,n_features,…' line", $"{Fields.Length} fields ({Show(_text)})");
        }

        /// <summary>The zero-based column called <paramref name="name"/> (ordinal, trimmed).</summary>
        public int IndexOf(string name, string source)
        {
            string wanted = name.Trim();
            if (!HasColumnNames)
                throw Error(source, Line, null, $"a header of column names to find LabelColumnName '{wanted}' in", $"scikit-learn's n_samples,n_features line ({Show(_text)})");
            int index = Array.IndexOf(Fields, wanted);
            if (index < 0)
                throw Error(source, Line, null, $"a column named '{wanted}' (LabelColumnName)", $"the columns {ShowNames(Fields)}");
            return index;
        }

        /// <summary>A scikit-learn header's n_samples must be the number of data rows.</summary>
        public void CheckSamples(int rows, string source)
        {
            if (_samples is int n && n != rows)
                throw Error(source, Line, 0, $"n_samples = {rows} (the data rows that follow)", $"{n}");
        }
    }

    /// <summary>Class names to indices: a fixed list (ClassNames, or a scikit-learn header's), or inferred and ordered ordinally at the end.</summary>
    private sealed class ClassNameMap
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<string> _names = new();
        private bool _fixed;

        public static ClassNameMap? For(CsvOptions options)
        {
            if (!options.MapClassNames && options.ClassNames is null)
                return null;
            var map = new ClassNameMap();
            if (options.ClassNames is not null)
                map.Fix(options.ClassNames.Select(n => n.Trim()));
            return map;
        }

        private void Fix(IEnumerable<string> names)
        {
            foreach (string name in names)
            {
                _index.Add(name, _names.Count);
                _names.Add(name);
            }
            _fixed = true;
        }

        /// <summary>A scikit-learn header's class names fix the order unless ClassNames did.</summary>
        public void UseHeader(CsvHeader? header, string source)
        {
            if (!_fixed && header?.ClassNames is string[] names)
                Fix(names);
        }

        /// <summary>The class of a label field: its index in a fixed list, or a provisional index in order of first appearance.</summary>
        public int Index(ReadOnlySpan<char> field, string source, int line, int column)
        {
            string name = field.ToString();
            if (_index.TryGetValue(name, out int index))
                return index;
            if (name.Length == 0)
                throw Error(source, line, column, "a class name", "an empty field");
            if (_fixed)
                throw Error(source, line, column, $"one of the class names {ShowNames(_names)}", Show(field));
            _index.Add(name, _names.Count);
            _names.Add(name);
            return _names.Count - 1;
        }

        /// <summary>The names in index order; inferred names are sorted ordinally (scikit-learn's LabelEncoder) and the labels renumbered.</summary>
        public string[] Finish(int[] labels, int? classes, string source)
        {
            if (classes is int c && _names.Count > c)
                throw new InvalidDataException($"{source}: expected at most {c} class names (Classes = {c}), found {_names.Count}: {ShowNames(_names)}.");
            if (_fixed)
                return _names.ToArray();
            string[] sorted = _names.OrderBy(n => n, StringComparer.Ordinal).ToArray();
            var renumber = new int[_names.Count];
            for (int i = 0; i < sorted.Length; i++)
                renumber[_index[sorted[i]]] = i;
            for (int i = 0; i < labels.Length; i++)
                labels[i] = renumber[labels[i]];
            return sorted;
        }
    }
}
