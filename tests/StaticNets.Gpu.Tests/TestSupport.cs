using System;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace StaticNets.Gpu.Tests;

/// <summary>
/// ILGPU's CPU accelerator twice for the whole test assembly (creating one and compiling the kernels is the slow part):
/// <see cref="Device"/> simulates GPU-sized 16 × 16 groups and runs the tiled shared-memory GEMM, as CUDA does;
/// <see cref="Fast"/> has 2-thread groups and the barrier-free GEMM, what <see cref="GpuDevice.CreatePreferred"/> falls
/// back to, several times faster on the CPU, so the longer training tests use it.
/// </summary>
public sealed class CpuDeviceFixture : IDisposable
{
    public GpuDevice Device { get; } = GpuDevice.CreateCpu(multiprocessors: 2);

    public GpuDevice Fast { get; } = GpuDevice.CreateCpu(multiprocessors: 2, gpuGroups: false);

    public void Dispose()
    {
        Device.Dispose();
        Fast.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuDeviceFixture>
{
    public const string Name = "ILGPU CPU accelerator";
}

internal static class TestData
{
    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var rng = new SplitMix64(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return values;
    }

    public static MemoryBuffer1D<float, Stride1D.Dense> Upload(this GpuDevice device, float[] values)
        => device.Accelerator.Allocate1D(values);

    public static float[] Download(this MemoryBuffer1D<float, Stride1D.Dense> buffer) => buffer.GetAsArray1D();

    /// <summary>Asserts |actual − expected| ≤ abs + rel·|expected| everywhere, naming the first index that is not.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double abs, double rel, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            double allowed = abs + rel * Math.Abs(expected[i]);
            Assert.True(diff <= allowed, $"{what}[{i}]: expected {expected[i]:R} but got {actual[i]:R} (difference {diff:G3} > {allowed:G3}).");
            worst = Math.Max(worst, diff);
        }
        Assert.True(double.IsFinite(worst), $"{what}: non-finite values");
    }
}
