using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// Operator structs used by the drivers. The scalar forms use the same comparisons as the vector forms so that
// every width gives the same answer on edge cases (NaN propagates through ReLU and the clamps; −0 stays −0).

// ---------------------------------------------------------------- unary: d = f(x, s)

/// <summary><c>x·s</c>.</summary>
internal readonly struct ScaleOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T s) => x * s;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> s) => x * s;
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> s) => x * s;
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> s) => x * s;
}

/// <summary><c>x − s</c>.</summary>
internal readonly struct SubtractScalarOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T s) => x - s;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> s) => x - s;
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> s) => x - s;
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> s) => x - s;
}

/// <summary><c>s − x</c>.</summary>
internal readonly struct SubtractFromScalarOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T s) => s - x;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> s) => s - x;
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> s) => s - x;
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> s) => s - x;
}

/// <summary><c>x / s</c>; a true division rather than a multiplication by 1/s, so softmax sums to 1 as closely as it can.</summary>
internal readonly struct DivideByScalarOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T s) => x / s;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> s) => x / s;
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> s) => x / s;
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> s) => x / s;
}

/// <summary><c>x &lt; 0 ? 0 : x</c>; written this way round so that NaN passes through instead of becoming 0.</summary>
internal readonly struct ReLUOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T s) => x < T.Zero ? T.Zero : x;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> s) => Vector128.AndNot(x, Vector128.LessThan(x, Vector128<T>.Zero));
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> s) => Vector256.AndNot(x, Vector256.LessThan(x, Vector256<T>.Zero));
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> s) => Vector512.AndNot(x, Vector512.LessThan(x, Vector512<T>.Zero));
}

/// <summary><c>x &gt; 0 ? x : 0.01·x</c>.</summary>
internal readonly struct LeakyReLUOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    internal static T Slope
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => T.CreateTruncating(ActivationKernels.LeakyReLUSlope);
    }

    public static T Invoke(T x, T s) => x > T.Zero ? x : x * Slope;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> s) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, x * Vector128.Create(Slope));
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> s) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * Vector256.Create(Slope));
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> s) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * Vector512.Create(Slope));
}

/// <summary><c>x &lt; s ? s : x</c>, i.e. max(x, s) with NaN passed through.</summary>
internal readonly struct ClampBelowOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T s) => x < s ? s : x;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> s) => Vector128.ConditionalSelect(Vector128.LessThan(x, s), s, x);
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> s) => Vector256.ConditionalSelect(Vector256.LessThan(x, s), s, x);
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> s) => Vector512.ConditionalSelect(Vector512.LessThan(x, s), s, x);
}

/// <summary>Clamps into <c>[s, 1 − s]</c>, NaN passed through.</summary>
internal readonly struct ClampUnitOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke(T x, T s)
    {
        T high = T.One - s;
        return x < s ? s : x > high ? high : x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> s)
    {
        Vector128<T> high = Vector128<T>.One - s;
        return Vector128.ConditionalSelect(Vector128.LessThan(x, s), s, Vector128.ConditionalSelect(Vector128.GreaterThan(x, high), high, x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> s)
    {
        Vector256<T> high = Vector256<T>.One - s;
        return Vector256.ConditionalSelect(Vector256.LessThan(x, s), s, Vector256.ConditionalSelect(Vector256.GreaterThan(x, high), high, x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> s)
    {
        Vector512<T> high = Vector512<T>.One - s;
        return Vector512.ConditionalSelect(Vector512.LessThan(x, s), s, Vector512.ConditionalSelect(Vector512.GreaterThan(x, high), high, x));
    }
}

// ---------------------------------------------------------------- binary: d = f(x, y, s)

/// <summary><c>x + y</c>.</summary>
internal readonly struct AddOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => x + y;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => x + y;
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => x + y;
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => x + y;
}

/// <summary><c>x − y</c>.</summary>
internal readonly struct SubtractOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => x - y;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => x - y;
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => x - y;
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => x - y;
}

/// <summary><c>s·x + y</c> (the BLAS axpy).</summary>
internal readonly struct AxpyOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => s * x + y;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => Simd.MultiplyAdd(x, s, y);
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => Simd.MultiplyAdd(x, s, y);
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => Simd.MultiplyAdd(x, s, y);
}

/// <summary><c>y·x(1 − x)</c>: x is the sigmoid output a, y the incoming delta.</summary>
internal readonly struct SigmoidDerivativeOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => y * (x * (T.One - x));
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => y * (x * (Vector128<T>.One - x));
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => y * (x * (Vector256<T>.One - x));
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => y * (x * (Vector512<T>.One - x));
}

/// <summary><c>y·(1 − x²)</c>: x is the tanh output a, y the incoming delta.</summary>
internal readonly struct TanhDerivativeOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => y * (T.One - x * x);
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => y * (Vector128<T>.One - x * x);
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => y * (Vector256<T>.One - x * x);
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => y * (Vector512<T>.One - x * x);
}

/// <summary><c>x &gt; 0 ? y : 0</c>: x is the weighted input z, y the incoming delta.</summary>
internal readonly struct ReLUDerivativeOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => x > T.Zero ? y : T.Zero;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => y & Vector128.GreaterThan(x, Vector128<T>.Zero);
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => y & Vector256.GreaterThan(x, Vector256<T>.Zero);
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => y & Vector512.GreaterThan(x, Vector512<T>.Zero);
}

