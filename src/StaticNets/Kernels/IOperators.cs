using System.Numerics;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// The operator shapes the drivers are generic over. Each operator is a struct with static members, so a
// driver instantiated with it is compiled with the operator inlined: no delegates, no virtual calls.
//
// Every element-wise operator also receives one broadcast scalar `s`. That lets the same two drivers serve
// plain operations (which ignore it; the JIT drops the unused broadcast) and scaled ones such as
// y += α·x or a·(g − s) without a separate driver per mix of span and scalar operands.

/// <summary>An element-wise operation on one span: <c>d[i] = f(x[i], s)</c>.</summary>
internal interface IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Scalar form, for inputs shorter than one vector.</summary>
    static abstract T Invoke(T x, T s);

    /// <summary>128-bit form.</summary>
    static abstract Vector128<T> Invoke(Vector128<T> x, Vector128<T> s);

    /// <summary>256-bit form.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> x, Vector256<T> s);

    /// <summary>512-bit form.</summary>
    static abstract Vector512<T> Invoke(Vector512<T> x, Vector512<T> s);
}

/// <summary>An element-wise operation on two spans: <c>d[i] = f(x[i], y[i], s)</c>.</summary>
internal interface IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Scalar form, for inputs shorter than one vector.</summary>
    static abstract T Invoke(T x, T y, T s);

    /// <summary>128-bit form.</summary>
    static abstract Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> s);

    /// <summary>256-bit form.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> s);

    /// <summary>512-bit form.</summary>
    static abstract Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> s);
}

/// <summary>
/// A sum over one span, <c>Σ f(x[i])</c>, written as a fold <c>acc ← acc + f(x)</c> so that products can use
/// a fused multiply-add. Requirement: <c>f(0) = 0</c>, because the reduction driver zeroes the lanes of its
/// last, overlapping vector that were already counted.
/// </summary>
internal interface IAggregateOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Scalar form.</summary>
    static abstract T Invoke(T accumulator, T x);

    /// <summary>128-bit form.</summary>
    static abstract Vector128<T> Invoke(Vector128<T> accumulator, Vector128<T> x);

    /// <summary>256-bit form.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> accumulator, Vector256<T> x);

    /// <summary>512-bit form.</summary>
    static abstract Vector512<T> Invoke(Vector512<T> accumulator, Vector512<T> x);
}

/// <summary>
/// A sum over two spans, <c>Σ f(x[i], y[i])</c>, as a fold. Requirement: <c>f(0, 0) = 0</c> (see
/// <see cref="IAggregateOperator{T}"/>).
/// </summary>
internal interface IBinaryAggregateOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Scalar form.</summary>
    static abstract T Invoke(T accumulator, T x, T y);

    /// <summary>128-bit form.</summary>
    static abstract Vector128<T> Invoke(Vector128<T> accumulator, Vector128<T> x, Vector128<T> y);

    /// <summary>256-bit form.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> accumulator, Vector256<T> x, Vector256<T> y);

    /// <summary>512-bit form.</summary>
    static abstract Vector512<T> Invoke(Vector512<T> accumulator, Vector512<T> x, Vector512<T> y);
}
