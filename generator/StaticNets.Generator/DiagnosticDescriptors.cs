using Microsoft.CodeAnalysis;

namespace StaticNets.Generator;

/// <summary>
/// Every diagnostic the generator reports. Each message names the culprit and the fix; each ID is listed in
/// docs/diagnostics.md and AnalyzerReleases.Unshipped.md, and every descriptor goes through <see cref="Create"/>,
/// which gives it the help link to its row there (a test checks that each link's anchor exists).
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "StaticNets";

    /// <summary>
    /// docs/diagnostics.md in the repository; each ID's row has the anchor <c>#snn001</c> etc. The repository URL is
    /// the intended public home (no public repository exists yet); it must equal <c>RepositoryUrl</c> in
    /// Directory.Build.props, which a test checks.
    /// </summary>
    internal const string HelpLinkBase = "https://github.com/staticnets/staticnets/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Create(
        "SNN001", "Network type must be partial",
        "The type '{0}' has [Network] but is not partial; add the 'partial' modifier so the generator can add the network's members",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooFewSizes = Create(
        "SNN002", "Network needs an input size and at least one layer",
        "Network '{0}' declares {1}; give the input and at least one layer, e.g. [Network(2, 3, 1)], or [Network(inputSize)] or [Network(Input = new[] {{ channels, height, width }})] followed by layer attributes such as [Dense(size)]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SizeTooSmall = Create(
        "SNN003", "Layer size must be at least 1",
        "The {1} of network '{0}' is {2}; every size must be at least 1",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SoftmaxOnHiddenLayer = Create(
        "SNN004", "Softmax is only supported on the output layer",
        "Layer {1} of network '{0}' is a hidden dense layer with Softmax activation; a dense layer takes Softmax only as the output layer: for a softmax inside the network add a standalone [Activation(Activation.Softmax)] layer after a dense layer with Identity",
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
        "Network '{0}' {1}; declare networks in non-generic types, since sizes are fixed at compile time",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SoftmaxWithQuadraticLoss = Create(
        "SNN008", "Softmax output with quadratic loss learns slowly",
        "Network '{0}' combines a Softmax output with Loss.Quadratic; the output delta goes through the full softmax Jacobian and learning slows as outputs saturate; use Loss = Loss.CrossEntropy, whose softmax delta is a − y",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor CrossEntropyWithoutProbabilities = Create(
        "SNN009", "Cross-entropy needs a Softmax or Sigmoid output",
        "Network '{0}' uses Loss.CrossEntropy but its output layer's activation is {1}; cross-entropy needs outputs in (0, 1), so the loss will use the binary form on outputs clamped into [ε, 1 − ε] and the gradient ∇aC ⊙ σ'(z), which may stall or diverge; use Output = Activation.Softmax (one class per sample) or Activation.Sigmoid (independent labels)",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Create(
        "SNN010", "Containing type must be partial",
        "Network '{0}' is nested in '{1}', which is not partial; add the 'partial' modifier to '{1}'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MixedDeclarationForms = Create(
        "SNN011", "Layers declared twice",
        "Network '{0}' declares layers both in [Network({1})] and with {2} layer attribute(s); either list every size in [Network], or give only the input size, [Network({3})], followed by the layer attributes",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DenseWithoutNetwork = Create(
        "SNN012", "Layer attributes need [Network]",
        "The type '{0}' has [{1}] layers but no [Network]; add [Network(inputSize)] or [Network(Input = new[] {{ channels, height, width }})] to declare the input",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooManyParameters = Create(
        "SNN013", "Network too large",
        "Network '{0}' has {1} parameters, more than the 2147483527 that one parameter buffer can hold; reduce the layer sizes",
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
        "{1} of network '{0}' would drop the network's outputs, which would corrupt the cost; put dropout on hidden layers only, before another layer",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DropoutWithoutHiddenLayers = Create(
        "SNN019", "Dropout has no hidden layer to act on",
        "Network '{0}' sets Dropout but has no hidden layer, so nothing is dropped; add a hidden layer or remove Dropout",
        DiagnosticSeverity.Warning);

    // Shaped layers (convolution, pooling, flatten, standalone activation and dropout): SNN020 and up.
    public static readonly DiagnosticDescriptor LayerNeedsImage = Create(
        "SNN020", "Layer needs channels × height × width input",
        "{1} of network '{0}' needs channels × height × width input but {2}; declare the input as Input = new[] {{ channels, height, width }}, and keep [Flatten] for after the last convolution or pooling layer",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WindowDoesNotFit = Create(
        "SNN021", "Kernel or window larger than its input",
        "{1} of network '{0}' has a {2} window over a {3} input ({4}), so its output would have {5}; use a smaller kernel or window, pad the input, or remove a pooling layer before it",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LayerArgumentTooSmall = Create(
        "SNN022", "Layer argument out of range",
        "{1} of {2} in network '{0}' is {3}; it must be at least {4}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PoolingLeavesRemainder = Create(
        "SNN023", "Pooling window does not cover its input",
        "{1} of network '{0}' moves a {2} window by {3} over a {4} input, so the last {5} are left out of every window (floor, as PyTorch) and get no gradient; choose a window and stride that divide the input, or pad the convolution before it",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor DenseNeedsFlatten = Create(
        "SNN024", "Dense layer after an image-shaped layer",
        "{1} of network '{0}' needs a vector but {2} is {3}; add [Flatten] before it to turn the {3} values into one vector of {4}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ConflictingPadding = Create(
        "SNN025", "Padding given more than once",
        "{1} of network '{0}' sets {2}; give only one of Padding = n, Pads = new[] {{ top, left, bottom, right }} and PaddingMode = PaddingMode.Same",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WrongArrayLength = Create(
        "SNN026", "Wrong number of values",
        "{1} of {2} in network '{0}' has {3} value(s) but needs {4}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ValueTypeNetwork = Create(
        "SNN027", "Network must be a class",
        "Network '{0}' is declared as a {1}; a copy ('with' or assignment) would share one parameter array with the original, so writing one would silently change the other; declare it as a partial class",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InputGivenTwice = Create(
        "SNN028", "Input size given twice",
        "Network '{0}' gives the sizes [Network({1})] and Input = new[] {{ {2} }}; give the input shape once: [Network(Input = new[] {{ {2} }})] followed by layer attributes",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PaddingNotSmallerThanKernel = Create(
        "SNN029", "Padding as large as the kernel",
        "{1} of network '{0}' pads by {2} with a {3} kernel, so some windows would see padding only; padding must be smaller than the kernel in each direction",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SampleTooLarge = Create(
        "SNN030", "Sample too large",
        "{1} of network '{0}' holds {2} = {3} values per sample, more than the 2147483647 one span can hold; reduce the input or layer sizes",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PrimaryConstructor = Create(
        "SNN031", "Network type cannot have a primary constructor",
        "Network '{0}' has the primary constructor {1}, but the generator declares the constructors {0}() and {0}(int seed), which would have to call it; remove the parameter list and keep any state in fields or properties",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TypeNamedLikeMember = Create(
        "SNN032", "Network type named like a generated member",
        "The network type '{0}' has the name of a member the generator adds to it (or starts with a prefix reserved for them: _, t_, s_, ForwardFused), and a member cannot be named like its type (CS0542); rename the type, e.g. to '{0}Net'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor FileLocalType = Create(
        "SNN033", "Network type cannot be file-local",
        "Network '{0}' is or is nested in the file-local type '{1}', which only its own file can complete, so the generated members would go to another type of that name; remove the 'file' modifier (make the type internal instead)",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RecurrentNeedsSequence = Create(
        "SNN040", "Recurrent layer needs a sequence input",
        "{1} of network '{0}' needs a steps × features input but {2}; declare the input as Input = new[] {{ steps, features }}, and give ReturnSequences = true to a recurrent layer that feeds another",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NotInRecurrentNetwork = Create(
        "SNN041", "Layer kind not allowed beside recurrent layers",
        "{1} of network '{0}' is a {2} layer, which a network with recurrent layers cannot contain; such a network takes [Lstm], [Gru], [Dense], [Dropout] and element-wise [Activation] layers (a dense layer after a layer with ReturnSequences = true applies to every step, softmax included)",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NormalizeNotFirst = Create(
        "SNN060", "Normalize must be the first layer",
        "{1} of network '{0}' comes after {2} other layer(s); [Normalize] standardises the network's input with statistics Normalization.Fit computes from the data set's inputs, so it must be the first layer attribute: move it directly below [Network]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NormalizeAlone = Create(
        "SNN061", "Normalize needs a layer after it",
        "{1} of network '{0}' is the only layer; [Normalize] has no trainable parameters and only standardises the input: add the layers that learn after it, e.g. [Dense(16, Activation.ReLU)] and [Dense(3, Activation.Softmax)]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TiedToUnknownLayer = Create(
        "SNN080", "TiedTo names no layer",
        "{1} of network '{0}' has TiedTo = \"{2}\", but no layer is named '{2}'{3}; give the encoder layer Name = \"{2}\", or tie to one of the named layers",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TiedToNonDense = Create(
        "SNN081", "TiedTo names a layer without dense weights",
        "{1} of network '{0}' has TiedTo = \"{2}\", but '{2}' is layer {3}, {4}; a layer can only tie to the weights of an untied [Dense] layer over vectors",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TiedToItself = Create(
        "SNN082", "Layer tied to itself",
        "{1} of network '{0}' has TiedTo = \"{2}\", its own name; a tied layer uses the transposed weights of an earlier dense layer: tie it to the encoder layer it mirrors",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TiedToLaterLayer = Create(
        "SNN083", "TiedTo names a later layer",
        "{1} of network '{0}' has TiedTo = \"{2}\", but '{2}' is declared after it (layer attribute {3}); a tied layer reuses the weights of an earlier dense layer: move the tie to the later layer, tied to this one",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TiedShapeMismatch = Create(
        "SNN084", "Tied layer does not mirror the layer it is tied to",
        "{1} of network '{0}' is tied to '{2}' (dense {3} → {4}), whose transposed weights map {4} inputs to {3} outputs, but it has {5} inputs and {6} outputs; declare it as [Dense({3}, …, TiedTo = \"{2}\")] directly after a layer of {4} outputs",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor CodeLayerNotFound = Create(
        "SNN085", "Code names no layer",
        "Network '{0}' has Code = \"{1}\", but no layer is named '{1}'{2}; add Name = \"{1}\" to the code layer (e.g. [Dense(32, Activation.Sigmoid, Name = \"{1}\")]) or set Code to one of the named layers",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateLayerName = Create(
        "SNN086", "Two layers have the same name",
        "Layer attributes {1} and {2} of network '{0}' are both named '{3}'; layer names are what Code and TiedTo refer to, so each must be unique: rename one of them",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LayerWithoutEmitter = Create(
        "SNN090", "Internal: layer kind without an emitter",
        "Network '{0}' has a layer of kind {1} that this version of the generator cannot emit; nothing was generated for the network. Please report this",
        DiagnosticSeverity.Error);

    /// <summary>The help link of diagnostic <paramref name="id"/>: its row of docs/diagnostics.md.</summary>
    internal static string HelpLink(string id) => HelpLinkBase + id.ToLowerInvariant();

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity)
        => new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
