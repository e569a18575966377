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

    /// <summary>
    /// <c>pool-ab [rounds]</c>: the worker pool dealing each thread its own range of chunks against all threads claiming
    /// them in order (<see cref="WorkerPool.DealsRanges"/>), alternated round by round in one process so that both see
    /// the same host: TrainBatch(32) of N2 and N3 with SGD and Adam, the N3 batched forward, and the update pass alone,
    /// all on two threads. Medians of the rounds' medians.
    /// </summary>
    public static int PoolAb(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 15;
        var cells = new System.Collections.Generic.List<(string Name, Action Run)>();
        foreach (var (name, make) in new (string, Func<INetwork<float>>)[] { ("N2", () => new N2(2)), ("N3", () => new N3(3)) })
        {
            var probe = make();
            var x = BenchData.Inputs(32 * probe.InputSize, 11);
            var y = BenchData.Targets(32, probe.OutputSize, 12);
            foreach (var (optimizerName, optimizer, rate) in new (string, Func<StaticNets.Training.IOptimizer<float>>, double)[]
            {
                ("SGD", () => new StaticNets.Training.Sgd<float>(), 0.01),
                ("Adam", () => new StaticNets.Training.Adam<float>(), 0.0001),
            })
            {
                var trainer = new StaticNets.Training.Trainer<float>(make(), optimizer());
                var options = new StaticNets.Training.TrainerOptions { LearningRate = rate, Threads = 2 };
                cells.Add(($"{name} TrainBatch(32) {optimizerName}", () => trainer.TrainBatch(x, y, options)));
            }
        }
        var n3 = new N3(3);
        var ws = n3.CreateWorkspace(256);
        ws.Threads = 2;
        var x256 = BenchData.Inputs(256 * N3.InputSize, 7);
        var y256 = new float[256 * N3.OutputSize];
        cells.Add(("N3 Forward(256)", () => n3.Forward(x256, y256, ws)));
        var p = new float[N3.ParameterCount];
        var g = BenchData.Inputs(N3.ParameterCount, 3);
        cells.Add(("N3-sized update pass", () => ParallelSpans.AxpyThenSumOfSquares(0f, g, p, 2)));

        var medians = Alternate(cells.Count, rounds, (c, arm) =>
        {
            WorkerPool.DealsRanges = arm == 0;
            return GemmBreakdown.MedianSeconds(cells[c].Run, 11, 1) * 1e6;
        });
        WorkerPool.DealsRanges = true;
        Console.WriteLine($"{"cell (2 threads)",-28} {"ranges µs",10} {"in order µs",12} {"ratio",6}");
        for (int c = 0; c < cells.Count; c++)
        {
            double dealt = medians[c, 0], ordered = medians[c, 1];
            Console.WriteLine($"{cells[c].Name,-28} {dealt,10:F1} {ordered,12:F1} {ordered / dealt,6:F2}");
        }
        return 0;
    }

    /// <summary>
    /// <c>layer-threads [rounds]</c>: the convolution and recurrent networks on one and two threads, alternated round by
    /// round in one process: LeNet-5's and the 128-unit LSTM's batched forward (split into sub-batches inside the call) and
    /// their training steps (the batch cut into partitions on the pool). Medians of the rounds' medians.
    /// </summary>
    public static int LayerThreads(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 11;
        var cells = new System.Collections.Generic.List<(string Name, Action[] Run)>();
        foreach (var (name, make, batch) in new (string, Func<INetwork<float>>, int)[]
        {
            ("LeNet-5", () => new LeNet5(5), 256),
            ("LSTM 128 × 28 steps", () => new Lstm128Mnist(5), 64),
        })
        {
            var net = make();
            var x = BenchData.Inputs(batch * net.InputSize, 8);
            var y = new float[batch * net.OutputSize];
            var runs = new Action[2];
            for (int t = 0; t < 2; t++)
            {
                var ws = net.CreateWorkspace(batch);
                ws.Threads = t + 1;
                runs[t] = () => net.Forward(x, y, ws);
            }
            cells.Add(($"{name} Forward({batch})", runs));
            var targets = BenchData.Targets(64, net.OutputSize, 12);
            // One Backward call on a workspace of 1 or 2 threads: what splits inside the call (the recurrent layer's
            // steps back and gradient products; a convolution's backward does not split yet).
            var backward = new Action[2];
            for (int t = 0; t < 2; t++)
            {
                var ws = net.CreateWorkspace(64);
                ws.Threads = t + 1;
                var g = new float[net.ParameterCount];
                backward[t] = () => net.Backward(x.AsSpan(0, 64 * net.InputSize), targets, g, ws);
            }
            cells.Add(($"{name} Backward(64)", backward));
            var train = new Action[2];
            for (int t = 0; t < 2; t++)
            {
                var trainer = new StaticNets.Training.Trainer<float>(make(), new StaticNets.Training.Adam<float>());
                var options = new StaticNets.Training.TrainerOptions { BatchSize = 64, LearningRate = 0.0001, Threads = t + 1 };
                train[t] = () => trainer.TrainBatch(x.AsSpan(0, 64 * net.InputSize), targets, options);
            }
            cells.Add(($"{name} TrainBatch(64) Adam", train));
        }
        var medians = Alternate(cells.Count, rounds, (c, t) => GemmBreakdown.MedianSeconds(cells[c].Run[t], 11, 1) * 1e6);
        Console.WriteLine($"{"cell",-34} {"1 thread µs",12} {"2 threads µs",13} {"speed-up",9}");
        for (int c = 0; c < cells.Count; c++)
        {
            double one = medians[c, 0], two = medians[c, 1];
            Console.WriteLine($"{cells[c].Name,-34} {one,12:F1} {two,13:F1} {one / two,8:F2}×");
        }
        return 0;
    }

    // Every cell's two arms timed in turn, round after round, so that both see the same host; the median per cell and arm.
    private static double[,] Alternate(int cells, int rounds, Func<int, int, double> time)
    {
        var samples = new double[cells, 2][];
        for (int c = 0; c < cells; c++)
            for (int arm = 0; arm < 2; arm++)
                samples[c, arm] = new double[rounds];
        for (int r = 0; r < rounds; r++)
            for (int c = 0; c < cells; c++)
                for (int arm = 0; arm < 2; arm++)
                    samples[c, arm][r] = time(c, arm);
        var medians = new double[cells, 2];
        for (int c = 0; c < cells; c++)
        {
            for (int arm = 0; arm < 2; arm++)
            {
                Array.Sort(samples[c, arm]);
                medians[c, arm] = samples[c, arm][rounds / 2];
            }
        }
        return medians;
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
