using System;
using System.Linq;
using System.Threading;
using StaticNets.Kernels;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// The worker pool under the batched kernels: whole generated networks give the same bits on 1, 2, 3 and 8
/// threads, calls overlapping from several user threads neither deadlock nor lose work, a call allocates
/// nothing once warm (on the caller and on the workers), and bad thread counts are refused.
/// </summary>
[Collection(nameof(VectorWidthCollection))]
public class ParallelKernelTests
{
    private static readonly int[] ThreadCounts = { 1, 2, 3, 8 };

    [Theory]
    [InlineData("784-128-10", 67)]
    [InlineData("784-128-10", 256)]
    [InlineData("64-32-10", 100)]
    public void GeneratedNetworks_GiveTheSameBitsOnAnyThreadCount(string name, int batch)
    {
        var net = NetworkCatalog.Single[name](5);
        var x = NetworkCatalog.Random<float>(batch * net.InputSize, 8, 0, 1);
        var y = NetworkCatalog.Targets<float>(net.Info, batch, 9);
        float[]? outputs = null, gradient = null, inputGradient = null;
        float loss = 0;
        foreach (int threads in ThreadCounts)
        {
            var ws = net.CreateWorkspace(batch);
            ws.Threads = threads;
            var o = new float[batch * net.OutputSize];
            net.Forward(x, o, ws);
            var g = new float[net.ParameterCount];
            var dx = new float[batch * net.InputSize];
            float l = net.Backward(x, y, g, dx, ws);
            if (outputs is null)
            {
                (outputs, gradient, inputGradient, loss) = (o, g, dx, l);
                continue;
            }
            Assert.Equal(outputs, o);
            Assert.Equal(gradient, g);
            Assert.Equal(inputGradient, dx);
            Assert.Equal(loss, l);
        }
    }

    [Fact]
    public void LeNet5_GivesTheSameBitsOnAnyThreadCount()
    {
        const int batch = 19;
        var net = new StaticNets.Tests.Layers.LeNet5(3);
        var x = NetworkCatalog.Random<float>(batch * StaticNets.Tests.Layers.LeNet5.InputSize, 10, 0, 1);
        var y = NetworkCatalog.Targets<float>(net.Info, batch, 11);
        float[]? expected = null, expectedGradient = null, expectedInput = null;
        foreach (int threads in ThreadCounts)
        {
            var ws = net.CreateWorkspace(batch);
            ws.Threads = threads;
            var o = new float[batch * StaticNets.Tests.Layers.LeNet5.OutputSize];
            net.Forward(x, o, ws);
            // Backward too: both convolutions split their ∂W (the first layer's direct scheme by channel, the second's
            // channel scheme by tap) and the second its ∂x by sample; ∂C/∂input asked for, so the first layer's as well.
            var gradient = new float[StaticNets.Tests.Layers.LeNet5.ParameterCount];
            var input = new float[x.Length];
            net.Backward(x, y, gradient, input, ws);
            if (expected is null)
            {
                (expected, expectedGradient, expectedInput) = (o, gradient, input);
                continue;
            }
            Assert.Equal(expected, o);
            Assert.True(expectedGradient!.AsSpan().SequenceEqual(gradient), $"LeNet-5's gradient on {threads} threads differs from one thread's");
            Assert.True(expectedInput!.AsSpan().SequenceEqual(input), $"LeNet-5's ∂C/∂input on {threads} threads differs from one thread's");
        }
    }

