using System;
using Xunit;

namespace StaticNets.Tests;

/// <summary>
/// The allocation check the hot-path tests share: the calling thread allocates nothing in one of a few rounds of the
/// same work. One clean round proves the steady state; a single round could fail on a one-time allocation outside the
/// code under test (tiered re-compilation installing its stubs, a per-thread buffer grown because a test beside this
/// one changed a kernel setting), while code that allocates per call allocates in every round.
/// </summary>
internal static class Allocations
{
    public static void AssertOneCleanRound(Action round, string what, int rounds = 3)
    {
        var bytes = new long[rounds];
        for (int r = 0; r < rounds; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            bytes[r] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (bytes[r] == 0)
                return;
        }
        Assert.Fail($"{what}: every round allocated: {string.Join(", ", bytes)} bytes");
    }
}
