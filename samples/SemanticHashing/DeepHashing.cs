using System;
using System.Diagnostics;
using StaticNets;
using StaticNets.Kernels;
using StaticNets.Training;

namespace SemanticHashing;

/// <summary>One trained binary autoencoder and its scores.</summary>
internal sealed record Result(string Name, BinaryCodeTraining Mode, double TrainSeconds, double RealError, double BinaryError, double Precision, double QueriesPerSecond,
    HammingIndex Index, ulong[] TestCodes);

/// <summary>
/// Trains the encoder and decoder as one autoencoder through a <see cref="BinaryBottleneck{T}"/>: encoder forward
/// to z, codes from z (noisy, thresholded or plain), decoder back-propagation against the input (giving ∂C/∂code),
/// ∂C/∂z through the bottleneck, encoder back-propagation from that gradient, then an Adam step on each network.
/// </summary>
internal static class DeepHashing
{
    private const int Batch = 128, Code = 32;

    public static Result TrainAndScore(Dataset<float> train, Dataset<float> test, BinaryCodeTraining mode, double sigma, int epochs, int seed)
    {
        string name = mode switch
        {
            BinaryCodeTraining.Noise => $"noise σ = {sigma}",
            BinaryCodeTraining.StraightThrough => "straight-through",
            _ => "plain sigmoid",
        };
        var encoder = new Encoder(seed);
        var decoder = new Decoder(seed + 1);
        var bottleneck = new BinaryBottleneck<float>(mode, sigma, seed);
        var clock = Stopwatch.StartNew();
        Train(encoder, decoder, bottleneck, train, epochs, seed, name);
        double seconds = clock.Elapsed.TotalSeconds;

        double real = ReconstructionError(encoder, decoder, test, binary: false);
        double binary = ReconstructionError(encoder, decoder, test, binary: true);
        var trainCodes = Codes(encoder, train);
        var testCodes = Codes(encoder, test);
        var index = new HammingIndex(trainCodes, Code);
        double precision = Retrieval.PrecisionAt100(index, testCodes, train.Labels, test.Labels, out double qps);
        Console.WriteLine($"Autoencoder ({name}): test squared error {real:F2} per image ({binary:F2} decoding the binary code), precision@100 {precision:P2}, {qps:N0} Hamming queries/s over {train.Count:N0} codes.");
        return new Result(name, mode, seconds, real, binary, precision, qps, index, testCodes);
    }

    private static void Train(Encoder encoder, Decoder decoder, BinaryBottleneck<float> bottleneck, Dataset<float> train, int epochs, int seed, string name)
    {
        INetwork<float> enc = encoder, dec = decoder;
        var encWs = enc.CreateWorkspace(Batch);
        var decWs = dec.CreateWorkspace(Batch);
        var encGradient = new float[enc.ParameterCount];
        var decGradient = new float[dec.ParameterCount];
        var encAdam = new Adam<float>();
        var decAdam = new Adam<float>();
        var x = new float[Batch * 784];
        var z = new float[Batch * Code];
        var codes = new float[Batch * Code];
        var codeGradient = new float[Batch * Code];
        var zGradient = new float[Batch * Code];
        var order = new int[train.Count];
        Shuffle.Identity(order);
        var rng = new SplitMix64(seed);
        var schedule = LearningRateSchedule.Cosine(0.002, epochs, 1e-5);
        int batches = (train.Count + Batch - 1) / Batch;
        long step = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            Shuffle.FisherYates(order, rng);
            double loss = 0;
            for (int b = 0; b < batches; b++)
            {
                int start = b * Batch, m = Math.Min(Batch, train.Count - start);
                Span<float> xs = x.AsSpan(0, m * 784), zs = z.AsSpan(0, m * Code), cs = codes.AsSpan(0, m * Code);
                Span<float> dc = codeGradient.AsSpan(0, m * Code), dz = zGradient.AsSpan(0, m * Code);
                for (int s = 0; s < m; s++)
                    train.Input(order[start + s]).CopyTo(xs.Slice(s * 784, 784));

                enc.Forward(xs, zs, encWs);
                bottleneck.Forward(zs, cs, training: true, step);
                Array.Clear(decGradient);
                loss += dec.Backward(cs, xs, decGradient, dc, decWs);
                bottleneck.Backward(zs, cs, dc, dz);
                Array.Clear(encGradient);
                enc.BackwardFromOutputGradient(xs, dz, encGradient, Span<float>.Empty, encWs);

                // Backward sums over the batch: the mean gradient is 1/m of it.
                float rate = (float)schedule.Rate(step, epoch - 1 + (double)b / batches), scale = 1f / m;
                VectorMath.Scale(scale, encGradient);
                VectorMath.Scale(scale, decGradient);
                using (var edit = enc.EditParameters())
                    encAdam.Step(edit.Span, encGradient, rate);
                using (var edit = dec.EditParameters())
                    decAdam.Step(edit.Span, decGradient, rate);
                step++;
            }
            Console.WriteLine($"  autoencoder ({name}): epoch {epoch}/{epochs}, cross-entropy {loss / train.Count:F2} per image, {clock.Elapsed.TotalSeconds:F1} s");
        }
    }

    /// <summary>Sigmoid codes σ(z) of every sample, packed at 0.5.</summary>
    public static ulong[] Codes(Encoder encoder, Dataset<float> data)
    {
        INetwork<float> enc = encoder;
        var workspace = enc.CreateWorkspace(256);
        var z = new float[data.Count * Code];
        for (int start = 0; start < data.Count; start += 256)
        {
            int m = Math.Min(256, data.Count - start);
            enc.Forward(data.Inputs.Slice(start * 784, m * 784), z.AsSpan(start * Code, m * Code), workspace);
        }
        ActivationKernels.Sigmoid<float>(z, z);
        var bits = new ulong[data.Count];
        BinaryCodes.Pack<float>(z, Code, bits);
        return bits;
    }

    /// <summary>Σ over pixels of (x̂ − x)², averaged over images; from σ(z), or from σ(z) thresholded at 0.5.</summary>
    public static double ReconstructionError(Encoder encoder, Decoder decoder, Dataset<float> data, bool binary)
    {
        INetwork<float> enc = encoder, dec = decoder;
        var encWs = enc.CreateWorkspace(256);
        var decWs = dec.CreateWorkspace(256);
        var z = new float[256 * Code];
        var output = new float[256 * 784];
        double sum = 0;
        for (int start = 0; start < data.Count; start += 256)
        {
            int m = Math.Min(256, data.Count - start);
            var x = data.Inputs.Slice(start * 784, m * 784);
            enc.Forward(x, z.AsSpan(0, m * Code), encWs);
            ActivationKernels.Sigmoid<float>(z.AsSpan(0, m * Code), z.AsSpan(0, m * Code));
            if (binary)
            {
                for (int i = 0; i < m * Code; i++)
                    z[i] = z[i] >= 0.5f ? 1f : 0f;
            }
            dec.Forward(z.AsSpan(0, m * Code), output.AsSpan(0, m * 784), decWs);
            for (int i = 0; i < m * 784; i++)
            {
                double d = output[i] - x[i];
                sum += d * d;
            }
        }
        return sum / data.Count;
    }
}
