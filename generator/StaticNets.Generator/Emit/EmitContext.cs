using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>Names shared by the network emitter and the per-kind layer emitters.</summary>
internal static class Names
{
    public const string Span = "global::System.Span";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan";
    public const string Kernels = "global::StaticNets.Kernels";
    public const string Dense = Kernels + ".DenseKernels";
    public const string Activations = Kernels + ".ActivationKernels";
    public const string Losses = Kernels + ".LossKernels";
    public const string Guard = "global::StaticNets.Guard";
    public const string InliningAttribute = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

    public static string Scalar(ScalarKind kind) => kind == ScalarKind.Double ? "double" : "float";

    public static string Zero(ScalarKind kind) => kind == ScalarKind.Double ? "0d" : "0f";

    /// <summary>The workspace field holding layer <paramref name="index"/>'s weighted inputs, activations or deltas.</summary>
    public static string Z(int index) => "Z" + index;

    public static string A(int index) => "A" + index;

    public static string D(int index) => "D" + index;

    /// <summary>The kernel that applies an activation forward, e.g. <c>ActivationKernels.ReLU</c>.</summary>
    public static string ActivationForward(ActivationKind activation) => Activations + "." + activation;

    /// <summary>The kernel that multiplies a delta by σ'(z); null for identity, whose derivative is 1.</summary>
    public static string? ActivationDerivative(ActivationKind activation) => activation switch
    {
        ActivationKind.Identity => null,
        ActivationKind.Softmax => null,
        _ => Activations + "." + activation + "Derivative",
    };
}
