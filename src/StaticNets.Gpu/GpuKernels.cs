using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace StaticNets.Gpu;

/// <summary>The shape of one GEMM launch: <c>C[M, N] = α·op(A)·op(B) (+ C when accumulating)</c>, all row-major.</summary>
/// <remarks>
/// <c>op(A)(i, k)</c> is <c>a[i·lda + k]</c>, or <c>a[k·lda + i]</c> when <see cref="TransA"/> is 1;
/// <c>op(B)(k, j)</c> is <c>b[k·ldb + j]</c>, or <c>b[j·ldb + k]</c> when <see cref="TransB"/> is 1.
/// </remarks>
internal struct GemmShape
{
    public int M, N, K, Lda, Ldb, Ldc, TransA, TransB, Accumulate;
    public float Alpha;
}

/// <summary>The scalars of one Adam step (bias corrections folded in, as the runtime's <c>Adam</c> does).</summary>
internal struct AdamScalars
{
    public float Beta1, Beta2, OneMinusBeta1, OneMinusBeta2, Alpha, EpsilonHat, Shrink;
}

/// <summary>
/// The kernels of the GPU path, loaded once per accelerator. The GEMM is an explicitly grouped kernel: groups of
/// 16 × 16 threads compute a 64 × 64 tile of C, each thread a 4 × 4 block of it (rows ty + 16r, columns tx + 16c, so
/// the reads of shared memory and the writes of C are consecutive across a warp), stepping over K in slices of 16
/// that the group loads cooperatively into shared memory (<see cref="SharedMemory.Allocate2D{T, TStride}(Index2D, TStride)"/>),
/// with a <see cref="Group.Barrier"/> after each load and after each use. The other kernels are element-wise or one
/// thread per row.
/// </summary>
internal sealed partial class GpuKernels
{
    /// <summary>Threads along each side of a GEMM group.</summary>
    public const int GroupSize = 16;
    /// <summary>Rows and columns of C one group computes.</summary>
    public const int Tile = 64;
    /// <summary>The slice of K loaded into shared memory at a time.</summary>
    public const int TileK = 16;
    private const int TiledThreads = GroupSize * GroupSize;

    /// <summary>Loss codes the output kernel understands.</summary>
    public const int LossQuadratic = 0, LossSoftmaxCrossEntropy = 1, LossBinaryCrossEntropy = 2;

    private readonly Accelerator _accelerator;
    private readonly int _maxThreads;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _gemm;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _gemmSimple;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> _biasActivation;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _softmax;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _derivative;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> _outputDelta;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, int, int, float> _biasGradient;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _gather;
    private readonly Action<Index1D, ArrayView<float>, int, ArrayView<float>> _sumInto;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> _correct;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, float> _sgd;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float> _momentum;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamScalars> _adam;

