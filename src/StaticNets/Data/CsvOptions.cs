using System;

namespace StaticNets;

/// <summary>How <see cref="CsvLoader"/> reads a numeric CSV file: where the label or targets are, scaling, separator, header.</summary>
/// <remarks>
/// Two layouts are supported. <b>Classification</b> (the default): one column holds an integer class label, which
/// becomes a one-hot target row and is kept as <see cref="Dataset{T}.Labels"/>; every other column is an input.
/// <b>Regression</b> (<see cref="RegressionTargets"/> &gt; 0): that many consecutive columns are real-valued targets.
/// </remarks>
public sealed class CsvOptions
{
    /// <summary>
    /// Zero-based column of the class label, or of the first regression target; −1 (the default) means the last
    /// column (the last <see cref="RegressionTargets"/> columns in regression).
    /// </summary>
    public int LabelColumn { get; init; } = -1;

    /// <summary>Whether the first non-blank line is a header to skip (default <see langword="false"/>). It still sets the expected column count.</summary>
    public bool HasHeader { get; init; }

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
        if (LabelColumn < -1)
            throw new ArgumentOutOfRangeException(paramName, LabelColumn, $"Expected LabelColumn ≥ 0, or −1 for the last column; actual {LabelColumn}.");
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
