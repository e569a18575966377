using System.Collections.Generic;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>
/// The base of the layer emitters: what most kinds do not need (constants, weight caches, helper methods) is
/// empty here, so each kind's file holds only what that kind emits. (netstandard2.0 has no default interface
/// members, hence a base class.)
/// </summary>
internal abstract class LayerEmitter : ILayerEmitter
{
    public abstract bool ForwardsInput { get; }

    public abstract bool SharesDelta { get; }

    public abstract string PreActivation(NetworkEmitContext c, LayerSpec layer);

    public virtual void EmitConstants(NetworkEmitContext c, LayerSpec layer)
    {
    }

    public abstract string InfoExpression(NetworkEmitContext c, LayerSpec layer);

    public abstract IEnumerable<WorkspaceBuffer> Buffers(NetworkEmitContext c, LayerSpec layer);

    public abstract void EmitViews(NetworkEmitContext c, LayerSpec layer);

    public abstract void EmitBatchForward(NetworkEmitContext c, LayerSpec layer);

    public abstract void EmitBatchBackward(NetworkEmitContext c, LayerSpec layer, bool applyDerivative);

    public virtual bool HasBatchCache(NetworkEmitContext c, LayerSpec layer) => false;

    public virtual void EmitBatchCacheField(NetworkEmitContext c, LayerSpec layer)
    {
    }

    public virtual void EmitBatchCacheRefresh(NetworkEmitContext c, LayerSpec layer)
    {
    }

    public virtual void EmitBatchCacheView(NetworkEmitContext c, LayerSpec layer)
    {
    }

    public virtual void EmitMethods(NetworkEmitContext c, LayerSpec layer)
    {
    }
}
