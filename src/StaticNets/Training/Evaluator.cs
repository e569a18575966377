using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using StaticNets.Kernels;

namespace StaticNets.Training;

/// <summary>Mean cost, accuracy and confusion matrix of a network on a data set.</summary>
/// <param name="Count">Number of samples evaluated.</param>
/// <param name="Loss">Mean cost per sample, by the network's own loss.</param>
/// <param name="Accuracy">Fraction of samples whose predicted class equals their label.</param>
/// <param name="Confusion">Counts: row = true class, column = predicted class.</param>
public sealed record EvaluationResult(int Count, double Loss, double Accuracy, ConfusionMatrix Confusion);

/// <summary>Evaluates networks on data sets in batches, reusing one workspace.</summary>
public static class Evaluator
{
    private const int BatchSize = 256;

    /// <summary>
    /// Runs every sample forward and measures the mean cost and the accuracy. The predicted class is the
    /// largest output (or, for a single output, output ≥ 0.5); the true class is <see cref="Dataset{T}.Label"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EvaluationResult Evaluate<T>(INetwork<T> network, Dataset<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        if (data.InputSize != network.InputSize || data.TargetSize != network.OutputSize)
            throw new ArgumentException($"Expected samples of {network.InputSize} inputs and {network.OutputSize} targets for {network.Info} but the data set has {data.InputSize} and {data.TargetSize}.", nameof(data));

        int batchSize = Math.Min(BatchSize, data.Count);
        var workspace = network.CreateWorkspace(batchSize);
        var outputs = new T[batchSize * network.OutputSize];
        var confusion = new ConfusionMatrix(data.ClassCount);
        var outputActivation = network.Info.Layers[^1].Activation;
        double loss = 0;
        int correct = 0, outputSize = network.OutputSize;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - start);
            var inputs = data.Inputs.Slice(start * network.InputSize, n * network.InputSize);
            Span<T> batchOutputs = outputs.AsSpan(0, n * outputSize);
            network.Forward(inputs, batchOutputs, workspace);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<T> output = batchOutputs.Slice(i * outputSize, outputSize);
                loss += double.CreateTruncating(LossKernels.Compute(network.Info.Loss, outputActivation, output, data.Target(start + i)));
                int predicted = outputSize == 1 ? (output[0] >= T.CreateTruncating(0.5) ? 1 : 0) : VectorMath.ArgMax(output);
                int actual = data.Label(start + i);
                confusion.Add(actual, predicted);
                if (predicted == actual)
                    correct++;
            }
        }
        return new EvaluationResult(data.Count, loss / data.Count, (double)correct / data.Count, confusion);
    }
}
