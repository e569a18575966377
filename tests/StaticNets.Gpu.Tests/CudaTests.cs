using System;
using Xunit;

namespace StaticNets.Gpu.Tests;

/// <summary>
/// The same checks on a real CUDA device. Where the machine has none they are reported as skipped (SkippableFact),
/// never as passed. On CUDA, ptxas contracts multiply-adds into FMAs, so the tolerances are a little wider than on the
/// CPU accelerator.
/// </summary>
[Trait("Category", "Cuda")]
public class CudaTests
{
    private static GpuDevice CudaOrSkip()
    {
        GpuDevice? device = null;
        try
        {
            device = GpuDevice.TryCreateCuda();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            Skip.If(true, $"CUDA could not be initialised: {e.Message}");
        }
        Skip.If(device is null, "No CUDA device on this machine.");
        return device!;
    }

    [SkippableFact]
    public void Gemm_on_cuda_matches_a_double_precision_reference()
    {
        using var device = CudaOrSkip();
        const int M = 300, N = 257, K = 190;
        float[] a = TestData.Random(M * K, 1), b = TestData.Random(N * K, 2);
        using var da = device.Upload(a);
        using var db = device.Upload(b);
        using var dc = device.Upload(new float[M * N]);
        device.Kernels.Gemm(da.Flat(), false, K, db.Flat(), true, K, dc.Flat(), N, M, N, K, 1f, false);
        var expected = new float[M * N];
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double sum = 0;
                for (int p = 0; p < K; p++)
                    sum += (double)a[i * K + p] * b[j * K + p];
                expected[i * N + j] = (float)sum;
            }
        TestData.Close(expected, dc.Download(), 1e-4, 1e-4, "C on CUDA");
    }

    [SkippableFact]
    public void A_training_step_on_cuda_matches_the_cpu_path()
    {
        using var device = CudaOrSkip();
        var gpuNet = new SoftmaxNet(3);
        INetwork<float> cpuNet = new SoftmaxNet(3);
        using var trainer = new GpuTrainer(gpuNet, device, new GpuTrainerOptions { BatchSize = 16, Optimizer = GpuOptimizer.Sgd(), LearningRate = 0.1, SizeBudget = 0 });
        float[] x = TestData.Random(16 * 13, 5, 2f);
        var y = new float[16 * 5];
        for (int r = 0; r < 16; r++)
            y[r * 5 + r % 5] = 1;
        var gradient = new float[cpuNet.ParameterCount];
        cpuNet.Backward(x, y, gradient, cpuNet.CreateWorkspace(16));
        using (var edit = cpuNet.EditParameters())
            new StaticNets.Training.Sgd<float>().Step(edit.Span, Array.ConvertAll(gradient, g => g / 16), 0.1f);
        trainer.Step(x, y);
        trainer.CopyToNetwork();
        TestData.Close(cpuNet.Parameters, gpuNet.Parameters, 1e-4, 1e-3, "θ on CUDA");
    }

    [SkippableFact]
    public void A_convolutional_training_step_on_cuda_matches_the_cpu_path()
    {
        using var device = CudaOrSkip();
        var gpuNet = new CnnTwoNet(3);
        INetwork<float> cpuNet = new CnnTwoNet(3);
        using var trainer = new GpuTrainer(gpuNet, device, new GpuTrainerOptions { BatchSize = 16, Optimizer = GpuOptimizer.Sgd(), LearningRate = 0.1, SizeBudget = 0 });
        Assert.True(trainer.OnAccelerator, trainer.Plan.ToString());
        float[] x = TestData.Random(16 * cpuNet.InputSize, 5, 2f);
        var y = new float[16 * 3];
        for (int r = 0; r < 16; r++)
            y[r * 3 + r % 3] = 1;
        var gradient = new float[cpuNet.ParameterCount];
        cpuNet.Backward(x, y, gradient, cpuNet.CreateWorkspace(16));
        using (var edit = cpuNet.EditParameters())
            new StaticNets.Training.Sgd<float>().Step(edit.Span, Array.ConvertAll(gradient, g => g / 16), 0.1f);
        trainer.Step(x, y);
        trainer.CopyToNetwork();
        TestData.Close(cpuNet.Parameters, gpuNet.Parameters, 1e-4, 1e-3, "θ of the CNN on CUDA");
    }
}
