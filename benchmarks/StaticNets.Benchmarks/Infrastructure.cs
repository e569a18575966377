using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace StaticNets.Benchmarks;

/// <summary>
/// The work one benchmark operation does, so the GFLOP/s and samples/s columns can be computed:
/// <c>2 · macsPerSample · samples · passes</c> floating-point operations. A training step counts its
/// multiply-adds exactly: forward and δᵀ·a over every layer, δ·W over every layer but the first (nothing
/// is propagated into the input), see <see cref="TrainingMacs"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WorkAttribute(long macsPerSample, int samples, int passes) : Attribute
{
    /// <summary>Floating-point operations of one benchmark operation.</summary>
    public double Flops { get; } = 2.0 * macsPerSample * samples * passes;

    /// <summary>Samples processed by one benchmark operation.</summary>
    public int Samples { get; } = samples;
}

/// <summary>Multiply-adds per sample of the nets' training steps.</summary>
public static class TrainingMacs
{
    /// <summary>784-128-10: 2·(784·128 + 128·10) + 128·10.</summary>
    public const long N2 = 2 * (784 * 128 + 128 * 10) + 128 * 10;

    /// <summary>784-512-512-10: 2·(784·512 + 512·512 + 512·10) + 512·512 + 512·10.</summary>
    public const long N3 = 2 * (784 * 512 + 512 * 512 + 512 * 10) + 512 * 512 + 512 * 10;
}

/// <summary>A short job (the machine is shared and small), memory diagnoser on, and the work columns.</summary>
public sealed class SuiteConfig : ManualConfig
{
    /// <summary>The configuration every benchmark class uses.</summary>
    public SuiteConfig()
    {
        // Fifteen warm-up iterations (3 s): a training step needs about a second of tiered compilation before its
        // kernels run at tier 1 (benchmarks train-drift mode), and three (0.6 s) measured it half-compiled.
        AddJob(Job.Default.WithWarmupCount(15).WithIterationCount(12).WithLaunchCount(1)
            .WithIterationTime(TimeInterval.FromMilliseconds(200)).WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, new WorkColumn(WorkColumn.Kind.Samples), new WorkColumn(WorkColumn.Kind.Gflops), new WorkColumn(WorkColumn.Kind.PercentOfPeak));
        HideColumns(Column.Error, Column.StdDev, Column.Job, Column.WarmupCount, Column.IterationCount, Column.LaunchCount, Column.IterationTime);
        WithOption(ConfigOptions.JoinSummary, false);
        SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
    }
}

/// <summary>samples/s, GFLOP/s and % of the measured FMA peak, from the median time.</summary>
public sealed class WorkColumn(WorkColumn.Kind kind) : IColumn
{
    /// <summary>Which number the column shows.</summary>
    public enum Kind
    {
        /// <summary>Samples per second.</summary>
        Samples,
        /// <summary>Billions of floating-point operations per second.</summary>
        Gflops,
        /// <summary>GFLOP/s as a share of <see cref="FmaPeak.GflopsPerCore"/>.</summary>
        PercentOfPeak,
    }

    /// <inheritdoc />
    public string Id => "Work" + kind;

    /// <inheritdoc />
    public string ColumnName => kind switch { Kind.Samples => "samples/s", Kind.Gflops => "GFLOP/s", _ => "% FMA peak" };

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => (int)kind;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => kind switch
    {
        Kind.Samples => "Samples processed per second (median)",
        Kind.Gflops => "Useful floating-point operations per second (2 per multiply-add, median)",
        _ => $"GFLOP/s over one core's measured FMA peak ({FmaPeak.GflopsPerCore:F1} GFLOP/s)",
    };

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var work = (WorkAttribute?)Attribute.GetCustomAttribute(benchmarkCase.Descriptor.Type, typeof(WorkAttribute));
        var report = summary[benchmarkCase];
        if (work is null || report?.ResultStatistics is null)
            return "-";
        double seconds = report.ResultStatistics.Median * 1e-9;
        double gflops = work.Flops / seconds * 1e-9;
        return kind switch
        {
            Kind.Samples => (work.Samples / seconds).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            Kind.Gflops => gflops.ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
            _ => (100 * gflops / FmaPeak.GflopsPerCore).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " %",
        };
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>
/// One core's float FMA throughput, measured: sixteen (512-bit) or twelve (256-bit) independent accumulators of the
/// widest accelerated vector, so the loop is bound by FMA issue, not latency. The reference every % peak column uses.
/// </summary>
public static class FmaPeak
{
    private static readonly Lazy<double> Measured = new(Measure);

