using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using ScottPlot;
using Spectre.Console;
using StaticNets;
using StaticNets.Training;

// A character-level language model on Tiny Shakespeare (first 90 % of the characters to train, last 10 % to
// validate). A generated 256-unit LSTM reads one-hot characters and a per-step softmax predicts the next one. It
// trains by back-propagation through time on random windows of 64 characters (from a zero state), with Adam and a
// cosine schedule; the validation loss is measured by streaming the whole validation text one character at a time
// through Step, the state carried, so every character is predicted from all of the text before it. Then the model
// writes a few hundred characters from a seed at a temperature.
//
// Usage: dotnet run --project samples/CharRnn -c Release -- [input.txt(.gz)] [--steps N] [--minutes M] [--batch B]
//        [--threads N] [--temperature T] [--seed S] [--plot file.png]
string? path = null;
int steps = 4000, batch = 32, threads = Environment.ProcessorCount, seed = 1;
double minutes = 4.5, temperature = 0.8;
string plotPath = Path.Combine("artifacts", "char-rnn-validation.png");
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--minutes": minutes = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--temperature": temperature = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--plot": plotPath = args[++i]; break;
        default: path = args[i]; break;
    }
}
path ??= SharedData.Find("tinyshakespeare/input.txt.gz");
if (path is null || !File.Exists(path))
{
    AnsiConsole.MarkupLine("[red]Tiny Shakespeare not found.[/] Pass the path of input.txt or input.txt.gz (../shared/data/tinyshakespeare).");
    return 1;
}

var total = Stopwatch.StartNew();
string text = Read(path);
var vocabulary = text.Distinct().OrderBy(c => c).ToArray();
if (vocabulary.Length > CharLstm.StepInputSize)
{
    AnsiConsole.MarkupLine($"[red]The text has {vocabulary.Length} distinct characters; the model was generated for at most {CharLstm.StepInputSize}.[/]");
    return 1;
}
var index = new Dictionary<char, int>();
for (int i = 0; i < vocabulary.Length; i++)
    index[vocabulary[i]] = i;
int[] codes = text.Select(c => index[c]).ToArray();
int split = (int)(codes.Length * 0.9);
int[] trainCodes = codes[..split], validationCodes = codes[split..];
AnsiConsole.MarkupLine($"Tiny Shakespeare: {codes.Length:N0} characters, {vocabulary.Length} distinct; {trainCodes.Length:N0} to train, {validationCodes.Length:N0} to validate.");

var net = new CharLstm(seed: seed);
AnsiConsole.MarkupLine($"Network: {Markup.Escape(CharLstm.Architecture.ToString())}, {CharLstm.ParameterCount:N0} parameters, {threads} thread(s).");

const int window = CharLstm.InputSize / CharLstm.StepInputSize, classes = CharLstm.StepInputSize;
var optimizer = new Adam<float>();
var trainer = new Trainer<float>(net, optimizer);
var schedule = LearningRateSchedule.Cosine(0.004, 1, 2e-4);
var inputs = new float[batch * CharLstm.InputSize];
var targets = new float[batch * CharLstm.OutputSize];
var random = new Random(seed);
var curve = new List<(int Step, double Loss)>();
var budget = TimeSpan.FromMinutes(minutes);
int done = 0;
AnsiConsole.Progress()
    .AutoClear(false)
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
    .Start(ctx =>
    {
        var task = ctx.AddTask("training", maxValue: steps);
        double smoothed = double.NaN;
        for (int step = 0; step < steps && total.Elapsed < budget; step++)
        {
            // A batch of random windows: input character t, target character t + 1, one-hot.
            Array.Clear(inputs);
            Array.Clear(targets);
            for (int s = 0; s < batch; s++)
            {
                int start = random.Next(trainCodes.Length - window - 1);
                for (int t = 0; t < window; t++)
                {
                    inputs[(s * window + t) * classes + trainCodes[start + t]] = 1;
                    targets[(s * window + t) * classes + trainCodes[start + t + 1]] = 1;
                }
            }
            double rate = schedule.Rate(step, step / (double)steps);
            double loss = trainer.TrainBatch(inputs, targets, new TrainerOptions { LearningRate = rate, Threads = threads }) / (batch * window);
            smoothed = double.IsNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
            task.Increment(1);
            task.Description = $"training: {smoothed:F3} nats/char, η {rate:G2}";
            done = step + 1;
            if (done % 200 == 0)
                curve.Add((done, Validate(net, validationCodes, 20_000)));
        }
    });