    [Fact]
    public void RecurrentNetworks_GiveTheSameBitsOnAnyThreadCount()
    {
        const int batch = 19;
        void Check<T>(INetwork<T> net) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        {
            var rng = new Random(12);
            var x = new T[batch * net.InputSize];
            for (int i = 0; i < x.Length; i++)
                x[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
            T[]? expected = null;
            foreach (int threads in ThreadCounts)
            {
                var ws = net.CreateWorkspace(batch);
                ws.Threads = threads;
                var o = new T[batch * net.OutputSize];
                net.Forward(x, o, ws);
                if (expected is null)
                    expected = o;
                else
                    Assert.Equal(expected, o);
            }
        }
        Check(new StaticNets.Tests.Recurrent.FLstm64(4));
        Check(new StaticNets.Tests.Recurrent.DGruStacked(5));
        Check(new StaticNets.Tests.Recurrent.DLstmSequence(6));
    }

    // One thread's results at the default row block, per network, batch and window.
    private static readonly System.Collections.Generic.Dictionary<string, object> Baselines = new();

    [Fact]
    public void RecurrentBackward_GivesTheSameBitsOnAnyThreadCount()
    {
        // The steps back in sub-batches of sequences, the gradient products by gate unit, ∂C/∂x by step rows: the split
        // threshold lowered so that these small layers are cut too; odd batches put chunk edges everywhere; with and
        // without truncation; ∂C/∂input asked for, so the first layer's ∂x splits as well.
        long saved = StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk;
        StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = 1;
        try
        {
            // And every block of rows of the weight-gradient products: one row, a few, the default, all at once.
            int savedBlock = RecurrentKernels.GradientRowBlockBytes;
            try
            {
                foreach (int bytes in new[] { savedBlock, 1, 8 * 1024, int.MaxValue / 2 })
                {
                    RecurrentKernels.GradientRowBlockBytes = bytes;
                    Check(new StaticNets.Tests.Recurrent.FLstm64(4), bytes == savedBlock);
                    Check(new StaticNets.Tests.Recurrent.DGruStacked(5), bytes == savedBlock);
                    Check(new StaticNets.Tests.Recurrent.DLstmSequence(6), bytes == savedBlock);
                }
            }
            finally
            {
                RecurrentKernels.GradientRowBlockBytes = savedBlock;
            }
        }
        finally
        {
            StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = saved;
        }

        static void Check<T>(INetwork<T> net, bool first) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        {
            var recurrent = (IRecurrentNetwork<T>)net;
            foreach (int batch in new[] { 1, 7, 19 })
            {
                foreach (int window in new[] { 0, 3 })
                {
                    recurrent.BackpropagationWindow = window;
                    var rng = new Random(batch + window);
                    var x = new T[batch * net.InputSize];
                    for (int i = 0; i < x.Length; i++)
                        x[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
                    T[] y = NetworkCatalog.Targets<T>(net.Info, batch, batch + 1);
                    T[]? expectedGradient = null, expectedInput = null;
                    T expectedLoss = T.Zero;
                    string key = $"{net.GetType().Name}/{batch}/{window}";
                    if (!first)
                        (expectedGradient, expectedInput, expectedLoss) = ((T[], T[], T))Baselines[key];
                    foreach (int threads in ThreadCounts)
                    {
                        var ws = net.CreateWorkspace(batch);
                        ws.Threads = threads;
                        var gradient = new T[net.ParameterCount];
                        var input = new T[x.Length];
                        T loss = net.Backward(x, y, gradient, input, ws);
                        if (expectedGradient is null)
                        {
                            (expectedGradient, expectedInput, expectedLoss) = (gradient, input, loss);
                            Baselines[key] = (gradient, input, loss);
                            Assert.Contains(gradient, v => v != T.Zero);
                            continue;
                        }
                        string what = $"{net.GetType().Name}, batch {batch}, window {window}, {threads} threads, row blocks of {RecurrentKernels.GradientRowBlockBytes} bytes";
                        Assert.True(expectedGradient.AsSpan().SequenceEqual(gradient), $"{what}: the parameter gradient differs from one thread's");
                        Assert.True(expectedInput!.AsSpan().SequenceEqual(input), $"{what}: ∂C/∂input differs from one thread's");
                        Assert.Equal(expectedLoss, loss);
                    }
                }
            }
            recurrent.BackpropagationWindow = 0;
        }
    }

    [Fact]
    public void OverlappingCallsFromManyThreads_FinishWithEveryResult()
    {
        const int inputs = 300, outputs = 200, samples = 96, callers = 6, rounds = 40;
        var rng = new Random(3);
        float[] w = KernelTestSupport.Uniform<float>(rng, outputs * inputs), b = KernelTestSupport.Uniform<float>(rng, outputs);
        var xs = Enumerable.Range(0, callers).Select(_ => KernelTestSupport.Uniform<float>(rng, samples * inputs)).ToArray();
        var expected = xs.Select(x =>
        {
            var z = new float[samples * outputs];
            DenseKernels.ForwardBatch<float>(w, b, x, z, inputs, outputs, 1);
            return z;
        }).ToArray();

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = Enumerable.Range(0, callers).Select(c => new Thread(() =>
        {
            var z = new float[samples * outputs];
            var gw = new float[outputs * inputs];
            var gb = new float[outputs];
            for (int r = 0; r < rounds; r++)
            {
                Array.Clear(z);
                DenseKernels.ForwardBatch<float>(w, b, xs[c], z, inputs, outputs, 8);
                if (!z.AsSpan().SequenceEqual(expected[c]))
                    failures.Enqueue($"caller {c}, round {r}: wrong or lost rows");
                // A different kernel in between, so jobs of several kinds overlap.
                DenseKernels.AccumulateGradientBatch<float>(expected[c], xs[c], gw, gb, inputs, outputs, 3);
            }
        }) { IsBackground = true }).ToArray();
        foreach (var t in threads)
            t.Start();
        foreach (var t in threads)
            Assert.True(t.Join(TimeSpan.FromMinutes(2)), "overlapping calls did not finish: deadlock");
        Assert.Empty(failures);
    }

    [Fact]
    public void TheWorkersTakeChunks()
    {
        if (Environment.ProcessorCount < 2)
            return; // one core: the pool has no worker, and every job runs on its caller
        const int inputs = 512, outputs = 512, samples = 64;
        var rng = new Random(4);
        float[] w = KernelTestSupport.Uniform<float>(rng, outputs * inputs), b = KernelTestSupport.Uniform<float>(rng, outputs);
        float[] x = KernelTestSupport.Uniform<float>(rng, samples * inputs), z = new float[samples * outputs];
        long before = StaticNets.Threading.WorkerPool.Shared.WorkerChunks;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Workers may be starved on a loaded machine: keep going (up to 20 s) until one has taken a chunk.
        while (StaticNets.Threading.WorkerPool.Shared.WorkerChunks == before && clock.Elapsed < TimeSpan.FromSeconds(20))
            DenseKernels.ForwardBatch<float>(w, b, x, z, inputs, outputs, 2);
        Assert.True(StaticNets.Threading.WorkerPool.Shared.WorkerChunks > before, "no worker ran a chunk of 2-thread jobs in 20 s");
    }

    [Fact]
    public void WarmCalls_AllocateNothing()
    {
        var net = new MnistNet(1);
        const int batch = 64;
        var x = NetworkCatalog.Random<float>(batch * MnistNet.InputSize, 2, 0, 1);
        var y = NetworkCatalog.Targets<float>(MnistNet.Architecture, batch, 3);
        var ws = net.CreateWorkspace(batch);
        ws.Threads = 2;
        var o = new float[batch * MnistNet.OutputSize];
        var g = new float[MnistNet.ParameterCount];
        void Step()
        {
            net.Forward(x, o, ws);
            net.Backward(x, y, g, ws);
        }
        for (int i = 0; i < 20; i++)
            Step();
        // The calling thread and the pool's workers (each records its own count after every job): one round of three
        // with neither allocating, as Allocations.AssertOneCleanRound for the caller alone.
        var pool = StaticNets.Threading.WorkerPool.Shared;
        var seen = new System.Collections.Generic.List<string>();
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread(), workersBefore = pool.WorkerAllocatedBytes;
            for (int i = 0; i < 50; i++)
                Step();
            long caller = GC.GetAllocatedBytesForCurrentThread() - before, workers = pool.WorkerAllocatedBytes - workersBefore;
            if (caller == 0 && workers == 0)
                return;
            seen.Add($"caller {caller}, workers {workers}");
        }
        Assert.Fail($"every round allocated: {string.Join("; ", seen)} bytes");
    }

    [Fact]
    public void BadThreadCounts_AreRefused()
    {
        var ws = new MnistNet(1).CreateWorkspace(4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ws.Threads = 0);
        Assert.Equal("value", e.ParamName);
        Assert.Contains("Expected at least 1 thread but got 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.DefaultThreads = -1);
        var k = Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernels.ForwardBatch<float>(new float[6], new float[2], new float[3], new float[2], 3, 2, 0));
        Assert.Equal("threads", k.ParamName);
        Assert.Equal(Parallelism.DefaultThreads, new MnistNet(1).CreateWorkspace(1).Threads);
    }
}

/// <summary>
/// The k-blocking of the packed forward: the L1 rule's candidate from the cache the OS reports, the choice between it
/// and 256 measured once on the first large call; every block size (and a few no rule chooses) gives the same bits,
/// so machines differ in speed only.
/// </summary>
[Collection(nameof(VectorWidthCollection))]
public class BlockingTests
{
    [Fact]
    public void KBlock_FollowsTheL1DataCache()
    {
        Assert.Equal(64, DenseKernels.ChooseKBlock(32 * 1024));
        Assert.Equal(96, DenseKernels.ChooseKBlock(48 * 1024));
        Assert.Equal(32, DenseKernels.ChooseKBlock(8 * 1024));
        Assert.Equal(512, DenseKernels.ChooseKBlock(1024 * 1024));
        Assert.Equal(32 * 1024, CacheSizesParse("32K"));
        Assert.Equal(2 * 1024 * 1024, CacheSizesParse("2M"));
        Assert.Equal(0, CacheSizesParse("lots"));
    }

