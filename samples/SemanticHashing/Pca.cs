using System;
using StaticNets;
using StaticNets.Kernels;

namespace SemanticHashing;

/// <summary>
/// PCA by subspace iteration on the covariance: C = XcᵀXc / n from the dense gradient kernel (a vectorised rank-n
/// update), 48 vectors iterated through C with the batched dense forward kernel and re-orthonormalised, then a
/// Rayleigh–Ritz step (Jacobi on the 48 × 48 projection) picks the top components.
/// </summary>
internal sealed class Pca
{
    private readonly float[] _components; // components × d, row-major, orthonormal rows
    private readonly int _d, _k;

    private Pca(float[] mean, float[] components, int d, int k)
    {
        Mean = mean;
        _components = components;
        _d = d;
        _k = k;
    }

    public float[] Mean { get; }

    public static Pca Fit(ReadOnlySpan<float> data, int d, int components, int samples, int seed)
    {
        int n = Math.Min(samples, data.Length / d);
        var mean = new float[d];
        for (int s = 0; s < n; s++)
            VectorMath.AddInPlace<float>(mean, data.Slice(s * d, d));
        VectorMath.Scale(1f / n, mean);

        // C += XcᵀXc chunk by chunk: AccumulateGradientBatch computes Σ_s d[s, j]·x[s, k] with d = x = the centred rows.
        var covariance = new float[d * d];
        var discard = new float[d];
        const int Chunk = 500;
        var centred = new float[Chunk * d];
        for (int start = 0; start < n; start += Chunk)
        {
            int m = Math.Min(Chunk, n - start);
            var rows = centred.AsSpan(0, m * d);
            for (int s = 0; s < m; s++)
                VectorMath.Subtract<float>(data.Slice((start + s) * d, d), mean, rows.Slice(s * d, d));
            // The kernel rejects d aliasing x only for the gradient spans, so the same rows serve as both.
            DenseKernels.AccumulateGradientBatch<float>(rows, rows, covariance, discard, d, d, Parallelism.DefaultThreads);
        }
        VectorMath.Scale(1f / n, covariance);

        // Subspace iteration with oversampling: V (p × d rows) ← orthonormalise(C·V).
        int p = components + 16;
        var rng = new SplitMix64(seed);
        var v = new float[p * d];
        for (int i = 0; i < v.Length; i++)
            v[i] = (float)(rng.NextDouble() - 0.5);
        Orthonormalise(v, p, d);
        var cv = new float[p * d];
        var zero = new float[d];
        for (int iteration = 0; iteration < 60; iteration++)
        {
            // cv[s, j] = Σ_k C[j, k]·v[s, k]: the dense forward kernel with C as the weights.
            DenseKernels.ForwardBatch<float>(covariance, zero, v, cv, d, d, Parallelism.DefaultThreads);
            Array.Copy(cv, v, v.Length);
            Orthonormalise(v, p, d);
        }

        // Rayleigh–Ritz: H = V C Vᵀ (p × p), its eigenvectors rotate V onto the principal directions.
        DenseKernels.ForwardBatch<float>(covariance, zero, v, cv, d, d, Parallelism.DefaultThreads);
        var h = new double[p, p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
                h[a, b] = VectorMath.Dot<float>(v.AsSpan(a * d, d), cv.AsSpan(b * d, d));
        var (values, vectors) = Jacobi(h, p);
        var order = new int[p];
        for (int i = 0; i < p; i++)
            order[i] = i;
        Array.Sort(order, (x, y) => values[y].CompareTo(values[x]));
        var result = new float[components * d];
        for (int c = 0; c < components; c++)
        {
            int e = order[c];
            for (int a = 0; a < p; a++)
                VectorMath.Axpy((float)vectors[a, e], v.AsSpan(a * d, d), result.AsSpan(c * d, d));
        }
        Orthonormalise(result, components, d);
        return new Pca(mean, result, d, components);
    }

    /// <summary>Mean over the rows of Σ (x̂ − x)², x̂ = μ + Σ_c (u_c·(x − μ)) u_c.</summary>
    public double ReconstructionError(ReadOnlySpan<float> data)
    {
        int n = data.Length / _d;
        var centred = new float[_d];
        var reconstruction = new float[_d];
        double sum = 0;
        for (int s = 0; s < n; s++)
        {
            var x = data.Slice(s * _d, _d);
            VectorMath.Subtract<float>(x, Mean, centred);
            Mean.CopyTo(reconstruction, 0);
            for (int c = 0; c < _k; c++)
            {
                var u = _components.AsSpan(c * _d, _d);
                VectorMath.Axpy(VectorMath.Dot<float>(u, centred), u, reconstruction);
            }
            for (int i = 0; i < _d; i++)
            {
                double e = reconstruction[i] - x[i];
                sum += e * e;
            }
        }
        return sum / n;
    }

    /// <summary>Modified Gram–Schmidt on the rows, in place.</summary>
    private static void Orthonormalise(float[] rows, int count, int d)
    {
        for (int i = 0; i < count; i++)
        {
            var row = rows.AsSpan(i * d, d);
            for (int j = 0; j < i; j++)
            {
                var other = rows.AsSpan(j * d, d);
                VectorMath.Axpy(-VectorMath.Dot<float>(other, row), other, row);
            }
            float norm = MathF.Sqrt(VectorMath.SumOfSquares<float>(row));
            VectorMath.Scale(norm > 0 ? 1f / norm : 0f, row);
        }
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a small symmetric matrix by cyclic Jacobi rotations.</summary>
    private static (double[] Values, double[,] Vectors) Jacobi(double[,] a, int n)
    {
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
            v[i, i] = 1;
        for (int sweep = 0; sweep < 50; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                    off += a[p, q] * a[p, q];
            if (off < 1e-22)
                break;
            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-30)
                        continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0)
                        t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++)
            values[i] = a[i, i];
        return (values, v);
    }
}
