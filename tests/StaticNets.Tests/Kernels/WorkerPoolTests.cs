using System;
using System.Threading;
using StaticNets.Threading;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// The worker pool itself: every chunk of a job runs exactly once for any number of chunks and threads, also when
/// jobs follow each other faster than the workers wake and when several user threads submit at once; a failing chunk's
/// exception reaches the caller and the pool keeps working; a job with more chunks than a ticket can count is refused.
/// </summary>
public class WorkerPoolTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryChunk_RunsExactlyOnce_ForAnyChunkAndThreadCount(bool dealsRanges)
    {
        // The in-order dealing exists for benchmarks; it must lose nothing either (results never depend on it, so
        // flipping it while other tests run changes no result of theirs).
        WorkerPool.DealsRanges = dealsRanges;
        try
        {
            RunEveryChunkOnce();
        }
        finally
        {
            WorkerPool.DealsRanges = true;
        }
    }

    private static void RunEveryChunkOnce()
    {
        var job = new CountingJob(300);
        for (int round = 0; round < 3; round++)
        {
            for (int chunks = 1; chunks <= 40; chunks++)
            {
                foreach (int threads in new[] { 1, 2, 3, 4, 8, 64 })
                {
                    job.Reset();
                    WorkerPool.Shared.Run(job, chunks, threads);
                    job.AssertRanOnce(chunks, $"{chunks} chunks on {threads} threads");
                }
            }
        }
        job.Reset();
        WorkerPool.Shared.Run(job, 300, 2);
        job.AssertRanOnce(300, "300 chunks on 2 threads");
    }

    [Fact]
    public void JobsFromSeveralUserThreads_EachRunEveryChunkOnce()
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = new Thread[4];
        for (int t = 0; t < threads.Length; t++)
        {
            int seed = t;
            threads[t] = new Thread(() =>
            {
                var job = new CountingJob(64);
                var rng = new Random(seed);
                for (int i = 0; i < 2000; i++)
                {
                    int chunks = rng.Next(1, 65);
                    job.Reset();
                    WorkerPool.Shared.Run(job, chunks, 1 + rng.Next(8));
                    if (!job.RanOnce(chunks))
                        failures.Enqueue($"thread {seed}, job {i}: {chunks} chunks not each run once");
                }
            });
            threads[t].Start();
        }
        foreach (var t in threads)
            Assert.True(t.Join(TimeSpan.FromMinutes(2)), "overlapping jobs did not finish: deadlock");
        Assert.Empty(failures);
    }

    [Fact]
    public void AFailingChunk_ThrowsToTheCaller_AndThePoolKeepsWorking()
    {
        var failing = new FailingJob(5);
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Shared.Run(failing, 8, 2));
        Assert.Equal("chunk 5", e.Message);
        var job = new CountingJob(8);
        WorkerPool.Shared.Run(job, 8, 2);
        job.AssertRanOnce(8, "after a failure");
    }

    [Fact]
    public void TooManyChunks_AreRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Shared.Run(new CountingJob(1), WorkerPool.MaxChunks + 1, 2));
        Assert.Equal("chunks", e.ParamName);
    }

    private sealed class CountingJob(int capacity) : IParallelJob
    {
        private readonly int[] _runs = new int[capacity];

        public void Run(int chunk) => Interlocked.Increment(ref _runs[chunk]);

        public void Reset() => Array.Clear(_runs);

        public bool RanOnce(int chunks)
        {
            for (int c = 0; c < _runs.Length; c++)
            {
                if (_runs[c] != (c < chunks ? 1 : 0))
                    return false;
            }
            return true;
        }

        public void AssertRanOnce(int chunks, string what)
        {
            for (int c = 0; c < _runs.Length; c++)
                Assert.True(_runs[c] == (c < chunks ? 1 : 0), $"{what}: chunk {c} ran {_runs[c]} times");
        }
    }

    private sealed class FailingJob(int bad) : IParallelJob
    {
        public void Run(int chunk)
        {
            if (chunk == bad)
                throw new InvalidOperationException($"chunk {chunk}");
        }
    }
}
