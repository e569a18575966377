using System;
using StaticNets.Training;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>subnormals [epochs]</c>: trains N2 on MNIST with Adam and, after every epoch, counts the subnormal values among
/// the softmax outputs of the first 10,000 training images and among Adam's state: where a long run could still meet
/// the microcode assists that the optimizers' flush to zero removes from their state.
/// </summary>
internal static class SubnormalProbe
{
    public static int Run(string[] args)
    {
        int epochs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 12;
        string? dir = MnistLocator.Find();
        if (dir is null)
        {
            Console.WriteLine("MNIST not found (set STATICNETS_MNIST or put the IDX files in shared/data/mnist).");
            return 1;
        }
        var train = Datasets.Mnist<float>(dir, train: true);
        var net = new N2(seed: 1);
        var adam = new Adam<float>();
        const int probe = 10_000, batch = 250;
        var workspace = net.CreateWorkspace(batch);
        var outputs = new float[batch * N2.OutputSize];
        net.Fit(train, new FitOptions<float>
        {
            Epochs = epochs, BatchSize = 64, LearningRate = 0.001, Optimizer = adam, Seed = 1, Threads = 2,
            VanishingGradientRatio = null, ExplodingGradientNorm = null,
            OnEpoch = r =>
            {
                long subnormal = 0, zero = 0;
                for (int start = 0; start < probe; start += batch)
                {
                    net.Forward(train.Inputs.Slice(start * N2.InputSize, batch * N2.InputSize), outputs, workspace);
                    foreach (float p in outputs)
                    {
                        subnormal += float.IsSubnormal(p) ? 1 : 0;
                        zero += p == 0 ? 1 : 0;
                    }
                }
                long state = 0;
                foreach (float s in ((IOptimizerState<float>)adam).State)
                    state += float.IsSubnormal(s) ? 1 : 0;
                Console.WriteLine($"epoch {r.Epoch}: loss {r.TrainLoss:F4}, {r.Elapsed.TotalMilliseconds:F0} ms; softmax outputs subnormal {subnormal} and 0 {zero} of {probe * N2.OutputSize}; Adam state subnormal {state}");
            },
        });
        return 0;
    }
}
