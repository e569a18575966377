using System;
using System.IO;
using System.Diagnostics;
using StaticNets;
using StaticNets.Training;

// The first-call cost of a fresh process: load the digits, then time the first 40-epoch Trainer run (which pays
// for compiling everything it touches), the second, identical run on a fresh network, and the fastest of five
// more (warm: tiered compilation has had time to promote the hot methods). One line of key=value pairs, for
// run.sh. Optional argument: the path of digits.csv(.gz).
double sinceStart = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
string path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "digits.csv.gz");

var clock = Stopwatch.StartNew();
var (train, test) = Datasets.Digits<float>(path).Split(0.8, seed: 1);
double load = clock.Elapsed.TotalMilliseconds;

var options = new TrainerOptions { Epochs = 40, BatchSize = 32, LearningRate = 0.1, Seed = 7 };
var (first, accuracy) = Fit();
var (second, secondAccuracy) = Fit();
double warm = second;
for (int i = 0; i < 5; i++)
{
    var (again, againAccuracy) = Fit();
    if (againAccuracy != accuracy || secondAccuracy != accuracy)
        throw new InvalidOperationException($"the runs differ: {accuracy}, {secondAccuracy}, {againAccuracy}");
    warm = Math.Min(warm, again);
}
Console.WriteLine(FormattableString.Invariant(
    $"start_ms={sinceStart:F0} load_ms={load:F1} first_fit_ms={first:F1} second_fit_ms={second:F1} warm_fit_ms={warm:F1} accuracy={accuracy:F4} vector512={System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated} vector256={System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}"));

(double Milliseconds, double Accuracy) Fit()
{
    var net = new DigitsNet(seed: 42);
    var fit = Stopwatch.StartNew();
    new Trainer<float>(net).Fit(train, options);
    double elapsed = fit.Elapsed.TotalMilliseconds;
    return (elapsed, Evaluator.Evaluate(net, test).Accuracy);
}

[Network(64, 32, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)]
public partial class DigitsNet;
