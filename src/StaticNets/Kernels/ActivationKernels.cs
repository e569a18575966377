using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticNets.Kernels;

/// <summary>
/// Vectorised activation functions σ and the products of their derivatives with an incoming delta.
/// Allocation-free; lengths are checked once on entry.
/// </summary>
/// <remarks>
/// Forward kernels take the weighted input <c>z</c> and write the activation <c>a</c>; <c>a</c> may be the
/// same span as <c>z</c>. Backward kernels multiply <c>delta</c> in place by σ′(z), using whichever of
/// <c>z</c> or <c>a = σ(z)</c> gives it most cheaply; all three spans have the same length. Spans that
/// partly overlap (shifted views of one buffer) are rejected.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static partial class ActivationKernels
{
    /// <summary>Slope of <see cref="Activation.LeakyReLU"/> for <c>z ≤ 0</c>.</summary>
    public const double LeakyReLUSlope = 0.01;

    /// <summary>σ(z) = z: copies <paramref name="z"/> into <paramref name="a"/> unless they are the same span.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void Identity<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(a)))
            z.CopyTo(a);
    }

    /// <summary>σ(z) = 1 / (1 + e^−z).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void Sigmoid<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        // Needs a vector exponential, which net8.0's Vector128 lacks; TensorPrimitives has one. It rejects
        // empty spans, for which there is nothing to do anyway.
        if (!z.IsEmpty)
            TensorPrimitives.Sigmoid(z, a);
    }

    /// <summary>σ(z) = tanh z.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    /// <remarks>
    /// Computed by <c>TensorPrimitives.Tanh</c>, whose error is about one unit in the last place of 1 rather
    /// than of the result (≈1e−7 for float, ≈3e−16 for double), so inputs very close to 0 lose relative
    /// precision; harmless for training.
    /// </remarks>
    public static void Tanh<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        if (!z.IsEmpty)
            TensorPrimitives.Tanh(z, a);
    }

    /// <summary>σ(z) = max(0, z). NaN stays NaN.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void ReLU<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDrivers.Unary<T, ReLUOperator<T>>(z, a, T.Zero);
    }

    /// <summary>σ(z) = z for z &gt; 0, <see cref="LeakyReLUSlope"/>·z otherwise.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void LeakyReLU<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        ElementwiseDrivers.Unary<T, LeakyReLUOperator<T>>(z, a, T.Zero);
    }

    /// <summary>a_j = e^{z_j − max z} / Σ_k e^{z_k − max z}: softmax, shifted by the maximum so that no exponential overflows.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs; empty gives empty.</param>
    /// <param name="a">Receives the probabilities; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    /// <remarks>
    /// <c>TensorPrimitives.SoftMax</c> does not subtract the maximum (e^z overflows for z ≳ 89 in
    /// <see cref="float"/>), so this composes its vector exponential with the shift instead. It also
    /// evaluates each exponential once rather than twice.
    /// </remarks>
    public static void Softmax<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckForward(z, a);
        if (z.IsEmpty)
            return;
        if (z.Length < SmallSoftmax)
        {
            SoftmaxScalar(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(a), (nuint)z.Length);
            return;
        }
        T max = TensorPrimitives.Max(z);
        ElementwiseDrivers.Unary<T, SubtractScalarOperator<T>>(z, a, max);
        TensorPrimitives.Exp(a, a);
        T sum = VectorMath.Sum<T>(a);
        ElementwiseDrivers.Unary<T, DivideByScalarOperator<T>>(a, a, sum);
    }

    /// <summary>
    /// Softmax of every row of <paramref name="size"/> values: each sample of a batch normalised on its own, as
    /// <see cref="Softmax{T}"/> does for one. Rows of up to 64 values are transposed in blocks of one vector of rows
    /// into lanes and normalised there (<see cref="LaneKernels.Softmax{T}"/>: no horizontal reductions, one vector
    /// exponential for as many rows as the vector has lanes); longer rows go through <see cref="Softmax{T}"/> one by one.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">A whole number of rows of <paramref name="size"/> values; empty gives empty.</param>
    /// <param name="a">Receives the probabilities; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <param name="size">Values per row, at least 1.</param>
    /// <remarks>
    /// The lanes use <see cref="LaneKernels.Exp{T}(System.Runtime.Intrinsics.Vector512{T})"/>'s exponential, so a row can
    /// differ from <see cref="Softmax{T}"/>'s result for the same values in the last bit or two; every row is computed the
    /// same way wherever it sits in the batch, and a NaN in a row makes that whole row NaN.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The lengths differ, are not a whole number of rows, or the spans partly overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxRows<T>(ReadOnlySpan<T> z, Span<T> a, int size) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.Positive(size, nameof(size));
        CheckForward(z, a);
        KernelGuard.WholeRows(z.Length, size, nameof(z));
        int rows = z.Length / size;
        int width = LaneWidth<T>();
        if (size > LaneSoftmaxMaxSize || width == 1)
        {
            for (int r = 0; r < rows; r++)
                Softmax(z.Slice(r * size, size), a.Slice(r * size, size));
            return;
        }
        Span<T> lanes = stackalloc T[LaneSoftmaxMaxSize * 16];
        lanes = lanes.Slice(0, size * width);
        for (int r = 0; r < rows; r += width)
        {
            int count = Math.Min(width, rows - r);
            LaneKernels.ToLanes<T>(z.Slice(r * size, count * size), size, count, lanes, width);
            LaneKernels.Softmax(lanes, size, width);
            LaneKernels.FromLanes<T>(lanes, size, count, a.Slice(r * size, count * size), width);
        }
    }

    // Rows per block of lanes: the widest enabled vector's lanes (1 without SIMD, where the lanes would be scalar anyway).
    private static int LaneWidth<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => !Simd.IsVectorizable<T>() ? 1
        : Simd512<T>.IsEnabled ? System.Runtime.Intrinsics.Vector512<T>.Count
        : Simd256<T>.IsEnabled ? System.Runtime.Intrinsics.Vector256<T>.Count
        : Simd128<T>.IsEnabled ? System.Runtime.Intrinsics.Vector128<T>.Count : 1;

    // Up to this many values per row the lanes win: a block of 16 float rows of 64 values is 4 KiB on the stack, and
    // from about there on one row fills several vectors, so the row-wise kernel's reductions are a small part of it.
    private const int LaneSoftmaxMaxSize = 64;

    // Below one 256-bit vector of floats the vector path is all fixed cost (four calls, each with its own
    // checks and masked tail): measured 32 ns for four outputs, against a few ns for scalar exponentials.
    private const int SmallSoftmax = 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxScalar<T>(ref T z, ref T a, nuint n) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T max = z;
        for (nuint i = 1; i < n; i++)
            max = T.Max(max, Unsafe.Add(ref z, i)); // propagates NaN, as the vector path's Max does
        T sum = T.Zero;
        for (nuint i = 0; i < n; i++)
        {
            T e = T.Exp(Unsafe.Add(ref z, i) - max);
            Unsafe.Add(ref a, i) = e;
            sum += e;
        }
        for (nuint i = 0; i < n; i++)
            Unsafe.Add(ref a, i) /= sum;
    }

    /// <summary>Multiplies <paramref name="delta"/> by the sigmoid's derivative, <c>a(1 − a)</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs (only their length is used).</param>
    /// <param name="a">The activations σ(z).</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void SigmoidDerivative<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, delta);
        ElementwiseDrivers.Binary<T, SigmoidDerivativeOperator<T>>(a, delta, delta, T.Zero);
    }

    /// <summary>Multiplies <paramref name="delta"/> by tanh's derivative, <c>1 − a²</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs (only their length is used).</param>
    /// <param name="a">The activations tanh z.</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void TanhDerivative<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, delta);
        ElementwiseDrivers.Binary<T, TanhDerivativeOperator<T>>(a, delta, delta, T.Zero);
    }

    /// <summary>Multiplies <paramref name="delta"/> by ReLU's derivative: keeps it where z &gt; 0, zeroes it elsewhere (including z = 0).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">The activations (only their length is used).</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void ReLUDerivative<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, delta);
        ElementwiseDrivers.Binary<T, ReLUDerivativeOperator<T>>(z, delta, delta, T.Zero);
    }

    /// <summary>Multiplies <paramref name="delta"/> by leaky ReLU's derivative: 1 where z &gt; 0, <see cref="LeakyReLUSlope"/> elsewhere.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">The activations (only their length is used).</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void LeakyReLUDerivative<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBackward(z, a, delta);
        ElementwiseDrivers.Binary<T, LeakyReLUDerivativeOperator<T>>(z, delta, delta, T.Zero);
    }

    /// <summary>
    /// Back-propagates through softmax: <c>delta[j] = a[j]·(g[j] − Σ_k g[k]·a[k])</c>, the transposed
    /// Jacobian of softmax applied to the gradient <paramref name="g"/> with respect to its output.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">The softmax output.</param>
    /// <param name="g">The gradient with respect to <paramref name="a"/>.</param>
    /// <param name="delta">Receives the gradient with respect to z; may be <paramref name="g"/> itself.</param>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void SoftmaxBackward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.SameLength(a.Length, g.Length, nameof(a), nameof(g));
        KernelGuard.SameLength(a.Length, delta.Length, nameof(a), nameof(delta));
        KernelGuard.NoPartialOverlap(a, delta, nameof(a), nameof(delta));
        KernelGuard.NoPartialOverlap(g, delta, nameof(g), nameof(delta));
        T dot = Reductions.Aggregate<T, DotOperator<T>>(g, a);
        ElementwiseDrivers.Binary<T, SoftmaxBackwardOperator<T>>(a, g, delta, dot);
    }

    /// <summary>Applies the activation named by <paramref name="activation"/>; for code that knows it only at run time.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="activation">Which σ.</param>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">Receives the activations; as long as <paramref name="z"/>, may be <paramref name="z"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">The lengths differ or the spans partly overlap.</exception>
    public static void Apply<T>(Activation activation, ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity: Identity(z, a); break;
            case Activation.Sigmoid: Sigmoid(z, a); break;
            case Activation.Tanh: Tanh(z, a); break;
            case Activation.ReLU: ReLU(z, a); break;
            case Activation.LeakyReLU: LeakyReLU(z, a); break;
            case Activation.Softmax: Softmax(z, a); break;
            case Activation.ELU: ELU(z, a); break;
            case Activation.GELU: GELU(z, a); break;
            case Activation.Softplus: Softplus(z, a); break;
            case Activation.SiLU: SiLU(z, a); break;
            default: throw UnknownActivation(activation);
        }
    }

    /// <summary>
    /// Multiplies <paramref name="delta"/> by σ′(z) for the activation named by <paramref name="activation"/>;
    /// for code that knows it only at run time. <see cref="Activation.Identity"/> leaves it unchanged.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="activation">Which σ; not <see cref="Activation.Softmax"/>.</param>
    /// <param name="z">The weighted inputs.</param>
    /// <param name="a">The activations σ(z).</param>
    /// <param name="delta">The delta to scale in place.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="activation"/> is <see cref="Activation.Softmax"/>, whose derivative is a full Jacobian
    /// (use <see cref="SoftmaxBackward{T}"/>); or the lengths differ or the spans partly overlap.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not a defined value.</exception>
    public static void MultiplyByDerivative<T>(Activation activation, ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> delta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity: CheckBackward(z, a, delta); break;
            case Activation.Sigmoid: SigmoidDerivative(z, a, delta); break;
            case Activation.Tanh: TanhDerivative(z, a, delta); break;
            case Activation.ReLU: ReLUDerivative(z, a, delta); break;
            case Activation.LeakyReLU: LeakyReLUDerivative(z, a, delta); break;
            case Activation.ELU: ELUDerivative(z, a, delta); break;
            case Activation.GELU: GELUDerivative(z, a, delta); break;
            case Activation.Softplus: SoftplusDerivative(z, a, delta); break;
            case Activation.SiLU: SiLUDerivative(z, a, delta); break;
            case Activation.Softmax:
                throw new ArgumentException(
                    "Softmax has no element-wise derivative: its Jacobian couples all outputs. Use ActivationKernels.SoftmaxBackward.",
                    nameof(activation));
            default: throw UnknownActivation(activation);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckForward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a)
    {
        KernelGuard.SameLength(z.Length, a.Length, nameof(z), nameof(a));
        KernelGuard.NoPartialOverlap(z, a, nameof(z), nameof(a));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> delta)
    {
        KernelGuard.SameLength(z.Length, a.Length, nameof(z), nameof(a));
        KernelGuard.SameLength(z.Length, delta.Length, nameof(z), nameof(delta));
        KernelGuard.NoPartialOverlap(z, delta, nameof(z), nameof(delta));
        KernelGuard.NoPartialOverlap(a, delta, nameof(a), nameof(delta));
    }

    private static ArgumentOutOfRangeException UnknownActivation(Activation activation)
        => new(nameof(activation), activation, $"Unknown activation {(int)activation}.");
}
