using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

/// <summary>
/// Vectorised exponential, sigmoid and tanh of floats for the recurrent cells, which apply five of them per unit
/// and step: fused into one pass over a gate row they cost less than the seven separate passes TensorPrimitives
/// would make (net8.0's Vector256 has no <c>Exp</c> of its own). Errors over the whole float range, asserted in
/// <c>GateFunctionTests</c>: exp within 2 ulp relative (Cephes' expf polynomial after a Cody–Waite reduction),
/// sigmoid within 1e−7 and tanh within 2e−7 absolute; NaN propagates, ±∞ saturate.
/// </summary>
internal static class GateMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float MaxInput = 88.72283f, MinInput = -87.33654f; // ln(float.MaxValue) and ln of the smallest normal float

    /// <summary>e^x per lane: x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r by a degree-6 polynomial, 2^n by the exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var nan = Vector256.Equals(x, x);
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(MinInput)), Vector256.Create(MaxInput));
        var n = Vector256.Floor(Simd.MultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(0.5f)));
        // Fused where the hardware can (Simd.MultiplyAdd): the reduction and the Horner steps are FMAs.
        var r = Simd.MultiplyAdd(n, Vector256.Create(-Ln2Lo), Simd.MultiplyAdd(n, Vector256.Create(-Ln2Hi), x));
        var p = Vector256.Create(1.9875691500e-4f);
        p = Simd.MultiplyAdd(p, r, Vector256.Create(1.3981999507e-3f));
        p = Simd.MultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Simd.MultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Simd.MultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Simd.MultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        var y = Simd.MultiplyAdd(p, r * r, r + Vector256<float>.One);
        // 2^n with n in [−126, 128] after the clamp, as 2^(n/2)·2^(n − n/2) so that both factors stay normal floats.
        var ni = Vector256.ConvertToInt32(n);
        var half = Vector256.ShiftRightArithmetic(ni, 1);
        var scale1 = Vector256.ShiftLeft(half + Vector256.Create(127), 23).AsSingle();
        var scale2 = Vector256.ShiftLeft(ni - half + Vector256.Create(127), 23).AsSingle();
        var result = y * scale1 * scale2;
        // NaN in, NaN out (the clamp would have turned it into a number).
        return Vector256.ConditionalSelect(nan, result, x + x);
    }

    /// <summary>1 / (1 + e^−x) per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    /// <summary>tanh x = 2·σ(2x) − 1 per lane (absolute error, not relative, near 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
        => Vector256.Create(2f) / (Vector256<float>.One + Exp(x * Vector256.Create(-2f))) - Vector256<float>.One;

    /// <summary>The scalar functions for the lanes past the last whole vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => MathF.Tanh(x);
}