var trainingTime = total.Elapsed;
if (done < steps)
    AnsiConsole.MarkupLine($"[yellow]Stopped after {done} of {steps} steps: the {minutes:G} minute budget ran out.[/]");

double validation = Validate(net, validationCodes, validationCodes.Length);
curve.Add((done, validation));
string written = Plot(curve, plotPath);
AnsiConsole.MarkupLine($"Trained {done} steps × {batch} windows × {window} characters in {trainingTime.TotalSeconds:F0} s; validation loss per 200 steps (first 20,000 characters) plotted in [link]{Markup.Escape(written)}[/].");
AnsiConsole.MarkupLine($"Sample (temperature {temperature:G}):");
Console.WriteLine(Sample(net, "ROMEO:\n", 400, temperature, seed));
AnsiConsole.MarkupLine($"Total time {total.Elapsed.TotalSeconds:F0} s, validation over all {validationCodes.Length:N0} characters included.");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Validation loss: {validation:F3} nats/char"));
return 0;

// −ln p(next character), averaged over the first `count` characters of the validation text, streamed with the state carried.
static double Validate(CharLstm net, int[] codes, int count)
{
    var state = net.CreateState();
    var x = new float[CharLstm.StepInputSize];
    var p = new float[CharLstm.StepOutputSize];
    double sum = 0;
    int n = Math.Min(count, codes.Length) - 1;
    for (int t = 0; t < n; t++)
    {
        Array.Clear(x);
        x[codes[t]] = 1;
        net.Step(x, p, state);
        sum -= Math.Log(Math.Max(p[codes[t + 1]], 1e-30f));
    }
    return sum / n;
}

string Sample(CharLstm net, string prompt, int length, double temperature, int seed)
{
    var state = net.CreateState();
    var x = new float[CharLstm.StepInputSize];
    var p = new float[CharLstm.StepOutputSize];
    var rng = new Random(seed);
    var output = new StringBuilder(prompt);
    int next = index[prompt[0]];
    for (int t = 0; t < prompt.Length + length - 1; t++)
    {
        Array.Clear(x);
        x[next] = 1;
        net.Step(x, p, state);
        if (t + 1 < prompt.Length)
        {
            next = index[prompt[t + 1]];
            continue;
        }
        // p^(1/T), renormalised: a temperature below 1 sharpens the distribution.
        double[] weights = new double[vocabulary.Length];
        double sum = 0;
        for (int j = 0; j < weights.Length; j++)
            sum += weights[j] = Math.Pow(Math.Max(p[j], 1e-30f), 1 / temperature);
        double u = rng.NextDouble() * sum;
        next = 0;
        while (next < weights.Length - 1 && (u -= weights[next]) > 0)
            next++;
        output.Append(vocabulary[next]);
    }
    return output.ToString();
}

static string Plot(List<(int Step, double Loss)> curve, string path)
{
    var plot = new Plot();
    plot.Add.Scatter(curve.Select(c => (double)c.Step).ToArray(), curve.Select(c => c.Loss).ToArray()).LegendText = "validation loss (nats/char)";
    plot.Title("Tiny Shakespeare, LSTM 256, validation cross-entropy");
    plot.XLabel("training step");
    plot.YLabel("nats per character");
    string full = Path.GetFullPath(path);
    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
    plot.SavePng(full, 800, 500);
    return full;
}

static string Read(string path)
{
    using Stream file = File.OpenRead(path);
    using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    using var reader = new StreamReader(stream, Encoding.ASCII);
    return reader.ReadToEnd();
}

/// <summary>65 one-hot characters per step, 64 steps; an LSTM of 256 units returning every step; a per-step softmax over the characters.</summary>
[Network(Input = new[] { 64, 65 }, Loss = Loss.CrossEntropy)]
[Lstm(256, ReturnSequences = true)]
[Dense(65, Activation.Softmax)]
public partial class CharLstm;
