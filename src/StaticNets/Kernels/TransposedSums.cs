using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StaticNets.Kernels;

// The horizontal sums of a block of dot products, all at once: lane i of the result is the sum of the lanes of
// accumulator i. Each accumulator alone (Vector512.Sum, Vector256.Sum) costs a chain of extracts, shuffles and adds
// about as long as the dot product itself on a 128-wide row; here each level of the tree halves the number of
// vectors for all accumulators together, about four operations per pair, so sixteen sums take 60 operations instead
// of about 130. The tree is the one Vector512.Sum and Vector256.Sum use (adjacent lanes first, then adjacent pairs,
// and so on, for the JIT and the software fallback alike; TransposedSumsTests holds them to it), and addition is
// commutative, so every sum has the same bits as before.
internal static class TransposedSums
{
    /// <summary>Sixteen accumulators' lane sums; lane i is <c>Vector512.Sum(a_i)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sum16(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7,
        Vector512<float> a8, Vector512<float> a9, Vector512<float> a10, Vector512<float> a11,
        Vector512<float> a12, Vector512<float> a13, Vector512<float> a14, Vector512<float> a15)
    {
        Vector512<float> p0 = Level1(a0, a1), p1 = Level1(a2, a3), p2 = Level1(a4, a5), p3 = Level1(a6, a7);
        Vector512<float> p4 = Level1(a8, a9), p5 = Level1(a10, a11), p6 = Level1(a12, a13), p7 = Level1(a14, a15);
        Vector512<float> q0 = Level2(p0, p1), q1 = Level2(p2, p3), q2 = Level2(p4, p5), q3 = Level2(p6, p7);
        return Level8(Level4(q0, q1), Level4(q2, q3));
    }

    /// <summary>Eight accumulators' lane sums; lane i is <c>Vector512.Sum(a_i)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sum8(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7)
    {
        Vector512<float> r = Level4(Level2(Level1(a0, a1), Level1(a2, a3)), Level2(Level1(a4, a5), Level1(a6, a7)));
        // Lanes i and i + 8 now hold the two halves of accumulator i: the tree's last step.
        return r.GetLower() + r.GetUpper();
    }

    /// <summary>Eight accumulators' lane sums; lane i is <c>Vector256.Sum(a_i)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sum8(
        Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3,
        Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7)
    {
        Vector256<float> q0 = Level2(Level1(a0, a1), Level1(a2, a3)), q1 = Level2(Level1(a4, a5), Level1(a6, a7));
        return Level4(q0, q1);
    }

    // One level of the tree for two vectors, pairing lanes d apart: where bit d of the lane is clear the result takes
    // a's pair sum, elsewhere b's. p picks a or b in place, r the other one, and the shuffle brings r's partner lanes
    // (i ^ d) in.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Level1(Vector512<float> a, Vector512<float> b)
        => Combine(a, b, Vector512.Create(0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1).AsSingle(),
            Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Level2(Vector512<float> a, Vector512<float> b)
        => Combine(a, b, Vector512.Create(0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1).AsSingle(),
            Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Level4(Vector512<float> a, Vector512<float> b)
        => Combine(a, b, Vector512.Create(0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, -1, -1, -1, -1).AsSingle(),
            Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Level8(Vector512<float> a, Vector512<float> b)
        // Whole 256-bit halves: a's lower half beside b's upper half, plus a's upper half beside b's lower half.
        => Vector512.Create(a.GetLower(), b.GetUpper()) + Vector512.Create(a.GetUpper(), b.GetLower());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Combine(Vector512<float> a, Vector512<float> b, Vector512<float> bitSet, Vector512<int> partner)
    {
        Vector512<float> p = Vector512.ConditionalSelect(bitSet, b, a);
        Vector512<float> r = Vector512.ConditionalSelect(bitSet, a, b);
        return p + Vector512.Shuffle(r, partner);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Level1(Vector256<float> a, Vector256<float> b)
        => Combine(a, b, Vector256.Create(0, -1, 0, -1, 0, -1, 0, -1).AsSingle(), Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Level2(Vector256<float> a, Vector256<float> b)
        => Combine(a, b, Vector256.Create(0, 0, -1, -1, 0, 0, -1, -1).AsSingle(), Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Level4(Vector256<float> a, Vector256<float> b)
        // Whole 128-bit halves, as Level8 does for 512 bits.
        => Vector256.Create(a.GetLower(), b.GetUpper()) + Vector256.Create(a.GetUpper(), b.GetLower());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Combine(Vector256<float> a, Vector256<float> b, Vector256<float> bitSet, Vector256<int> partner)
    {
        Vector256<float> p = Vector256.ConditionalSelect(bitSet, b, a);
        Vector256<float> r = Vector256.ConditionalSelect(bitSet, a, b);
        return p + Vector256.Shuffle(r, partner);
    }
}
