namespace StaticNets.Generator.Model;

/// <summary>
/// A layer of any kind: its position, the shape of one sample before and after it, and where its parameters
/// start. Each kind is its own record in Model/Layers with its own emitter in Emit/; the strategy of a layer is
/// decided when its record is built and only read by emitters.
/// </summary>
internal abstract record LayerSpec(int Index, ShapeSpec Input, ShapeSpec Output, long ParameterOffset)
{
    public int Inputs => (int)Input.Size;

    public int Outputs => (int)Output.Size;

    /// <summary>The name of the kind in <c>StaticNets.LayerKind</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The activation applied to the layer's weighted input (Identity for layers without one).</summary>
    public virtual ActivationKind Activation => ActivationKind.Identity;

    /// <summary>The parameter blocks in span order (none for parameter-free layers).</summary>
    public virtual EquatableArray<BlockSpec> Blocks => EquatableArray<BlockSpec>.Empty;

    public long ParameterCount
    {
        get
        {
            long count = 0;
            foreach (var block in Blocks)
                count += block.Count;
            return count;
        }
    }

    /// <summary>The name of the generated property reading <paramref name="block"/> after <c>LayerN</c> (Weights, Biases).</summary>
    public virtual string BlockProperty(BlockSpec block) => block.Role == BlockRole.Weight ? "Weights" : "Biases";

    /// <summary>One line for the emitted header: what the layer computes.</summary>
    public abstract string Description { get; }

    /// <summary>The strategy's name and reason, written in the emitted header comment.</summary>
    public abstract string StrategyDescription { get; }
}
