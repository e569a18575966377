using System.Runtime.CompilerServices;
using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace StaticNets.Threading;

/// <summary>
/// The persistent threads that split one kernel call (a batched GEMM, a training step's products) into
/// chunks. One job runs at a time. Its chunks are dealt out in contiguous ranges, one per taking part thread (the
/// caller first, then worker 1, 2 …), so the same part of a product or of the parameters lands on the same thread
/// call after call and stays in that core's cache: moving a chunk's memory to the other core made a memory-bound
/// pass several times slower. Each range has its own ticket carrying the job's generation, claimed by
/// compare-and-swap: the owner runs its range first, then takes what is left of the others' (a late or busy thread
/// never holds a job up), and a worker that wakes late can never run a chunk of the wrong job. A call made while
/// another job runs (another user thread, or a kernel called from inside a chunk) runs its chunks inline on the
/// calling thread: nothing deadlocks and nothing is lost. Chunks must write disjoint outputs, so the result never
/// depends on which thread ran which chunk.
/// </summary>
internal sealed unsafe class WorkerPool
{
    // A worker spins this long for the next job before it blocks: a training step issues a job every few
    // microseconds, and waking a blocked thread costs tens of microseconds.
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5000; // 200 µs

    private static WorkerPool? shared;

    private readonly Thread[] _threads;
    // Per worker: 1 while it is (about to be) blocked, and the event that wakes it. Kernel events, not
    // Monitor.Wait, so a wake-up allocates nothing.
    private readonly int[] _sleeping;
    private readonly AutoResetEvent[] _wake;
    // Longs per ticket: one cache line each, so that claiming from one's own range does not contend with the others.
    private const int TicketStride = 8;

    private int _busy;        // 1 while a job owns the pool
    // Per taking-part thread t (0: the caller): generation << 32 | end of its range << 16 | next chunk of it. The end
    // travels in the ticket so that a claim never depends on fields a later job may already have overwritten.
    private readonly long[] _tickets;
    private int _generation;  // the newest job's, published after its tickets
    private int _participants;
    private int _remaining;   // chunks not yet finished
    private int _workersWanted;
    private delegate*<void*, int, void> _body;
    private void* _state;
    private IParallelJob? _job;
    private ExceptionDispatchInfo? _failure;

    /// <summary>A pool of <paramref name="workers"/> threads besides the caller's: <see cref="Shared"/> has one per extra logical processor; tests make larger ones to exercise ranges and stealing among many threads on a small machine.</summary>
    internal WorkerPool(int workers)
    {
        _threads = new Thread[workers];
        _tickets = new long[(workers + 1) * TicketStride];
        _sleeping = new int[workers];
        _workerAllocated = new long[workers];
        _wake = new AutoResetEvent[workers];
        for (int i = 0; i < workers; i++)
            _wake[i] = new AutoResetEvent(false);
        for (int i = 0; i < workers; i++)
        {
            int index = i;
            _threads[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = "StaticNets worker " + (i + 1) };
            _threads[i].Start();
        }
    }

    /// <summary>The process-wide pool: one worker per logical processor beyond the caller's, started on first use.</summary>
    public static WorkerPool Shared => shared ?? CreateShared();

    private static WorkerPool CreateShared()
    {
        var pool = new WorkerPool(Math.Max(0, Math.Min(Environment.ProcessorCount, Parallelism.MaxThreads) - 1));
        return Interlocked.CompareExchange(ref shared, pool, null) ?? pool;
    }

    /// <summary>
    /// Fewest multiply-adds worth handing to another thread: waking a spinning worker and joining it costs about a
    /// microsecond, which 64 Ki multiply-adds (1–3 µs on one core) pay for. Tests lower it to split tiny shapes;
    /// results never depend on it.
    /// </summary>
    internal static long MinMultiplyAddsPerChunk = 1L << 16;