/// <summary><c>x &gt; 0 ? y : 0.01·y</c>: x is the weighted input z, y the incoming delta.</summary>
internal readonly struct LeakyReLUDerivativeOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => x > T.Zero ? y : y * LeakyReLUOperator<T>.Slope;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), y, y * Vector128.Create(LeakyReLUOperator<T>.Slope));
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), y, y * Vector256.Create(LeakyReLUOperator<T>.Slope));
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), y, y * Vector512.Create(LeakyReLUOperator<T>.Slope));
}

/// <summary><c>x·(y − s)</c>: x is the softmax output a, y the incoming gradient g, s the dot product g·a.</summary>
internal readonly struct SoftmaxBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => x * (y - s);
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => x * (y - s);
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => x * (y - s);
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => x * (y - s);
}

/// <summary>
/// The derivative of binary cross-entropy on activations clamped into <c>[s, 1 − s]</c>: <c>(x − y) / (x(1 − x))</c>
/// inside the interval and 0 outside, where the clamped cost is flat. x is the activation, y the target.
/// </summary>
internal readonly struct BinaryCrossEntropyGradientOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke(T x, T y, T s)
        => x < s || x > T.One - s ? T.Zero : (x - y) / (x * (T.One - x));

    // The quotient is computed everywhere and the clamped lanes are then zeroed, so a 0/0 or 1/0 there is
    // discarded; NaN activations compare false and stay NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s)
    {
        Vector128<T> one = Vector128<T>.One;
        Vector128<T> outside = Vector128.LessThan(x, s) | Vector128.GreaterThan(x, one - s);
        return Vector128.AndNot((x - y) / (x * (one - x)), outside);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s)
    {
        Vector256<T> one = Vector256<T>.One;
        Vector256<T> outside = Vector256.LessThan(x, s) | Vector256.GreaterThan(x, one - s);
        return Vector256.AndNot((x - y) / (x * (one - x)), outside);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s)
    {
        Vector512<T> one = Vector512<T>.One;
        Vector512<T> outside = Vector512.LessThan(x, s) | Vector512.GreaterThan(x, one - s);
        return Vector512.AndNot((x - y) / (x * (one - x)), outside);
    }
}

/// <summary><c>(1 − y)·x</c>; exactly 0 when y = 1, which keeps binary cross-entropy exact for confident hits.</summary>
internal readonly struct ComplementTimesOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y, T s) => (T.One - y) * x;
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s) => (Vector128<T>.One - y) * x;
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s) => (Vector256<T>.One - y) * x;
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s) => (Vector512<T>.One - y) * x;
}

// ---------------------------------------------------------------- reductions: acc ← acc + f(x[, y])

/// <summary>Σ x.</summary>
internal readonly struct SumOperator<T> : IAggregateOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T accumulator, T x) => accumulator + x;
    public static Vector128<T> Invoke(Vector128<T> accumulator, Vector128<T> x) => accumulator + x;
    public static Vector256<T> Invoke(Vector256<T> accumulator, Vector256<T> x) => accumulator + x;
    public static Vector512<T> Invoke(Vector512<T> accumulator, Vector512<T> x) => accumulator + x;
}

/// <summary>Σ x².</summary>
internal readonly struct SumOfSquaresOperator<T> : IAggregateOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T accumulator, T x) => accumulator + x * x;
    public static Vector128<T> Invoke(Vector128<T> accumulator, Vector128<T> x) => Simd.MultiplyAdd(x, x, accumulator);
    public static Vector256<T> Invoke(Vector256<T> accumulator, Vector256<T> x) => Simd.MultiplyAdd(x, x, accumulator);
    public static Vector512<T> Invoke(Vector512<T> accumulator, Vector512<T> x) => Simd.MultiplyAdd(x, x, accumulator);
}

/// <summary>Σ x·y.</summary>
internal readonly struct DotOperator<T> : IBinaryAggregateOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T accumulator, T x, T y) => accumulator + x * y;
    public static Vector128<T> Invoke(Vector128<T> accumulator, Vector128<T> x, Vector128<T> y) => Simd.MultiplyAdd(x, y, accumulator);
    public static Vector256<T> Invoke(Vector256<T> accumulator, Vector256<T> x, Vector256<T> y) => Simd.MultiplyAdd(x, y, accumulator);
    public static Vector512<T> Invoke(Vector512<T> accumulator, Vector512<T> x, Vector512<T> y) => Simd.MultiplyAdd(x, y, accumulator);
}

/// <summary>Σ (x − y)².</summary>
internal readonly struct SquaredDifferenceOperator<T> : IBinaryAggregateOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T accumulator, T x, T y)
    {
        T d = x - y;
        return accumulator + d * d;
    }

    public static Vector128<T> Invoke(Vector128<T> accumulator, Vector128<T> x, Vector128<T> y)
    {
        Vector128<T> d = x - y;
        return Simd.MultiplyAdd(d, d, accumulator);
    }

    public static Vector256<T> Invoke(Vector256<T> accumulator, Vector256<T> x, Vector256<T> y)
    {
        Vector256<T> d = x - y;
        return Simd.MultiplyAdd(d, d, accumulator);
    }

    public static Vector512<T> Invoke(Vector512<T> accumulator, Vector512<T> x, Vector512<T> y)
    {
        Vector512<T> d = x - y;
        return Simd.MultiplyAdd(d, d, accumulator);
    }
}