    private static int CacheSizesParse(string text) => CacheSizes.ParseSize(text);

    [Theory]
    [InlineData(1)]
    [InlineData(4 * 1024)]
    [InlineData(64 * 1024)]
    [InlineData(16 * 1024 * 1024)]
    public void EverySampleBlockOfTheWeightGradient_GivesTheSameBits(int bytes)
    {
        var rng = new Random(bytes);
        foreach (var (outputs, inputs, samples) in new[] { (64, 784, 67), (130, 300, 64), (67, 97, 5), (13, 33, 128) })
        {
            float[] d = KernelTestSupport.Uniform<float>(rng, samples * outputs), x = KernelTestSupport.Uniform<float>(rng, samples * inputs);
            float[] gw0 = KernelTestSupport.Uniform<float>(rng, outputs * inputs), gb0 = KernelTestSupport.Uniform<float>(rng, outputs);
            float[] expectedW = (float[])gw0.Clone(), expectedB = (float[])gb0.Clone();
            int saved = DenseKernels.GradientSampleBlockBytes;
            try
            {
                DenseKernels.GradientSampleBlockBytes = int.MaxValue / 2; // one block: every sample in one pass
                DenseKernels.AccumulateGradientBatch<float>(d, x, expectedW, expectedB, inputs, outputs);
                DenseKernels.GradientSampleBlockBytes = bytes;
                float[] gw = (float[])gw0.Clone(), gb = (float[])gb0.Clone();
                DenseKernels.AccumulateGradientBatch<float>(d, x, gw, gb, inputs, outputs, 2);
                Assert.Equal(expectedW, gw);
                Assert.Equal(expectedB, gb);
            }
            finally
            {
                DenseKernels.GradientSampleBlockBytes = saved;
            }
        }
    }

