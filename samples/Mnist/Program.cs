using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;
using Spectre.Console;
using StaticNets;
using StaticNets.Training;

// Trains a deep MLP (784-256-128-10, ReLU, softmax, cross-entropy) on the real MNIST files with Adam and a
// cosine learning-rate schedule, shows Spectre.Console progress bars, prints per-epoch metrics and the
// test accuracy, and writes a PNG plot of loss and accuracy per epoch.
//
// Usage: dotnet run --project samples/Mnist -c Release -- [mnist-directory] [--epochs N] [--plot file.png]
// The directory holds the four IDX files (gzip or raw); by default ../shared/data/mnist or shared/data/mnist
// above the current directory. The test set is evaluated after each epoch for the plot only: nothing is
// selected on it (no early stopping), so the final accuracy is an honest test score.
string? directory = null;
int epochs = 16;
string plotPath = Path.Combine("artifacts", "mnist-training.png");
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--plot": plotPath = args[++i]; break;
        default: directory = args[i]; break;
    }
}
directory ??= SharedData.Find("mnist");
if (directory is null || !Directory.Exists(directory))
{
    AnsiConsole.MarkupLine("[red]MNIST not found.[/] Pass the directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.");
    return 1;
}

var clock = Stopwatch.StartNew();
var train = Datasets.Mnist<float>(directory, train: true);
var test = Datasets.Mnist<float>(directory, train: false);
AnsiConsole.MarkupLine($"MNIST: [bold]{train.Count}[/] training and [bold]{test.Count}[/] test images, loaded in {clock.Elapsed.TotalSeconds:F1} s.");

var net = new MnistMlp(seed: 1);
AnsiConsole.MarkupLine($"Network: {Markup.Escape(MnistMlp.Architecture.ToString())}, {MnistMlp.ParameterCount:N0} parameters.");

var options = new FitOptions<float>
{
    Epochs = epochs,
    BatchSize = 128,
    Optimizer = new Adam<float>(),
    Schedule = LearningRateSchedule.Cosine(0.002, epochs, 1e-5).WithWarmup(200),
    Validation = test,
    EvaluateTraining = true,
    Seed = 7,
};

FitHistory history = null!;
clock.Restart();
AnsiConsole.Progress()
    .AutoClear(false)
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .Start(ctx =>
    {
        var overall = ctx.AddTask("all epochs", maxValue: epochs);
        ProgressTask? current = null;
        history = net.Fit(train, options with
        {
            OnBatch = b =>
            {
                if (b.Batch == 1)
                    current = ctx.AddTask($"epoch {b.Epoch,2}", maxValue: b.BatchesPerEpoch);
                current!.Increment(1);
            },
            OnEpoch = e =>
            {
                overall.Increment(1);
                current!.Description = $"epoch {e.Epoch,2}: loss {e.TrainLoss:F4}, test {e.ValidationAccuracy:P2}";
            },
            OnWarning = w => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(w.Message)}[/]"),
        });
    });
var trainingTime = clock.Elapsed;

var table = new Table().AddColumns("epoch", "η", "train loss", "train acc.", "test loss", "test acc.", "‖∂C/∂W‖ per layer", "time");
foreach (var e in history.Epochs)
{
    table.AddRow(e.Epoch.ToString(CultureInfo.InvariantCulture), e.LearningRate.ToString("G3", CultureInfo.InvariantCulture),
        e.TrainLoss.ToString("F4", CultureInfo.InvariantCulture), e.TrainAccuracy!.Value.ToString("P2", CultureInfo.InvariantCulture), e.ValidationLoss!.Value.ToString("F4", CultureInfo.InvariantCulture),
        e.ValidationAccuracy!.Value.ToString("P2", CultureInfo.InvariantCulture),
        string.Join("/", e.Layers.Select(l => l.GradientNorm.ToString("G2", CultureInfo.InvariantCulture))),
        $"{e.Elapsed.TotalSeconds:F1} s");
}
AnsiConsole.Write(table);

var result = Evaluator.Evaluate(net, test);
AnsiConsole.MarkupLine($"Training took {trainingTime.TotalSeconds:F0} s ({trainingTime.TotalSeconds / epochs:F1} s per epoch); {result.Count} test images.");
var (precision, recall, f1) = result.Confusion.MacroAverage();
AnsiConsole.MarkupLine($"Macro precision {precision:P2}, recall {recall:P2}, F1 {f1:P2}.");
Console.WriteLine("Confusion matrix (rows: true digit, columns: predicted):");
Console.Write(result.Confusion);

string written = TrainingPlot.Write(history, plotPath, "MNIST 784-256-128-10, Adam + cosine schedule");
AnsiConsole.MarkupLine($"Plot of loss and accuracy per epoch: [link]{Markup.Escape(written)}[/]");
// The result last, as every sample ends.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {result.Accuracy * 100:F2} %"));
return 0;

/// <summary>784 pixels → 256 ReLU → 128 ReLU → 10 softmax, trained with cross-entropy.</summary>
[Network(784, 256, 128, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class MnistMlp;

/// <summary>Loss (top) and accuracy (bottom) per epoch, as a PNG.</summary>
internal static class TrainingPlot
{
    public static string Write(FitHistory history, string path, string title)
    {
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);

        Plot loss = multiplot.GetPlot(0);
        loss.Title(title);
        loss.Add.Scatter(epochs, history.Epochs.Select(e => e.TrainLoss).ToArray()).LegendText = "train loss";
        loss.Add.Scatter(epochs, history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray()).LegendText = "test loss";
        loss.YLabel("mean cross-entropy");
        loss.ShowLegend(Alignment.UpperRight);

        Plot accuracy = multiplot.GetPlot(1);
        accuracy.Add.Scatter(epochs, history.Epochs.Select(e => 100 * (e.TrainAccuracy ?? double.NaN)).ToArray()).LegendText = "train accuracy";
        accuracy.Add.Scatter(epochs, history.Epochs.Select(e => 100 * (e.ValidationAccuracy ?? double.NaN)).ToArray()).LegendText = "test accuracy";
        accuracy.XLabel("epoch");
        accuracy.YLabel("accuracy (%)");
        accuracy.ShowLegend(Alignment.LowerRight);

        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        multiplot.SavePng(full, 900, 800);
        return full;
    }
}
