using System;
using System.Linq;
using Xunit;

namespace StaticNets.Gpu.Tests;

public class PackagingTests
{
    [Fact]
    public void The_core_runtime_references_no_ilgpu()
    {
        // ILGPU compiles kernels with Reflection.Emit: the core package must stay NativeAOT- and trim-clean without it.
        var core = typeof(NetworkAttribute).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.DoesNotContain(core, name => name.StartsWith("ILGPU", StringComparison.OrdinalIgnoreCase));
        var gpu = typeof(GpuTrainer).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.Contains("ILGPU", gpu);
        Assert.Contains("StaticNets", gpu);
    }
}
