using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets.Kernels;

/// <summary>
/// Per-value standardisation for generated <c>[Normalize]</c> layers: y = (x − mean) ⊙ scale over a batch of
/// samples, each sample as long as <c>mean</c> and <c>scale</c>; backward ∂C/∂x = δ ⊙ scale. Vectorised with
/// <see cref="Vector{T}"/>; allocates nothing; works in place (<c>y</c> may be <c>x</c>, <c>dx</c> may be <c>delta</c>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class NormalizeKernels
{
    /// <summary>y = (x − mean) ⊙ scale for every sample of the batch <paramref name="x"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">Whole samples of <c>mean.Length</c> values, row-major.</param>
    /// <param name="mean">One sample's means.</param>
    /// <param name="scale">One sample's scales (1/σ); as long as <paramref name="mean"/>.</param>
    /// <param name="y">As long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException">Lengths that do not match, or <paramref name="y"/> partly overlapping <paramref name="x"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> mean, ReadOnlySpan<T> scale, Span<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = mean.Length;
        KernelGuard.Positive(n, nameof(mean));
        KernelGuard.SameLength(n, scale.Length, nameof(mean), nameof(scale));
        KernelGuard.SameLength(x.Length, y.Length, nameof(x), nameof(y));
        KernelGuard.WholeSamples(x.Length, n, "values", nameof(x));
        KernelGuard.NoPartialOverlap<T>(x, y, nameof(x), nameof(y));
        int width = Vector<T>.Count;
        for (int s = 0; s < x.Length; s += n)
        {
            ReadOnlySpan<T> xs = x.Slice(s, n);
            Span<T> ys = y.Slice(s, n);
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j <= n - width; j += width)
                    ((new Vector<T>(xs.Slice(j)) - new Vector<T>(mean.Slice(j))) * new Vector<T>(scale.Slice(j))).CopyTo(ys.Slice(j));
            }
            for (; j < n; j++)
                ys[j] = (xs[j] - mean[j]) * scale[j];
        }
    }

    /// <summary>∂C/∂x = δ ⊙ scale for every sample of the batch <paramref name="delta"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="delta">∂C/∂y: whole samples of <c>scale.Length</c> values.</param>
    /// <param name="scale">One sample's scales.</param>
    /// <param name="dx">As long as <paramref name="delta"/>; may be <paramref name="delta"/> itself.</param>
    /// <exception cref="ArgumentException">Lengths that do not match, or <paramref name="dx"/> partly overlapping <paramref name="delta"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(ReadOnlySpan<T> delta, ReadOnlySpan<T> scale, Span<T> dx) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = scale.Length;
        KernelGuard.Positive(n, nameof(scale));
        KernelGuard.SameLength(delta.Length, dx.Length, nameof(delta), nameof(dx));
        KernelGuard.WholeSamples(delta.Length, n, "values", nameof(delta));
        KernelGuard.NoPartialOverlap<T>(delta, dx, nameof(delta), nameof(dx));
        int width = Vector<T>.Count;
        for (int s = 0; s < delta.Length; s += n)
        {
            ReadOnlySpan<T> ds = delta.Slice(s, n);
            Span<T> xs = dx.Slice(s, n);
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j <= n - width; j += width)
                    (new Vector<T>(ds.Slice(j)) * new Vector<T>(scale.Slice(j))).CopyTo(xs.Slice(j));
            }
            for (; j < n; j++)
                xs[j] = ds[j] * scale[j];
        }
    }
}
