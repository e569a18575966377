using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using SemanticHashing;
using Spectre.Console;
using StaticNets;
using StaticNets.Kernels;
using StaticNets.Training;

// Semantic hashing on MNIST (Salakhutdinov & Hinton 2009): a deep autoencoder 784-512-256-32-256-512-784 trained
// with Adam (no RBM pretraining) whose 32 code units are pushed towards 0/1 while training, so each digit gets a
// 32-bit binary code; HammingIndex then finds the 100 nearest codes. Compared in the same run: PCA with 32
// components for reconstruction, 32-bit random-hyperplane LSH and exact Euclidean k-NN on the pixels for retrieval.
// A denoising autoencoder with tied weights restores masked digits.
//
// Usage: dotnet run --project samples/SemanticHashing -c Release -- [mnist-directory] [--epochs N] [--mode noise|ste|none]
//        [--compare] [--sigma S] [--denoise-epochs N] [--out directory]
// By default two autoencoders train: the hashing one (--mode, noise by default) and a plain-sigmoid one whose
// real-valued code is compared with PCA. --compare also trains the third mode and prints a row for each.
string? directory = null;
int epochs = 5, denoiseEpochs = 2, euclideanQueries = 1000;
double sigma = 4;
string mode = "noise", outDir = "artifacts";
bool compare = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--denoise-epochs": denoiseEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--mode": mode = args[++i]; break;
        case "--sigma": sigma = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--compare": compare = true; break;
        case "--euclidean-queries": euclideanQueries = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--out": outDir = args[++i]; break;
        default: directory = args[i]; break;
    }
}
directory ??= SharedData.Find("mnist");
if (directory is null || !Directory.Exists(directory))
{
    Console.WriteLine("MNIST not found. Pass the directory holding the four IDX files (train/t10k images and labels, gzip or raw).");
    return 1;
}

var total = Stopwatch.StartNew();
var trainLabelled = Datasets.Mnist<float>(directory, train: true);
var testLabelled = Datasets.Mnist<float>(directory, train: false);
// Unlabelled: the targets are the pixels themselves (the same array); the labels stay for scoring retrieval.
var train = Dataset<float>.Unlabelled(trainLabelled.Inputs.ToArray(), 784, trainLabelled.Labels.ToArray());
var test = Dataset<float>.Unlabelled(testLabelled.Inputs.ToArray(), 784, testLabelled.Labels.ToArray());
Console.WriteLine($"MNIST: {train.Count} training and {test.Count} test images ({total.Elapsed.TotalSeconds:F1} s).");

// PCA with as many components as the code has bits, in the same run.
var clock = Stopwatch.StartNew();
var pca = Pca.Fit(train.Inputs, 784, components: 32, samples: 20_000, seed: 1);
double pcaError = pca.ReconstructionError(test.Inputs);
Console.WriteLine($"PCA (32 components from 20,000 training images): test squared error {pcaError:F2} per image ({clock.Elapsed.TotalSeconds:F1} s).");

// The hashing model (noise by default) gives the binary codes; a plain-sigmoid model of the same shape gives the
// real-valued 32-unit code compared with PCA (binary codes carry less than 32 real coefficients).
var hashingMode = ParseMode(mode);
var modes = new List<BinaryCodeTraining> { hashingMode };
if (compare)
    modes.AddRange(new[] { BinaryCodeTraining.Noise, BinaryCodeTraining.StraightThrough, BinaryCodeTraining.None }.Where(m => m != hashingMode));
else if (hashingMode != BinaryCodeTraining.None)
    modes.Add(BinaryCodeTraining.None);
var results = new List<Result>();
foreach (var m in modes)
    results.Add(DeepHashing.TrainAndScore(train, test, m, sigma, epochs, seed: 7));
Result main = results[0];
Result real = results.First(r => r.Mode == BinaryCodeTraining.None);

