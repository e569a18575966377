using System;
using Xunit;

namespace StaticNets.Gpu.Tests;

public class DeviceTests
{
    [Fact]
    public void The_preferred_device_is_cuda_then_opencl_then_the_cpu_accelerator_and_says_why()
    {
        using var device = GpuDevice.CreatePreferred();
        using var cuda = GpuDevice.TryCreateCuda();
        if (cuda is not null)
        {
            Assert.Equal(GpuDeviceKind.Cuda, device.Kind);
            Assert.Equal("first CUDA device", device.Reason);
        }
        else if (device.Kind == GpuDeviceKind.Cpu)
        {
            Assert.Equal("no CUDA or OpenCL GPU found", device.Reason);
            Assert.False(device.UsesTiledGemm); // the fallback runs the barrier-free GEMM
            var e = Assert.Throws<InvalidOperationException>(() => GpuDevice.CreatePreferred(allowCpu: false));
            Assert.Contains("Expected a CUDA or OpenCL GPU but found none", e.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(GpuDeviceKind.OpenCL, device.Kind);
        }
        Assert.EndsWith(device.Reason, device.ToString(), StringComparison.Ordinal);
        Assert.Equal(device.Kind != GpuDeviceKind.Cpu, device.IsGpu);
    }

    [Fact]
    public void A_disposed_device_is_refused_by_new_trainers()
    {
        var device = GpuDevice.CreateCpu(multiprocessors: 1, gpuGroups: false);
        device.Dispose();
        device.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => new GpuTrainer(new SoftmaxNet(1), device));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GpuDevice.CreateCpu(multiprocessors: -1));
        Assert.Equal("multiprocessors", e.ParamName);
    }
}
