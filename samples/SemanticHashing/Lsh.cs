using System;
using StaticNets;
using StaticNets.Kernels;

namespace SemanticHashing;

/// <summary>Random-hyperplane LSH (Charikar 2002): bit i of a code is whether (x − μ)·r_i ≥ 0 for Gaussian r_i.</summary>
internal static class Lsh
{
    public static ulong[] Codes(ReadOnlySpan<float> data, float[] mean, int bits, int seed, out float[] planes)
    {
        var rng = new SplitMix64(seed);
        planes = new float[bits * mean.Length];
        for (int i = 0; i < planes.Length; i++)
            planes[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return Codes(data, mean, planes);
    }

    public static ulong[] Codes(ReadOnlySpan<float> data, float[] mean, float[] planes)
    {
        int d = mean.Length, bits = planes.Length / d, n = data.Length / d;
        // Centring moves each hyperplane's offset: (x − μ)·r = x·r − μ·r, so the bias is −μ·r.
        var bias = new float[bits];
        for (int b = 0; b < bits; b++)
            bias[b] = -VectorMath.Dot<float>(mean, planes.AsSpan(b * d, d));
        var projections = new float[n * bits];
        for (int start = 0; start < n; start += 1000)
        {
            int m = Math.Min(1000, n - start);
            DenseKernels.ForwardBatch<float>(planes, bias, data.Slice(start * d, m * d), projections.AsSpan(start * bits, m * bits), d, bits, Parallelism.DefaultThreads);
        }
        var codes = new ulong[n * BinaryCodes.WordsFor(bits)];
        BinaryCodes.Pack<float>(projections, bits, codes, threshold: 0);
        return codes;
    }
}
