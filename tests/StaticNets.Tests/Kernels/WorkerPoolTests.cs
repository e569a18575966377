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

    // The shared pool has one worker per extra core (one on a 2-core machine); a pool of seven workers deals ranges to
    // up to eight threads and makes them steal from each other whatever the machine.
    private static readonly WorkerPool Large = new(7);

    private static void RunEveryChunkOnce()
    {
        var job = new CountingJob(300);
        foreach (var pool in new[] { WorkerPool.Shared, Large })
        {
            for (int round = 0; round < 3; round++)
            {
                for (int chunks = 1; chunks <= 40; chunks++)
                {
                    foreach (int threads in new[] { 1, 2, 3, 4, 8, 64 })
                    {
                        job.Reset();
                        pool.Run(job, chunks, threads);
                        job.AssertRanOnce(chunks, $"{chunks} chunks on {threads} threads");
                    }
                }
            }
            job.Reset();
            pool.Run(job, 300, 8);
            job.AssertRanOnce(300, "300 chunks on 8 threads");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void JobsFromSeveralUserThreads_EachRunEveryChunkOnce(bool large)
    {
        var pool = large ? Large : WorkerPool.Shared;
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
                    pool.Run(job, chunks, 1 + rng.Next(8));
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
        foreach (var pool in new[] { WorkerPool.Shared, Large })
        {
            var failing = new FailingJob(5);
            var e = Assert.Throws<InvalidOperationException>(() => pool.Run(failing, 8, 8));
            Assert.Equal("chunk 5", e.Message);
            var job = new CountingJob(8);
            pool.Run(job, 8, 8);
            job.AssertRanOnce(8, "after a failure");
        }
    }

    [Fact]
    public void ManyThreads_ShareTheWork()
    {
        // Eight threads, each range long enough that the workers wake before the caller could finish it alone.
        var job = new SlowJob(64);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            job.Reset();
            Large.Run(job, 64, 8);
            if (job.Threads() > 1)
                return;
        }
        Assert.Fail("no worker of an 8-thread pool ran a chunk in 20 s");
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

    private sealed class SlowJob(int chunks) : IParallelJob
    {
        private readonly int[] _thread = new int[chunks];

        public void Run(int chunk)
        {
            _thread[chunk] = Environment.CurrentManagedThreadId;
            Thread.SpinWait(20_000);
        }

        public void Reset() => Array.Clear(_thread);

        public int Threads() => new System.Collections.Generic.HashSet<int>(_thread).Count;
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
