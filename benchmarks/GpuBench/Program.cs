using System;
using System.Diagnostics;
using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using StaticNets;
using StaticNets.Gpu;
using StaticNets.Training;

// Measures the GPU path: (1) the tiled GEMM at n × n × n against cuBLAS (CUDA only), in GFLOP/s, and which is faster;
// (2) one training step of 4096-4096-4096-10 with batch 1024 (Adam) on the accelerator against the generated CPU path
// on all cores. Prints one line per measurement; medians of the repetitions.
//
// Usage: GpuBench [--size N] [--reps N] [--batch N] [--cpu-steps N] [--cpu]
// On ILGPU's CPU accelerator (no GPU, or --cpu) the sizes default to 256 and batch 32 (the accelerator there is a
// simulator, far slower than the generated code).
int? size = null, batch = null;
int reps = 5, cpuSteps = 2;
bool forceCpu = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--size": size = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--cpu-steps": cpuSteps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--cpu": forceCpu = true; break;
        default: Console.Error.WriteLine($"Unknown argument '{args[i]}'."); return 2;
    }
}

using var device = forceCpu ? GpuDevice.CreateCpu(gpuGroups: false) : GpuDevice.CreatePreferred();
Console.WriteLine($"Accelerator: {device}");
int n = size ?? (device.IsGpu ? 4096 : 256);
int b = batch ?? (device.IsGpu ? 1024 : 32);

// (1) GEMM: C[n, n] = A[n, n] · B[n, n]ᵀ (the forward product's shape).
var acc = device.Accelerator;
using var a = acc.Allocate1D<float>((long)n * n);
using var bm = acc.Allocate1D<float>((long)n * n);
using var c = acc.Allocate1D<float>((long)n * n);
var host = new float[(long)n * n];
var rng = new SplitMix64(1);
for (long i = 0; i < host.Length; i++)
    host[i] = (float)(rng.NextDouble() - 0.5);
a.CopyFromCPU(host);
bm.CopyFromCPU(host);
double flops = 2.0 * n * n * (double)n;
double tiled = Median(reps, () =>
{
    device.Kernels.Gemm(a.View, false, n, bm.View, true, n, c.View, n, n, n, n, 1f, false);
    device.Kernels.Synchronize();
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GEMM {n}³ {(device.UsesTiledGemm ? "tiled" : "barrier-free")}: {tiled * 1e3:F2} ms, {flops / tiled / 1e9:F1} GFLOP/s"));
if (device.Kind == GpuDeviceKind.Cuda)
{
    using var blas = new CuBlas((CudaAccelerator)acc);
    // Row-major C = A·Bᵀ is column-major Cᵀ = B·Aᵀ: cuBLAS sees B (as Bᵀ, ld n) transposed and A (as Aᵀ) as is.
    double cublas = Median(reps, () =>
    {
        blas.Gemm(CuBlasOperation.Transpose, CuBlasOperation.NonTranspose, n, n, n, 1f, bm.View, n, a.View, n, 0f, c.View, n);
        acc.Synchronize();
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"GEMM {n}³ cuBLAS: {cublas * 1e3:F2} ms, {flops / cublas / 1e9:F1} GFLOP/s; tiled = {cublas / tiled * 100:F0} % of cuBLAS; faster: {(tiled <= cublas ? "tiled" : "cuBLAS")}"));
}
else
{
    Console.WriteLine("cuBLAS: not measured (no CUDA device).");
}

// (2) A training step of 4096-4096-4096-10 (batch b, Adam) on the accelerator against the generated CPU path.
var gpuNet = new Wide4096(seed: 1);
var cpuNet = new Wide4096(seed: 1);
using var trainer = new GpuTrainer(gpuNet, device, new GpuTrainerOptions { BatchSize = b, Optimizer = GpuOptimizer.Adam(), SizeBudget = 0 });
float[] x = new float[b * Wide4096.InputSize], y = new float[b * Wide4096.OutputSize];
for (int i = 0; i < x.Length; i++)
    x[i] = (float)(rng.NextDouble() - 0.5);
for (int r = 0; r < b; r++)
    y[r * Wide4096.OutputSize + r % Wide4096.OutputSize] = 1;
trainer.Step(x, y);
double gpuStep = Median(reps, () => trainer.Step(x, y));
var cpuTrainer = new Trainer<float>(cpuNet, new Adam<float>());
var cpuOptions = new TrainerOptions { BatchSize = b, LearningRate = 0.001, Threads = Environment.ProcessorCount };
double cpuEpoch = Median(Math.Max(1, cpuSteps), () => cpuTrainer.TrainBatch(x, y, cpuOptions));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Step 4096-4096-4096-10, batch {b}: accelerator {gpuStep * 1e3:F1} ms, CPU path ({Environment.ProcessorCount} threads) {cpuEpoch * 1e3:F1} ms; speed-up {cpuEpoch / gpuStep:F1}×"));
return 0;

static double Median(int reps, Action action)
{
    action(); // warm-up: kernel compilation, caches
    var times = new double[reps];
    for (int i = 0; i < reps; i++)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
    Array.Sort(times);
    return times[reps / 2];
}

/// <summary>The issue's step benchmark: 4096 inputs, two 4096-unit ReLU layers, 10 softmax outputs.</summary>
[Network(4096, 4096, 4096, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class Wide4096;
