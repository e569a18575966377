using System;
using System.Collections.Generic;
using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using StaticNets.Gpu.Layers;
using StaticNets.Training;

namespace StaticNets.Gpu;

/// <summary>
/// Trains and runs a generated network (<c>INetwork&lt;float&gt;</c> of dense, convolution, pooling, flatten and
/// activation layers) on an ILGPU accelerator without any kernel of the user's: the parameters, their gradients, the
/// optimizer state, the activations of a batch and the data set live in device buffers for whole epochs. The network's own parameter span is read once, when the trainer is created, and
/// written only by <see cref="CopyToNetwork"/> (call it before saving or using the network on the host).
/// </summary>
/// <remarks>
/// <para>The <see cref="Plan"/> decides, from <see cref="GpuTrainerOptions.SizeBudget"/>, whether the accelerator pays off.
/// When it does not (or the network has a layer the GPU path lacks), the same methods run on the host through the
/// generated code and the runtime's optimizer, so a caller can use the trainer whatever the network.</para>
/// <para>One batch on the accelerator: a gather of the batch rows (shuffled indices uploaded once per epoch), then each
/// layer's forward (dense: the tiled GEMM z = a·Wᵀ and a bias + activation kernel; convolution: im2col, the same GEMM,
/// a per-channel bias + activation; pooling: one kernel); the output kernel writes δ and each sample's cost; back down,
/// each layer multiplies its δ by σ′ and writes its gradients and the δ of the layer below (dense: ∂W = δᵀ·a / batch,
/// ∂b, δ·W; convolution: ∂W = δ·colsᵀ / batch, ∂b, col2im(Wᵀ·δ)); then one optimizer kernel over the flat parameter
/// buffer (AdamW: one per block, so biases are not decayed). Nothing is copied to the host per batch: the epoch's loss is
/// summed on the device and read once at its end.</para>
/// <para>Not thread-safe: one trainer, one thread. Dispose it before its <see cref="GpuDevice"/>.</para>
/// </remarks>
public sealed class GpuTrainer : IDisposable
{
    private readonly INetwork<float> _network;
    private readonly GpuDevice _device;
    private readonly GpuKernels _k;
    private readonly GpuTrainerOptions _options;
    private readonly int _capacity;
    private readonly int _lossCode;
    private readonly (int Offset, int Count, bool Decay)[] _blocks;
    private readonly SplitMix64 _rng;

    // Device buffers (null when the plan keeps the network on the host).
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _parameters = null!, _gradient = null!, _state0 = null!, _state1 = null!, _x = null!, _y = null!, _costs = null!, _loss = null!;
    private readonly GpuLayer[] _layers = Array.Empty<GpuLayer>();
    private readonly int _firstTrainable; // the lowest layer with parameters: the backward stops there, without its ∂input
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _correct = null!;
    private readonly float[] _hostScalar = new float[1];
    private readonly int[] _hostCount = new int[1];
    private readonly List<ResidentData> _resident = new();

    // Host path.
    private readonly IOptimizer<float>? _cpuOptimizer;
    private readonly INetworkWorkspace<float>? _workspace;
    private readonly float[]? _cpuGradient, _cpuInputs, _cpuTargets;
    private int[] _hostOrder = Array.Empty<int>();

    private int _epoch;
    private double _epochPosition; // epochs completed when the current step starts, fractional (the schedules' epoch)
    private bool _disposed;

