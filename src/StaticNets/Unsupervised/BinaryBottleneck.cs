using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;
using StaticNets.Training;

namespace StaticNets;

/// <summary>How a sigmoid code layer is pushed towards binary values while an autoencoder trains.</summary>
public enum BinaryCodeTraining
{
    /// <summary>Plain sigmoid codes; binarised only when packed (a baseline).</summary>
    None = 0,
    /// <summary>
    /// Semantic hashing (Salakhutdinov &amp; Hinton, 2009): Gaussian noise of σ added to the code layer's input while
    /// training, so only codes far from 0.5 carry information through it; at inference the plain sigmoid.
    /// </summary>
    Noise = 1,
    /// <summary>Straight-through estimator: the forward pass thresholds σ(z) at 0.5, the backward pass uses σ'(z) as if it had not.</summary>
    StraightThrough = 2,
}

/// <summary>
/// The code layer of a binary autoencoder split into an encoder network (ending in the code's pre-activations z,
/// an Identity output) and a decoder network (taking the code): <see cref="Forward"/> turns z into codes as
/// <see cref="Mode"/> says, <see cref="Backward"/> turns the decoder's ∂C/∂code into ∂C/∂z for the encoder's
/// <c>BackwardFromOutputGradient</c>. The noise of a step depends only on the seed and the step number; nothing allocates.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class BinaryBottleneck<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly InputNoise? _noise;

    /// <summary>A bottleneck of the given mode.</summary>
    /// <param name="mode">How training pushes the codes towards 0 and 1.</param>
    /// <param name="noiseSigma">σ of the noise for <see cref="BinaryCodeTraining.Noise"/> (default 4, Hinton's N(0, 16)); finite, at least 0.</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not defined, or <paramref name="noiseSigma"/> is negative or not finite.</exception>
    public BinaryBottleneck(BinaryCodeTraining mode, double noiseSigma = 4, int seed = 0)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Expected None, Noise or StraightThrough, actual {(int)mode}.");
        if (!(noiseSigma >= 0) || !double.IsFinite(noiseSigma))
            throw new ArgumentOutOfRangeException(nameof(noiseSigma), noiseSigma, $"Expected a finite σ of at least 0, actual {noiseSigma}.");
        Mode = mode;
        NoiseSigma = noiseSigma;
        Seed = seed;
        if (mode == BinaryCodeTraining.Noise)
            _noise = InputNoise.Gaussian(noiseSigma);
    }

    /// <summary>How training pushes the codes towards 0 and 1.</summary>
    public BinaryCodeTraining Mode { get; }

    /// <summary>σ of the training noise (used by <see cref="BinaryCodeTraining.Noise"/> only).</summary>
    public double NoiseSigma { get; }

    /// <summary>Seed of the noise.</summary>
    public int Seed { get; }

    /// <summary>
    /// Codes from pre-activations: σ(z) at inference and for <see cref="BinaryCodeTraining.None"/>; while training,
    /// σ(z + noise) for <see cref="BinaryCodeTraining.Noise"/> and 1[σ(z) ≥ 0.5] for <see cref="BinaryCodeTraining.StraightThrough"/>.
    /// </summary>
    /// <param name="logits">The code layer's pre-activations z, any number of rows.</param>
    /// <param name="codes">As long as <paramref name="logits"/>, overwritten (must not overlap it).</param>
    /// <param name="training">Whether this is a training step (noise or threshold apply).</param>
    /// <param name="step">The training step's number, which selects the noise.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(ReadOnlySpan<T> logits, Span<T> codes, bool training, long step = 0)
    {
        Guard.Length(codes.Length, logits.Length, nameof(codes));
        logits.CopyTo(codes);
        if (training && _noise is not null)
            _noise.Apply(codes, Seed, step);
        ActivationKernels.Sigmoid<T>(codes, codes);
        if (training && Mode == BinaryCodeTraining.StraightThrough)
        {
            T half = T.One / (T.One + T.One);
            for (int i = 0; i < codes.Length; i++)
                codes[i] = codes[i] >= half ? T.One : T.Zero;
        }
    }

    /// <summary>
    /// ∂C/∂z from ∂C/∂code: ⊙ c(1 − c) at the codes the forward pass produced (noisy ones for <see cref="BinaryCodeTraining.Noise"/>),
    /// and ⊙ σ'(z) = σ(z)(1 − σ(z)) for <see cref="BinaryCodeTraining.StraightThrough"/>, as if there were no threshold.
    /// </summary>
    /// <param name="logits">The pre-activations given to <see cref="Forward"/>.</param>
    /// <param name="codes">The codes <see cref="Forward"/> wrote (training mode).</param>
    /// <param name="codeGradient">∂C/∂code, as long as <paramref name="logits"/>.</param>
    /// <param name="logitGradient">Receives ∂C/∂z; may be <paramref name="codeGradient"/>'s memory.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(ReadOnlySpan<T> logits, ReadOnlySpan<T> codes, ReadOnlySpan<T> codeGradient, Span<T> logitGradient)
    {
        Guard.Length(codes.Length, logits.Length, nameof(codes));
        Guard.Length(codeGradient.Length, logits.Length, nameof(codeGradient));
        Guard.Length(logitGradient.Length, logits.Length, nameof(logitGradient));
        if (Mode == BinaryCodeTraining.StraightThrough)
        {
            for (int i = 0; i < logits.Length; i++)
            {
                T s = T.One / (T.One + T.Exp(-logits[i]));
                logitGradient[i] = codeGradient[i] * s * (T.One - s);
            }
            return;
        }
        for (int i = 0; i < logits.Length; i++)
            logitGradient[i] = codeGradient[i] * codes[i] * (T.One - codes[i]);
    }
}