// Baselines for retrieval: 32-bit random-hyperplane LSH over the centred pixels, exact Euclidean k-NN on a subset.
clock.Restart();
var lshTrain = Lsh.Codes(train.Inputs, pca.Mean, bits: 32, seed: 3, out var planes);
var lshTest = Lsh.Codes(test.Inputs, pca.Mean, planes);
double lshPrecision = Retrieval.PrecisionAt100(new HammingIndex(lshTrain, 32), lshTest, train.Labels, test.Labels, out _);
Console.WriteLine($"LSH (32 random hyperplanes): precision@100 {lshPrecision:P2} ({clock.Elapsed.TotalSeconds:F1} s).");
clock.Restart();
double euclidean = Retrieval.EuclideanPrecisionAt100(train, test, euclideanQueries);
Console.WriteLine($"Exact Euclidean k-NN on pixels ({euclideanQueries} test queries, every {test.Count / euclideanQueries}th): precision@100 {euclidean:P2} ({clock.Elapsed.TotalSeconds:F1} s).");

// The retrieved neighbours of one query per digit.
Directory.CreateDirectory(outDir);
string retrievalPng = Path.GetFullPath(Path.Combine(outDir, "semantic-hashing-neighbours.png"));
Images.Neighbours(main.Index, main.TestCodes, train, test, retrievalPng);

// A denoising autoencoder (tied weights) trained with Fit on unlabelled data, masking noise on the fly.
clock.Restart();
var denoiser = new Denoiser(seed: 5);
denoiser.Fit(train, new FitOptions<float> { Epochs = denoiseEpochs, BatchSize = 64, LearningRate = 0.002, Threads = 2, Seed = 11, InputNoise = InputNoise.Masking(0.3) });
var (maskedError, restoredError) = Images.Denoising(denoiser, test, Path.Combine(outDir, "semantic-hashing-denoising.png"), out string denoisePng);
Console.WriteLine($"Denoising autoencoder 784-256-784 (tied), {denoiseEpochs} epochs with 30 % masking ({clock.Elapsed.TotalSeconds:F0} s): half the pixels masked, squared error {maskedError:F2} per image as masked, {restoredError:F2} restored.");

var table = new Table().AddColumns("32-unit code", "training", "error (real)", "error (bits)", "P@100", "queries/s");
foreach (var r in results)
    table.AddRow("autoencoder, " + r.Name, $"{r.TrainSeconds:F0} s", r.RealError.ToString("F2", CultureInfo.InvariantCulture), r.BinaryError.ToString("F2", CultureInfo.InvariantCulture), r.Precision.ToString("P2", CultureInfo.InvariantCulture), r.QueriesPerSecond.ToString("N0", CultureInfo.InvariantCulture));
table.AddRow("PCA, 32 components", "", pcaError.ToString("F2", CultureInfo.InvariantCulture), "", "", "");
table.AddRow("LSH, 32 bits", "", "", "", lshPrecision.ToString("P2", CultureInfo.InvariantCulture), "");
table.AddRow("Euclidean k-NN, pixels", "", "", "", euclidean.ToString("P2", CultureInfo.InvariantCulture), "");
Console.WriteLine($"Squared error per test image; P@100: share of the 100 nearest training images with the query's label (all {test.Count:N0} test queries; Euclidean k-NN on {euclideanQueries:N0} of them).");
AnsiConsole.Write(table);
Console.WriteLine($"Reconstruction (squared error per test image, 32-unit code): autoencoder {real.RealError:F2} vs PCA {pcaError:F2}; the hashing autoencoder ({main.Name}) decodes {main.BinaryError:F2} from its 32 bits.");
Console.WriteLine($"Neighbours: {retrievalPng}");
Console.WriteLine($"Denoising: {denoisePng}");
Console.WriteLine($"Total time {total.Elapsed.TotalSeconds:F0} s.");
Console.WriteLine($"Precision@100: {100 * main.Precision:F2} % (32-bit LSH {100 * lshPrecision:F2} %, Euclidean k-NN {100 * euclidean:F2} %)");
return 0;

static BinaryCodeTraining ParseMode(string name) => name switch
{
    "noise" => BinaryCodeTraining.Noise,
    "ste" or "straight-through" => BinaryCodeTraining.StraightThrough,
    "none" => BinaryCodeTraining.None,
    _ => throw new ArgumentException($"Expected --mode noise, ste or none, actual '{name}'."),
};

