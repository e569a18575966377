using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets.Training;

/// <summary>
/// Flush to zero for the optimizers' decaying state. A velocity or moment estimate whose gradient stays zero (an
/// input pixel that is blank in most images, a dead unit) shrinks by β each step until it becomes subnormal, and x64
/// cores take a microcode assist of about a hundred cycles for every multiplication that reads or writes one: on
/// MNIST with Adam this had doubled the epoch. .NET cannot set the FTZ/DAZ bits, so the updates flush the values
/// themselves, a little above the subnormal range: at <see cref="Threshold"/>, the smallest normal number times
/// 2^p (p the mantissa bits), so that the state's products with the β's, the (1 − β)'s and the step size — factors
/// above 2^−p — do not turn subnormal either. A velocity or first moment that small moves its parameter by less than
/// 10⁻²¹ of a typical step, and a mean square under a square root beside ε changes the denominator by under 10⁻⁶;
/// NaN and ±∞ are kept, so divergence still shows.
/// </summary>
internal static class FlushToZero<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>One ulp of 1: 2^−p (2⁻²³ for float, 2⁻⁵² for double).</summary>
    private static readonly T UlpOfOne = T.BitIncrement(T.One) - T.One;

    /// <summary>The smallest positive normal number (2⁻¹²⁶ for float, 2⁻¹⁰²² for double): the smallest subnormal over one ulp of 1, all powers of two.</summary>
    public static readonly T MinNormal = T.Epsilon / UlpOfOne;

    /// <summary>Magnitudes below this become 0: <see cref="MinNormal"/> · 2^p (2⁻¹⁰³ ≈ 9.9·10⁻³² for float, 2⁻⁹⁷⁰ for double).</summary>
    public static readonly T Threshold = MinNormal / UlpOfOne;

    /// <summary>0 where |x| is below <paramref name="threshold"/>, else x (NaN compares false, so it stays).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Apply(Vector<T> x, Vector<T> threshold) =>
        Vector.AndNot(x, Vector.LessThan(Vector.Abs(x), threshold));

    /// <summary>The scalar form of <see cref="Apply(Vector{T}, Vector{T})"/>, so the tails give the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T x, T threshold) => T.Abs(x) < threshold ? T.Zero : x;
}
