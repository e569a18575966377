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

    /// <summary>The buffers of a layer that writes its output into its own array: <c>A{l}</c>, and <c>D{l}</c> when it owns its δ.</summary>
    protected static IEnumerable<WorkspaceBuffer> OutputAndDelta(NetworkEmitContext c, LayerSpec layer)
    {
        yield return new WorkspaceBuffer(Names.A(layer.Index), c.T, layer.Outputs);
        if (c.OwnsDelta(layer))
            yield return new WorkspaceBuffer(Names.D(layer.Index), c.T, layer.Outputs);
    }

    /// <summary>The views of <see cref="OutputAndDelta"/>: <c>a{l}</c>, and <c>d{l}</c> inside Backward when the layer owns its δ.</summary>
    protected static void EmitOutputAndDeltaViews(NetworkEmitContext c, LayerSpec layer)
    {
        int l = layer.Index;
        c.W.Line($"{Names.Span}<{c.T}> a{l} = {c.View(Names.A(l), layer.Outputs)};");
        if (c.OwnsDelta(layer) && c.InBackward)
            c.W.Line($"{Names.Span}<{c.T}> d{l} = {c.View(Names.D(l), layer.Outputs)};");
    }
}
