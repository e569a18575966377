using System;
using System.Numerics;

namespace StaticNets;

/// <summary>
/// What every generated network offers, so the trainer, evaluators and persistence work with any of them.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para><b>Parameter layout.</b> All parameters live in one contiguous span, layer after layer. For layer
/// <c>l</c> with <c>n_in</c> inputs and <c>n_out</c> outputs it holds the weights <c>w[j, k]</c> row-major
/// (<c>n_out</c> rows of <c>n_in</c>, so <c>w[j, k]</c> is at <c>WeightOffset + j·n_in + k</c>, the course's
/// <c>w^l_jk</c> and PyTorch's <c>[out, in]</c>), then the <c>n_out</c> biases. <see cref="NetworkInfo"/>
/// gives every offset.</para>
/// <para><b>Batches.</b> Batched inputs, outputs and targets are row-major: sample after sample.</para>
/// <para><b>Gradients.</b> <see cref="Backward(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, INetworkWorkspace{T})"/> <em>adds</em> the gradient of the summed per-sample cost
/// into the gradient span (same layout as <see cref="Parameters"/>) and returns the summed cost; divide by
/// the batch size to get the mean. Zero the span yourself between steps.</para>
/// <para><b>Threads.</b> <see cref="Forward(ReadOnlySpan{T}, Span{T})"/> may run on many threads at once on
/// the same network. Batched forward and backward use a <see cref="INetworkWorkspace{T}"/>, one per thread.</para>
/// </remarks>
public interface INetwork<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The architecture: sizes, activations, loss, precision and parameter offsets.</summary>
    NetworkInfo Info { get; }

    /// <summary>Number of inputs of one sample.</summary>
    int InputSize { get; }

    /// <summary>Number of outputs of one sample.</summary>
    int OutputSize { get; }

    /// <summary>Number of parameters (all weights and biases).</summary>
    int ParameterCount { get; }

    /// <summary>All parameters in the documented layout, read-only: reading never costs a refresh of the network's weight copies.</summary>
    ReadOnlySpan<T> Parameters { get; }

    /// <summary>
    /// The one way to write parameters: <c>using (var edit = net.EditParameters()) edit.Span[k] += h;</c>. When the
    /// edit is disposed, the weight copies the network keeps for speed (transposed or packed layouts) are marked
    /// stale once and rebuilt by the next forward, so no forward can miss a write made through an edit. Do not
    /// keep <see cref="ParameterEdit{T}.Span"/> past the edit's end.
    /// </summary>
    ParameterEdit<T> EditParameters();

    /// <summary>Called by <see cref="ParameterEdit{T}.Dispose"/>: marks the weight copies stale. Not for user code.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    void OnParametersWritten();

    /// <summary>Re-initialises every parameter from <paramref name="seed"/> (Xavier for sigmoid, tanh, identity and softmax layers, He for ReLU-family layers; biases zero).</summary>
    void Initialize(int seed);

    /// <summary>Runs one sample forward. Allocates nothing and is safe to call from many threads.</summary>
    /// <param name="input">Exactly <see cref="InputSize"/> values.</param>
    /// <param name="output">Exactly <see cref="OutputSize"/> values, overwritten with the output activations.</param>
    void Forward(ReadOnlySpan<T> input, Span<T> output);

    /// <summary>Runs a batch forward: <c>inputs.Length / InputSize</c> samples, row-major.</summary>
    /// <param name="inputs">A whole number of samples, at most the workspace's capacity.</param>
    /// <param name="outputs">Room for the same number of output rows.</param>
    /// <param name="workspace">A workspace from <see cref="CreateWorkspace"/> of this network type.</param>
    void Forward(ReadOnlySpan<T> inputs, Span<T> outputs, INetworkWorkspace<T> workspace);

    /// <summary>
    /// Back-propagates a batch: runs it forward, then adds ∂C/∂w and ∂C/∂b of the summed cost into
    /// <paramref name="gradient"/>, and returns the summed cost.
    /// </summary>
    /// <param name="inputs">A whole number of samples, row-major, at most the workspace's capacity.</param>
    /// <param name="targets">One target row of <see cref="OutputSize"/> per sample.</param>
    /// <param name="gradient"><see cref="ParameterCount"/> values; gradients are added, not assigned.</param>
    /// <param name="workspace">A workspace from <see cref="CreateWorkspace"/> of this network type.</param>
    T Backward(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> gradient, INetworkWorkspace<T> workspace);

    /// <summary>
    /// Back-propagates a batch as <see cref="Backward(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, INetworkWorkspace{T})"/> and also
    /// overwrites <paramref name="inputGradient"/> with ∂C/∂input (one row of <see cref="InputSize"/> per sample), so the
    /// network below can continue the chain; an empty span skips that work.
    /// </summary>
    T Backward(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> gradient, Span<T> inputGradient, INetworkWorkspace<T> workspace);

    /// <summary>
    /// Back-propagates a given ∂C/∂output (one row of <see cref="OutputSize"/> per sample) instead of a loss, for a network
    /// whose output feeds another network: runs the batch forward, adds ∂C/∂w and ∂C/∂b into <paramref name="gradient"/>,
    /// and overwrites <paramref name="inputGradient"/> with ∂C/∂input unless it is empty.
    /// </summary>
    void BackwardFromOutputGradient(ReadOnlySpan<T> inputs, ReadOnlySpan<T> outputGradient, Span<T> gradient, Span<T> inputGradient, INetworkWorkspace<T> workspace);

    /// <summary>Allocates scratch memory (activations, weighted inputs, deltas) for batches of up to <paramref name="batchCapacity"/> samples.</summary>
    INetworkWorkspace<T> CreateWorkspace(int batchCapacity);
}

/// <summary>
/// A write window onto a network's parameters, from <see cref="INetwork{T}.EditParameters"/>. Disposing it tells
/// the network its parameters changed. Allocation-free (a ref struct).
/// </summary>
public ref struct ParameterEdit<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private INetwork<T>? _owner;

    /// <summary>Opens an edit of <paramref name="span"/>, the parameters of <paramref name="owner"/>. Generated networks call this.</summary>
    public ParameterEdit(Span<T> span, INetwork<T> owner)
    {
        Span = span;
        _owner = owner ?? throw new ArgumentNullException(nameof(owner));
    }

    /// <summary>All parameters, writable until <see cref="Dispose"/>.</summary>
    public Span<T> Span { get; private set; }

    /// <summary>Ends the edit: the network rebuilds its weight copies on the next forward. Calling it twice is harmless.</summary>
    public void Dispose()
    {
        var owner = _owner;
        _owner = null;
        Span = default;
        owner?.OnParametersWritten();
    }
}

/// <summary>Scratch memory for batched forward and backward passes; reuse it so the hot path allocates nothing.</summary>
public interface INetworkWorkspace<T> where T : unmanaged
{
    /// <summary>The largest batch this workspace holds.</summary>
    int BatchCapacity { get; }

    /// <summary>
    /// The most threads one batched forward or backward on this workspace uses (default
    /// <see cref="Parallelism.DefaultThreads"/>). Large products are split by output rows over a persistent worker
    /// pool, so results are bit-identical for any value; small ones stay on the calling thread.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    int Threads { get; set; }
}
