using System;
using StaticNets.Training;

namespace StaticNets.Gpu;

/// <summary>Which update rule a <see cref="GpuOptimizer"/> applies.</summary>
public enum GpuOptimizerKind
{
    /// <summary>θ ← θ − η·g (the runtime's <see cref="Sgd{T}"/>).</summary>
    Sgd = 0,
    /// <summary>v ← μ·v − η·g, θ ← θ + v (the runtime's <see cref="Momentum{T}"/>).</summary>
    Momentum = 1,
    /// <summary>Adam with bias correction (the runtime's <see cref="Adam{T}"/>).</summary>
    Adam = 2,
    /// <summary>Adam with decoupled weight decay on the weight blocks only (the runtime's <see cref="AdamW{T}"/> bound to the network's blocks).</summary>
    AdamW = 3,
}

/// <summary>
/// The optimizer of a <see cref="GpuTrainer"/>: the same rules and defaults as the runtime's optimizers, run as
/// kernels with their state (velocities, moments) in device memory. <see cref="CreateCpu"/> gives the runtime's
/// equivalent, which the trainer uses when its plan keeps the network on the host, and tests compare against.
/// </summary>
public sealed class GpuOptimizer
{
    private GpuOptimizer(GpuOptimizerKind kind, double momentum, double beta1, double beta2, double epsilon, double weightDecay)
    {
        Kind = kind;
        MomentumFactor = momentum;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
    }

    /// <summary>The update rule.</summary>
    public GpuOptimizerKind Kind { get; }

    /// <summary>μ of <see cref="GpuOptimizerKind.Momentum"/>.</summary>
    public double MomentumFactor { get; }

    /// <summary>β₁ of Adam(W).</summary>
    public double Beta1 { get; }

    /// <summary>β₂ of Adam(W).</summary>
    public double Beta2 { get; }

    /// <summary>ε of Adam(W).</summary>
    public double Epsilon { get; }

    /// <summary>λ of AdamW (0 otherwise).</summary>
    public double WeightDecay { get; }

    /// <summary>State values kept per parameter: 0, 1 or 2.</summary>
    public int StateSlots => Kind switch { GpuOptimizerKind.Sgd => 0, GpuOptimizerKind.Momentum => 1, _ => 2 };

    /// <summary>Plain SGD.</summary>
    public static GpuOptimizer Sgd() => new(GpuOptimizerKind.Sgd, 0, 0, 0, 0, 0);

    /// <summary>Momentum with μ in [0, 1) (default 0.9).</summary>
    public static GpuOptimizer Momentum(double momentum = 0.9)
        => new(GpuOptimizerKind.Momentum, InRange(momentum, 0, 1, nameof(momentum)), 0, 0, 0, 0);

    /// <summary>Adam (defaults as PyTorch: β₁ 0.9, β₂ 0.999, ε 1e-8).</summary>
    public static GpuOptimizer Adam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        => new(GpuOptimizerKind.Adam, 0, InRange(beta1, 0, 1, nameof(beta1)), InRange(beta2, 0, 1, nameof(beta2)), CheckEpsilon(epsilon), 0);

    /// <summary>AdamW: Adam plus decoupled weight decay λ in [0, 1] (default 0.01) on the weight blocks.</summary>
    public static GpuOptimizer AdamW(double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (!(weightDecay >= 0 && weightDecay <= 1))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"Expected weightDecay in [0, 1] but got {weightDecay}.");
        return new(GpuOptimizerKind.AdamW, 0, InRange(beta1, 0, 1, nameof(beta1)), InRange(beta2, 0, 1, nameof(beta2)), CheckEpsilon(epsilon), weightDecay);
    }

    /// <summary>The runtime's optimizer with the same rule and settings (AdamW bound to <paramref name="info"/>'s blocks).</summary>
    public IOptimizer<float> CreateCpu(NetworkInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        switch (Kind)
        {
            case GpuOptimizerKind.Sgd: return new Sgd<float>();
            case GpuOptimizerKind.Momentum: return new Momentum<float>(MomentumFactor);
            case GpuOptimizerKind.Adam: return new Adam<float>(Beta1, Beta2, Epsilon);
            default:
                var adamW = new AdamW<float>(WeightDecay, Beta1, Beta2, Epsilon);
                adamW.BindBlocks(info);
                return adamW;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        GpuOptimizerKind.Sgd => "SGD",
        GpuOptimizerKind.Momentum => $"Momentum(μ {MomentumFactor})",
        GpuOptimizerKind.Adam => $"Adam(β₁ {Beta1}, β₂ {Beta2}, ε {Epsilon})",
        _ => $"AdamW(λ {WeightDecay}, β₁ {Beta1}, β₂ {Beta2}, ε {Epsilon})",
    };

    private static double InRange(double value, double min, double max, string name)
    {
        if (!(value >= min && value < max))
            throw new ArgumentOutOfRangeException(name, value, $"Expected {name} in [{min}, {max}) but got {value}.");
        return value;
    }

    private static double CheckEpsilon(double epsilon)
    {
        if (!(epsilon > 0 && epsilon <= 1))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"Expected epsilon in (0, 1] but got {epsilon}.");
        return epsilon;
    }
}
