using System;
using System.Globalization;
using System.Text;

namespace StaticNets.Training;

/// <summary>Counts of (true class, predicted class) pairs.</summary>
public sealed class ConfusionMatrix
{
    private readonly int[] _counts;

    /// <summary>An all-zero matrix for <paramref name="classes"/> classes.</summary>
    public ConfusionMatrix(int classes)
    {
        Guard.Positive(classes, nameof(classes));
        Classes = classes;
        _counts = new int[classes * classes];
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public int this[int actual, int predicted] => _counts[Index(actual, nameof(actual)) * Classes + Index(predicted, nameof(predicted))];

    /// <summary>Counts one sample.</summary>
    public void Add(int actual, int predicted) => _counts[Index(actual, nameof(actual)) * Classes + Index(predicted, nameof(predicted))]++;

    /// <summary>Samples whose true class is <paramref name="actual"/>.</summary>
    public int RowTotal(int actual)
    {
        int sum = 0;
        for (int p = 0; p < Classes; p++)
            sum += this[actual, p];
        return sum;
    }

    /// <summary>A plain-text table, true classes down, predictions across.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        int width = Math.Max(4, _counts.Length == 0 ? 1 : Max().ToString(CultureInfo.InvariantCulture).Length + 1);
        sb.Append("true\\pred".PadRight(10));
        for (int p = 0; p < Classes; p++)
            sb.Append(p.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        sb.AppendLine();
        for (int a = 0; a < Classes; a++)
        {
            sb.Append(a.ToString(CultureInfo.InvariantCulture).PadRight(10));
            for (int p = 0; p < Classes; p++)
                sb.Append(this[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private int Max()
    {
        int max = 0;
        foreach (int c in _counts)
            max = Math.Max(max, c);
        return max;
    }

    private int Index(int value, string paramName)
    {
        if ((uint)value >= (uint)Classes)
            throw new ArgumentOutOfRangeException(paramName, value, $"Expected a class in [0, {Classes}) but got {value}.");
        return value;
    }
}
