using System;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;
using StaticNets.Training;
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
            Assert.Equal(at, (nuint)Unsafe.AsPointer(ref floats.GetPinnableReference()));
            Assert.Equal((nuint)Unsafe.AsPointer(ref doubles.Span[0]), (nuint)Unsafe.AsPointer(ref doubles.GetPinnableReference()));
            Assert.Equal(0u, (nuint)Unsafe.AsPointer(ref doubles.Span[0]) % 64);
            floats.Span[^1] = 3f;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            Assert.Equal(at, (nuint)Unsafe.AsPointer(ref floats.Span[0]));
            Assert.Equal(3f, floats.Span[^1]);
        }
    }

    [Fact]
    public void NegativeOrTooLargeLengths_AreRejectedByName()
    {
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedArray<float>(-1)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedArray<byte>(AlignedArray<byte>.MaxLength + 1)).ParamName);
    }

    /// <summary>
    /// What the kernels read on a line: a generated network's parameters (and so the rows of its 784 × 128 and 128 × 10
    /// weights, whose offsets and widths are whole lines), every workspace buffer, and the training loop's batch and
    /// gradient buffers.
    /// </summary>
    [Fact]
    public unsafe void Networks_Workspaces_AndTheTrainingLoop_KeepTheirBuffersOnLines()
    {
        var net = new StaticNets.Tests.Networks.MnistNet(1);
        Assert.Equal(0u, Address(net.Parameters) % 64);
        Assert.Equal(0u, Address(net.Layer1Weights) % 64);
        var ws = (StaticNets.Tests.Networks.MnistNet.Workspace)net.CreateWorkspace(3);
        foreach (var buffer in new[] { ws.Z0, ws.A0, ws.D0, ws.Z1, ws.A1, ws.D1 })
            Assert.Equal(0u, Address(buffer.Span) % 64);
        var loop = new TrainingLoop<float>(net, new Sgd<float>(), new SupervisedObjective<float>(), 5, 1, l2: 0, clip: null);
        Assert.Equal(0u, Address(loop.Inputs) % 64);
        Assert.Equal(0u, Address(loop.Targets) % 64);
        Assert.Equal(0u, Address(loop.Gradient) % 64);
        Assert.Equal(5 * 784, loop.Inputs.Length);
        Assert.Equal(MnistNetParameterCount(), loop.Gradient.Length);

        static nuint Address<T>(ReadOnlySpan<T> span) where T : unmanaged => (nuint)Unsafe.AsPointer(ref Unsafe.AsRef(in span[0]));
        static int MnistNetParameterCount() => StaticNets.Tests.Networks.MnistNet.ParameterCount;
    }
}