    /// <summary>GFLOP/s of one thread (best of several short runs).</summary>
    public static double GflopsPerCore => Measured.Value;

    /// <summary>Aggregate GFLOP/s of the same FMA loop running on <paramref name="threads"/> threads at once: whether the cores are real.</summary>
    public static double MeasureConcurrently(int threads)
    {
        double best = 0;
        for (int run = 0; run < 5; run++)
        {
            const int iterations = 4_000_000;
            using var start = new System.Threading.Barrier(threads + 1);
            var workers = new System.Threading.Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new System.Threading.Thread(() =>
                {
                    start.SignalAndWait();
                    _ = Vector512.IsHardwareAccelerated ? Loop512(iterations) : Loop256(iterations);
                });
                workers[t].Start();
            }
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            foreach (var worker in workers)
                worker.Join();
            best = Math.Max(best, threads * 2.0 * FmasPerIteration * iterations / clock.Elapsed.TotalSeconds * 1e-9);
        }
        return best;
    }

    /// <summary>GFLOP/s of one short run of the loop on the calling thread (≈ 6 ms): the peak of the moment, for a busy host.</summary>
    public static double MeasureOnce()
    {
        const int iterations = 2_000_000;
        var clock = Stopwatch.StartNew();
        float sink = Vector512.IsHardwareAccelerated ? Loop512(iterations) : Loop256(iterations);
        return 2.0 * FmasPerIteration * iterations / clock.Elapsed.TotalSeconds * 1e-9 + (sink == 42 ? 1e-12 : 0);
    }

    private static double Measure()
    {
        double best = 0;
        for (int run = 0; run < 7; run++)
        {
            const int iterations = 2_000_000;
            var clock = Stopwatch.StartNew();
            float sink = Vector512.IsHardwareAccelerated ? Loop512(iterations) : Loop256(iterations);
            double seconds = clock.Elapsed.TotalSeconds;
            best = Math.Max(best, 2.0 * FmasPerIteration * iterations / seconds * 1e-9 + (sink == 42 ? 1e-12 : 0));
        }
        return best;
    }