    /// <summary>Plans <paramref name="network"/> on <paramref name="device"/> and, when it goes to the accelerator, uploads its parameters.</summary>
    /// <param name="network">A generated single-precision network; its parameters are the starting point.</param>
    /// <param name="device">The accelerator, from <see cref="GpuDevice.CreatePreferred"/> or <see cref="GpuDevice.CreateCpu"/>.</param>
    /// <param name="options">Batch size, optimizer, learning rate, seed and size budget; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is below 1 (or, on the accelerator, a batch of some layer's values would exceed <see cref="int.MaxValue"/> elements), or the learning rate is not finite and ≥ 0.</exception>
    public GpuTrainer(INetwork<float> network, GpuDevice device, GpuTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(device);
        device.ThrowIfDisposed();
        options ??= new GpuTrainerOptions();
        if (options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"Expected options.BatchSize of at least 1 but got {options.BatchSize}.");
        if (!double.IsFinite(options.LearningRate) || options.LearningRate < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.LearningRate, $"Expected a finite options.LearningRate ≥ 0 but got {options.LearningRate}.");
        ArgumentNullException.ThrowIfNull(options.Optimizer, "options.Optimizer");
        _network = network;
        _device = device;
        _k = device.Kernels;
        _options = options;
        _capacity = options.BatchSize;
        _rng = new SplitMix64(options.Seed);
        var info = network.Info;
        Plan = GpuPlan.Create(info, options.SizeBudget);

        var layers = info.Layers;
        var blocks = new List<(int, int, bool)>();
        _firstTrainable = -1;
        for (int l = 0; l < layers.Count; l++)
        {
            foreach (var block in layers[l].Blocks)
                blocks.Add((block.Offset, block.Count, block.Role == ParameterRole.Weight && block.Trainable));
            if (_firstTrainable < 0 && layers[l].ParameterCount > 0)
                _firstTrainable = l;
        }
        _blocks = blocks.ToArray();
        _lossCode = info.Loss == Loss.Quadratic ? GpuKernels.LossQuadratic
            : layers[^1].Activation == Activation.Softmax ? GpuKernels.LossSoftmaxCrossEntropy : GpuKernels.LossBinaryCrossEntropy;

        if (!Plan.OnAccelerator)
        {
            _cpuOptimizer = options.Optimizer.CreateCpu(info);
            _workspace = network.CreateWorkspace(_capacity);
            _cpuGradient = new float[network.ParameterCount];
            _cpuInputs = new float[_capacity * network.InputSize];
            _cpuTargets = new float[_capacity * network.OutputSize];
            return;
        }

        CheckBatchFits(info, _capacity, nameof(options));
        var acc = device.Accelerator;
        int p = network.ParameterCount;
        _parameters = acc.Allocate1D<float>(p);
        _gradient = acc.Allocate1D<float>(p);
        int slots = options.Optimizer.StateSlots;
        _state0 = acc.Allocate1D<float>(slots >= 1 ? p : 1);
        _state1 = acc.Allocate1D<float>(slots >= 2 ? p : 1);
        _state0.MemSetToZero();
        _state1.MemSetToZero();
        _x = acc.Allocate1D<float>((long)_capacity * network.InputSize);
        _y = acc.Allocate1D<float>((long)_capacity * network.OutputSize);
        _costs = acc.Allocate1D<float>(_capacity);
        _loss = acc.Allocate1D<float>(1);
        _correct = acc.Allocate1D<int>(1);
        var context = new GpuLayerContext(_k, acc, _capacity, _parameters.View, _gradient.View);
        _layers = new GpuLayer[layers.Count];
        for (int l = 0; l < layers.Count; l++)
            _layers[l] = GpuLayer.Create(layers[l], context, l == 0 ? null : _layers[l - 1]);
        // Layers without parameters leave their part of the gradient untouched; zero it once so the optimizer reads zeros there.
        _gradient.MemSetToZero();
        ReloadFromNetwork();
    }

    /// <summary>
    /// The kernels index a batch's buffers with 32-bit integers: every layer's values for a whole batch (a convolution's
    /// column matrix, kh·kw times its input, the largest) must have at most <see cref="int.MaxValue"/> elements.
    /// </summary>
    private static void CheckBatchFits(NetworkInfo info, int capacity, string name)
    {
        long largest = info.InputShape.Size;
        string what = "input";
        for (int l = 0; l < info.Layers.Count; l++)
        {
            var layer = info.Layers[l];
            long perSample = layer is Conv2DLayerInfo conv
                ? Math.Max((long)conv.InputShape.Channels * conv.KernelHeight * conv.KernelWidth * conv.OutputShape.Height * conv.OutputShape.Width, layer.Outputs)
                : layer.Outputs;
            if (perSample > largest)
            {
                largest = perSample;
                what = layer is Conv2DLayerInfo ? $"layer {l}'s column matrix" : $"layer {l}'s output";
            }
        }
        long most = int.MaxValue / largest;
        if (capacity > most)
            throw new ArgumentOutOfRangeException(name, capacity,
                $"Expected options.BatchSize of at most {most} on the accelerator ({what} holds {largest} values per sample, and a batch's must fit in {int.MaxValue}) but got {capacity}.");
    }

    /// <summary>Where the network runs, layer by layer, and why.</summary>
    public GpuPlan Plan { get; }

    /// <summary>The device the trainer was created on.</summary>
    public GpuDevice Device => _device;

    /// <summary>Whether batches run on the accelerator (<see cref="GpuPlan.OnAccelerator"/>).</summary>
    public bool OnAccelerator => Plan.OnAccelerator;

