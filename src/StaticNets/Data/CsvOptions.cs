using System;

namespace StaticNets;

/// <summary>How <see cref="CsvLoader"/> reads a numeric CSV file: where the label or targets are, scaling, separator, header, leading lines, class names.</summary>
/// <remarks>
/// Two layouts are supported. <b>Classification</b> (the default): one column holds an integer class label, which
/// becomes a one-hot target row and is kept as <see cref="Dataset{T}.Labels"/>; every other column is an input.
/// <b>Regression</b> (<see cref="RegressionTargets"/> &gt; 0): that many consecutive columns are real-valued targets.
/// scikit-learn's bundled CSVs (<c>iris.csv</c>, <c>wine_data.csv</c>, <c>breast_cancer.csv</c>: a first line
/// <c>n_samples,n_features,class names…</c>, integer labels last) load with <c>new CsvOptions { HasHeader = true }</c>;
/// an export with a names header and string classes with <c>{ HasHeader = true, LabelColumnName = "species", MapClassNames = true }</c>.
/// </remarks>
public sealed class CsvOptions
{
    /// <summary>
    /// Zero-based column of the class label, or of the first regression target; a negative value counts from the
    /// end: −1 (the default) is the last column (in regression the targets end at the last column), −2 the one
    /// before it, and so on. Ignored when <see cref="LabelColumnName"/> is set.
    /// </summary>
    public int LabelColumn { get; init; } = -1;

    /// <summary>
    /// The header name of the label column (or of the first regression target), e.g. <c>"species"</c>; needs
    /// <see cref="HasHeader"/> and a header of column names. <see langword="null"/> (the default) uses <see cref="LabelColumn"/>.
    /// Names are compared ordinally after trimming white space.
    /// </summary>
    public string? LabelColumnName { get; init; }

    /// <summary>
    /// Whether the first non-blank line (after <see cref="SkipLines"/>) is a header (default <see langword="false"/>).
    /// A header with as many fields as the rows holds column names (see <see cref="LabelColumnName"/>). A header of
    /// scikit-learn's form <c>n_samples,n_features[,class names…]</c> — two integers, n_features equal to the number
    /// of input columns — is recognised whatever its length: n_samples must equal the number of data rows, and the
    /// class names (if any) name the labels 0, 1, … and are reported as <see cref="Dataset{T}.ClassNames"/>. Any
    /// other header whose length differs from the rows is an error naming both lengths.
    /// </summary>
    public bool HasHeader { get; init; }

    /// <summary>Lines to skip at the start of the file before anything is read, blank or not (default 0), e.g. a title or comment lines.</summary>
    public int SkipLines { get; init; }

    /// <summary>
    /// Whether class labels are names (e.g. <c>setosa</c>) mapped to indices (default <see langword="false"/>: integer
    /// labels). The indices follow <see cref="ClassNames"/> when given, else the class names of a scikit-learn header,
    /// else the distinct names in ordinal order (as scikit-learn's <c>LabelEncoder</c>). The mapping is reported as
    /// <see cref="Dataset{T}.ClassNames"/>.
    /// </summary>
    public bool MapClassNames { get; init; }

    /// <summary>
    /// The class names in index order; setting it implies <see cref="MapClassNames"/> and makes any other name in the
    /// label column an error. <see langword="null"/> (the default) infers them.
    /// </summary>
    public System.Collections.Generic.IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Field separator (default <c>','</c>). Fields are not quoted; surrounding white space is ignored.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>Factor each input value is multiplied by (default 1), e.g. <c>1.0 / 16</c> for the 0…16 digits pixels. Targets are not scaled.</summary>
    public double InputScale { get; init; } = 1.0;

    /// <summary>
    /// Number of classes, i.e. the size of the one-hot target (at least 2). <see langword="null"/> (the default)
    /// infers it as the largest label + 1 (at least 2). Must be <see langword="null"/> in regression.
    /// </summary>
    public int? Classes { get; init; }

    /// <summary>Number of real-valued target columns; 0 (the default) reads a class label instead.</summary>
    public int RegressionTargets { get; init; }

    /// <summary>The defaults: comma separated, no header, integer class label in the last column, no scaling.</summary>
    public static CsvOptions Default { get; } = new();

    internal void Validate(string paramName)
    {
        if (SkipLines < 0)
            throw new ArgumentOutOfRangeException(paramName, SkipLines, $"Expected SkipLines ≥ 0; actual {SkipLines}.");
        if (LabelColumnName is not null && !HasHeader)
            throw new ArgumentException($"Expected HasHeader = true with LabelColumnName '{LabelColumnName}' (the name is looked up in the header); actual HasHeader = false.", paramName);
        if (LabelColumnName is not null && LabelColumnName.Trim().Length == 0)
            throw new ArgumentException("Expected a non-blank LabelColumnName; actual an empty name.", paramName);
        if (LabelColumnName is not null && LabelColumn != -1)
            throw new ArgumentException($"Expected either LabelColumn or LabelColumnName; both are set ({LabelColumn}, '{LabelColumnName}').", paramName);
        if (RegressionTargets > 0 && (MapClassNames || ClassNames is not null))
            throw new ArgumentException($"Expected class names (MapClassNames, ClassNames) only for class labels; RegressionTargets is {RegressionTargets}.", paramName);
        if (ClassNames is not null)
        {
            var seen = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < ClassNames.Count; i++)
            {
                string? name = ClassNames[i]?.Trim();
                if (string.IsNullOrEmpty(name) || !seen.Add(name))
                    throw new ArgumentException($"Expected distinct, non-blank ClassNames; actual {(string.IsNullOrEmpty(name) ? "a blank name" : $"'{name}' twice")} at index {i}.", paramName);
            }
            if (Classes is int c && c < ClassNames.Count)
                throw new ArgumentException($"Expected Classes ≥ the {ClassNames.Count} ClassNames; actual {c}.", paramName);
        }
        if (Separator is '\r' or '\n' or '"')
            throw new ArgumentException($"Expected a separator other than a line break or quote; actual U+{(int)Separator:X4}.", paramName);
        if (!double.IsFinite(InputScale))
            throw new ArgumentOutOfRangeException(paramName, InputScale, $"Expected a finite InputScale; actual {InputScale}.");
        if (RegressionTargets < 0)
            throw new ArgumentOutOfRangeException(paramName, RegressionTargets, $"Expected RegressionTargets ≥ 0; actual {RegressionTargets}.");
        if (RegressionTargets > 0 && Classes is not null)
            throw new ArgumentException($"Expected either Classes (classification) or RegressionTargets (regression); both are set ({Classes}, {RegressionTargets}).", paramName);
        if (Classes is < 2)
            throw new ArgumentOutOfRangeException(paramName, Classes, $"Expected Classes ≥ 2 (or null to infer); actual {Classes}.");
    }
}