    private static float Loop512(int n)
    {
        var m = Vector512.Create(0.999f);
        var c = Vector512.Create(1e-3f);
        Vector512<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m;
        Vector512<float> a8 = m, a9 = m, a10 = m, a11 = m, a12 = m, a13 = m, a14 = m, a15 = m;
        for (int i = 0; i < n; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            a12 = Vector512.FusedMultiplyAdd(a12, m, c); a13 = Vector512.FusedMultiplyAdd(a13, m, c);
            a14 = Vector512.FusedMultiplyAdd(a14, m, c); a15 = Vector512.FusedMultiplyAdd(a15, m, c);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
        return Vector512.Sum(s);
    }

    // Twelve chains, not sixteen: without AVX-512 there are sixteen vector registers, and sixteen accumulators plus
    // the two constants spilled (the loop measured 67 GFLOP/s where the kernels reach 100). Twelve still cover the
    // FMA latency times the issue width of current cores.
    private static float Loop256(int n)
    {
        var m = Vector256.Create(0.999f);
        var c = Vector256.Create(1e-3f);
        Vector256<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m;
        Vector256<float> a8 = m, a9 = m, a10 = m, a11 = m;
        for (int i = 0; i < n; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return Vector256.Sum(s);
    }

    /// <summary>
    /// GFLOP/s of the ∂input micro-kernel's loop shape on one thread, on operands in L1 (≈ 6 ms): per step four
    /// 512-bit loads from a 32 KiB panel, six broadcasts and 24 FMAs into 24 accumulators, the loop the AVX-512
    /// ∂input and ∂W blocks run. Beside <see cref="MeasureOnce"/> it separates what the loads cost on the core from
    /// what the kernels lose to the memory system. Without AVX-512 the loop is the AVX2 blocks' shape: two 256-bit loads
    /// from an 8 KiB panel, six broadcasts and twelve FMAs into twelve accumulators (sixteen registers).
    /// </summary>
    public static double MeasureLoadLoopOnce()
    {
        // Per row of the panel: four 512-bit vectors and 24 FMAs, or two 256-bit vectors and 12; the same ≈ 6 ms either way.
        bool wide = Vector512.IsHardwareAccelerated;
        int rows = 128, width = wide ? 64 : 16, flopsPerRow = wide ? 2 * 24 * 16 : 2 * 12 * 8, passes = wide ? 4_000 : 16_000;
        var panel = new float[rows * width + 16];
        var deltas = new float[6 * rows + 16];
        for (int i = 0; i < panel.Length; i++)
            panel[i] = 1e-3f * (i % 7);
        for (int i = 0; i < deltas.Length; i++)
            deltas[i] = 1e-3f * (i % 5);
        var clock = Stopwatch.StartNew();
        float sink = wide ? LoadLoop512(panel, deltas, rows, passes) : LoadLoop256(panel, deltas, rows, passes);
        return (double)flopsPerRow * rows * passes / clock.Elapsed.TotalSeconds * 1e-9 + (sink == 42 ? 1e-12 : 0);
    }

    // Moving references and a constant row distance, as the kernels address their operands: with int indices the loop
    // spent eighteen integer instructions a step on addresses, which the kernels do not.
    private static float LoadLoop512(float[] panel, float[] deltas, int rows, int passes)
    {
        nuint dr = (nuint)rows;
        Vector512<float> sum = Vector512<float>.Zero;
        for (int pass = 0; pass < passes; pass++)
        {
            ref float r = ref panel[0];
            ref float d = ref deltas[0];
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
            Vector512<float> a40 = default, a41 = default, a42 = default, a43 = default, a50 = default, a51 = default, a52 = default, a53 = default;
            for (int j = rows; j != 0; j--)
            {
                var u0 = Vector512.LoadUnsafe(ref r); var u1 = Vector512.LoadUnsafe(ref r, 16); var u2 = Vector512.LoadUnsafe(ref r, 32); var u3 = Vector512.LoadUnsafe(ref r, 48);
                var e = Vector512.Create(d);
                a00 = Vector512.FusedMultiplyAdd(u0, e, a00); a01 = Vector512.FusedMultiplyAdd(u1, e, a01); a02 = Vector512.FusedMultiplyAdd(u2, e, a02); a03 = Vector512.FusedMultiplyAdd(u3, e, a03);
                e = Vector512.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, dr));
                a10 = Vector512.FusedMultiplyAdd(u0, e, a10); a11 = Vector512.FusedMultiplyAdd(u1, e, a11); a12 = Vector512.FusedMultiplyAdd(u2, e, a12); a13 = Vector512.FusedMultiplyAdd(u3, e, a13);
                e = Vector512.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, 2 * dr));
                a20 = Vector512.FusedMultiplyAdd(u0, e, a20); a21 = Vector512.FusedMultiplyAdd(u1, e, a21); a22 = Vector512.FusedMultiplyAdd(u2, e, a22); a23 = Vector512.FusedMultiplyAdd(u3, e, a23);
                e = Vector512.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, 3 * dr));
                a30 = Vector512.FusedMultiplyAdd(u0, e, a30); a31 = Vector512.FusedMultiplyAdd(u1, e, a31); a32 = Vector512.FusedMultiplyAdd(u2, e, a32); a33 = Vector512.FusedMultiplyAdd(u3, e, a33);
                e = Vector512.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, 4 * dr));
                a40 = Vector512.FusedMultiplyAdd(u0, e, a40); a41 = Vector512.FusedMultiplyAdd(u1, e, a41); a42 = Vector512.FusedMultiplyAdd(u2, e, a42); a43 = Vector512.FusedMultiplyAdd(u3, e, a43);
                e = Vector512.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, 5 * dr));
                a50 = Vector512.FusedMultiplyAdd(u0, e, a50); a51 = Vector512.FusedMultiplyAdd(u1, e, a51); a52 = Vector512.FusedMultiplyAdd(u2, e, a52); a53 = Vector512.FusedMultiplyAdd(u3, e, a53);
                r = ref System.Runtime.CompilerServices.Unsafe.Add(ref r, 64);
                d = ref System.Runtime.CompilerServices.Unsafe.Add(ref d, 1);
            }
            sum += a00 + a01 + a02 + a03 + a10 + a11 + a12 + a13 + a20 + a21 + a22 + a23 + a30 + a31 + a32 + a33 + a40 + a41 + a42 + a43 + a50 + a51 + a52 + a53;
        }
        return Vector512.Sum(sum);
    }

    private static float LoadLoop256(float[] panel, float[] deltas, int rows, int passes)
    {
        nuint dr = (nuint)rows;
        Vector256<float> sum = Vector256<float>.Zero;
        for (int pass = 0; pass < passes; pass++)
        {
            ref float r = ref panel[0];
            ref float d = ref deltas[0];
            Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
            Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
            for (int j = rows; j != 0; j--)
            {
                var u0 = Vector256.LoadUnsafe(ref r); var u1 = Vector256.LoadUnsafe(ref r, 8);
                var e = Vector256.Create(d);
                a00 = Vector256.FusedMultiplyAdd(u0, e, a00); a01 = Vector256.FusedMultiplyAdd(u1, e, a01);
                e = Vector256.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, dr));
                a10 = Vector256.FusedMultiplyAdd(u0, e, a10); a11 = Vector256.FusedMultiplyAdd(u1, e, a11);
                e = Vector256.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, 2 * dr));
                a20 = Vector256.FusedMultiplyAdd(u0, e, a20); a21 = Vector256.FusedMultiplyAdd(u1, e, a21);
                e = Vector256.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, 3 * dr));
                a30 = Vector256.FusedMultiplyAdd(u0, e, a30); a31 = Vector256.FusedMultiplyAdd(u1, e, a31);
                e = Vector256.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, 4 * dr));
                a40 = Vector256.FusedMultiplyAdd(u0, e, a40); a41 = Vector256.FusedMultiplyAdd(u1, e, a41);
                e = Vector256.Create(System.Runtime.CompilerServices.Unsafe.Add(ref d, 5 * dr));
                a50 = Vector256.FusedMultiplyAdd(u0, e, a50); a51 = Vector256.FusedMultiplyAdd(u1, e, a51);
                r = ref System.Runtime.CompilerServices.Unsafe.Add(ref r, 16);
                d = ref System.Runtime.CompilerServices.Unsafe.Add(ref d, 1);
            }
            sum += a00 + a01 + a10 + a11 + a20 + a21 + a30 + a31 + a40 + a41 + a50 + a51;
        }
        return Vector256.Sum(sum);
    }

    // Multiply-adds per loop iteration of the loop that runs: lanes × chains.
    private static int FmasPerIteration => Vector512.IsHardwareAccelerated ? 16 * 16 : 8 * 12;
}