    /// <summary>Optimizer steps taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>Uploads the network's current parameters to the device and resets the optimizer state (after the host changed them).</summary>
    public void ReloadFromNetwork()
    {
        ThrowIfDisposed();
        if (!Plan.OnAccelerator)
        {
            _cpuOptimizer!.Reset();
            StepCount = 0;
            return;
        }
        _parameters!.Flat().CopyFromCPU(_network.Parameters);
        _state0!.MemSetToZero();
        _state1!.MemSetToZero();
        StepCount = 0;
        _k.Synchronize();
    }

    /// <summary>
    /// Copies the device's parameters into the network through <see cref="INetwork{T}.EditParameters"/>: what saving,
    /// <see cref="Evaluator"/> or host-side inference need after training on the accelerator. A no-op on the host path.
    /// </summary>
    public void CopyToNetwork()
    {
        ThrowIfDisposed();
        if (!Plan.OnAccelerator)
            return;
        _k.Synchronize();
        using var edit = _network.EditParameters();
        _parameters!.Flat().CopyToCPU(edit.Span);
    }

    /// <summary>
    /// One optimizer step on a mini-batch given on the host (uploaded, then trained on the device): the mean gradient of
    /// the batch, then the update. Returns the batch's mean cost before the step (reading it synchronises the device).
    /// </summary>
    /// <param name="inputs">1 to <see cref="GpuTrainerOptions.BatchSize"/> input rows, row-major.</param>
    /// <param name="targets">One target row per input row.</param>
    /// <exception cref="ArgumentException">The spans are not whole, matching numbers of rows within the batch size.</exception>
    public float Step(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        ThrowIfDisposed();
        int batch = Guard.BatchSize(inputs.Length, _network.InputSize, _capacity, nameof(inputs));
        Guard.Length(targets.Length, batch * _network.OutputSize, nameof(targets));
        if (!Plan.OnAccelerator)
            return CpuStep(inputs, targets, batch) / batch;
        _x!.Flat().SubView(0, inputs.Length).CopyFromCPU(inputs);
        _y!.Flat().SubView(0, targets.Length).CopyFromCPU(targets);
        _loss!.MemSetToZero();
        DeviceStep(_x.Flat(), _y.Flat(), batch);
        _loss.Flat().CopyToCPU(_hostScalar);
        return _hostScalar[0] / batch;
    }

