using System;
using System.Diagnostics;
using System.Threading;
using StaticNets.Kernels;
using StaticNets.Threading;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>affinity</c>: what it costs when the memory a thread works on moved to another core since the last call. One
/// memory-bound pass (the SGD update with its sum of squares, N3's 668,426 parameters) on one thread, on two through
/// the worker pool's ranges, on two with each thread always taking the same half, and on two with the halves swapped
/// every call, so every line comes from the other core's cache.
/// </summary>
internal static unsafe class AffinityProbe
{
    private static float* _x, _y;
    private static int _n, _caller;

    public static int Run()
    {
        int n = 668_426;
        var x = new float[n];
        var y = new float[n];
        for (int i = 0; i < n; i++) { x[i] = 1e-3f * (i % 97); y[i] = 1e-2f * (i % 89); }
        fixed (float* px = x, py = y)
        {
            _x = px; _y = py; _n = n;
            _caller = Environment.CurrentManagedThreadId;
            for (int round = 0; round < 3; round++)
            {
                Time("1 thread, 21 chunks", () => ParallelSpans.AxpyThenSumOfSquares(0f, x, y, 1));
                Time("2 threads, the pool's ranges", () => ParallelSpans.AxpyThenSumOfSquares(0f, x, y, 2));
                Time("2 threads, fixed halves", () => WorkerPool.Shared.Run(&Half, null, 2, 2));
                Time("2 threads, swapped halves", () => WorkerPool.Shared.Run(&Swapped, null, 2, 2));
            }
        }
        return 0;
    }

    // The caller always the first half, the worker the second, whichever chunk each claimed.
    private static void Half(void* state, int chunk)
    {
        int h = Environment.CurrentManagedThreadId == _caller ? 0 : 1;
        Work(h);
    }

    private static int _flip;

    // The other half than last call's.
    private static void Swapped(void* state, int chunk)
    {
        int h = (Environment.CurrentManagedThreadId == _caller ? 0 : 1) ^ (Volatile.Read(ref _flip) & 1);
        if (chunk == 0) Interlocked.Increment(ref _flip);
        Work(h);
    }

    private static void Work(int h)
    {
        int start = h * (_n / 2), count = h == 0 ? _n / 2 : _n - _n / 2;
        var xs = new Span<float>(_x + start, count);
        var ys = new Span<float>(_y + start, count);
        VectorMath.Axpy(0f, xs, ys);
        VectorMath.SumOfSquares<float>(ys);
    }

    private static void Time(string name, Action action)
    {
        for (int i = 0; i < 200; i++) action();
        var t = new double[21];
        for (int r = 0; r < t.Length; r++)
        {
            long s = Stopwatch.GetTimestamp();
            for (int i = 0; i < 100; i++) action();
            t[r] = (Stopwatch.GetTimestamp() - s) * 1e6 / Stopwatch.Frequency / 100;
        }
        Array.Sort(t);
        Console.WriteLine($"{name,-32} {t[10],8:F1} µs");
    }
}
