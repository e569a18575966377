using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// What the network emitter asks of each layer kind. One implementation per kind, registered in
/// <see cref="LayerEmitters"/>; the network emitter only chains layers and writes the parts every network has.
/// </summary>
internal interface ILayerEmitter
{
    /// <summary>The layer's output is its input (no data moves): the next layer reads the input span.</summary>
    bool ForwardsInput { get; }

    /// <summary>The layer's backward is element-wise, so its δ can live in the buffer of the layer below.</summary>
    bool SharesDelta { get; }

    /// <summary>The span σ' is evaluated at (see <see cref="NetworkEmitContext.PreActivation"/>).</summary>
    string PreActivation(NetworkEmitContext c, LayerSpec layer);

    /// <summary>Public constants and static shapes of the layer (offsets, kernel shapes).</summary>
    void EmitConstants(NetworkEmitContext c, LayerSpec layer);

    /// <summary>The <c>new global::StaticNets.…LayerInfo(…)</c> expression describing the layer at run time.</summary>
    string InfoExpression(NetworkEmitContext c, LayerSpec layer);

    /// <summary>Workspace arrays of the layer (its δ only when <see cref="NetworkEmitContext.OwnsDelta"/>).</summary>
    IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec layer);

    /// <summary>Declares the layer's batch spans (output, weighted input …) inside ForwardBatch and Backward; δ spans only when <see cref="NetworkEmitContext.InBackward"/>.</summary>
    void EmitViews(NetworkEmitContext c, LayerSpec layer);

    /// <summary>Statements of the layer inside ForwardBatch: input batch → output batch.</summary>
    void EmitBatchForward(NetworkEmitContext c, LayerSpec layer);

    /// <summary>
    /// Statements of the layer inside Backward. On entry <see cref="NetworkEmitContext.Delta"/> holds ∂C/∂(output);
    /// when <paramref name="applyDerivative"/> the layer first multiplies it by σ'(z) (the output layer's σ' is the
    /// loss section's), then adds its parameter gradients and writes ∂C/∂input into <see cref="NetworkEmitContext.DeltaIn"/>
    /// (for layer 0 only when the caller passed a non-empty <c>dx</c>).
    /// </summary>
    void EmitBatchBackward(NetworkEmitContext c, LayerSpec layer, bool applyDerivative);

    /// <summary>
    /// Whether the layer keeps a copy of its weights in a layout its batched kernels read faster (a weight cache,
    /// rebuilt once per parameter version under the network's refresh lock).
    /// </summary>
    bool HasBatchCache(NetworkEmitContext c, LayerSpec layer);

    /// <summary>The cache's field (only when <see cref="HasBatchCache"/>).</summary>
    void EmitBatchCacheField(NetworkEmitContext c, LayerSpec layer);

    /// <summary>Statements that rebuild the cache from <c>_parameters</c>, inside the refresh lock.</summary>
    void EmitBatchCacheRefresh(NetworkEmitContext c, LayerSpec layer);

    /// <summary>The local the layer's batched forward reads the cache through, at the top of ForwardBatch.</summary>
    void EmitBatchCacheView(NetworkEmitContext c, LayerSpec layer);

    /// <summary>Private helper methods of the layer, after the network's public members.</summary>
    void EmitMethods(NetworkEmitContext c, LayerSpec layer);
}