    /// <summary>
    /// One epoch over <paramref name="data"/> in an order shuffled by the seed: the data set is uploaded the first time it
    /// is seen and stays on the device (the two most recent data sets are kept), the epoch's order is one upload of
    /// indices, and the host waits only at the end, to read the summed loss.
    /// </summary>
    /// <param name="data">Rows of the network's input and output sizes.</param>
    /// <exception cref="ArgumentException">The data set's row sizes differ from the network's.</exception>
    public GpuEpochResult TrainEpoch(Dataset<float> data)
    {
        ThrowIfDisposed();
        CheckData(data, nameof(data));
        long started = Stopwatch.GetTimestamp();
        _epoch++;
        int count = data.Count;
        int batches = (count + _capacity - 1) / _capacity;
        double total;
        if (!Plan.OnAccelerator)
        {
            if (_hostOrder.Length != count)
                _hostOrder = new int[count];
            var order = _hostOrder;
            Shuffle.Identity(order);
            Shuffle.FisherYates(order, _rng);
            total = 0;
            for (int start = 0; start < count; start += _capacity)
            {
                int batch = Math.Min(_capacity, count - start);
                _epochPosition = _epoch - 1 + (double)start / count;
                var x = _cpuInputs.AsSpan(0, batch * data.InputSize);
                var y = _cpuTargets.AsSpan(0, batch * data.TargetSize);
                data.CopyBatch(order.AsSpan(start, batch), x, y);
                total += CpuStep(x, y, batch);
            }
        }
        else
        {
            var resident = Resident(data);
            Shuffle.Identity(resident.Order);
            Shuffle.FisherYates(resident.Order, _rng);
            resident.Indices.Flat().CopyFromCPU(resident.Order);
            _loss!.MemSetToZero();
            for (int start = 0; start < count; start += _capacity)
            {
                int batch = Math.Min(_capacity, count - start);
                _epochPosition = _epoch - 1 + (double)start / count;
                _k.Gather(resident.Inputs.Flat(), resident.Indices.Flat(), _x!.Flat(), start, batch, data.InputSize);
                _k.Gather(resident.Targets.Flat(), resident.Indices.Flat(), _y!.Flat(), start, batch, data.TargetSize);
                DeviceStep(_x.Flat(), _y.Flat(), batch);
            }
            _loss.Flat().CopyToCPU(_hostScalar);
            total = _hostScalar[0];
        }
        _epochPosition = _epoch;
        return new GpuEpochResult(_epoch, total / count, batches, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The fraction of <paramref name="data"/> classified right (arg-max, or ≥ 0.5 for one output), computed on the device.</summary>
    public double Evaluate(Dataset<float> data)
    {
        ThrowIfDisposed();
        CheckData(data, nameof(data));
        if (!Plan.OnAccelerator)
            return Evaluator.Evaluate(_network, data).Accuracy;
        var resident = Resident(data);
        _correct!.MemSetToZero();
        for (int start = 0; start < data.Count; start += _capacity)
        {
            int batch = Math.Min(_capacity, data.Count - start);
            var x = resident.Inputs.Flat().SubView((long)start * data.InputSize, (long)batch * data.InputSize);
            var y = resident.Targets.Flat().SubView((long)start * data.TargetSize, (long)batch * data.TargetSize);
            var output = DeviceForward(x, batch);
            _k.CountCorrect(output, y, _correct.Flat(), batch, _network.OutputSize);
        }
        _correct.Flat().CopyToCPU(_hostCount);
        return (double)_hostCount[0] / data.Count;
    }

    /// <summary>Batched inference on the device: any number of input rows, in launches of at most the batch size.</summary>
    /// <param name="inputs">Whole input rows, row-major.</param>
    /// <param name="outputs">Room for the same number of output rows.</param>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        ThrowIfDisposed();
        int rows = inputs.Length / _network.InputSize;
        if (rows * _network.InputSize != inputs.Length || rows == 0)
            Guard.BatchSize(inputs.Length, _network.InputSize, int.MaxValue, nameof(inputs));
        Guard.Length(outputs.Length, rows * _network.OutputSize, nameof(outputs));
        if (!Plan.OnAccelerator)
        {
            for (int r = 0; r < rows; r++)
                _network.Forward(inputs.Slice(r * _network.InputSize, _network.InputSize), outputs.Slice(r * _network.OutputSize, _network.OutputSize));
            return;
        }
        for (int start = 0; start < rows; start += _capacity)
        {
            int batch = Math.Min(_capacity, rows - start);
            _x!.Flat().SubView(0, (long)batch * _network.InputSize).CopyFromCPU(inputs.Slice(start * _network.InputSize, batch * _network.InputSize));
            DeviceForward(_x.Flat(), batch).CopyToCPU(outputs.Slice(start * _network.OutputSize, batch * _network.OutputSize));
        }
    }

    private float CpuStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        Array.Clear(_cpuGradient!);
        float cost = _network.Backward(inputs, targets, _cpuGradient, _workspace!);
        System.Numerics.Tensors.TensorPrimitives.Multiply(_cpuGradient, 1f / batch, _cpuGradient);
        StepCount++;
        using (var edit = _network.EditParameters())
            _cpuOptimizer!.Step(edit.Span, _cpuGradient, (float)LearningRate(StepCount));
        return cost;
    }

    /// <summary>η for the step about to be taken (1-based <paramref name="step"/>), from the schedule when there is one.</summary>
    private double LearningRate(long step)
    {
        double eta = _options.Schedule?.Rate(step - 1, _epochPosition) ?? _options.LearningRate;
        if (!double.IsFinite(eta) || eta < 0)
            throw new InvalidOperationException($"Expected the schedule to give a finite learning rate ≥ 0 for step {step} but it gave {eta}.");
        return eta;
    }

    /// <summary>Every layer's forward on <paramref name="batch"/> rows of <paramref name="x"/>; returns the output rows.</summary>
    private ArrayView<float> DeviceForward(ArrayView<float> x, int batch)
    {
        var previous = x;
        foreach (var layer in _layers)
            previous = layer.Forward(previous, batch);
        return previous;
    }

    private void DeviceStep(ArrayView<float> x, ArrayView<float> y, int batch)
    {
        DeviceForward(x, batch);
        var output = _layers[^1];
        int outputs = _network.OutputSize;
        _k.OutputDelta(output.Output, output.PreActivation, y, output.Delta.SubView(0, (long)batch * outputs), _costs!.Flat(), batch, outputs, _lossCode, output.Activation);
        _k.SumInto(_costs.Flat(), batch, _loss!.Flat());
        float inverse = 1f / batch;
        // Down to the lowest layer with parameters: below it nothing needs a δ (the generated code skips it too).
        for (int l = _layers.Length - 1; l >= _firstTrainable && l >= 0; l--)
        {
            var inputDelta = l > _firstTrainable ? _layers[l - 1].Delta : default;
            _layers[l].Backward(batch, inverse, applyDerivative: l != _layers.Length - 1, inputDelta);
        }
        StepCount++;
        OptimizerStep((float)LearningRate(StepCount));
    }