    /// <summary>
    /// ∂W and ∂input with their operands copied to contiguous panels (the sixteen-register paths) against the same
    /// kernels reading them in place: the same bits at every width, on 1, 2, 3 and 8 threads, with several sample
    /// blocks of ∂W and bands of ∂input rows (down to one row). The shapes cover 2 KiB row strides, strips ending in one vector and scalar columns, row counts
    /// around the six- and four-row blocks and the 12-row and 12-sample thresholds below which nothing is packed.
    /// </summary>
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    public void PackingTheBackwardPanels_ChangesNoBit(int bits) => VectorWidthTests.WithWidth(bits, () =>
    {
        var rng = new Random(bits);
        foreach (var (outputs, inputs, samples) in new[] { (24, 512, 70), (13, 33, 128), (67, 97, 13), (12, 40, 11), (11, 24, 12), (130, 300, 64), (30, 512, 30), (9, 256, 20), (6, 16, 12), (19, 8, 37), (40, 784, 25) })
        {
            float[] d = KernelTestSupport.Uniform<float>(rng, samples * outputs), x = KernelTestSupport.Uniform<float>(rng, samples * inputs);
            float[] w = KernelTestSupport.Uniform<float>(rng, outputs * inputs);
            float[] gw0 = KernelTestSupport.Uniform<float>(rng, outputs * inputs), gb0 = KernelTestSupport.Uniform<float>(rng, outputs);
            float[] expectedW = (float[])gw0.Clone(), expectedB = (float[])gb0.Clone(), expectedDx = new float[samples * inputs];
            int savedBlock = DenseKernels.GradientSampleBlockBytes, savedBand = DenseKernels.InputBandBytes;
            try
            {
                DenseKernels.BackwardPacks = false;
                DenseKernels.AccumulateGradientBatch<float>(d, x, expectedW, expectedB, inputs, outputs);
                DenseKernels.BackwardInputBatch<float>(w, d, expectedDx, inputs, outputs);
                DenseKernels.BackwardPacks = true;
                foreach (var (bytes, band) in new[] { (savedBlock, savedBand), (4 * 1024, 1024), (int.MaxValue / 2, 1) })
                {
                    DenseKernels.GradientSampleBlockBytes = bytes;
                    DenseKernels.InputBandBytes = band;
                    foreach (int threads in new[] { 1, 2, 3, 8 })
                    {
                        float[] gw = (float[])gw0.Clone(), gb = (float[])gb0.Clone(), dx = new float[samples * inputs];
                        DenseKernels.AccumulateGradientBatch<float>(d, x, gw, gb, inputs, outputs, threads);
                        DenseKernels.BackwardInputBatch<float>(w, d, dx, inputs, outputs, threads);
                        Assert.Equal(expectedW, gw);
                        Assert.Equal(expectedB, gb);
                        Assert.Equal(expectedDx, dx);
                    }
                }
            }
            finally
            {
                DenseKernels.BackwardPacks = true;
                DenseKernels.GradientSampleBlockBytes = savedBlock;
                DenseKernels.InputBandBytes = savedBand;
            }
        }
    });