    /// <summary>
    /// How many chunks a job of <paramref name="multiplyAdds"/> over <paramref name="units"/> splittable units gets on up
    /// to <paramref name="threads"/> threads: at most one per unit and per thread, and each worth a hand-off. Not capped by
    /// the cores: more chunks than threads are claimed in turn.
    /// </summary>
    public static int ChunkCount(int threads, long units, long multiplyAdds)
    {
        if (threads <= 1 || units <= 1)
            return 1;
        long chunks = Math.Min(Math.Min(threads, units), multiplyAdds / MinMultiplyAddsPerChunk);
        return chunks <= 1 ? 1 : (int)chunks;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, c) for every chunk c in 0 … <paramref name="chunks"/> − 1
    /// on up to <paramref name="threads"/> threads (the caller included) and returns when all are done. The state
    /// usually lives on the caller's stack: it stays valid because this returns only after the last chunk.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(delegate*<void*, int, void> body, void* state, int chunks, int threads)
    {
        if (chunks <= 0)
            return;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunks, MaxChunks);
        int helpers = Math.Min(Math.Min(threads, chunks) - 1, _threads.Length);
        if (helpers <= 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int c = 0; c < chunks; c++)
                body(state, c);
            return;
        }
        Dispatch(body, state, null, chunks, helpers);
    }

    /// <summary>Runs <paramref name="job"/>.<see cref="IParallelJob.Run"/>(c) for every chunk c, as the pointer overload does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(IParallelJob job, int chunks, int threads)
    {
        if (chunks <= 0)
            return;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunks, MaxChunks);
        int helpers = Math.Min(Math.Min(threads, chunks) - 1, _threads.Length);
        if (helpers <= 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int c = 0; c < chunks; c++)
                job.Run(c);
            return;
        }
        Dispatch(null, null, job, chunks, helpers);
    }

    /// <summary>
    /// False deals every chunk to the first ticket, so all threads claim them in order, first come first served (what
    /// the pool did before it dealt ranges): the benchmarks' A/B of the two in one process. Results never depend on it.
    /// </summary>
    internal static bool DealsRanges = true;

    /// <summary>Most chunks one job may have: a range's bounds travel in 16 bits of its ticket.</summary>
    public const int MaxChunks = 0xFFFF;

    // Called with _busy taken.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Dispatch(delegate*<void*, int, void> body, void* state, IParallelJob? job, int chunks, int helpers)
    {
        try
        {
            _body = body;
            _state = state;
            _job = job;
            _participants = helpers + 1;
            _failure = null;
            _workersWanted = helpers;
            Volatile.Write(ref _remaining, chunks);
            int generation = _generation + 1;
            // Publishing the tickets publishes the job: every field above is written before them, and the generation
            // the workers wait on after them.
            int dealt = DealsRanges ? helpers + 1 : 1;
            for (int t = 0; t <= helpers; t++)
            {
                long range = (long)RangeStart(Math.Min(t + 1, dealt), chunks, dealt) << 16 | (long)RangeStart(Math.Min(t, dealt), chunks, dealt);
                Interlocked.Exchange(ref _tickets[t * TicketStride], (long)generation << 32 | range);
            }
            Volatile.Write(ref _generation, generation);
            for (int i = 0; i < helpers; i++)
            {
                if (Volatile.Read(ref _sleeping[i]) != 0 && Interlocked.Exchange(ref _sleeping[i], 0) != 0)
                    _wake[i].Set();
            }
            RunChunks(generation, 0);
            var spin = new SpinWait();
            while (Volatile.Read(ref _remaining) > 0)
                spin.SpinOnce(sleep1Threshold: -1);
            _failure?.Throw();
        }
        finally
        {
            _body = null;
            _state = null;
            _job = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    // The first chunk of taking-part thread t's range when `chunks` are dealt to `participants` threads.
    private static int RangeStart(int t, int chunks, int participants) => (int)((long)t * chunks / participants);

    // Claims and runs chunks of job `generation`, those of thread `self`'s range first, then what is left of the
    // others' in turn, until none is left or the tickets belong to another job; returns how many it ran.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int RunChunks(int generation, int self)
    {
        int ran = 0;
        int participants = Volatile.Read(ref _participants);
        for (int k = 0; k < participants; k++)
        {
            int owner = self + k < participants ? self + k : self + k - participants;
            ref long ticket = ref _tickets[owner * TicketStride];
            while (true)
            {
                long current = Volatile.Read(ref ticket);
                if ((int)(current >> 32) != generation)
                    break;
                int next = (int)(current & 0xFFFF), end = (int)((current >> 16) & 0xFFFF);
                if (next >= end)
                    break;
                // The fields are those of this generation whenever the claim below succeeds: they change only after
                // its last chunk has finished, and this chunk has not been claimed yet. Read before that, they may
                // already belong to the next job, and then the claim fails.
                var body = _body;
                void* state = _state;
                var job = _job;
                if (Interlocked.CompareExchange(ref ticket, current + 1, current) != current)
                    continue;
                try
                {
                    if (job is not null)
                        job.Run(next);
                    else
                        body(state, next);
                }
                catch (Exception e)
                {
                    _failure ??= ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    ran++;
                    Interlocked.Decrement(ref _remaining);
                }
            }
        }
        return ran;
    }

    /// <summary>Chunks the workers (not the callers) have run since start-up: tests check that jobs really spread.</summary>
    public long WorkerChunks => Interlocked.Read(ref _workerChunks);

    private long _workerChunks;
    private readonly long[] _workerAllocated;

    /// <summary>Bytes the workers have allocated, as of the end of each one's last job: tests check that jobs allocate nothing.</summary>
    public long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _workerAllocated.Length; i++)
                sum += Volatile.Read(ref _workerAllocated[i]);
            return sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WorkerLoop(int index)
    {
        int seen = 0;
        while (true)
        {
            int generation = WaitForJob(index, seen);
            seen = generation;
            if (index < Volatile.Read(ref _workersWanted))
            {
                Interlocked.Add(ref _workerChunks, RunChunks(generation, index + 1));
                Volatile.Write(ref _workerAllocated[index], GC.GetAllocatedBytesForCurrentThread());
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int WaitForJob(int index, int seen)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var spin = new SpinWait();
        while (true)
        {
            int generation = Volatile.Read(ref _generation);
            if (generation != seen)
                return generation;
            if (System.Diagnostics.Stopwatch.GetTimestamp() - start > SpinTicks)
                break;
            spin.SpinOnce(sleep1Threshold: -1);
        }
        while (true)
        {
            // Interlocked on both sides: either the dispatcher sees this flag and signals, or this check sees
            // its new ticket. A signal left over from a wake-up that was not needed only costs one more check.
            Interlocked.Exchange(ref _sleeping[index], 1);
            int generation = Volatile.Read(ref _generation);
            if (generation != seen)
            {
                Volatile.Write(ref _sleeping[index], 0);
                return generation;
            }
            _wake[index].WaitOne();
        }
    }
}

/// <summary>A reusable piece of parallel work for <see cref="WorkerPool.Run(IParallelJob, int, int)"/>: chunk c of a job.</summary>
internal interface IParallelJob
{
    /// <summary>Runs chunk <paramref name="chunk"/>; chunks write disjoint outputs.</summary>
    void Run(int chunk);
}
