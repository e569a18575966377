using System;
using ILGPU;
using ILGPU.Runtime;

namespace StaticNets.Gpu.Layers;

/// <summary>What every layer on the accelerator is built from: the kernels, the device, the batch capacity, the flat parameter and gradient buffers.</summary>
internal readonly record struct GpuLayerContext(GpuKernels Kernels, Accelerator Accelerator, int Capacity, ArrayView<float> Parameters, ArrayView<float> Gradient);

/// <summary>
/// One layer of a network on the accelerator, chained by <see cref="GpuTrainer"/>: each kind is its own class with its
/// own buffers. <see cref="Delta"/> is ∂C/∂(the layer's pre-activation), as in the generated code: the trainer's output
/// kernel fills the last layer's, and each layer's <see cref="Backward"/> first multiplies its own by σ′ (unless it is
/// the output layer, whose σ′ the output kernel applied), then writes ∂C/∂input into the layer below's.
/// </summary>
internal abstract class GpuLayer : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _ownDelta;

    /// <param name="info">The layer's description.</param>
    /// <param name="context">Kernels, device, capacity and parameter buffers.</param>
    /// <param name="below">The layer below, or null for the first layer.</param>
    /// <param name="sharesDelta">
    /// Whether the layer's δ is the layer below's buffer (Flatten, a standalone activation): the layer below then reads
    /// the δ this layer leaves, and this layer writes no ∂input of its own.
    /// </param>
    protected GpuLayer(LayerInfo info, in GpuLayerContext context, GpuLayer? below, bool sharesDelta = false)
    {
        Info = info;
        K = context.Kernels;
        Capacity = context.Capacity;
        if (sharesDelta && below is not null)
        {
            Delta = below.Delta;
        }
        else
        {
            _ownDelta = context.Accelerator.Allocate1D<float>((long)context.Capacity * info.Outputs);
            Delta = _ownDelta.View;
        }
    }

    public LayerInfo Info { get; }

    public int Inputs => Info.Inputs;

    public int Outputs => Info.Outputs;

    public Activation Activation => Info.Activation;

    /// <summary>Whether the layer has parameters of its own (the lowest such layer needs no ∂input).</summary>
    public bool HasParameters => Info.ParameterCount > 0;

    protected GpuKernels K { get; }

    protected int Capacity { get; }

    /// <summary>∂C/∂(pre-activation) for a whole batch of capacity rows.</summary>
    public ArrayView<float> Delta { get; }

    /// <summary>The input of the last <see cref="Forward"/>, <c>batch</c> rows.</summary>
    protected ArrayView<float> Input { get; private set; }

    /// <summary>The output of the last <see cref="Forward"/>, <c>batch</c> rows (a view of <see cref="Input"/> for Flatten).</summary>
    public ArrayView<float> Output { get; protected set; }

    /// <summary>The pre-activation of the last <see cref="Forward"/>, what σ′ and the output kernel read; <see cref="Output"/> for layers without an activation.</summary>
    public ArrayView<float> PreActivation { get; protected set; }

    /// <summary>Runs the layer on <paramref name="batch"/> rows of <paramref name="input"/> and returns its output rows.</summary>
    public ArrayView<float> Forward(ArrayView<float> input, int batch)
    {
        Input = input.SubView(0, (long)batch * Inputs);
        ForwardCore(Input, batch);
        return Output;
    }

    /// <summary>The layer's forward on exactly <paramref name="batch"/> rows; sets <see cref="Output"/> and <see cref="PreActivation"/>.</summary>
    protected abstract void ForwardCore(ArrayView<float> input, int batch);

    /// <summary>
    /// Back-propagates the last <see cref="Forward"/>: σ′ into <see cref="Delta"/> when <paramref name="applyDerivative"/>,
    /// the parameter gradients scaled by <paramref name="scale"/> (1 / batch) into the gradient buffer, and ∂C/∂input into
    /// <paramref name="inputDelta"/> unless it is empty (the lowest layer with parameters, as the generated code skips it).
    /// </summary>
    public void Backward(int batch, float scale, bool applyDerivative, ArrayView<float> inputDelta)
    {
        var delta = Delta.SubView(0, (long)batch * Outputs);
        if (applyDerivative && Activation != Activation.Identity)
            MultiplyByDerivative(delta);
        BackwardCore(delta, batch, scale, inputDelta.Length == 0 ? inputDelta : inputDelta.SubView(0, (long)batch * Inputs));
    }

    /// <summary>δ ⊙= σ′(pre-activation).</summary>
    protected virtual void MultiplyByDerivative(ArrayView<float> delta)
        => K.MultiplyByDerivative(delta, PreActivation.SubView(0, delta.Length), Output.SubView(0, delta.Length), Activation);

    /// <summary>Parameter gradients and ∂C/∂input (when <paramref name="inputDelta"/> is not empty) from <paramref name="delta"/>.</summary>
    protected abstract void BackwardCore(ArrayView<float> delta, int batch, float scale, ArrayView<float> inputDelta);

    /// <summary>A buffer of <paramref name="perRow"/> values per row of the batch capacity.</summary>
    protected static MemoryBuffer1D<float, Stride1D.Dense> Rows(in GpuLayerContext context, long perRow)
        => context.Accelerator.Allocate1D<float>(context.Capacity * perRow);

    public virtual void Dispose() => _ownDelta?.Dispose();

    /// <summary>The layer for <paramref name="info"/>; <see cref="GpuPlan"/> has already refused the kinds that have none.</summary>
    public static GpuLayer Create(LayerInfo info, in GpuLayerContext context, GpuLayer? below) => info switch
    {
        DenseLayerInfo dense => new GpuDenseLayer(dense, context, below),
        Conv2DLayerInfo conv => new GpuConv2DLayer(conv, context, below),
        MaxPool2DLayerInfo max => new GpuMaxPool2DLayer(max, context, below),
        AvgPool2DLayerInfo avg => new GpuAvgPool2DLayer(avg, context, below),
        FlattenLayerInfo flatten => new GpuFlattenLayer(flatten, context, below),
        ActivationLayerInfo activation => new GpuActivationLayer(activation, context, below),
        _ => throw new InvalidOperationException($"The GPU path has no {info.Kind} layer ({info}); GpuPlan should have kept the network on the host."),
    };
}
