using System;
using System.Diagnostics;
using StaticNets;
using StaticNets.Kernels;

namespace SemanticHashing;

/// <summary>Precision@100: the share of a query's 100 nearest training images that have its label, averaged over queries.</summary>
internal static class Retrieval
{
    public const int K = 100;

    /// <summary>Every test code queries the index; also measures the queries per second of that loop (one thread).</summary>
    public static double PrecisionAt100(HammingIndex index, ulong[] queries, ReadOnlySpan<int> trainLabels, ReadOnlySpan<int> testLabels, out double queriesPerSecond)
    {
        int words = index.Words, count = queries.Length / words;
        var neighbours = new int[K];
        long hits = 0;
        var clock = Stopwatch.StartNew();
        for (int q = 0; q < count; q++)
        {
            int found = index.Nearest(queries.AsSpan(q * words, words), neighbours);
            for (int i = 0; i < found; i++)
                hits += trainLabels[neighbours[i]] == testLabels[q] ? 1 : 0;
        }
        queriesPerSecond = count / clock.Elapsed.TotalSeconds;
        return hits / (double)(count * K);
    }

    /// <summary>Exact k-NN by squared Euclidean distance on the pixels, for <paramref name="queries"/> evenly spaced test images.</summary>
    public static double EuclideanPrecisionAt100(Dataset<float> train, Dataset<float> test, int queries)
    {
        const int d = 784, Block = 32;
        int n = train.Count, stride = Math.Max(1, test.Count / queries);
        // ‖x − y‖² = ‖x‖² − 2x·y + ‖y‖²; ‖x‖² is the same for every candidate, so rank by ‖y‖² − 2x·y.
        var norms = new float[n];
        for (int i = 0; i < n; i++)
            norms[i] = -0.5f * VectorMath.SumOfSquares<float>(train.Input(i));
        var batch = new float[Block * d];
        var scores = new float[Block * n];
        var best = new (float Score, int Index)[K];
        long hits = 0;
        int done = 0;
        for (int q0 = 0; q0 < queries; q0 += Block)
        {
            int m = Math.Min(Block, queries - q0);
            for (int s = 0; s < m; s++)
                test.Input((q0 + s) * stride).CopyTo(batch.AsSpan(s * d, d));
            // score = x·y − ‖y‖²/2 (larger is nearer): the dense forward kernel with the training images as weights.
            DenseKernels.ForwardBatch<float>(train.Inputs, norms, batch.AsSpan(0, m * d), scores.AsSpan(0, m * n), d, n, Parallelism.DefaultThreads);
            for (int s = 0; s < m; s++)
            {
                TopK(scores.AsSpan(s * n, n), best);
                int label = test.Label((q0 + s) * stride);
                foreach (var (_, index) in best)
                    hits += train.Label(index) == label ? 1 : 0;
                done++;
            }
        }
        return hits / (double)(done * K);
    }

    /// <summary>The K largest scores (a min-heap of the best so far; most candidates fail the first comparison).</summary>
    private static void TopK(ReadOnlySpan<float> scores, (float Score, int Index)[] heap)
    {
        int size = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (size < heap.Length)
            {
                heap[size] = (s, i);
                for (int c = size++; c > 0 && heap[(c - 1) / 2].Score > heap[c].Score; c = (c - 1) / 2)
                    (heap[c], heap[(c - 1) / 2]) = (heap[(c - 1) / 2], heap[c]);
            }
            else if (s > heap[0].Score)
            {
                heap[0] = (s, i);
                for (int p = 0; ;)
                {
                    int l = 2 * p + 1, r = l + 1, smallest = p;
                    if (l < size && heap[l].Score < heap[smallest].Score)
                        smallest = l;
                    if (r < size && heap[r].Score < heap[smallest].Score)
                        smallest = r;
                    if (smallest == p)
                        break;
                    (heap[p], heap[smallest]) = (heap[smallest], heap[p]);
                    p = smallest;
                }
            }
        }
    }
}
