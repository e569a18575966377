using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StaticNets.Kernels;

/// <summary>
/// A fixed-length buffer whose first element starts a 64-byte cache line, so that no 64-byte vector load of it
/// straddles two lines. The generated networks keep their parameters, weight caches and workspace buffers in them: read in place from an ordinary
/// array, which .NET aligns to 8 or 16 bytes only, every AVX-512 load of a panel is a split load, which a core with
/// two 512-bit FMA ports pays for twice (the batched forward ran up to 28 % slower on such a Xeon).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class AlignedArray<T> where T : unmanaged
{
    private const int Line = 64;

    /// <summary>The most elements one buffer holds: <see cref="Array.MaxLength"/> less a line of slack for any element size.</summary>
    public const int MaxLength = 0x7FFFFFC7 - Line;

    private readonly T[] _array;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="length"/> zeroed elements on the pinned object heap (it never moves, so the alignment holds).</summary>
    /// <param name="length">The number of elements, at least 0 and at most <see cref="MaxLength"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or above <see cref="MaxLength"/>.</exception>
    public unsafe AlignedArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        Length = length;
        _array = GC.AllocateArray<T>(checked(length + Line / sizeof(T)), pinned: true);
        nuint misalign = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array)) % Line;
        _offset = misalign == 0 ? 0 : (Line - (int)misalign) / sizeof(T);
    }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The elements, starting on a cache line.</summary>
    public Span<T> Span => new(_array, _offset, Length);

    /// <summary>
    /// A reference to the first element (on a cache line), without the bounds checks of building <see cref="Span"/>:
    /// for hot paths that index the buffer themselves, and for <c>fixed (T* p = buffer)</c>. With a length of 0 it
    /// refers to the slack after the (empty) elements and must not be read.
    /// </summary>
    public ref T GetPinnableReference() => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _offset);
}
