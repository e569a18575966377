using System;
using Xunit;

namespace StaticNets.Tests.Networks;

[Network(3, 40, 2)]
internal sealed partial class WorkspaceLimitNet;

[Network(Input = new[] { 1, 8, 8 })]
[Conv2D(4, 3)]
[Flatten]
[Dense(2)]
internal sealed partial class WorkspaceLimitCnn;

/// <summary>A workspace too large for its buffers is refused with the argument and the limit named, never an OverflowException.</summary>
public class WorkspaceLimitTests
{
    private static string Message(int max, int perSample, int actual)
        => $"Expected a batch capacity between 1 and {max} (the most samples for which every workspace buffer fits: the largest holds {perSample} values per sample, a buffer at most 2147483527) but got {actual}. (Parameter 'batchCapacity')\nActual value was {actual}.";

    [Fact]
    public void The_largest_batch_capacity_is_stated_and_one_more_is_refused()
    {
        // The widest buffer holds 40 values per sample: 2147483527 / 40.
        Assert.Equal(53_687_088, WorkspaceLimitNet.Workspace.MaxBatchCapacity);
        var net = new WorkspaceLimitNet();
        foreach (int capacity in new[] { int.MaxValue, WorkspaceLimitNet.Workspace.MaxBatchCapacity + 1, 0, -1 })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => net.CreateWorkspace(capacity));
            Assert.Equal("batchCapacity", ex.ParamName);
            Assert.Equal(Message(53_687_088, 40, capacity), ex.Message);
        }
    }

    [Fact]
    public void A_convolution_network_counts_its_largest_per_sample_buffer()
    {
        // The convolution's output, 4 × 6 × 6 = 144 values per sample, is the widest buffer that grows with the batch.
        Assert.Equal(2147483527 / 144, WorkspaceLimitCnn.Workspace.MaxBatchCapacity);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkspaceLimitCnn().CreateWorkspace(int.MaxValue));
        Assert.Equal(Message(2147483527 / 144, 144, int.MaxValue), ex.Message);
        Assert.Equal(4, new WorkspaceLimitCnn().CreateWorkspace(4).BatchCapacity);
    }
}
