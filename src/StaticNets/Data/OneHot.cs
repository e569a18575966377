using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets;

/// <summary>One-hot encoding of class labels: class <c>c</c> of <c>n</c> becomes a row of <c>n</c> zeros with a one at <c>c</c>.</summary>
public static class OneHot
{
    /// <summary>Encodes every label as a one-hot row; the rows are returned contiguously (<c>labels.Length × classes</c>).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="labels">Class indices, each in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes; at least 1.</param>
    /// <returns>A new array of <c>labels.Length × classes</c> values.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1, or a label is out of range (the message gives its index and value).</exception>
    public static T[] Encode<T>(ReadOnlySpan<int> labels, int classes)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if ((long)labels.Length * classes > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(classes), $"{labels.Length} labels × {classes} classes is more than an array can hold.");
        var result = new T[labels.Length * classes];
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label at index {i} is {label}; expected a class in [0, {classes}).");
            result[i * classes + label] = T.One;
        }
        return result;
    }

    /// <summary>Writes the one-hot row of <paramref name="label"/> into <paramref name="destination"/> (all of it is overwritten).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="label">Class index in [0, <c>destination.Length</c>).</param>
    /// <param name="destination">One value per class.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is not in [0, <c>destination.Length</c>).</exception>
    public static void Encode<T>(int label, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if ((uint)label >= (uint)destination.Length)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Label is {label}; expected a class in [0, {destination.Length}) (the destination's length).");
        destination.Clear();
        destination[label] = T.One;
    }

    /// <summary>
    /// The index of the largest value (the first one on ties): the predicted class of an output row, or the class of
    /// a one-hot row. A NaN counts as the largest value, so broken outputs do not pass for a valid class.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="values">At least one value.</param>
    /// <returns>An index in [0, <c>values.Length</c>).</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ArgMax<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (values.IsEmpty)
            throw new ArgumentException("Expected at least one value; the span is empty.", nameof(values));
        int best = 0;
        T max = values[0];
        if (T.IsNaN(max))
            return 0;
        for (int i = 1; i < values.Length; i++)
        {
            T v = values[i];
            if (T.IsNaN(v))
                return i;
            if (v > max)
            {
                max = v;
                best = i;
            }
        }
        return best;
    }
}
