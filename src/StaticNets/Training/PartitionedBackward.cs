using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;
using StaticNets.Threading;

namespace StaticNets.Training;

/// <summary>
/// The mean gradient of a mini-batch, computed the same way for any number of threads: the batch is cut
/// into contiguous partitions that depend only on its size, each partition back-propagates into its own
/// gradient buffer, and the buffers are summed in partition order (fused with the 1/m scaling and the
/// zeroing for the next step, chunk by chunk over the same pool). Threads only decide how many partitions run
/// at once, so 1 and 2 threads give bit-identical weights. Chains of large dense layers are not cut: their kernels split each product by
/// output rows over the worker pool instead (<see cref="SplitsProducts"/>), which is bit-identical for any
/// thread count too. Every buffer is allocated up front; a step allocates nothing.
/// </summary>
internal sealed unsafe class PartitionedBackward<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Fewest samples in one partition: smaller pieces lose more to blocking than threads win.</summary>
    public const int MinPartitionSamples = 16;

    /// <summary>Most partitions one mini-batch is cut into (and so the most threads one step uses).</summary>
    public const int MaxPartitions = 8;

    // From this many multiply-adds per sample the products of a batch of 16 already fill several chunks of
    // the split kernels, so the threads go there and the batch stays whole: no gradient buffers to sum, and
    // the GEMMs see the whole batch.
    private const long MinSplitMultiplyAdds = 16_384;

    // Below about this many floating-point operations per thread a thread-pool hand-off (microseconds)
    // costs more than it saves, and the partitions run on the calling thread.
    private const double MinFlopsPerThread = 4e6;

    private readonly INetwork<T> _network;
    private readonly long _multiplyAdds;
    private readonly bool _splitsProducts;
    private readonly AlignedArray<T>?[] _gradients;
    private readonly INetworkWorkspace<T>[] _workspaces;
    private readonly T[] _losses;
    private readonly PartitionJob _job;
    private readonly SumJob _sum;
    private T* _x, _y, _gradient0;
    private int _count, _partitions;

    /// <summary>Buffers for batches of up to <paramref name="capacity"/> samples on up to <paramref name="threads"/> threads.</summary>
    public PartitionedBackward(INetwork<T> network, int capacity, int threads)
    {
        _network = network;
        _multiplyAdds = network.Info.MultiplyAddsPerSample;
        _splitsProducts = SplitsProducts(network.Info);
        Capacity = capacity;
        Threads = threads;
        int partitions = PartitionCount(capacity);
        // A smaller batch may have fewer partitions, each larger than capacity / partitions.
        int largest = 1;
        for (int count = 1; count <= capacity; count++)
            largest = Math.Max(largest, (count + PartitionCount(count) - 1) / PartitionCount(count));
        _gradients = new AlignedArray<T>?[partitions];
        _workspaces = new INetworkWorkspace<T>[partitions];
        _losses = new T[partitions];
        for (int p = 0; p < partitions; p++)
        {
            // Partition 0 back-propagates straight into the caller's gradient.
            _gradients[p] = p == 0 ? null : new AlignedArray<T>(network.ParameterCount);
            _workspaces[p] = network.CreateWorkspace(partitions == 1 ? capacity : largest);
            // Either the threads split the products of one whole batch, or they run partitions, each on one thread.
            _workspaces[p].Threads = _splitsProducts ? threads : 1;
            // Dropout masks are keyed by partition, not by thread, so any thread count draws the same masks.
            if (_workspaces[p] is IDropoutWorkspace dropout)
                dropout.DropoutKey = (ulong)p;
        }
        _job = new PartitionJob(this);
        _sum = new SumJob(this);
    }

    /// <summary>The largest batch.</summary>
    public int Capacity { get; }

    /// <summary>The most threads a step uses.</summary>
    public int Threads { get; }

    /// <summary>How many partitions a batch of <paramref name="count"/> samples is cut into; depends on nothing but the network and the count.</summary>
    public int PartitionCount(int count) => PartitionCount(_splitsProducts, count);

    /// <summary>How many partitions a batch of <paramref name="count"/> samples of <paramref name="network"/> is cut into.</summary>
    public static int PartitionCount(NetworkInfo network, int count) => PartitionCount(SplitsProducts(network), count);

    private static int PartitionCount(bool splitsProducts, int count) => splitsProducts ? 1 : Math.Clamp(count / MinPartitionSamples, 1, MaxPartitions);

    /// <summary>
    /// Whether the network's batched kernels split their own products over threads (chains of dense layers with
    /// element-wise layers between them, large enough to gain): then a batch is one partition.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool SplitsProducts(NetworkInfo network)
    {
        if (network.MultiplyAddsPerSample < MinSplitMultiplyAdds)
            return false;
        foreach (var layer in network.Layers)
        {
            bool splits = layer switch
            {
                DenseLayerInfo dense => dense.Steps == 1,
                ActivationLayerInfo or DropoutLayerInfo or FlattenLayerInfo or NormalizeLayerInfo => true,
                _ => false,
            };
            if (!splits)
                return false;
        }
        return true;
    }

    /// <summary>Overwrites <paramref name="gradient"/> with the mean gradient of the batch and returns its summed cost.</summary>
    public T MeanGradient(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, Span<T> gradient)
    {
        T loss = ScaledGradient(inputs, targets, count, gradient, gradientIsZero: false, out T scale);
        if (scale != T.One)
            ParallelSpans.Scale(scale, gradient, Threads);
        return loss;
    }

    /// <summary>
    /// <see cref="MeanGradient"/> but for the last multiplication: <paramref name="gradient"/> times
    /// <paramref name="scale"/> (element by element) is the mean gradient, so a caller that reads every element next
    /// can scale it in that pass. <paramref name="scale"/> is 1 when the gradient is already the mean. With
    /// <paramref name="gradientIsZero"/> the caller promises that <paramref name="gradient"/> is all zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public T ScaledGradient(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, Span<T> gradient, bool gradientIsZero, out T scale)
    {
        int partitions = PartitionCount(count);
        T meanScale = T.One / T.CreateTruncating(count);
        if (!gradientIsZero)
            ParallelSpans.Clear(gradient, Threads);
        if (partitions == 1)
        {
            scale = meanScale;
            return _network.Backward(inputs, targets, gradient, _workspaces[0]);
        }
        scale = T.One;
        // Forward and backward cost about three times the forward's multiply-adds (two flops each).
        double flopsPerPartition = 6.0 * _multiplyAdds * count / partitions;
        int threads = flopsPerPartition >= MinFlopsPerThread ? Threads : 1;

        fixed (T* x = inputs)
        fixed (T* y = targets)
        fixed (T* g = gradient)
        {
            _x = x;
            _y = y;
            _gradient0 = g;
            _count = count;
            _partitions = partitions;
            // The pool runs the partitions on its persistent workers; a partition's result does not depend on
            // which thread runs it.
            WorkerPool.Shared.Run(_job, partitions, threads);
        }
        T loss = T.Zero;
        for (int p = 0; p < partitions; p++)
            loss += _losses[p];
        SumPartitions(gradient, partitions, meanScale, threads);
        return loss;
    }

    // gradient += Σ the other partitions' buffers (in partition order, the last addition times the mean's 1/m), each
    // buffer zeroed for the next step: chunk by chunk over the pool, every element summed in the same order as on one
    // thread.
    private void SumPartitions(Span<T> gradient, int partitions, T meanScale, int threads)
    {
        fixed (T* g = gradient)
        {
            _sum.Gradient = g;
            _sum.Length = gradient.Length;
            _sum.Partitions = partitions;
            _sum.MeanScale = meanScale;
            _sum.ChunkSize = ParallelSpans.ChunkSize(gradient.Length);
            try
            {
                WorkerPool.Shared.Run(_sum, ParallelSpans.Chunks(gradient.Length), threads);
            }
            finally
            {
                _sum.Gradient = null;
            }
        }
    }

    // Partition p back-propagates into its own buffer; partition 0 into the caller's gradient.
    private void RunPartition(int p)
    {
        int nIn = _network.InputSize, nOut = _network.OutputSize;
        int start = (int)((long)_count * p / _partitions), end = (int)((long)_count * (p + 1) / _partitions);
        var x = new ReadOnlySpan<T>(_x + (long)start * nIn, (end - start) * nIn);
        var y = new ReadOnlySpan<T>(_y + (long)start * nOut, (end - start) * nOut);
        Span<T> gradient = p == 0 ? new Span<T>(_gradient0, _network.ParameterCount) : _gradients[p]!.Span;
        _losses[p] = _network.Backward(x, y, gradient, _workspaces[p]);
    }

    /// <summary>The sum of the partitions' buffers as one reusable job for the worker pool, a chunk of elements each.</summary>
    private sealed class SumJob(PartitionedBackward<T> owner) : IParallelJob
    {
        public T* Gradient;
        public int Length, Partitions, ChunkSize;
        public T MeanScale;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int chunk)
        {
            int start = chunk * ChunkSize, count = Math.Min(ChunkSize, Length - start);
            var target = new Span<T>(Gradient + start, count);
            for (int p = 1; p < Partitions; p++)
                GradientKernels.AddScaleAndClear<T>(target, owner._gradients[p]!.Span.Slice(start, count), p == Partitions - 1 ? MeanScale : T.One);
        }
    }

    /// <summary>The partitions as one reusable job for the worker pool: running it allocates nothing.</summary>
    private sealed class PartitionJob(PartitionedBackward<T> owner) : IParallelJob
    {
        public void Run(int chunk) => owner.RunPartition(chunk);
    }
}
