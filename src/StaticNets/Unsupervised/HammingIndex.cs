using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StaticNets;

/// <summary>
/// Exact nearest-neighbour search over binary codes of 1 to 256 bits by Hamming distance (the number of differing
/// bits, by popcount): the <c>k</c> nearest codes, or every code within a radius. Semantic hashing's lookup: the
/// codes come from <see cref="BinaryCodes.Pack{T}(ReadOnlySpan{T}, int, Span{ulong}, double)"/> over an encoder's
/// code layer.
/// </summary>
/// <remarks>
/// <para>Codes are stored in one array, <see cref="Words"/> 64-bit words each; the distance loop is specialised per
/// word count (1 to 4), so a 32-bit code costs one popcount. k-nearest search needs no sort: a first pass counts the
/// codes at each distance (0 … <see cref="Bits"/>) and keeps each distance, which fixes the largest distance that makes
/// the cut and how many codes at it are taken; a second, vectorised pass over the kept distances drops every winner
/// straight into its place. Results are ordered by distance,
/// then by index (the lower index first on ties), so they are deterministic.</para>
/// <para>Queries write into the caller's spans and only read the index, so many threads may query one index at once.
/// <see cref="WithinRadius"/> allocates nothing; <see cref="Nearest"/> allocates nothing after a thread's first call
/// (a per-thread scratch of one 16-bit distance per code, grown to the largest index that thread queries).</para>
/// </remarks>
public sealed class HammingIndex
{
    private readonly ulong[] _codes;

    /// <summary>Each code's distance to the current query, kept by pass 1 for pass 2's vectorised scan; one per thread, grown to the largest index queried.</summary>
    [ThreadStatic]
    private static ushort[]? t_distances;

    /// <summary>Indexes a copy of <paramref name="codes"/>: <c>codes.Length / W</c> codes of W = ⌈<paramref name="bits"/>/64⌉ words each.</summary>
    /// <param name="codes">Packed codes, code after code; bits past <paramref name="bits"/> must be 0.</param>
    /// <param name="bits">Bits per code, in [1, 256].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is not in [1, 256].</exception>
    /// <exception cref="ArgumentException"><paramref name="codes"/> is empty, not whole codes, or has bits set past <paramref name="bits"/>.</exception>
    public HammingIndex(ReadOnlySpan<ulong> codes, int bits)
    {
        BinaryCodes.CheckBits(bits, nameof(bits));
        int words = (bits + 63) >> 6;
        if (codes.IsEmpty || codes.Length % words != 0)
            throw new ArgumentException($"Expected a whole, non-zero number of codes of {words} word(s) ({bits} bits), actual {codes.Length} words.", nameof(codes));
        ulong lastMask = LastWordMask(bits);
        for (int i = words - 1; i < codes.Length; i += words)
        {
            if ((codes[i] & ~lastMask) != 0)
                throw new ArgumentException($"Code {i / words} has bits set past bit {bits - 1}; expected them to be 0 (pack with BinaryCodes.Pack).", nameof(codes));
        }
        _codes = codes.ToArray();
        Bits = bits;
        Words = words;
        Count = codes.Length / words;
    }

    /// <summary>Bits per code.</summary>
    public int Bits { get; }

    /// <summary>64-bit words per code.</summary>
    public int Words { get; }

    /// <summary>Number of codes.</summary>
    public int Count { get; }

