using System.Numerics;
using System.Runtime.CompilerServices;

namespace StaticNets.Training;

/// <summary>
/// Flush to zero for the optimizers' decaying state. A velocity or moment estimate whose gradient stays zero (an
/// input pixel that is blank in most images, a dead unit) shrinks by β each step until it becomes subnormal, and x64
/// cores take a microcode assist of about a hundred cycles for every multiplication that reads or writes one: on
/// MNIST with Adam this tripled the epoch. .NET cannot set the FTZ/DAZ bits, so the updates flush the values
/// themselves: a state value smaller in magnitude than the smallest normal number becomes 0. Such a value moves a
/// parameter by less than 10⁻³⁰ of its step, so nothing is lost; NaN and ±∞ are kept, so divergence still shows.
/// </summary>
internal static class FlushToZero<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The smallest positive normal number (2⁻¹²⁶ for float, 2⁻¹⁰²² for double): the smallest subnormal over one ulp of 1, both powers of two.</summary>
    public static readonly T MinNormal = T.Epsilon / (T.BitIncrement(T.One) - T.One);

    /// <summary>0 where |x| is below <paramref name="minNormal"/>, else x (NaN compares false, so it stays).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Apply(Vector<T> x, Vector<T> minNormal) =>
        Vector.AndNot(x, Vector.LessThan(Vector.Abs(x), minNormal));

    /// <summary>The scalar form of <see cref="Apply(Vector{T}, Vector{T})"/>, so the tails give the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T x, T minNormal) => T.Abs(x) < minNormal ? T.Zero : x;
}