    public GpuKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        UsesTiledGemm = accelerator.MaxNumThreadsPerGroup >= TiledThreads;
        _maxThreads = (int)Math.Min(int.MaxValue, (long)accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor);
        // The tiled kernel needs groups of 16 × 16 threads; a CPU accelerator set up with small groups (GpuDevice's fast
        // CPU fallback) gets the barrier-free kernel only, the other has both so that tests can compare them.
        if (UsesTiledGemm)
            _gemm = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GemmKernel);
        else
            _gemm = (_, _, _, _, _) => throw new InvalidOperationException("The tiled GEMM needs groups of 16 × 16 threads.");
        _gemmSimple = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GemmSimpleKernel);
        _biasActivation = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(BiasActivationKernel);
        _softmax = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(SoftmaxKernel);
        _derivative = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(DerivativeKernel);
        _outputDelta = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(OutputDeltaKernel);
        _biasGradient = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, int, int, float>(BiasGradientKernel);
        _gather = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(GatherKernel);
        _sumInto = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>>(SumIntoKernel);
        _correct = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>(CorrectKernel);
        _sgd = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, float>(SgdKernel);
        _momentum = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>(MomentumKernel);
        _adam = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamScalars>(AdamKernel);
        // The convolution, pooling and standalone activation kernels (GpuKernels.Layers.cs).
        _im2col = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ConvGeometry>(Im2ColKernel);
        _col2im = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ConvGeometry>(Col2ImKernel);
        _channelBiasActivation = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry, int, int>(ChannelBiasActivationKernel);
        _toChannelMajor = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ConvGeometry>(ToChannelMajorKernel);
        _rowSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, int, float>(RowSumsKernel);
        _activate = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, int>(ActivateKernel);
        _maxPoolForward = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<int>, PoolGeometry>(MaxPoolForwardKernel);
        _maxPoolBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, PoolGeometry>(MaxPoolBackwardKernel);
        _avgPoolForward = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, PoolGeometry>(AvgPoolForwardKernel);
        _avgPoolBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, PoolGeometry>(AvgPoolBackwardKernel);
    }

    public Accelerator Accelerator => _accelerator;

    /// <summary>
    /// Whether <see cref="Gemm"/> runs the tiled shared-memory kernel (every GPU, and the CPU accelerator with 16 × 16
    /// groups) or the barrier-free one (the CPU accelerator with small groups, where each simulated barrier costs an
    /// OS-thread hand-off per thread: measured 0.04 GFLOP/s tiled against 0.2 barrier-free on 2 cores).
    /// </summary>
    public bool UsesTiledGemm { get; }

    // ---- host-side launchers (argument checks are the callers'; these only size the grids) ----

    /// <summary>C[M, N] = α·op(A)·op(B), or C += α·op(A)·op(B) when <paramref name="accumulate"/>.</summary>
    public void Gemm(ArrayView<float> a, bool transA, int lda, ArrayView<float> b, bool transB, int ldb, ArrayView<float> c, int ldc,
        int m, int n, int k, float alpha, bool accumulate)
    {
        var shape = new GemmShape
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc,
            TransA = transA ? 1 : 0, TransB = transB ? 1 : 0, Accumulate = accumulate ? 1 : 0, Alpha = alpha,
        };
        if (UsesTiledGemm)
        {
            var grid = new Index2D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile);
            _gemm(new KernelConfig(grid, new Index2D(GroupSize, GroupSize)), a, b, c, shape);
        }
        else
        {
            GemmSimple(a, transA, lda, b, transB, ldb, c, ldc, m, n, k, alpha, accumulate);
        }
    }

    /// <summary>The barrier-free GEMM (4 × 4 blocks of C per thread, no shared memory), on any accelerator.</summary>
    public void GemmSimple(ArrayView<float> a, bool transA, int lda, ArrayView<float> b, bool transB, int ldb, ArrayView<float> c, int ldc,
        int m, int n, int k, float alpha, bool accumulate)
    {
        var shape = new GemmShape
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc,
            TransA = transA ? 1 : 0, TransB = transB ? 1 : 0, Accumulate = accumulate ? 1 : 0, Alpha = alpha,
        };
        int blocks = (n + 3) / 4 * ((m + 3) / 4), threads = Threads(blocks);
        _gemmSimple(threads, blocks, threads, a, b, c, shape);
    }

    /// <summary>z ← z + bias (per column, when <paramref name="hasBias"/>), a ← σ(z) for an element-wise σ (Softmax: a ← z, then <see cref="Softmax"/>).</summary>
    public void BiasActivation(ArrayView<float> z, ArrayView<float> a, ArrayView<float> bias, int columns, bool hasBias, Activation activation)
        => Launch(_biasActivation, (int)z.Length, z, a, bias, columns, hasBias ? 1 : 0, (int)activation);

    /// <summary>a ← softmax(z) per row of <paramref name="columns"/>.</summary>
    public void Softmax(ArrayView<float> z, ArrayView<float> a, int columns)
        => _softmax((int)(z.Length / columns), z, a, columns);

    /// <summary>δ ← δ · σ′(z) element-wise (σ not softmax).</summary>
    public void MultiplyByDerivative(ArrayView<float> delta, ArrayView<float> z, ArrayView<float> a, Activation activation)
    {
        int n = (int)delta.Length, threads = Threads(n);
        _derivative(threads, n, threads, delta, z, a, (int)activation);
    }

    /// <summary>The output delta ∂C/∂z and each row's cost, for <paramref name="rows"/> rows of <paramref name="columns"/>.</summary>
    public void OutputDelta(ArrayView<float> a, ArrayView<float> z, ArrayView<float> y, ArrayView<float> delta, ArrayView<float> costs,
        int rows, int columns, int loss, Activation activation)
        => _outputDelta(rows, a, z, y, delta, costs, columns, loss, (int)activation);

    /// <summary>grad[j] = scale · Σ_rows δ[row, j].</summary>
    public void BiasGradient(ArrayView<float> delta, ArrayView<float> gradient, int rows, int columns, float scale)
    {
        int threads = Threads(columns);
        _biasGradient(threads, columns, threads, delta, gradient, rows, columns, scale);
    }

    /// <summary>dst row r ← src row indices[start + r], for <paramref name="rows"/> rows of <paramref name="rowSize"/>.</summary>
    public void Gather(ArrayView<float> source, ArrayView<int> indices, ArrayView<float> destination, int start, int rows, int rowSize)
    {
        int n = rows * rowSize, threads = Threads(n);
        _gather(threads, n, threads, source, indices, destination, rowSize, start);
    }

    /// <summary>accumulator[0] += Σ values[0 .. count), summed in order by one thread (deterministic).</summary>
    public void SumInto(ArrayView<float> values, int count, ArrayView<float> accumulator)
        => _sumInto(1, values, count, accumulator);

    /// <summary>correct[0] += the number of rows whose arg-max (or, for one column, ≥ 0.5) matches the target's.</summary>
    public void CountCorrect(ArrayView<float> outputs, ArrayView<float> targets, ArrayView<int> correct, int rows, int columns)
        => _correct(1, outputs.SubView(0, (long)rows * columns), targets.SubView(0, (long)rows * columns), correct, columns);

    /// <summary>θ ← θ − η·g.</summary>
    public void Sgd(ArrayView<float> p, ArrayView<float> g, float learningRate)
    {
        int n = (int)p.Length, threads = Threads(n);
        _sgd(threads, n, threads, p, g, learningRate);
    }

    /// <summary>v ← μ·v − η·g, θ ← θ + v.</summary>
    public void Momentum(ArrayView<float> p, ArrayView<float> g, ArrayView<float> v, float mu, float learningRate)
    {
        int n = (int)p.Length, threads = Threads(n);
        _momentum(threads, n, threads, p, g, v, mu, learningRate);
    }

    /// <summary>One Adam(W) step over a block.</summary>
    public void Adam(ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, in AdamScalars scalars)
    {
        int n = (int)p.Length, threads = Threads(n);
        _adam(threads, n, threads, p, g, m, v, scalars);
    }

    public void Synchronize() => _accelerator.Synchronize();

    /// <summary>
    /// Threads to launch for <paramref name="count"/> items: at most as many as the accelerator runs at once, each looping
    /// over items with that stride (grid-stride). On the CPU accelerator every group costs a hand-off between OS threads,
    /// so one group per item would cost more than the work.
    /// </summary>
    private int Threads(int count) => Math.Max(1, Math.Min(count, _maxThreads));

    private void Launch(Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> kernel, int count,
        ArrayView<float> v1, ArrayView<float> v2, ArrayView<float> v3, int i1, int i2, int i3)
    {
        int threads = Threads(count);
        kernel(threads, count, threads, v1, v2, v3, i1, i2, i3);
    }

    // ---- kernels ----

    /// <summary>The tiled GEMM (see the class remarks). Grid: (⌈N/64⌉, ⌈M/64⌉) groups of 16 × 16 threads.</summary>
    internal static void GemmKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        var aTile = SharedMemory.Allocate2D<float, Stride2D.DenseY>(new Index2D(TileK, Tile), new Stride2D.DenseY(Tile));
        var bTile = SharedMemory.Allocate2D<float, Stride2D.DenseY>(new Index2D(TileK, Tile), new Stride2D.DenseY(Tile));
        int tx = Group.IdxX, ty = Group.IdxY;
        int thread = ty * GroupSize + tx;
        int m0 = Grid.IdxY * Tile, n0 = Grid.IdxX * Tile;
        int row0 = m0 + ty, col0 = n0 + tx;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (int k0 = 0; k0 < s.K; k0 += TileK)
        {
            // Each thread loads 4 of the 64 × 16 elements of each tile, the contiguous direction of memory across
            // consecutive threads (coalesced), and stores them as tile[k, i].
            for (int p = 0; p < Tile * TileK / TiledThreads; p++)
            {
                int index = thread + p * TiledThreads;
                int i, kk;
                float value;
                if (s.TransA == 0)
                {
                    kk = index % TileK;
                    i = index / TileK;
                    int gi = m0 + i, gk = k0 + kk;
                    value = gi < s.M && gk < s.K ? a[(long)gi * s.Lda + gk] : 0f;
                }
                else
                {
                    i = index % Tile;
                    kk = index / Tile;
                    int gi = m0 + i, gk = k0 + kk;
                    value = gi < s.M && gk < s.K ? a[(long)gk * s.Lda + gi] : 0f;
                }
                aTile[kk, i] = value;

                int j;
                if (s.TransB == 0)
                {
                    j = index % Tile;
                    kk = index / Tile;
                    int gj = n0 + j, gk = k0 + kk;
                    value = gj < s.N && gk < s.K ? b[(long)gk * s.Ldb + gj] : 0f;
                }
                else
                {
                    kk = index % TileK;
                    j = index / TileK;
                    int gj = n0 + j, gk = k0 + kk;
                    value = gj < s.N && gk < s.K ? b[(long)gj * s.Ldb + gk] : 0f;
                }
                bTile[kk, j] = value;
            }
            Group.Barrier();

            for (int kk = 0; kk < TileK; kk++)
            {
                float a0 = aTile[kk, ty], a1 = aTile[kk, ty + 16], a2 = aTile[kk, ty + 32], a3 = aTile[kk, ty + 48];
                float b0 = bTile[kk, tx], b1 = bTile[kk, tx + 16], b2 = bTile[kk, tx + 32], b3 = bTile[kk, tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }

        Store(c, s, row0 + 0, col0 + 0, c00); Store(c, s, row0 + 0, col0 + 16, c01); Store(c, s, row0 + 0, col0 + 32, c02); Store(c, s, row0 + 0, col0 + 48, c03);
        Store(c, s, row0 + 16, col0 + 0, c10); Store(c, s, row0 + 16, col0 + 16, c11); Store(c, s, row0 + 16, col0 + 32, c12); Store(c, s, row0 + 16, col0 + 48, c13);
        Store(c, s, row0 + 32, col0 + 0, c20); Store(c, s, row0 + 32, col0 + 16, c21); Store(c, s, row0 + 32, col0 + 32, c22); Store(c, s, row0 + 32, col0 + 48, c23);
        Store(c, s, row0 + 48, col0 + 0, c30); Store(c, s, row0 + 48, col0 + 16, c31); Store(c, s, row0 + 48, col0 + 32, c32); Store(c, s, row0 + 48, col0 + 48, c33);
    }

    /// <summary>
    /// Grid-stride over 4 × 4 blocks of C, each computed by one thread straight from global memory (no shared memory, no
    /// barrier): 8 loads per 16 multiply-adds. Rows and columns past the edge read 0 and are not stored.
    /// </summary>
    internal static void GemmSimpleKernel(Index1D thread, int blocks, int stride, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        int perRow = (s.N + 3) / 4;
        for (int q = thread; q < blocks; q += stride)
            GemmBlock(q / perRow * 4, q % perRow * 4, a, b, c, s);
    }

    private static void GemmBlock(int i0, int j0, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        int rows = XMath.Min(4, s.M - i0), columns = XMath.Min(4, s.N - j0);
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < s.K; p++)
        {
            float a0 = LoadA(a, s, i0, p, rows, 0), a1 = LoadA(a, s, i0, p, rows, 1), a2 = LoadA(a, s, i0, p, rows, 2), a3 = LoadA(a, s, i0, p, rows, 3);
            float b0 = LoadB(b, s, j0, p, columns, 0), b1 = LoadB(b, s, j0, p, columns, 1), b2 = LoadB(b, s, j0, p, columns, 2), b3 = LoadB(b, s, j0, p, columns, 3);
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        Store(c, s, i0 + 0, j0 + 0, c00); Store(c, s, i0 + 0, j0 + 1, c01); Store(c, s, i0 + 0, j0 + 2, c02); Store(c, s, i0 + 0, j0 + 3, c03);
        Store(c, s, i0 + 1, j0 + 0, c10); Store(c, s, i0 + 1, j0 + 1, c11); Store(c, s, i0 + 1, j0 + 2, c12); Store(c, s, i0 + 1, j0 + 3, c13);
        Store(c, s, i0 + 2, j0 + 0, c20); Store(c, s, i0 + 2, j0 + 1, c21); Store(c, s, i0 + 2, j0 + 2, c22); Store(c, s, i0 + 2, j0 + 3, c23);
        Store(c, s, i0 + 3, j0 + 0, c30); Store(c, s, i0 + 3, j0 + 1, c31); Store(c, s, i0 + 3, j0 + 2, c32); Store(c, s, i0 + 3, j0 + 3, c33);
    }

    private static float LoadA(ArrayView<float> a, GemmShape s, int i0, int p, int rows, int r)
        => r >= rows ? 0f : s.TransA == 0 ? a[(long)(i0 + r) * s.Lda + p] : a[(long)p * s.Lda + i0 + r];

    private static float LoadB(ArrayView<float> b, GemmShape s, int j0, int p, int columns, int col)
        => col >= columns ? 0f : s.TransB == 0 ? b[(long)p * s.Ldb + j0 + col] : b[(long)(j0 + col) * s.Ldb + p];

    private static void Store(ArrayView<float> c, GemmShape s, int row, int col, float value)
    {
        if (row < s.M && col < s.N)
        {
            long at = (long)row * s.Ldc + col;
            float scaled = s.Alpha * value;
            c[at] = s.Accumulate != 0 ? c[at] + scaled : scaled;
        }
    }

    internal static void BiasActivationKernel(Index1D thread, int count, int stride, ArrayView<float> z, ArrayView<float> a, ArrayView<float> bias, int columns, int hasBias, int activation)
    {
        for (int index = thread; index < count; index += stride)
        {
            float v = z[index];
            if (hasBias != 0)
                v += bias[index % columns];
            z[index] = v;
            a[index] = activation == (int)Activation.Softmax ? v : Apply(activation, v);
        }
    }

    internal static void SoftmaxKernel(Index1D row, ArrayView<float> z, ArrayView<float> a, int columns)
    {
        long start = (long)row.X * columns;
        float max = z[start];
        for (int j = 1; j < columns; j++)
            max = XMath.Max(max, z[start + j]);
        float sum = 0;
        for (int j = 0; j < columns; j++)
        {
            float e = XMath.Exp(z[start + j] - max);
            a[start + j] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int j = 0; j < columns; j++)
            a[start + j] *= inverse;
    }

    internal static void DerivativeKernel(Index1D thread, int count, int stride, ArrayView<float> delta, ArrayView<float> z, ArrayView<float> a, int activation)
    {
        for (int index = thread; index < count; index += stride)
            delta[index] *= Derivative(activation, z[index], a[index]);
    }

    internal static void OutputDeltaKernel(Index1D row, ArrayView<float> a, ArrayView<float> z, ArrayView<float> y, ArrayView<float> delta,
        ArrayView<float> costs, int columns, int loss, int activation)
    {
        long start = (long)row.X * columns;
        float cost = 0;
        const float Epsilon = 1e-7f; // the runtime's LossKernels.SingleEpsilon
        for (int j = 0; j < columns; j++)
        {
            long at = start + j;
            float aj = a[at], yj = y[at], diff = aj - yj;
            if (loss == LossQuadratic)
            {
                cost += diff * diff;
                delta[at] = diff * Derivative(activation, z[at], aj);
            }
            else if (loss == LossSoftmaxCrossEntropy)
            {
                cost -= yj * XMath.Log(XMath.Max(aj, Epsilon));
                delta[at] = diff;
            }
            else
            {
                float clamped = XMath.Clamp(aj, Epsilon, 1f - Epsilon);
                cost -= yj * XMath.Log(clamped) + (1f - yj) * XMath.Log(1f - clamped);
                delta[at] = diff;
            }
        }
        costs[row] = loss == LossQuadratic ? cost * 0.5f : cost;
    }

    internal static void BiasGradientKernel(Index1D thread, int count, int stride, ArrayView<float> delta, ArrayView<float> gradient, int rows, int columns, float scale)
    {
        for (int column = thread; column < count; column += stride)
        {
            float sum = 0;
            for (int r = 0; r < rows; r++)
                sum += delta[(long)r * columns + column];
            gradient[column] = scale * sum;
        }
    }

    internal static void GatherKernel(Index1D thread, int count, int stride, ArrayView<float> source, ArrayView<int> indices, ArrayView<float> destination, int rowSize, int start)
    {
        for (int index = thread; index < count; index += stride)
        {
            int row = index / rowSize, column = index % rowSize;
            destination[index] = source[(long)indices[start + row] * rowSize + column];
        }
    }

    internal static void SumIntoKernel(Index1D index, ArrayView<float> values, int count, ArrayView<float> accumulator)
    {
        float sum = 0;
        for (int i = 0; i < count; i++)
            sum += values[i];
        accumulator[0] += sum;
    }

    internal static void CorrectKernel(Index1D index, ArrayView<float> outputs, ArrayView<float> targets, ArrayView<int> correct, int columns)
    {
        int rows = (int)(outputs.Length / columns);
        int count = 0;
        for (int r = 0; r < rows; r++)
        {
            long start = (long)r * columns;
            int predicted, actual;
            if (columns == 1)
            {
                predicted = outputs[start] >= 0.5f ? 1 : 0;
                actual = targets[start] >= 0.5f ? 1 : 0;
            }
            else
            {
                predicted = 0;
                actual = 0;
                for (int j = 1; j < columns; j++)
                {
                    if (outputs[start + j] > outputs[start + predicted])
                        predicted = j;
                    if (targets[start + j] > targets[start + actual])
                        actual = j;
                }
            }
            if (predicted == actual)
                count++;
        }
        correct[0] += count;
    }

    internal static void SgdKernel(Index1D thread, int count, int stride, ArrayView<float> p, ArrayView<float> g, float learningRate)
    {
        for (int i = thread; i < count; i += stride)
            p[i] += -learningRate * g[i];
    }

    internal static void MomentumKernel(Index1D thread, int count, int stride, ArrayView<float> p, ArrayView<float> g, ArrayView<float> v, float mu, float learningRate)
    {
        for (int i = thread; i < count; i += stride)
        {
            float velocity = mu * v[i] - learningRate * g[i];
            v[i] = velocity;
            p[i] += velocity;
        }
    }

    internal static void AdamKernel(Index1D thread, int count, int stride, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamScalars s)
    {
        for (int i = thread; i < count; i += stride)
        {
            float gi = g[i];
            float mi = s.Beta1 * m[i] + s.OneMinusBeta1 * gi;
            float vi = s.Beta2 * v[i] + s.OneMinusBeta2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            float pi = s.Shrink == 1f ? p[i] : p[i] * s.Shrink;
            p[i] = pi - s.Alpha * mi / (XMath.Sqrt(vi) + s.EpsilonHat);
        }
    }

    // ---- activations, the runtime's formulas (StaticNets.Kernels.ActivationKernels) ----

    private const float GeluScale = 0.7978845608028654f, GeluCubic = 0.044715f, LeakySlope = 0.01f;

    private static float Logistic(float x) => 1f / (1f + XMath.Exp(-x));

    internal static float Apply(int activation, float x)
    {
        switch (activation)
        {
            case (int)Activation.Sigmoid: return Logistic(x);
            case (int)Activation.Tanh: return XMath.Tanh(x);
            case (int)Activation.ReLU: return x > 0 ? x : 0f;
            case (int)Activation.LeakyReLU: return x > 0 ? x : LeakySlope * x;
            case (int)Activation.ELU: return x > 0 ? x : XMath.Exp(x) - 1f;
            case (int)Activation.GELU: return 0.5f * x * (1f + XMath.Tanh(GeluScale * (x + GeluCubic * x * x * x)));
            case (int)Activation.Softplus: return XMath.Max(x, 0f) + XMath.Log(1f + XMath.Exp(-XMath.Abs(x)));
            case (int)Activation.SiLU: return x * Logistic(x);
            default: return x;
        }
    }

    internal static float Derivative(int activation, float x, float a)
    {
        switch (activation)
        {
            case (int)Activation.Sigmoid: return a * (1f - a);
            case (int)Activation.Tanh: return 1f - a * a;
            case (int)Activation.ReLU: return x > 0 ? 1f : 0f;
            case (int)Activation.LeakyReLU: return x > 0 ? 1f : LeakySlope;
            case (int)Activation.ELU: return x > 0 ? 1f : a + 1f;
            case (int)Activation.GELU:
                {
                    float t = XMath.Tanh(GeluScale * (x + GeluCubic * x * x * x));
                    return 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * GeluScale * (1f + 3f * GeluCubic * x * x);
                }
            case (int)Activation.Softplus: return Logistic(x);
            case (int)Activation.SiLU:
                {
                    float s = Logistic(x);
                    return s * (1f + x * (1f - s));
                }
            default: return 1f;
        }
    }
}