    /// <summary>The packed words of code <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    public ReadOnlySpan<ulong> Code(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a code index in [0, {Count}), actual {index}.");
        return new ReadOnlySpan<ulong>(_codes, index * Words, Words);
    }

    /// <summary>The Hamming distance between two packed codes of equal length.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Distance(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Expected codes of equal length, actual {a.Length} and {b.Length} words.", nameof(b));
        int d = 0;
        for (int i = 0; i < a.Length; i++)
            d += BitOperations.PopCount(a[i] ^ b[i]);
        return d;
    }

    /// <summary>
    /// The <c>k = indices.Length</c> codes nearest to <paramref name="query"/>, nearest first, the lower index first
    /// among equal distances. Returns how many were written: <c>min(k, Count)</c>.
    /// </summary>
    /// <param name="query">A packed code of <see cref="Words"/> words.</param>
    /// <param name="indices">Receives the indices of the nearest codes; its length is k (at least 1).</param>
    /// <param name="distances">Empty, or as long as <paramref name="indices"/>: receives each one's distance.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Nearest(ReadOnlySpan<ulong> query, Span<int> indices, Span<int> distances = default)
    {
        CheckQuery(query);
        if (indices.IsEmpty)
            throw new ArgumentException("Expected room for at least one neighbour (k = indices.Length ≥ 1), actual 0.", nameof(indices));
        if (!distances.IsEmpty && distances.Length != indices.Length)
            throw new ArgumentException($"Expected distances to be empty or as long as indices ({indices.Length}), actual {distances.Length}.", nameof(distances));
        int k = Math.Min(indices.Length, Count);

        // Pass 1: how many codes lie at each distance.
        Span<int> histogram = stackalloc int[BinaryCodes.MaxBits + 1];
        histogram.Clear();
        ushort[] scratch = t_distances is { } kept && kept.Length >= Count ? kept : (t_distances = new ushort[Count]);
        Histogram(query, histogram, scratch);

        // The cut: every code nearer than `limit`, and the first `atLimit` codes (by index) at exactly `limit`.
        Span<int> next = stackalloc int[BinaryCodes.MaxBits + 2];
        int limit = 0, taken = 0;
        while (taken + histogram[limit] < k)
        {
            next[limit] = taken;
            taken += histogram[limit];
            limit++;
        }
        next[limit] = taken;
        int atLimit = k - taken;

        // Pass 2: a vectorised scan of the stored distances; each winner goes straight to its place, so the output is
        // sorted by (distance, index).
        Select(scratch, limit, atLimit, next, indices, distances);
        return k;
    }

    /// <summary>
    /// Every code within Hamming distance <paramref name="radius"/> of <paramref name="query"/> (a Hamming-ball lookup),
    /// in index order. Returns how many there are; the first <c>min(that, indices.Length)</c> are written.
    /// </summary>
    /// <param name="query">A packed code of <see cref="Words"/> words.</param>
    /// <param name="radius">The largest distance that counts, at least 0.</param>
    /// <param name="indices">Receives the indices of the codes within the radius (may be empty to count only).</param>
    /// <param name="distances">Empty, or as long as <paramref name="indices"/>: receives each one's distance.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int WithinRadius(ReadOnlySpan<ulong> query, int radius, Span<int> indices, Span<int> distances = default)
    {
        CheckQuery(query);
        if (radius < 0)
            throw new ArgumentOutOfRangeException(nameof(radius), radius, $"Expected a radius of at least 0, actual {radius}.");
        if (!distances.IsEmpty && distances.Length != indices.Length)
            throw new ArgumentException($"Expected distances to be empty or as long as indices ({indices.Length}), actual {distances.Length}.", nameof(distances));
        int found = 0, words = Words;
        ref ulong codes = ref MemoryMarshal.GetArrayDataReference(_codes);
        for (int i = 0; i < Count; i++)
        {
            int d = DistanceAt(ref codes, i * words, query, words);
            if (d > radius)
                continue;
            if (found < indices.Length)
            {
                indices[found] = i;
                if (!distances.IsEmpty)
                    distances[found] = d;
            }
            found++;
        }
        return found;
    }

    private void CheckQuery(ReadOnlySpan<ulong> query)
    {
        if (query.Length != Words)
            throw new ArgumentException($"Expected a query of {Words} word(s) ({Bits} bits), actual {query.Length}.", nameof(query));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static int DistanceAt(ref ulong codes, int offset, ReadOnlySpan<ulong> query, int words)
    {
        int d = 0;
        for (int w = 0; w < words; w++)
            d += BitOperations.PopCount(Unsafe.Add(ref codes, offset + w) ^ query[w]);
        return d;
    }

    /// <summary>
    /// Counts the codes at each distance; one loop per word count so the query stays in registers. Four interleaved
    /// histograms (summed at the end) keep neighbouring codes at the same distance from waiting on each other's
    /// increment (a store-to-load dependency through one counter).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Histogram(ReadOnlySpan<ulong> query, Span<int> histogram, ushort[] scratch)
    {
        const int Bins = BinaryCodes.MaxBits + 1;
        Span<int> four = stackalloc int[4 * Bins];
        four.Clear();
        ref ulong c = ref MemoryMarshal.GetArrayDataReference(_codes);
        ref ushort dist = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref int h0 = ref MemoryMarshal.GetReference(four);
        ref int h1 = ref Unsafe.Add(ref h0, Bins);
        ref int h2 = ref Unsafe.Add(ref h0, 2 * Bins);
        ref int h3 = ref Unsafe.Add(ref h0, 3 * Bins);
        int n = Count, words = Words, i = 0;
        switch (words)
        {
            case 1:
            {
                ulong q0 = query[0];
                for (; i + 4 <= n; i += 4)
                {
                    int d0 = BitOperations.PopCount(Unsafe.Add(ref c, i) ^ q0);
                    Unsafe.Add(ref dist, i) = (ushort)d0;
                    Unsafe.Add(ref h0, d0)++;
                    int d1 = BitOperations.PopCount(Unsafe.Add(ref c, i + 1) ^ q0);
                    Unsafe.Add(ref dist, i + 1) = (ushort)d1;
                    Unsafe.Add(ref h1, d1)++;
                    int d2 = BitOperations.PopCount(Unsafe.Add(ref c, i + 2) ^ q0);
                    Unsafe.Add(ref dist, i + 2) = (ushort)d2;
                    Unsafe.Add(ref h2, d2)++;
                    int d3 = BitOperations.PopCount(Unsafe.Add(ref c, i + 3) ^ q0);
                    Unsafe.Add(ref dist, i + 3) = (ushort)d3;
                    Unsafe.Add(ref h3, d3)++;
                }
                break;
            }
            case 2:
            {
                ulong q0 = query[0], q1 = query[1];
                for (; i + 2 <= n; i += 2)
                {
                    ref ulong code = ref Unsafe.Add(ref c, 2 * i);
                    int d0 = BitOperations.PopCount(code ^ q0) + BitOperations.PopCount(Unsafe.Add(ref code, 1) ^ q1);
                    Unsafe.Add(ref dist, i) = (ushort)d0;
                    Unsafe.Add(ref h0, d0)++;
                    int d1 = BitOperations.PopCount(Unsafe.Add(ref code, 2) ^ q0) + BitOperations.PopCount(Unsafe.Add(ref code, 3) ^ q1);
                    Unsafe.Add(ref dist, i + 1) = (ushort)d1;
                    Unsafe.Add(ref h1, d1)++;
                }
                break;
            }
            case 3:
            {
                ulong q0 = query[0], q1 = query[1], q2 = query[2];
                for (; i + 2 <= n; i += 2)
                {
                    ref ulong code = ref Unsafe.Add(ref c, 3 * i);
                    int d0 = BitOperations.PopCount(code ^ q0) + BitOperations.PopCount(Unsafe.Add(ref code, 1) ^ q1) + BitOperations.PopCount(Unsafe.Add(ref code, 2) ^ q2);
                    Unsafe.Add(ref dist, i) = (ushort)d0;
                    Unsafe.Add(ref h0, d0)++;
                    int d1 = BitOperations.PopCount(Unsafe.Add(ref code, 3) ^ q0) + BitOperations.PopCount(Unsafe.Add(ref code, 4) ^ q1) + BitOperations.PopCount(Unsafe.Add(ref code, 5) ^ q2);
                    Unsafe.Add(ref dist, i + 1) = (ushort)d1;
                    Unsafe.Add(ref h1, d1)++;
                }
                break;
            }
            default:
            {
                ulong q0 = query[0], q1 = query[1], q2 = query[2], q3 = query[3];
                for (; i + 2 <= n; i += 2)
                {
                    ref ulong code = ref Unsafe.Add(ref c, 4 * i);
                    int d0 = BitOperations.PopCount(code ^ q0) + BitOperations.PopCount(Unsafe.Add(ref code, 1) ^ q1)
                        + BitOperations.PopCount(Unsafe.Add(ref code, 2) ^ q2) + BitOperations.PopCount(Unsafe.Add(ref code, 3) ^ q3);
                    Unsafe.Add(ref dist, i) = (ushort)d0;
                    Unsafe.Add(ref h0, d0)++;
                    int d1 = BitOperations.PopCount(Unsafe.Add(ref code, 4) ^ q0) + BitOperations.PopCount(Unsafe.Add(ref code, 5) ^ q1)
                        + BitOperations.PopCount(Unsafe.Add(ref code, 6) ^ q2) + BitOperations.PopCount(Unsafe.Add(ref code, 7) ^ q3);
                    Unsafe.Add(ref dist, i + 1) = (ushort)d1;
                    Unsafe.Add(ref h1, d1)++;
                }
                break;
            }
        }
        // The codes left over by the unrolled loops.
        for (; i < n; i++)
        {
            int d = DistanceAt(ref c, i * words, query, words);
            Unsafe.Add(ref dist, i) = (ushort)d;
            Unsafe.Add(ref h0, d)++;
        }
        int bins = Bits + 1;
        for (int d = 0; d < bins; d++)
            histogram[d] = Unsafe.Add(ref h0, d) + Unsafe.Add(ref h1, d) + Unsafe.Add(ref h2, d) + Unsafe.Add(ref h3, d);
    }

    /// <summary>
    /// Pass 2 of <see cref="Nearest"/>: codes nearer than <paramref name="limit"/>, and the first <paramref name="atLimit"/>
    /// at it, into their slots. The stored distances are compared 16 at a time; only candidates are visited.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Select(ushort[] scratch, int limit, int atLimit, Span<int> next, Span<int> indices, Span<int> distances)
    {
        int n = Count, i = 0;
        bool withDistances = !distances.IsEmpty;
        // Stops at the last winner: once k codes are placed nothing later can be taken.
        int remaining = Math.Min(indices.Length, n);
        ref ushort dist = ref MemoryMarshal.GetArrayDataReference(scratch);
        if (Vector256.IsHardwareAccelerated)
        {
            var bound = Vector256.Create((ushort)limit);
            for (; i + Vector256<ushort>.Count <= n && remaining > 0; i += Vector256<ushort>.Count)
            {
                uint mask = Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref dist, (nuint)i), bound).ExtractMostSignificantBits();
                while (mask != 0 && remaining > 0)
                {
                    int at = i + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    Place(at, Unsafe.Add(ref dist, at), limit, ref atLimit, ref remaining, next, indices, distances, withDistances);
                }
            }
        }
        for (; i < n && remaining > 0; i++)
        {
            int d = Unsafe.Add(ref dist, i);
            if (d <= limit)
                Place(i, d, limit, ref atLimit, ref remaining, next, indices, distances, withDistances);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Place(int i, int d, int limit, ref int atLimit, ref int remaining, Span<int> next, Span<int> indices, Span<int> distances, bool withDistances)
    {
        if (d == limit)
        {
            if (atLimit == 0)
                return;
            atLimit--;
        }
        int slot = next[d]++;
        remaining--;
        indices[slot] = i;
        if (withDistances)
            distances[slot] = d;
    }

    private static ulong LastWordMask(int bits) => (bits & 63) == 0 ? ulong.MaxValue : (1UL << (bits & 63)) - 1;
}
