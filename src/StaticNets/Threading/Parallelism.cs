using System;
using System.Threading;

namespace StaticNets;

/// <summary>
/// How many threads one batched call may use. Batched forward and backward split each large product by
/// output rows over a persistent worker pool (no task per layer, no allocation); every output element is
/// computed by the same instructions in the same order whichever thread runs it, so results are
/// bit-identical for any thread count. Workspaces start with <see cref="DefaultThreads"/>; set
/// <c>INetworkWorkspace&lt;T&gt;.Threads</c> to override one.
/// </summary>
public static class Parallelism
{
    private static int defaultThreads = Environment.ProcessorCount;

    /// <summary>The most threads the process's worker pool will ever use (64): the pool starts <c>min(this, cores) − 1</c> workers.</summary>
    public const int MaxThreads = 64;

    /// <summary>
    /// Threads a new workspace lets one batched call use (default: the number of logical processors). Calls
    /// whose products are too small to gain from another thread run on the caller alone whatever this says.
    /// Set it to 1 where the caller parallelises itself (one agent batch per thread, say).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int DefaultThreads
    {
        get => Volatile.Read(ref defaultThreads);
        set
        {
            Volatile.Write(ref defaultThreads, Guard.Threads(value, nameof(value)));
        }
    }
}