/// <summary>Deterministic inputs and one-hot targets, and the agreement check every setup runs before timing.</summary>
public static class BenchData
{
    /// <summary><paramref name="count"/> values uniform in [0, 1).</summary>
    public static float[] Inputs(int count, int seed)
    {
        var rng = new SplitMix64(seed);
        var x = new float[count];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)rng.NextDouble();
        return x;
    }

    /// <summary>One-hot rows for random labels.</summary>
    public static float[] Targets(int samples, int classes, int seed)
    {
        var rng = new SplitMix64(seed);
        var y = new float[samples * classes];
        for (int s = 0; s < samples; s++)
            y[s * classes + rng.Next(classes)] = 1;
        return y;
    }

    /// <summary>Throws unless <paramref name="actual"/> matches <paramref name="expected"/> within 1e-4 (absolute, or relative for large values).</summary>
    public static void Agree(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance = 1e-4f)
    {
        if (expected.Length != actual.Length)
            throw new InvalidOperationException($"{what}: expected {expected.Length} values but got {actual.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = Math.Abs(expected[i] - actual[i]);
            if (!(diff <= tolerance * Math.Max(1, Math.Abs(expected[i]))))
                throw new InvalidOperationException($"{what}: value {i} is {actual[i]} but StaticNets gives {expected[i]} (difference {diff}).");
        }
    }
}
