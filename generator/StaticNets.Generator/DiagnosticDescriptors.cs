using Microsoft.CodeAnalysis;

namespace StaticNets.Generator;

/// <summary>
/// Every diagnostic the generator reports. Each message names the culprit and the fix; each ID is listed in
/// docs/diagnostics.md and AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "StaticNets";

    public static readonly DiagnosticDescriptor NotPartial = Create(
        "SNN001", "Network type must be partial",
        "The type '{0}' has [Network] but is not partial; add the 'partial' modifier so the generator can add the network's members",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooFewSizes = Create(
        "SNN002", "Network needs an input size and at least one layer",
        "Network '{0}' declares {1} size(s); give the input size and at least one layer size, e.g. [Network(2, 3, 1)], or [Network(inputSize)] followed by [Dense(size)] layers",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SizeTooSmall = Create(
        "SNN003", "Layer size must be at least 1",
        "Size {1} of network '{0}' is {2}; every size must be at least 1",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SoftmaxOnHiddenLayer = Create(
        "SNN004", "Softmax is only supported on the output layer",
        "Layer {1} of network '{0}' is a hidden layer with Softmax activation; use Softmax only on the output layer, and ReLU, Tanh or Sigmoid on hidden layers",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ActivationCountMismatch = Create(
        "SNN005", "One activation per layer",
        "Network '{0}' has {1} layer(s) but Activations lists {2}; give exactly one activation per layer, hidden layers first and the output layer last",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Create(
        "SNN006", "Undefined enum value",
        "{1} of network '{0}' is {2}, which is not a defined {3} value; use one of: {4}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor GenericType = Create(
        "SNN007", "Generic networks are not supported",
        "Network '{0}' is generic or nested in the generic type '{1}'; declare networks in non-generic types, since sizes are fixed at compile time",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SoftmaxWithQuadraticLoss = Create(
        "SNN008", "Softmax output with quadratic loss learns slowly",
        "Network '{0}' combines a Softmax output with Loss.Quadratic; the output delta goes through the full softmax Jacobian and learning slows as outputs saturate; use Loss = Loss.CrossEntropy, whose softmax delta is a − y",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor CrossEntropyWithoutProbabilities = Create(
        "SNN009", "Cross-entropy needs a Softmax or Sigmoid output",
        "Network '{0}' uses Loss.CrossEntropy with a {1} output layer; cross-entropy needs outputs in (0, 1), so the loss will use the binary form on outputs clamped into [ε, 1 − ε] and the gradient ∇aC ⊙ σ'(z), which may stall or diverge; use Output = Activation.Softmax (one class per sample) or Activation.Sigmoid (independent labels)",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Create(
        "SNN010", "Containing type must be partial",
        "Network '{0}' is nested in '{1}', which is not partial; add the 'partial' modifier to '{1}'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MixedDeclarationForms = Create(
        "SNN011", "Layers declared twice",
        "Network '{0}' declares layers both in [Network({1})] and with {2} [Dense] attribute(s); either list every size in [Network], or give only the input size, [Network({3})], followed by the [Dense] layers",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DenseWithoutNetwork = Create(
        "SNN012", "[Dense] needs [Network]",
        "The type '{0}' has [Dense] layers but no [Network]; add [Network(inputSize)] to declare the input size",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooManyParameters = Create(
        "SNN013", "Network too large",
        "Network '{0}' has {1} parameters, more than the 2147483647 that one span can hold; reduce the layer sizes",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ActivationsOverrideHiddenOutput = Create(
        "SNN014", "Activations overrides Hidden and Output",
        "Network '{0}' sets both Activations and {1}; Activations decides every layer and {1} is ignored; remove {1}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor StaticType = Create(
        "SNN015", "Network type cannot be static",
        "The type '{0}' is static, but a network holds its parameters in instances; remove the 'static' modifier",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidAttributeArguments = Create(
        "SNN016", "Attribute arguments could not be read",
        "The [{1}] attribute on '{0}' has arguments that are not compile-time constants of the expected types; pass integer sizes and Activation, Loss or Precision values",
        DiagnosticSeverity.Error);

    // Baked-in weights (Weights = "file.snet"): a block of their own, SNN050 and up.
    public static readonly DiagnosticDescriptor WeightsFileNotFound = Create(
        "SNN050", "Weights file not found",
        "Network '{0}' bakes in weights from '{1}', but no AdditionalFiles item of the project has that path; add <AdditionalFiles Include=\"{1}\" /> to the project file",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsFileUnreadable = Create(
        "SNN051", "Weights file cannot be baked in",
        "The weights file '{1}' of network '{0}' cannot be baked in: {2}; save it again with NetworkFile.Save",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsArchitectureMismatch = Create(
        "SNN052", "Weights file does not match the network",
        "The weights file '{1}' holds a {2} network, but '{0}' is declared as {3}; save the declared network to that file, or declare the network the file holds",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DropoutOutOfRange = Create(
        "SNN017", "Dropout rate out of range",
        "{1} of network '{0}' is {2}; a dropout rate is the probability of dropping an activation and must be at least 0 and below 1, e.g. 0.2",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DropoutOnOutputLayer = Create(
        "SNN018", "No dropout on the output layer",
        "Layer {1} of network '{0}' is the output layer and cannot have Dropout; dropping outputs would corrupt the cost, so put dropout on hidden layers only",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DropoutWithoutHiddenLayers = Create(
        "SNN019", "Dropout has no hidden layer to act on",
        "Network '{0}' sets Dropout but has no hidden layer, so nothing is dropped; add a hidden layer or remove Dropout",
        DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity)
        => new(id, title, message, Category, severity, isEnabledByDefault: true);
}