    [Fact]
    public void The_measured_choice_picks_a_candidate_and_changes_no_bit()
    {
        const int outputs = 256, inputs = 256, samples = 72; // 4.7 M multiply-adds: large enough to be measured
        var rng = new Random(31);
        float[] w = KernelTestSupport.Uniform<float>(rng, outputs * inputs), b = KernelTestSupport.Uniform<float>(rng, outputs);
        float[] x = KernelTestSupport.Uniform<float>(rng, samples * inputs);
        var packed = new float[DenseKernels.PackedLength<float>(inputs, outputs)];
        DenseKernels.PackPanels<float>(w, packed, inputs, outputs);
        int saved = DenseKernels.KBlock;
        try
        {
            DenseKernels.KBlock = 32;
            float[] expectedZ = new float[samples * outputs], expectedA = new float[samples * outputs];
            DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, x, expectedZ, expectedA, inputs, outputs, Activation.ReLU);

            DenseKernels.ResetKBlockChoice();
            Assert.Contains("not yet measured", DenseKernels.DescribeKBlock());
            float[] z = new float[expectedZ.Length], a = new float[expectedZ.Length];
            DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, x, z, a, inputs, outputs, Activation.ReLU, 2);
            Assert.Equal(expectedZ, z);
            Assert.Equal(expectedA, a);
            Assert.Contains(DenseKernels.KBlock, new[] { DenseKernels.ChooseKBlock(CacheSizes.L1Data), 256 });
            Assert.Equal($"k-block {DenseKernels.KBlock}", DenseKernels.DescribeKBlock());
        }
        finally
        {
            DenseKernels.KBlock = saved;
        }
    }

    /// <summary>
    /// The AVX-512 backward's six-row ∂W and six-sample ∂input blocks (with their aligned copies of x and W) against the
    /// four-blocks: the same bits on 1, 2 and 3 threads, with and without the aligned copies of the strips, with the strips
    /// of x in the outer loop of the six-row ∂W blocks and in the inner one, with row and
    /// sample counts around the twelve-row, twelve-sample and 64-sample thresholds and strips ending in two vectors, one
    /// vector and scalar columns.
    /// </summary>
    [Fact]
    public void SixBlocksBackward_GiveTheBitsOfFourBlocks()
    {
        var rng = new Random(67);
        foreach (var (outputs, inputs, samples) in new[] { (12, 784, 12), (13, 97, 70), (24, 512, 64), (130, 300, 256), (25, 100, 13), (40, 784, 63), (12, 64, 32) })
        {
            float[] d = KernelTestSupport.Uniform<float>(rng, samples * outputs), x = KernelTestSupport.Uniform<float>(rng, samples * inputs);
            float[] w = KernelTestSupport.Uniform<float>(rng, outputs * inputs);
            float[] gw0 = KernelTestSupport.Uniform<float>(rng, outputs * inputs), gb0 = KernelTestSupport.Uniform<float>(rng, outputs);
            float[] expectedW = (float[])gw0.Clone(), expectedB = (float[])gb0.Clone(), expectedDx = new float[samples * inputs];
            bool savedCopies = DenseKernels.CopiesWideStrips;
            try
            {
                DenseKernels.SixBlocksBackward = false;
                DenseKernels.AccumulateGradientBatch<float>(d, x, expectedW, expectedB, inputs, outputs);
                DenseKernels.BackwardInputBatch<float>(w, d, expectedDx, inputs, outputs);
                DenseKernels.SixBlocksBackward = true;
                foreach (var (copies, threads, stripsOuter) in new[] { (true, 1, true), (true, 2, true), (false, 1, true), (false, 3, true), (true, 3, true), (true, 1, false), (false, 2, false), (true, 3, false) })
                {
                    DenseKernels.CopiesWideStrips = copies;
                    DenseKernels.StripsOuter = stripsOuter;
                    float[] gw = (float[])gw0.Clone(), gb = (float[])gb0.Clone(), dx = new float[samples * inputs];
                    DenseKernels.AccumulateGradientBatch<float>(d, x, gw, gb, inputs, outputs, threads);
                    DenseKernels.BackwardInputBatch<float>(w, d, dx, inputs, outputs, threads);
                    Assert.Equal(expectedW, gw);
                    Assert.Equal(expectedB, gb);
                    Assert.Equal(expectedDx, dx);
                }
            }
            finally
            {
                DenseKernels.SixBlocksBackward = true;
                DenseKernels.StripsOuter = true;
                DenseKernels.CopiesWideStrips = savedCopies;
            }
        }
    }

    /// <summary>
    /// The AVX-512 dot-product forward's six-sample blocks (training batches below 64 samples, narrow layers at any
    /// batch) against the four-sample blocks: the same bits in float and double on 1, 2 and 3 threads, with rows past
    /// the last four, ragged input widths, and sample counts around the blocks of twelve.
    /// </summary>
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    public void InputGradientByColumnStrips_GivesTheBitsOfOneThread(int bits) => VectorWidthTests.WithWidth(bits, () =>
    {
        // Widths of one strip (no split), two with a tail, exact strips, and the training shapes; sample counts below,
        // at and beyond the six- and four-sample blocks.
        var rng = new Random(bits + 1);
        long savedMin = StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk;
        StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = 1;
        try
        {
            foreach (var (outputs, inputs) in new[] { (7, 64), (9, 127), (10, 128), (33, 130), (5, 191), (512, 512), (40, 784), (3, 1000) })
            {
                foreach (int samples in new[] { 1, 5, 12, 32, 63, 64, 67 })
                {
                    Check<float>(rng, outputs, inputs, samples);
                    Check<double>(rng, outputs, inputs, samples);
                }
            }
        }
        finally
        {
            StaticNets.Threading.WorkerPool.MinMultiplyAddsPerChunk = savedMin;
            DenseKernels.SplitsInputByColumns = true;
        }

        static void Check<T>(Random rng, int outputs, int inputs, int samples) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        {
            T[] w = KernelTestSupport.Uniform<T>(rng, outputs * inputs), d = KernelTestSupport.Uniform<T>(rng, samples * outputs);
            var expected = new T[samples * inputs];
            DenseKernels.BackwardInputBatch<T>(w, d, expected, inputs, outputs, 1);
            foreach (bool columns in new[] { true, false })
            {
                DenseKernels.SplitsInputByColumns = columns;
                foreach (int threads in new[] { 2, 3, 8 })
                {
                    var dx = new T[expected.Length];
                    DenseKernels.BackwardInputBatch<T>(w, d, dx, inputs, outputs, threads);
                    if (!expected.AsSpan().SequenceEqual(dx))
                        Assert.Fail($"BackwardInputBatch<{typeof(T).Name}> {outputs}×{inputs}, m={samples}, {(columns ? "by columns" : "by samples")} on {threads} threads differs from one thread.");
                }
            }
            DenseKernels.SplitsInputByColumns = true;
        }
    });

    [Fact]
    public void SixSampleDots_GiveTheBitsOfFourSampleDots()
    {
        var rng = new Random(71);
        foreach (var (outputs, inputs) in new[] { (128, 784), (61, 97), (33, 300), (32, 16), (130, 64), (10, 128) })
        {
            foreach (int samples in new[] { 4, 6, 11, 12, 13, 16, 24, 30, 32, 63, 67 })
            {
                Check<float>(rng, outputs, inputs, samples);
                Check<double>(rng, outputs, inputs, samples);
            }
        }

        static void Check<T>(Random rng, int outputs, int inputs, int samples) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        {
            T[] w = KernelTestSupport.Uniform<T>(rng, outputs * inputs), b = KernelTestSupport.Uniform<T>(rng, outputs);
            T[] x = KernelTestSupport.Uniform<T>(rng, samples * inputs);
            T[] z4 = new T[samples * outputs];
            try
            {
                DenseKernels.SixSampleDots = false;
                DenseKernels.ForwardBatch<T>(w, b, x, z4, inputs, outputs);
                DenseKernels.SixSampleDots = true;
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    T[] z6 = new T[z4.Length];
                    DenseKernels.ForwardBatch<T>(w, b, x, z6, inputs, outputs, threads);
                    Assert.Equal(z4, z6);
                }
            }
            finally
            {
                DenseKernels.SixSampleDots = true;
            }
        }
    }

    [Fact]
    public void SixSampleBlocks_GiveTheBitsOfFourSampleBlocks()
    {
        var rng = new Random(61);
        foreach (var (outputs, inputs) in new[] { (64, 784), (130, 300), (128, 33), (192, 97) })
        {
            float[] w = KernelTestSupport.Uniform<float>(rng, outputs * inputs), b = KernelTestSupport.Uniform<float>(rng, outputs);
            var packed = new float[DenseKernels.PackedLength<float>(inputs, outputs)];
            DenseKernels.PackPanels<float>(w, packed, inputs, outputs);
            foreach (int samples in new[] { 4, 6, 11, 12, 13, 16, 18, 24, 30, 67, 256 })
            {
                float[] x = KernelTestSupport.Uniform<float>(rng, samples * inputs);
                bool saved = DenseKernels.SixSampleBlocks;
                int savedBlock = DenseKernels.KBlock;
                try
                {
                    float[] z4 = new float[samples * outputs], a4 = new float[z4.Length], z6 = new float[z4.Length], a6 = new float[z4.Length];
                    DenseKernels.KBlock = 96; // a ragged last block on every shape with more inputs
                    DenseKernels.SixSampleBlocks = false;
                    DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, x, z4, a4, inputs, outputs, Activation.ReLU);
                    DenseKernels.SixSampleBlocks = true;
                    DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, x, z6, a6, inputs, outputs, Activation.ReLU, 3);
                    Assert.Equal(z4, z6);
                    Assert.Equal(a4, a6);
                }
                finally
                {
                    DenseKernels.SixSampleBlocks = saved;
                    DenseKernels.KBlock = savedBlock;
                }
            }
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(48)]
    [InlineData(96)]
    [InlineData(256)]
    [InlineData(512)]
    public void EveryKBlock_GivesTheSameBits(int kBlock)
    {
        var rng = new Random(kBlock);
        foreach (var (outputs, inputs, samples) in new[] { (64, 784, 67), (130, 300, 64), (67, 97, 5), (256, 33, 128) })
        {
            float[] w = KernelTestSupport.Uniform<float>(rng, outputs * inputs), b = KernelTestSupport.Uniform<float>(rng, outputs);
            float[] x = KernelTestSupport.Uniform<float>(rng, samples * inputs);
            var packed = new float[DenseKernels.PackedLength<float>(inputs, outputs)];
            DenseKernels.PackPanels<float>(w, packed, inputs, outputs);
            float[] expected = new float[samples * outputs], expectedPerCall = new float[samples * outputs];
            DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, x, expected, inputs, outputs);
            DenseKernels.ForwardBatch<float>(w, b, x, expectedPerCall, inputs, outputs);
            int saved = DenseKernels.KBlock;
            DenseKernels.KBlock = kBlock;
            try
            {
                float[] z = new float[expected.Length], zPerCall = new float[expected.Length];
                DenseKernels.ForwardBatchPrepacked<float>(packed, w, b, x, z, inputs, outputs, 2);
                DenseKernels.ForwardBatch<float>(w, b, x, zPerCall, inputs, outputs, 2);
                Assert.Equal(expected, z);
                Assert.Equal(expectedPerCall, zPerCall);
            }
            finally
            {
                DenseKernels.KBlock = saved;
            }
        }
    }
}
