namespace StaticNets.Training;

/// <summary>
/// A network with dropout layers. <see cref="NetworkFit"/> sets <see cref="Training"/> to <c>true</c> while it
/// back-propagates mini-batches and to <c>false</c> while it evaluates, and seeds the masks from the fit's seed.
/// Forward passes with <see cref="Training"/> false apply no dropout (inverted dropout needs no rescaling).
/// </summary>
/// <remarks>
/// Generated networks will implement this when <c>[Network(..., Dropout = p)]</c> is declared (the generator
/// side is pending); the masks come from <see cref="Kernels.DropoutKernels"/>.
/// </remarks>
public interface IDropoutNetwork
{
    /// <summary>Whether backward passes drop activations (training mode).</summary>
    bool Training { get; set; }

    /// <summary>The state of the SplitMix64 stream the masks are drawn from; set it to reproduce a run.</summary>
    ulong DropoutSeed { get; set; }
}
