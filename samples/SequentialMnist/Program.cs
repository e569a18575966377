using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Spectre.Console;
using StaticNets;
using StaticNets.Training;

// Sequential MNIST: each real MNIST image is read row by row, 28 time steps of 28 pixels, by a generated LSTM with
// 128 units (or a GRU, with --cell gru); a softmax layer classifies the digit from the last step's h. Trained with
// Adam, a cosine schedule with warm-up and gradient clipping, by back-propagation through all 28 steps.
//
// Usage: dotnet run --project samples/SequentialMnist -c Release -- [mnist-directory] [--cell lstm|gru] [--epochs N] [--threads N]
// The directory holds the four IDX files; by default ../shared/data/mnist or shared/data/mnist above the current
// directory. The test set is scored after each epoch for the progress display only (fixed epochs and schedule).
string? directory = null;
string cell = "lstm";
int epochs = 5;
int threads = Environment.ProcessorCount;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--cell": cell = args[++i].ToLowerInvariant(); break;
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: directory = args[i]; break;
    }
}
if (cell is not ("lstm" or "gru"))
{
    AnsiConsole.MarkupLine($"[red]Unknown cell '{Markup.Escape(cell)}'[/]: use --cell lstm or --cell gru.");
    return 2;
}
directory ??= SharedData.Find("mnist");
if (directory is null || !Directory.Exists(directory))
{
    AnsiConsole.MarkupLine("[red]MNIST not found.[/] Pass the directory holding the four IDX files (train-images-idx3-ubyte.gz, …).");
    return 1;
}

var clock = Stopwatch.StartNew();
// 784 values per image, row-major: exactly 28 steps × 28 features, time-major, as the network reads a sequence.
var train = Datasets.Mnist<float>(directory, train: true);
var test = Datasets.Mnist<float>(directory, train: false);
AnsiConsole.MarkupLine($"MNIST: [bold]{train.Count}[/] training and [bold]{test.Count}[/] test images, loaded in {clock.Elapsed.TotalSeconds:F1} s.");

INetwork<float> net = cell == "gru" ? new RowGru(seed: 3) : new RowLstm(seed: 3);
AnsiConsole.MarkupLine($"Network: {Markup.Escape(net.Info.ToString())}, {net.ParameterCount:N0} parameters, {threads} thread(s).");

const int batchSize = 64;
int stepsPerEpoch = (train.Count + batchSize - 1) / batchSize;
var options = new FitOptions<float>
{
    Epochs = epochs,
    BatchSize = batchSize,
    Threads = threads,
    Optimizer = new Adam<float>(),
    Schedule = LearningRateSchedule.Cosine(0.003, epochs, 1e-5).WithWarmup(stepsPerEpoch / 4),
    ClipGradientNorm = 5,
    Validation = test,
    Seed = 11,
};

clock.Restart();
AnsiConsole.Progress()
    .AutoClear(false)
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .Start(ctx =>
    {
        ProgressTask? current = null;
        net.Fit(train, options with
        {
            OnBatch = b =>
            {
                if (b.Batch == 1)
                    current = ctx.AddTask($"epoch {b.Epoch,2}", maxValue: b.BatchesPerEpoch);
                current!.Increment(1);
            },
            OnEpoch = e => current!.Description = $"epoch {e.Epoch,2}: loss {e.TrainLoss:F4}, test {e.ValidationAccuracy:P2}, {e.Elapsed.TotalSeconds:F1} s",
            OnWarning = w => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(w.Message)}[/]"),
        });
    });
var trainingTime = clock.Elapsed;

var result = Evaluator.Evaluate(net, test);
AnsiConsole.MarkupLine($"Training took {trainingTime.TotalSeconds:F1} s ({trainingTime.TotalSeconds / epochs:F1} s per epoch, test scoring included).");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {100 * result.Accuracy:F2} %"));
return 0;

/// <summary>128 LSTM units over 28 rows of 28 pixels; the last step's h feeds a 10-way softmax.</summary>
[Network(Input = new[] { 28, 28 }, Loss = Loss.CrossEntropy)]
[Lstm(128)]
[Dense(10, Activation.Softmax)]
public partial class RowLstm;

/// <summary>The same with 128 GRU units.</summary>
[Network(Input = new[] { 28, 28 }, Loss = Loss.CrossEntropy)]
[Gru(128)]
[Dense(10, Activation.Softmax)]
public partial class RowGru;
