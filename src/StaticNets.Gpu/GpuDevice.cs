using System;
using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace StaticNets.Gpu;

/// <summary>Which kind of ILGPU accelerator a <see cref="GpuDevice"/> runs on.</summary>
public enum GpuDeviceKind
{
    /// <summary>An NVIDIA GPU through CUDA.</summary>
    Cuda = 0,
    /// <summary>A GPU (or other device) through OpenCL.</summary>
    OpenCL = 1,
    /// <summary>ILGPU's CPU accelerator: the kernels run as .NET code on simulated groups of threads (tests, machines without a GPU).</summary>
    Cpu = 2,
}

/// <summary>
/// An ILGPU context and one accelerator, chosen <c>GetPreferredDevice</c>-style by <see cref="CreatePreferred"/>:
/// the first CUDA device, else the first OpenCL device, else ILGPU's CPU accelerator. <see cref="ToString"/> says
/// which was chosen (the samples print it). Dispose it after every <see cref="GpuTrainer"/> that uses it.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    /// <summary>Threads per group of the tiled GEMM (16 × 16): an OpenCL device must allow that many.</summary>
    internal const int TiledGroupThreads = GpuKernels.GroupSize * GpuKernels.GroupSize;

    private readonly Context _context;
    private bool _disposed;

    private GpuDevice(Context context, Accelerator accelerator, GpuDeviceKind kind, string why)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Reason = why;
        Kernels = new GpuKernels(accelerator);
    }

    /// <summary>The ILGPU accelerator (for advanced use; <see cref="GpuTrainer"/> needs nothing from it).</summary>
    public Accelerator Accelerator { get; }

    /// <summary>CUDA, OpenCL or the CPU accelerator.</summary>
    public GpuDeviceKind Kind { get; }

    /// <summary>The accelerator's name as ILGPU reports it.</summary>
    public string Name => Accelerator.Name;

    /// <summary>Why this device was chosen (e.g. "no CUDA or OpenCL device found").</summary>
    public string Reason { get; }

    /// <summary>Memory of the accelerator in bytes.</summary>
    public long MemorySize => Accelerator.MemorySize;

    /// <summary>Whether the dense products run the tiled shared-memory GEMM (on every GPU; on the CPU accelerator only with GPU-sized groups).</summary>
    public bool UsesTiledGemm => Kernels.UsesTiledGemm;

    /// <summary>Whether the kernels run on a real GPU (CUDA or OpenCL) rather than ILGPU's CPU accelerator.</summary>
    public bool IsGpu => Kind != GpuDeviceKind.Cpu;

    internal GpuKernels Kernels { get; }

    /// <summary>
    /// The preferred accelerator: the first CUDA device, else the first OpenCL GPU, else ILGPU's CPU accelerator
    /// (unless <paramref name="allowCpu"/> is false, when a machine without a GPU gets an exception instead).
    /// </summary>
    /// <param name="allowCpu">Whether to fall back to ILGPU's CPU accelerator.</param>
    /// <exception cref="InvalidOperationException">No GPU was found and <paramref name="allowCpu"/> is false.</exception>
    public static GpuDevice CreatePreferred(bool allowCpu = true)
    {
        var context = CreateContext();
        try
        {
            var cuda = context.GetCudaDevices();
            if (cuda.Count > 0)
                return new GpuDevice(context, cuda[0].CreateAccelerator(context), GpuDeviceKind.Cuda, "first CUDA device");
            var cl = context.GetCLDevices();
            foreach (var device in cl)
            {
                if (device.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU && device.MaxNumThreadsPerGroup >= TiledGroupThreads)
                    return new GpuDevice(context, device.CreateAccelerator(context), GpuDeviceKind.OpenCL, "no CUDA device; first OpenCL GPU");
            }
            if (!allowCpu)
                throw new InvalidOperationException("Expected a CUDA or OpenCL GPU but found none (allowCpu is false).");
            return new GpuDevice(context, CreateCpuAccelerator(context, Environment.ProcessorCount, gpuGroups: false), GpuDeviceKind.Cpu, "no CUDA or OpenCL GPU found");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The first CUDA device, or <see langword="null"/> when the machine has none (CUDA tests skip on null).</summary>
    public static GpuDevice? TryCreateCuda()
    {
        var context = CreateContext();
        try
        {
            var cuda = context.GetCudaDevices();
            if (cuda.Count == 0)
            {
                context.Dispose();
                return null;
            }
            return new GpuDevice(context, cuda[0].CreateAccelerator(context), GpuDeviceKind.Cuda, "CUDA requested");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator, whatever the machine has. With <paramref name="gpuGroups"/> (the default, what the kernel
    /// tests use) it simulates groups of 16 × 16 threads and runs the same tiled shared-memory GEMM as a GPU; without, it
    /// has groups of 2 threads and runs a barrier-free GEMM, several times faster there because every simulated thread is
    /// an OS thread and every barrier a hand-off between them (what <see cref="CreatePreferred"/> falls back to).
    /// </summary>
    /// <param name="multiprocessors">Groups that run at once; 0 for one per processor.</param>
    /// <param name="gpuGroups">Whether to simulate GPU-sized groups (16 × 16 threads) and run the tiled GEMM.</param>
    public static GpuDevice CreateCpu(int multiprocessors = 0, bool gpuGroups = true)
    {
        if (multiprocessors < 0)
            throw new ArgumentOutOfRangeException(nameof(multiprocessors), multiprocessors, $"Expected 0 (one per processor) or more but got {multiprocessors}.");
        var context = CreateContext();
        try
        {
            return new GpuDevice(context, CreateCpuAccelerator(context, multiprocessors == 0 ? Environment.ProcessorCount : multiprocessors, gpuGroups), GpuDeviceKind.Cpu,
                gpuGroups ? "CPU accelerator requested, 16 × 16-thread groups" : "CPU accelerator requested, 2-thread groups");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static Context CreateContext()
        // Default() enables every accelerator kind; EnableAlgorithms() gives the kernels XMath (exp, tanh, log).
        // Optimization level O2 as ILGPU's release default.
        => Context.Create(builder => builder.Default().EnableAlgorithms().Optimize(OptimizationLevel.O2));

    private static CPUAccelerator CreateCpuAccelerator(Context context, int multiprocessors, bool gpuGroups)
    {
        var device = gpuGroups ? new CPUDevice(GpuKernels.GroupSize, GpuKernels.GroupSize, multiprocessors) : new CPUDevice(2, 1, multiprocessors);
        return device.CreateCPUAccelerator(context);
    }

    /// <summary>"CUDA: NVIDIA H200 (139.8 GiB), first CUDA device" — the kind, the name, its memory (its simulated layout for the CPU accelerator) and why it was chosen.</summary>
    public override string ToString()
        => Kind == GpuDeviceKind.Cpu
            // The CPU accelerator reports no memory size of its own (long.MaxValue): it uses the host's.
            ? string.Create(CultureInfo.InvariantCulture, $"ILGPU CPU accelerator: {Accelerator.NumMultiprocessors} simulated multiprocessor(s) of {Accelerator.MaxNumThreadsPerGroup}-thread groups on {Environment.ProcessorCount} core(s), {Reason}")
            : string.Create(CultureInfo.InvariantCulture, $"{(Kind == GpuDeviceKind.Cuda ? "CUDA" : "OpenCL")}: {Name} ({MemorySize / (1024.0 * 1024 * 1024):F1} GiB), {Reason}");

    /// <summary>Releases the accelerator and the ILGPU context.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Accelerator.Dispose();
        _context.Dispose();
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
