using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;
using Spectre.Console;
using StaticNets;
using StaticNets.Training;

// The vanishing gradient problem, measured. The same 64-(32×8)-10 network is built with sigmoid and with ReLU
// hidden layers, each with its good initialisation (Xavier for sigmoid, He for ReLU) and with the course's
// N(0, 1) weights. For each, the sample prints ‖∂C/∂W‖ per layer at the start (averaged over the training
// set's mini-batches) and after a few epochs of SGD, then the test accuracy, and writes a plot.
//
// Usage: dotnet run --project samples/VanishingGradients -c Release -- [digits.csv(.gz)] [--epochs N] [--plot file.png]
string path = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");
int epochs = 10;
string plotPath = Path.Combine("artifacts", "vanishing-gradients.png");
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--plot": plotPath = args[++i]; break;
        default: path = args[i]; break;
    }
}

var (train, test) = Datasets.Digits<float>(path).Split(0.8, seed: 1);
AnsiConsole.MarkupLine($"Digits: {train.Count} training and {test.Count} test samples. Each net: {Markup.Escape(DeepSigmoid.Architecture.ToString())}.");
AnsiConsole.MarkupLine($"Training: plain SGD, η = 0.1, batch 32, {epochs} epochs, the same seeds for every net.");

var runs = new List<Run>
{
    Run.Train("sigmoid, Xavier init", new DeepSigmoid(1), InitializationScheme.XavierUniform, train, test, epochs),
    Run.Train("sigmoid, N(0,1) init", new DeepSigmoid(1), InitializationScheme.StandardNormal, train, test, epochs),
    Run.Train("ReLU, He init", new DeepRelu(1), InitializationScheme.HeNormal, train, test, epochs),
    Run.Train("ReLU, N(0,1) init", new DeepRelu(1), InitializationScheme.StandardNormal, train, test, epochs),
};

int layers = DeepSigmoid.LayerCount;
var table = new Table().Title("‖∂C/∂W‖ per layer at the start (mean over the first epoch's mini-batches; layer 0 is nearest the input)");
table.AddColumn("layer");
foreach (var run in runs)
    table.AddColumn(new TableColumn(run.Name).RightAligned());
for (int l = 0; l < layers; l++)
    table.AddRow(new[] { l == layers - 1 ? $"{l} (output)" : l.ToString(CultureInfo.InvariantCulture) }
        .Concat(runs.Select(r => Format(r.First[l]))).ToArray());
table.AddRow(new[] { "[bold]layer 0 / layer 7[/]" }.Concat(runs.Select(r => $"[bold]{Format(r.First[0] / r.First[layers - 2])}[/]")).ToArray());
table.AddRow(new[] { $"after {epochs} epochs: 0 / 7" }.Concat(runs.Select(r => Format(r.Last[0] / r.Last[layers - 2]))).ToArray());
table.AddRow(new[] { "test accuracy" }.Concat(runs.Select(r => r.Accuracy is double a ? a.ToString("P1", CultureInfo.InvariantCulture) : "[red]diverged[/]")).ToArray());
AnsiConsole.Write(table);

foreach (var run in runs.Where(r => r.Note is not null))
    AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(run.Name)}[/]: {Markup.Escape(run.Note!)}");
AnsiConsole.MarkupLine("Sigmoid: σ′ ≤ ¼, so each layer back multiplies the gradient by a small factor and the first layers barely learn.");
AnsiConsole.MarkupLine("ReLU: σ′ is 0 or 1, and with He initialisation the gradient keeps its size through all eight hidden layers.");
AnsiConsole.MarkupLine("N(0, 1) weights: larger weights offset part of the sigmoid's decay, but ReLU activations then grow by about √(n/2) per layer and training blows up.");

string written = WritePlot(runs, plotPath);
AnsiConsole.MarkupLine($"Plot of log₁₀‖∂C/∂W‖ per layer: [link]{Markup.Escape(written)}[/]");
return 0;

static string Format(double value) => double.IsFinite(value) ? value.ToString("0.00E+00", CultureInfo.InvariantCulture) : "NaN";

static string WritePlot(IReadOnlyList<Run> runs, string path)
{
    var plot = new Plot();
    plot.Title("Gradient norm per layer at the start of training (digits, 8 hidden layers)");
    foreach (var run in runs)
    {
        double[] xs = Enumerable.Range(0, run.First.Length).Select(l => (double)l).ToArray();
        double[] ys = run.First.Select(v => v > 0 && double.IsFinite(v) ? Math.Log10(v) : double.NaN).ToArray();
        plot.Add.Scatter(xs, ys).LegendText = run.Name;
    }
    plot.XLabel("layer (0 = nearest the input, 8 = output)");
    plot.YLabel("log₁₀ ‖∂C/∂W‖");
    plot.ShowLegend(Alignment.LowerRight);
    string full = Path.GetFullPath(path);
    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
    plot.SavePng(full, 900, 600);
    return full;
}

/// <summary>One configuration: per-layer gradient norms in the first and last epoch, and the test accuracy.</summary>
internal sealed record Run(string Name, double[] First, double[] Last, double? Accuracy, string? Note)
{
    public static Run Train(string name, INetwork<float> net, InitializationScheme scheme, Dataset<float> train, Dataset<float> test, int epochs)
    {
        ParameterInitializer.Initialize(net, 42, scheme);
        var options = new FitOptions<float>
        {
            Epochs = epochs, BatchSize = 32, Optimizer = new Sgd<float>(), LearningRate = 0.1, Seed = 3,
            VanishingGradientRatio = null, ExplodingGradientNorm = null,
        };
        try
        {
            var history = net.Fit(train, options);
            return new Run(name, Norms(history.Epochs[0]), Norms(history.Last), Evaluator.Evaluate(net, test).Accuracy, null);
        }
        catch (TrainingDivergedException e)
        {
            // Diverging is itself a result worth showing; fall back to the norms at the start.
            ParameterInitializer.Initialize(net, 42, scheme);
            double[] start = GradientDiagnostics.Measure(net, train).Select(l => l.GradientNorm).ToArray();
            return new Run(name, start, start, null, e.Message);
        }
    }

    private static double[] Norms(EpochMetrics metrics) => metrics.Layers.Select(l => l.GradientNorm).ToArray();
}

/// <summary>64 → eight sigmoid layers of 32 → 10 softmax.</summary>
[Network(64, 32, 32, 32, 32, 32, 32, 32, 32, 10, Hidden = Activation.Sigmoid, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class DeepSigmoid;

/// <summary>64 → eight ReLU layers of 32 → 10 softmax.</summary>
[Network(64, 32, 32, 32, 32, 32, 32, 32, 32, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class DeepRelu;
