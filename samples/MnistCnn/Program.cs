using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;
using Spectre.Console;
using StaticNets;
using StaticNets.Training;

// Trains LeNet-5 (conv 6@5×5 pad 2, max pool 2, conv 16@5×5, max pool 2, dense 120-84-10, ReLU, softmax,
// cross-entropy) on the real MNIST files with Adam and a cosine learning-rate schedule with warm-up, shows
// Spectre.Console progress bars and the time per epoch, prints the test accuracy, and writes a PNG plot of
// loss and accuracy per epoch. Each image is one 1×28×28 channel, pixels scaled to [0, 1].
//
// Usage: dotnet run --project samples/MnistCnn -c Release -- [mnist-directory] [--epochs N] [--threads N] [--plot file.png]
// The directory holds the four IDX files (gzip or raw); by default ../shared/data/mnist or shared/data/mnist
// above the current directory. The test set is evaluated after each epoch for the plot only: nothing is
// selected on it (no early stopping, fixed epochs and schedule), so the final accuracy is an honest test score.
string? directory = null;
int epochs = 6;
int threads = Environment.ProcessorCount; // the weights are bit-identical for any thread count
string plotPath = Path.Combine("artifacts", "mnist-cnn-training.png");
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--plot": plotPath = args[++i]; break;
        default:
            if (int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && !Directory.Exists(args[i]))
                epochs = n; // a bare number is the epoch count
            else
                directory = args[i];
            break;
    }
}
directory ??= SharedData.Find("mnist");
if (directory is null || !Directory.Exists(directory))
{
    AnsiConsole.MarkupLine("[red]MNIST not found.[/] Pass the directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.");
    return 1;
}

var clock = Stopwatch.StartNew();
// 784 values per image, row-major: exactly the 1×28×28 CHW layout the network reads.
var train = Datasets.Mnist<float>(directory, train: true);
var test = Datasets.Mnist<float>(directory, train: false);
AnsiConsole.MarkupLine($"MNIST: [bold]{train.Count}[/] training and [bold]{test.Count}[/] test images, loaded in {clock.Elapsed.TotalSeconds:F1} s.");

var net = new LeNet5(seed: 1);
AnsiConsole.MarkupLine($"Network: {Markup.Escape(LeNet5.Architecture.ToString())}, {LeNet5.ParameterCount:N0} parameters, {threads} thread(s).");

const int batchSize = 64;
int stepsPerEpoch = (train.Count + batchSize - 1) / batchSize;
var options = new FitOptions<float>
{
    Epochs = epochs,
    BatchSize = batchSize,
    Threads = threads,
    Optimizer = new Adam<float>(),
    Schedule = LearningRateSchedule.Cosine(0.003, epochs, 1e-5).WithWarmup(stepsPerEpoch / 4),
    Validation = test,
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
                current!.Description = $"epoch {e.Epoch,2}: loss {e.TrainLoss:F4}, test {e.ValidationAccuracy:P2}, {e.Elapsed.TotalSeconds:F1} s";
            },
            OnWarning = w => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(w.Message)}[/]"),
        });
    });
var trainingTime = clock.Elapsed;

var table = new Table().AddColumns("epoch", "η", "train loss", "test loss", "test acc.", "‖∂C/∂W‖ per layer", "time");
foreach (var e in history.Epochs)
{
    table.AddRow(e.Epoch.ToString(CultureInfo.InvariantCulture), e.LearningRate.ToString("G3", CultureInfo.InvariantCulture),
        e.TrainLoss.ToString("F4", CultureInfo.InvariantCulture), e.ValidationLoss!.Value.ToString("F4", CultureInfo.InvariantCulture),
        e.ValidationAccuracy!.Value.ToString("P2", CultureInfo.InvariantCulture),
        string.Join("/", e.Layers.Select(l => l.GradientNorm.ToString("G2", CultureInfo.InvariantCulture))),
        $"{e.Elapsed.TotalSeconds:F1} s");
}
AnsiConsole.Write(table);

string written = TrainingPlot.Write(history, plotPath, $"MNIST LeNet-5, Adam + cosine schedule, {epochs} epochs");
AnsiConsole.MarkupLine($"Plot of loss and accuracy per epoch: [link]{Markup.Escape(written)}[/]");

var result = Evaluator.Evaluate(net, test);
AnsiConsole.MarkupLine($"Training took {trainingTime.TotalSeconds:F1} s ({trainingTime.TotalSeconds / epochs:F1} s per epoch, test evaluation included) on {result.Count} test images.");
var (precision, recall, f1) = result.Confusion.MacroAverage();
AnsiConsole.MarkupLine($"Macro precision {precision:P2}, recall {recall:P2}, F1 {f1:P2}.");
Console.WriteLine("Confusion matrix (rows: true digit, columns: predicted):");
Console.Write(result.Confusion);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {100 * result.Accuracy:F2} %"));
return 0;

/// <summary>LeNet-5 for 1×28×28 digits: two 5×5 convolutions with 2×2 max pools, then 120-84-10 dense layers.</summary>
[Network(Input = new[] { 1, 28, 28 }, Loss = Loss.CrossEntropy)]
[Conv2D(6, 5, Padding = 2, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(16, 5, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(120, Activation.ReLU)]
[Dense(84, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class LeNet5;

/// <summary>Loss (top) and test accuracy (bottom) per epoch, as a PNG.</summary>
internal static class TrainingPlot
{
    public static string Write(FitHistory history, string path, string title)
    {
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);

        Plot loss = multiplot.GetPlot(0);
        loss.Title(title);
        loss.Add.Scatter(epochs, history.Epochs.Select(e => e.TrainLoss).ToArray()).LegendText = "train loss (mean over the epoch's batches)";
        loss.Add.Scatter(epochs, history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray()).LegendText = "test loss";
        loss.YLabel("mean cross-entropy");
        loss.ShowLegend(Alignment.UpperRight);

        Plot accuracy = multiplot.GetPlot(1);
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
