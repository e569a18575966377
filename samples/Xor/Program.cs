using System;
using StaticNets;
using StaticNets.Training;

// The course's first network: sigmoid neurons, quadratic cost C = ½‖y − a‖², plain gradient descent.
float[] inputs = { 0, 0, 0, 1, 1, 0, 1, 1 };
float[] targets = { 0, 1, 1, 0 };
var data = new Dataset<float>(inputs, inputSize: 2, targets, targetSize: 1);

var net = new XorNet(seed: 1);
Console.WriteLine($"{XorNet.Architecture}: {XorNet.ParameterCount} parameters");
new Trainer<float>(net).Fit(data, new TrainerOptions { Epochs = 4000, BatchSize = 4, LearningRate = 4.0, Seed = 1 }, onEpoch: r =>
{
    if (r.Epoch % 500 == 0)
        Console.WriteLine($"epoch {r.Epoch,4}: cost {r.TrainLoss:F5}");
});

Span<float> output = stackalloc float[XorNet.OutputSize];
for (int i = 0; i < 4; i++)
{
    net.Forward(inputs.AsSpan(2 * i, 2), output);
    Console.WriteLine($"{inputs[2 * i]} XOR {inputs[2 * i + 1]} = {output[0]:F3} (want {targets[i]})");
}
Console.WriteLine($"Accuracy: {Evaluator.Evaluate(net, data).Accuracy:P0}");

/// <summary>2 inputs → 3 sigmoid → 1 sigmoid, quadratic cost: the defaults of [Network].</summary>
[Network(2, 3, 1)]
public partial class XorNet;
