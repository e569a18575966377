using System;
using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Threading;
using StaticNets.Kernels;

namespace StaticNets.Training;

/// <summary>
/// The mean gradient of a mini-batch, computed the same way for any number of threads: the batch is cut
/// into contiguous partitions that depend only on its size, each partition back-propagates into its own
/// gradient buffer, and the buffers are summed in partition order (fused with the 1/m scaling and the
/// zeroing for the next step). Threads only decide how many partitions run at once, so 1 and 2 threads
/// give bit-identical weights. Every buffer is allocated up front; a step allocates nothing.
/// </summary>
internal sealed unsafe class PartitionedBackward<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Fewest samples in one partition: smaller pieces lose more to blocking than threads win.</summary>
    public const int MinPartitionSamples = 16;

    /// <summary>Most partitions one mini-batch is cut into (and so the most threads one step uses).</summary>
    public const int MaxPartitions = 8;

    // Below about this many floating-point operations per thread a thread-pool hand-off (microseconds)
    // costs more than it saves, and the partitions run on the calling thread.
    private const double MinFlopsPerThread = 4e6;

    private readonly INetwork<T> _network;
    private readonly long _multiplyAdds;
    private readonly T[][] _gradients;
    private readonly INetworkWorkspace<T>[] _workspaces;
    private readonly T[] _losses;
    private readonly Worker[] _workers;
    private readonly ManualResetEventSlim _done = new(false);
    private int _pending;
    private ExceptionDispatchInfo? _failure;
    private T* _x, _y;
    private int _count, _partitions, _stride;

    /// <summary>Buffers for batches of up to <paramref name="capacity"/> samples on up to <paramref name="threads"/> threads.</summary>
    public PartitionedBackward(INetwork<T> network, int capacity, int threads)
    {
        _network = network;
        _multiplyAdds = network.Info.MultiplyAddsPerSample;
        Capacity = capacity;
        Threads = threads;
        int partitions = PartitionCount(capacity);
        // A smaller batch may have fewer partitions, each larger than capacity / partitions.
        int largest = 1;
        for (int count = 1; count <= capacity; count++)
            largest = Math.Max(largest, (count + PartitionCount(count) - 1) / PartitionCount(count));
        _gradients = new T[partitions][];
        _workspaces = new INetworkWorkspace<T>[partitions];
        _losses = new T[partitions];
        for (int p = 0; p < partitions; p++)
        {
            // Partition 0 back-propagates straight into the caller's gradient.
            _gradients[p] = p == 0 ? Array.Empty<T>() : new T[network.ParameterCount];
            _workspaces[p] = network.CreateWorkspace(partitions == 1 ? capacity : largest);
            // Dropout masks are keyed by partition, not by thread, so any thread count draws the same masks.
            if (_workspaces[p] is IDropoutWorkspace dropout)
                dropout.DropoutKey = (ulong)p;
        }
        _workers = new Worker[Math.Max(0, Math.Min(threads, partitions) - 1)];
        for (int i = 0; i < _workers.Length; i++)
            _workers[i] = new Worker(this, i + 1);
    }

    /// <summary>The largest batch.</summary>
    public int Capacity { get; }

    /// <summary>The most threads a step uses.</summary>
    public int Threads { get; }

    /// <summary>How many partitions a batch of <paramref name="count"/> samples is cut into; depends on nothing else.</summary>
    public static int PartitionCount(int count) => Math.Clamp(count / MinPartitionSamples, 1, MaxPartitions);

    /// <summary>Overwrites <paramref name="gradient"/> with the mean gradient of the batch and returns its summed cost.</summary>
    public T MeanGradient(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, Span<T> gradient)
    {
        int partitions = PartitionCount(count);
        T scale = T.One / T.CreateTruncating(count);
        gradient.Clear();
        if (partitions == 1)
        {
            T single = _network.Backward(inputs, targets, gradient, _workspaces[0]);
            VectorMath.Scale(scale, gradient);
            return single;
        }

        fixed (T* x = inputs)
        fixed (T* y = targets)
        {
            _x = x;
            _y = y;
            _count = count;
            _partitions = partitions;
            int threads = Math.Min(Threads, partitions);
            // Forward and backward cost about three times the forward's multiply-adds (two flops each).
            double flopsPerThread = 6.0 * _multiplyAdds * count / threads;
            if (threads > 1 && flopsPerThread >= MinFlopsPerThread)
                RunParallel(threads, gradient);
            else
                RunPartitions(0, 1, gradient);
        }
        T loss = T.Zero;
        for (int p = 0; p < partitions; p++)
            loss += _losses[p];
        for (int p = 1; p < partitions; p++)
            GradientKernels.AddScaleAndClear<T>(gradient, _gradients[p], p == partitions - 1 ? scale : T.One);
        return loss;
    }

    // Partitions first, first + stride, …; only the calling thread (first = 0) passes the caller's gradient.
    private void RunPartitions(int first, int stride, Span<T> gradient0)
    {
        int nIn = _network.InputSize, nOut = _network.OutputSize;
        for (int p = first; p < _partitions; p += stride)
        {
            int start = (int)((long)_count * p / _partitions), end = (int)((long)_count * (p + 1) / _partitions);
            var x = new ReadOnlySpan<T>(_x + (long)start * nIn, (end - start) * nIn);
            var y = new ReadOnlySpan<T>(_y + (long)start * nOut, (end - start) * nOut);
            _losses[p] = _network.Backward(x, y, p == 0 ? gradient0 : _gradients[p], _workspaces[p]);
        }
    }

    private void RunParallel(int threads, Span<T> gradient)
    {
        _stride = threads;
        _failure = null;
        _done.Reset();
        Volatile.Write(ref _pending, threads - 1);
        for (int i = 0; i < threads - 1; i++)
            ThreadPool.UnsafeQueueUserWorkItem(_workers[i], preferLocal: false);
        try
        {
            RunPartitions(0, threads, gradient);
        }
        finally
        {
            // The workers read the pinned batch: never return (and unpin) before they are done.
            _done.Wait();
        }
        _failure?.Throw();
    }

    private void RunWorker(int index)
    {
        try
        {
            RunPartitions(index, _stride, Span<T>.Empty);
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            if (Interlocked.Decrement(ref _pending) == 0)
                _done.Set();
        }
    }

    /// <summary>A reusable thread-pool item: queueing it allocates nothing.</summary>
    private sealed class Worker(PartitionedBackward<T> owner, int index) : IThreadPoolWorkItem
    {
        public void Execute() => owner.RunWorker(index);
    }
}
