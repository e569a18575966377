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

    /// <summary>Samples predicted as class <paramref name="predicted"/>.</summary>
    public int ColumnTotal(int predicted)
    {
        int sum = 0;
        for (int a = 0; a < Classes; a++)
            sum += this[a, predicted];
        return sum;
    }

    /// <summary>All samples counted.</summary>
    public int Total
    {
        get
        {
            int sum = 0;
            foreach (int c in _counts)
                sum += c;
            return sum;
        }
    }

    /// <summary>Fraction of samples on the diagonal (0 when empty).</summary>
    public double Accuracy
    {
        get
        {
            int correct = 0;
            for (int c = 0; c < Classes; c++)
                correct += this[c, c];
            int total = Total;
            return total == 0 ? 0 : (double)correct / total;
        }
    }

    /// <summary>Precision of class <paramref name="c"/>: of the samples predicted as c, the fraction truly c (0 when none was predicted as c).</summary>
    public double Precision(int c)
    {
        int predicted = ColumnTotal(c);
        return predicted == 0 ? 0 : (double)this[c, c] / predicted;
    }

    /// <summary>Recall of class <paramref name="c"/>: of the samples truly c, the fraction predicted as c (0 when the class has no samples).</summary>
    public double Recall(int c)
    {
        int actual = RowTotal(c);
        return actual == 0 ? 0 : (double)this[c, c] / actual;
    }

    /// <summary>F1 score of class <paramref name="c"/>, the harmonic mean of precision and recall (0 when both are 0).</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>The unweighted mean of per-class precision, recall and F1 over all classes (macro averages).</summary>
    public (double Precision, double Recall, double F1) MacroAverage()
    {
        double p = 0, r = 0, f = 0;
        for (int c = 0; c < Classes; c++)
        {
            p += Precision(c);
            r += Recall(c);
            f += F1(c);
        }
        return (p / Classes, r / Classes, f / Classes);
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
