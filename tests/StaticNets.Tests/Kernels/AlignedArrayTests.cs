using System;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

public class AlignedArrayTests
{
    [Fact]
    public unsafe void Span_StartsOnACacheLine_WithTheLengthAskedFor_Zeroed_AndStaysPut()
    {
        for (int length = 0; length <= 300; length += 7)
        {
            var floats = new AlignedArray<float>(length);
            var doubles = new AlignedArray<double>(length);
            Assert.Equal(length, floats.Length);
            Assert.Equal(length, floats.Span.Length);
            Assert.Equal(length, doubles.Span.Length);
            Assert.All(floats.Span.ToArray(), v => Assert.Equal(0f, v));
            if (length == 0)
                continue;
            nuint at = (nuint)Unsafe.AsPointer(ref floats.Span[0]);
            Assert.Equal(0u, at % 64);
            Assert.Equal(0u, (nuint)Unsafe.AsPointer(ref doubles.Span[0]) % 64);
            floats.Span[^1] = 3f;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            Assert.Equal(at, (nuint)Unsafe.AsPointer(ref floats.Span[0]));
            Assert.Equal(3f, floats.Span[^1]);
        }
    }

    [Fact]
    public void NegativeLength_IsRejectedByName()
        => Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedArray<float>(-1)).ParamName);
}