    private void OptimizerStep(float learningRate)
    {
        var opt = _options.Optimizer;
        var p = _parameters!.Flat();
        var g = _gradient!.Flat();
        switch (opt.Kind)
        {
            case GpuOptimizerKind.Sgd:
                _k.Sgd(p, g, learningRate);
                break;
            case GpuOptimizerKind.Momentum:
                _k.Momentum(p, g, _state0!.Flat(), (float)opt.MomentumFactor, learningRate);
                break;
            default:
                {
                    // As the runtime's Adam: the bias corrections fold into the step size and ε.
                    double correction1 = 1 - Math.Pow(opt.Beta1, StepCount), correction2 = Math.Sqrt(1 - Math.Pow(opt.Beta2, StepCount));
                    float b1 = (float)opt.Beta1, b2 = (float)opt.Beta2;
                    var scalars = new AdamScalars
                    {
                        Beta1 = b1, Beta2 = b2, OneMinusBeta1 = 1f - b1, OneMinusBeta2 = 1f - b2,
                        Alpha = (float)(learningRate * correction2 / correction1),
                        EpsilonHat = (float)opt.Epsilon * (float)correction2,
                        Shrink = 1f,
                    };
                    if (opt.Kind == GpuOptimizerKind.Adam || opt.WeightDecay == 0)
                    {
                        _k.Adam(p, g, _state0!.Flat(), _state1!.Flat(), scalars);
                        break;
                    }
                    float shrink = 1f - learningRate * (float)opt.WeightDecay;
                    foreach (var (offset, count, decay) in _blocks)
                    {
                        var s = scalars;
                        s.Shrink = decay ? shrink : 1f;
                        _k.Adam(p.SubView(offset, count), g.SubView(offset, count), _state0!.Flat().SubView(offset, count), _state1!.Flat().SubView(offset, count), s);
                    }
                    break;
                }
        }
    }

    private void CheckData(Dataset<float> data, string name)
    {
        ArgumentNullException.ThrowIfNull(data, name);
        if (data.InputSize != _network.InputSize || data.TargetSize != _network.OutputSize)
            throw new ArgumentException($"Expected rows of {_network.InputSize} inputs and {_network.OutputSize} targets (the network's sizes) but the data set has {data.InputSize} and {data.TargetSize}.", name);
    }

    private ResidentData Resident(Dataset<float> data)
    {
        foreach (var r in _resident)
        {
            if (ReferenceEquals(r.Data, data))
                return r;
        }
        if (_resident.Count == 2)
        {
            _resident[0].Dispose();
            _resident.RemoveAt(0);
        }
        var acc = _device.Accelerator;
        var inputs = acc.Allocate1D<float>(data.Inputs.Length);
        var targets = acc.Allocate1D<float>(data.Targets.Length);
        var indices = acc.Allocate1D<int>(data.Count);
        inputs.Flat().CopyFromCPU(data.Inputs);
        targets.Flat().CopyFromCPU(data.Targets);
        var resident = new ResidentData(data, inputs, targets, indices, new int[data.Count]);
        _resident.Add(resident);
        return resident;
    }

    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.ThrowIfDisposed();
    }

    /// <summary>Frees the device buffers. The network keeps whatever <see cref="CopyToNetwork"/> last wrote.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var r in _resident)
            r.Dispose();
        _resident.Clear();
        _parameters?.Dispose();
        _gradient?.Dispose();
        _state0?.Dispose();
        _state1?.Dispose();
        _x?.Dispose();
        _y?.Dispose();
        _costs?.Dispose();
        _loss?.Dispose();
        _correct?.Dispose();
        foreach (var layer in _layers)
            layer.Dispose();
    }

    private sealed record ResidentData(Dataset<float> Data, MemoryBuffer1D<float, Stride1D.Dense> Inputs, MemoryBuffer1D<float, Stride1D.Dense> Targets,
        MemoryBuffer1D<int, Stride1D.Dense> Indices, int[] Order) : IDisposable
    {
        public void Dispose()
        {
            Inputs.Dispose();
            Targets.Dispose();
            Indices.Dispose();
        }
    }
}

internal static class BufferExtensions
{
    /// <summary>The buffer as a contiguous <see cref="ArrayView{T}"/> (what the kernels and the span copies take).</summary>
    public static ArrayView<T> Flat<T>(this MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged => buffer.View;
}
