using System;
using ILGPU;
using ILGPU.Runtime;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Gpu.Tests;

/// <summary>
/// Each kernel on ILGPU's CPU accelerator against a plain CPU reference (the runtime's kernels where it has them).
/// Tolerances: GEMM 1e-5 absolute + 1e-5 relative against a double-precision sum; element-wise kernels 2e-6 absolute +
/// 2e-6 relative against the runtime's (vectorised, differently rounded) kernels; reductions 1e-5 relative.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public class KernelTests
{
    private readonly GpuDevice _device, _fast;

    public KernelTests(CpuDeviceFixture fixture)
    {
        _device = fixture.Device;
        _fast = fixture.Fast;
    }

    [Fact]
    public void The_gpu_sized_device_runs_the_tiled_gemm_and_the_fast_one_the_barrier_free_gemm()
    {
        Assert.True(_device.UsesTiledGemm);
        Assert.False(_fast.UsesTiledGemm);
        Assert.Equal(GpuDeviceKind.Cpu, _device.Kind);
        Assert.False(_device.IsGpu);
        Assert.StartsWith("ILGPU CPU accelerator: ", _device.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(70, 67, 45, false, false)]
    [InlineData(70, 67, 45, false, true)]
    [InlineData(70, 67, 45, true, false)]
    [InlineData(70, 67, 45, true, true)]
    [InlineData(1, 1, 1, false, true)]
    [InlineData(3, 130, 17, true, false)]
    [InlineData(129, 5, 64, false, false)]
    public void Gemm_matches_a_double_precision_reference(int m, int n, int k, bool transA, bool transB)
    {
        // The tiled kernel, the barrier-free kernel on the same device, and the fast device's (barrier-free) product.
        foreach (var (device, simple) in new[] { (_device, false), (_device, true), (_fast, false) })
            Gemm(device, simple, m, n, k, transA, transB);
    }

    private static void Gemm(GpuDevice device, bool simple, int m, int n, int k, bool transA, bool transB)
    {
        float[] a = TestData.Random(m * k, 1), b = TestData.Random(k * n, 2), c0 = TestData.Random(m * n, 3);
        int lda = transA ? m : k, ldb = transB ? k : n;
        foreach (bool accumulate in new[] { false, true })
        {
            const float Alpha = 0.75f;
            var expected = new float[m * n];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int p = 0; p < k; p++)
                        sum += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    expected[i * n + j] = (float)(Alpha * sum + (accumulate ? c0[i * n + j] : 0));
                }
            }
            using var da = device.Upload(a);
            using var db = device.Upload(b);
            using var dc = device.Upload(c0);
            if (simple)
                device.Kernels.GemmSimple(da.Flat(), transA, lda, db.Flat(), transB, ldb, dc.Flat(), n, m, n, k, Alpha, accumulate);
            else
                device.Kernels.Gemm(da.Flat(), transA, lda, db.Flat(), transB, ldb, dc.Flat(), n, m, n, k, Alpha, accumulate);
            TestData.Close(expected, dc.Download(), 1e-5, 1e-5, $"C ({(simple ? "barrier-free" : device.UsesTiledGemm ? "tiled" : "fast device")}, accumulate {accumulate})");
        }
    }

    public static TheoryData<Activation> ElementwiseActivations() => new()
    {
        Activation.Identity, Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU,
        Activation.ELU, Activation.GELU, Activation.Softplus, Activation.SiLU,
    };

    [Theory]
    [MemberData(nameof(ElementwiseActivations))]
    public void Bias_and_activation_match_the_runtime(Activation activation)
    {
        const int Rows = 7, Columns = 11;
        float[] z = TestData.Random(Rows * Columns, 4, 4f), bias = TestData.Random(Columns, 5);
        var expectedZ = new float[z.Length];
        for (int i = 0; i < z.Length; i++)
            expectedZ[i] = z[i] + bias[i % Columns];
        var expectedA = new float[z.Length];
        ActivationKernels.Apply<float>(activation, expectedZ, expectedA);

        using var dz = _device.Upload(z);
        using var da = _device.Upload(new float[z.Length]);
        using var db = _device.Upload(bias);
        _device.Kernels.BiasActivation(dz.Flat(), da.Flat(), db.Flat(), Columns, hasBias: true, activation);
        TestData.Close(expectedZ, dz.Download(), 0, 0, "z");
        TestData.Close(expectedA, da.Download(), 2e-6, 2e-6, "a");
    }

    [Theory]
    [MemberData(nameof(ElementwiseActivations))]
    public void Derivatives_match_the_runtime(Activation activation)
    {
        float[] z = TestData.Random(64, 6, 4f), delta = TestData.Random(64, 7);
        var a = new float[z.Length];
        ActivationKernels.Apply<float>(activation, z, a);
        var expected = (float[])delta.Clone();
        ActivationKernels.MultiplyByDerivative<float>(activation, z, a, expected);

        using var dd = _device.Upload(delta);
        using var dz = _device.Upload(z);
        using var dA = _device.Upload(a);
        _device.Kernels.MultiplyByDerivative(dd.Flat(), dz.Flat(), dA.Flat(), activation);
        TestData.Close(expected, dd.Download(), 2e-6, 2e-6, "δ");
    }

    [Fact]
    public void Softmax_matches_the_runtime_per_row()
    {
        const int Rows = 5, Columns = 10;
        float[] z = TestData.Random(Rows * Columns, 8, 20f);
        var expected = new float[z.Length];
        for (int r = 0; r < Rows; r++)
            ActivationKernels.Softmax<float>(z.AsSpan(r * Columns, Columns), expected.AsSpan(r * Columns, Columns));
        using var dz = _device.Upload(z);
        using var da = _device.Upload(new float[z.Length]);
        _device.Kernels.Softmax(dz.Flat(), da.Flat(), Columns);
        TestData.Close(expected, da.Download(), 1e-7, 1e-5, "softmax");
    }

    [Theory]
    [InlineData(Loss.CrossEntropy, Activation.Softmax)]
    [InlineData(Loss.CrossEntropy, Activation.Sigmoid)]
    [InlineData(Loss.Quadratic, Activation.Sigmoid)]
    [InlineData(Loss.Quadratic, Activation.Tanh)]
    [InlineData(Loss.Quadratic, Activation.Identity)]
    public void Output_delta_and_costs_match_the_runtime(Loss loss, Activation activation)
    {
        const int Rows = 6, Columns = 4;
        float[] z = TestData.Random(Rows * Columns, 9, 3f);
        var a = new float[z.Length];
        for (int r = 0; r < Rows; r++)
            ActivationKernels.Apply<float>(activation, z.AsSpan(r * Columns, Columns), a.AsSpan(r * Columns, Columns));
        var y = new float[z.Length];
        for (int r = 0; r < Rows; r++)
            y[r * Columns + r % Columns] = 1f;
        // Make one row saturate, so the clamp matters.
        if (activation == Activation.Sigmoid)
            a[0] = 1f;

        var expectedDelta = new float[z.Length];
        var expectedCosts = new float[Rows];
        for (int r = 0; r < Rows; r++)
        {
            var ar = a.AsSpan(r * Columns, Columns);
            var yr = y.AsSpan(r * Columns, Columns);
            expectedCosts[r] = LossKernels.Compute<float>(loss, activation, ar, yr);
            var dr = expectedDelta.AsSpan(r * Columns, Columns);
            LossKernels.OutputError<float>(ar, yr, dr);
            if (loss == Loss.Quadratic)
                ActivationKernels.MultiplyByDerivative<float>(activation, z.AsSpan(r * Columns, Columns), ar, dr);
        }
        int code = loss == Loss.Quadratic ? GpuKernels.LossQuadratic : activation == Activation.Softmax ? GpuKernels.LossSoftmaxCrossEntropy : GpuKernels.LossBinaryCrossEntropy;
        using var da = _device.Upload(a);
        using var dz = _device.Upload(z);
        using var dy = _device.Upload(y);
        using var dd = _device.Upload(new float[z.Length]);
        using var dc = _device.Upload(new float[Rows]);
        _device.Kernels.OutputDelta(da.Flat(), dz.Flat(), dy.Flat(), dd.Flat(), dc.Flat(), Rows, Columns, code, activation);
        TestData.Close(expectedDelta, dd.Download(), 1e-7, 1e-6, "δ");
        TestData.Close(expectedCosts, dc.Download(), 1e-6, 1e-5, "cost");

        using var total = _device.Upload(new[] { 1.5f });
        _device.Kernels.SumInto(dc.Flat(), Rows, total.Flat());
        double sum = 1.5;
        foreach (float c in expectedCosts)
            sum += c;
        TestData.Close(new[] { (float)sum }, total.Download(), 1e-6, 1e-5, "summed cost");
    }

    [Fact]
    public void Bias_gradient_is_the_scaled_column_sum()
    {
        const int Rows = 9, Columns = 13;
        float[] delta = TestData.Random(Rows * Columns, 10);
        var expected = new float[Columns];
        for (int j = 0; j < Columns; j++)
        {
            double sum = 0;
            for (int r = 0; r < Rows; r++)
                sum += delta[r * Columns + j];
            expected[j] = (float)(sum / Rows);
        }
        using var dd = _device.Upload(delta);
        using var dg = _device.Upload(new float[Columns]);
        _device.Kernels.BiasGradient(dd.Flat(), dg.Flat(), Rows, Columns, 1f / Rows);
        TestData.Close(expected, dg.Download(), 1e-6, 1e-5, "∂b");
    }

    [Fact]
    public void Gather_copies_the_indexed_rows()
    {
        const int RowSize = 5;
        float[] source = TestData.Random(8 * RowSize, 11);
        int[] indices = { 7, 3, 3, 0, 5, 1 };
        using var ds = _device.Upload(source);
        using var di = _device.Accelerator.Allocate1D(indices);
        using var dd = _device.Upload(new float[3 * RowSize]);
        _device.Kernels.Gather(ds.Flat(), di.Flat(), dd.Flat(), start: 2, rows: 3, RowSize);
        var expected = new float[3 * RowSize];
        for (int r = 0; r < 3; r++)
            source.AsSpan(indices[2 + r] * RowSize, RowSize).CopyTo(expected.AsSpan(r * RowSize));
        Assert.Equal(expected, dd.Download());
    }

    [Fact]
    public void Count_correct_compares_arg_maxes()
    {
        float[] outputs = { 0.1f, 0.7f, 0.2f, /**/ 0.5f, 0.2f, 0.3f, /**/ 0.3f, 0.3f, 0.4f, /**/ 0.9f, 0.05f, 0.05f };
        float[] targets = { 0, 1, 0, /**/ 0, 1, 0, /**/ 0, 0, 1, /**/ 0, 0, 1 };
        using var dout = _device.Upload(outputs);
        using var dt = _device.Upload(targets);
        using var dc = _device.Accelerator.Allocate1D(new[] { 10 });
        _device.Kernels.CountCorrect(dout.Flat(), dt.Flat(), dc.Flat(), rows: 4, columns: 3);
        Assert.Equal(12, dc.GetAsArray1D()[0]);
    }

    [Fact]
    public void Sgd_and_momentum_kernels_match_the_runtime_optimizers()
    {
        float[] p = TestData.Random(37, 12), g = TestData.Random(37, 13);
        var sgd = (float[])p.Clone();
        new StaticNets.Training.Sgd<float>().Step(sgd, g, 0.1f);
        using (var dp = _device.Upload(p))
        using (var dg = _device.Upload(g))
        {
            _device.Kernels.Sgd(dp.Flat(), dg.Flat(), 0.1f);
            TestData.Close(sgd, dp.Download(), 1e-7, 1e-6, "SGD θ"); // the runtime's Axpy may fuse the multiply-add
        }

        var momentum = (float[])p.Clone();
        var cpu = new StaticNets.Training.Momentum<float>(0.8);
        using (var dp = _device.Upload(p))
        using (var dg = _device.Upload(g))
        using (var dv = _device.Upload(new float[p.Length]))
        {
            for (int step = 0; step < 3; step++)
            {
                cpu.Step(momentum, g, 0.05f);
                _device.Kernels.Momentum(dp.Flat(), dg.Flat(), dv.Flat(), 0.8f, 0.05f);
            }
            TestData.Close(momentum, dp.Download(), 1e-7, 1e-6, "momentum θ");
            TestData.Close(cpu.State, dv.Download(), 1e-7, 1e-6, "velocity");
        }
    }
}
