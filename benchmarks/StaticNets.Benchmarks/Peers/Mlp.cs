using System;
using System.Numerics.Tensors;

namespace StaticNets.Benchmarks.Peers;

/// <summary>
/// The two hand-written peers: the same ReLU…softmax network and cross-entropy training step as the
/// generated code, once as plain scalar loops and once with <see cref="TensorPrimitives"/> (one dot
/// product or axpy per weight row). All buffers are allocated up front so neither peer allocates per call.
/// </summary>
public sealed class Mlp
{
    private readonly int[] _sizes;
    private readonly float[][] _w, _b, _gw, _gb, _a, _d;
    private readonly int _capacity;

    /// <summary>Copies the weights from a parameter span in the StaticNets layout (per layer [out, in] then biases).</summary>
    public Mlp(int[] sizes, ReadOnlySpan<float> parameters, int batchCapacity)
    {
        _sizes = sizes;
        _capacity = batchCapacity;
        int layers = sizes.Length - 1;
        _w = new float[layers][]; _b = new float[layers][]; _gw = new float[layers][]; _gb = new float[layers][];
        _a = new float[layers][]; _d = new float[layers][];
        int offset = 0;
        for (int l = 0; l < layers; l++)
        {
            int nIn = sizes[l], nOut = sizes[l + 1];
            _w[l] = parameters.Slice(offset, nIn * nOut).ToArray(); offset += nIn * nOut;
            _b[l] = parameters.Slice(offset, nOut).ToArray(); offset += nOut;
            _gw[l] = new float[nIn * nOut]; _gb[l] = new float[nOut];
            _a[l] = new float[batchCapacity * nOut]; _d[l] = new float[batchCapacity * nOut];
        }
    }

    /// <summary>The output activations of the last forward pass, batch rows.</summary>
    public ReadOnlySpan<float> Output(int batch) => _a[^1].AsSpan(0, batch * _sizes[^1]);

    /// <summary>Plain loops: z = b + Σ w·x, ReLU, softmax.</summary>
    public void ForwardScalar(ReadOnlySpan<float> x, int batch)
    {
        for (int l = 0; l < _w.Length; l++)
        {
            int nIn = _sizes[l], nOut = _sizes[l + 1];
            ReadOnlySpan<float> input = l == 0 ? x : _a[l - 1];
            float[] w = _w[l], b = _b[l], a = _a[l];
            bool last = l == _w.Length - 1;
            for (int s = 0; s < batch; s++)
            {
                int xo = s * nIn, ao = s * nOut;
                for (int j = 0; j < nOut; j++)
                {
                    float sum = b[j];
                    int wo = j * nIn;
                    for (int k = 0; k < nIn; k++)
                        sum += w[wo + k] * input[xo + k];
                    a[ao + j] = last || sum > 0 ? sum : 0;
                }
                if (last)
                    SoftmaxScalar(a.AsSpan(ao, nOut));
            }
        }
    }

    /// <summary>TensorPrimitives: one <c>Dot</c> per weight row and sample, vectorised ReLU and softmax.</summary>
    public void ForwardTensorPrimitives(ReadOnlySpan<float> x, int batch)
    {
        for (int l = 0; l < _w.Length; l++)
        {
            int nIn = _sizes[l], nOut = _sizes[l + 1];
            ReadOnlySpan<float> input = l == 0 ? x : _a[l - 1];
            float[] w = _w[l], b = _b[l], a = _a[l];
            bool last = l == _w.Length - 1;
            for (int s = 0; s < batch; s++)
            {
                ReadOnlySpan<float> xs = input.Slice(s * nIn, nIn);
                Span<float> row = a.AsSpan(s * nOut, nOut);
                for (int j = 0; j < nOut; j++)
                    row[j] = TensorPrimitives.Dot(new ReadOnlySpan<float>(w, j * nIn, nIn), xs);
                TensorPrimitives.Add(row, b, row);
                if (last)
                    TensorPrimitives.SoftMax(row, row);
            }
            if (!last)
                TensorPrimitives.Max(a.AsSpan(0, batch * nOut), 0f, a.AsSpan(0, batch * nOut));
        }
    }

    /// <summary>One SGD step with plain loops: forward, δ = a − y, back-propagation, θ ← θ − η/m·∇.</summary>
    public void TrainStepScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batch, float learningRate)
    {
        ForwardScalar(x, batch);
        for (int l = 0; l < _w.Length; l++)
        {
            Array.Clear(_gw[l]);
            Array.Clear(_gb[l]);
        }
        int last = _w.Length - 1;
        for (int i = 0; i < batch * _sizes[^1]; i++)
            _d[last][i] = _a[last][i] - y[i];
        for (int l = last; l >= 0; l--)
        {
            int nIn = _sizes[l], nOut = _sizes[l + 1];
            ReadOnlySpan<float> input = l == 0 ? x : _a[l - 1];
            float[] w = _w[l], gw = _gw[l], gb = _gb[l], d = _d[l];
            for (int s = 0; s < batch; s++)
            {
                for (int j = 0; j < nOut; j++)
                {
                    float dj = d[s * nOut + j];
                    gb[j] += dj;
                    for (int k = 0; k < nIn; k++)
                        gw[j * nIn + k] += dj * input[s * nIn + k];
                }
                if (l == 0)
                    continue;
                float[] below = _d[l - 1], aBelow = _a[l - 1];
                for (int k = 0; k < nIn; k++)
                {
                    float sum = 0;
                    for (int j = 0; j < nOut; j++)
                        sum += w[j * nIn + k] * d[s * nOut + j];
                    below[s * nIn + k] = aBelow[s * nIn + k] > 0 ? sum : 0;
                }
            }
        }
        float step = learningRate / batch;
        for (int l = 0; l < _w.Length; l++)
        {
            float[] w = _w[l], gw = _gw[l], b = _b[l], gb = _gb[l];
            for (int i = 0; i < w.Length; i++)
                w[i] -= step * gw[i];
            for (int i = 0; i < b.Length; i++)
                b[i] -= step * gb[i];
        }
    }

    /// <summary>One SGD step with TensorPrimitives: one axpy per gradient row and per back-propagated row.</summary>
    public void TrainStepTensorPrimitives(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batch, float learningRate)
    {
        ForwardTensorPrimitives(x, batch);
        for (int l = 0; l < _w.Length; l++)
        {
            Array.Clear(_gw[l]);
            Array.Clear(_gb[l]);
        }
        int last = _w.Length - 1;
        int outputs = batch * _sizes[^1];
        TensorPrimitives.Subtract(_a[last].AsSpan(0, outputs), y.Slice(0, outputs), _d[last].AsSpan(0, outputs));
        for (int l = last; l >= 0; l--)
        {
            int nIn = _sizes[l], nOut = _sizes[l + 1];
            ReadOnlySpan<float> input = l == 0 ? x : _a[l - 1];
            float[] w = _w[l], gw = _gw[l], gb = _gb[l], d = _d[l];
            for (int s = 0; s < batch; s++)
            {
                ReadOnlySpan<float> ds = d.AsSpan(s * nOut, nOut);
                ReadOnlySpan<float> xs = input.Slice(s * nIn, nIn);
                TensorPrimitives.Add(gb, ds, gb);
                for (int j = 0; j < nOut; j++)
                {
                    Span<float> row = gw.AsSpan(j * nIn, nIn);
                    TensorPrimitives.MultiplyAdd(xs, ds[j], row, row);
                }
                if (l == 0)
                    continue;
                Span<float> below = _d[l - 1].AsSpan(s * nIn, nIn);
                below.Clear();
                for (int j = 0; j < nOut; j++)
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(w, j * nIn, nIn), ds[j], below, below);
                // ReLU': zero where the activation was zero (min(a·∞, 1) would be cuter but slower).
                ReadOnlySpan<float> aBelow = _a[l - 1].AsSpan(s * nIn, nIn);
                for (int k = 0; k < nIn; k++)
                    if (aBelow[k] <= 0)
                        below[k] = 0;
            }
        }
        float step = -learningRate / batch;
        for (int l = 0; l < _w.Length; l++)
        {
            TensorPrimitives.MultiplyAdd(_gw[l], step, _w[l], _w[l]);
            TensorPrimitives.MultiplyAdd(_gb[l], step, _b[l], _b[l]);
        }
    }

    private static void SoftmaxScalar(Span<float> a)
    {
        float max = float.NegativeInfinity;
        foreach (float v in a)
            max = Math.Max(max, v);
        float sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = MathF.Exp(a[i] - max);
            sum += a[i];
        }
        for (int i = 0; i < a.Length; i++)
            a[i] /= sum;
    }

    /// <summary>Writes the current weights and biases in the StaticNets layout.</summary>
    public void CopyParameters(Span<float> parameters)
    {
        int offset = 0;
        for (int l = 0; l < _w.Length; l++)
        {
            _w[l].CopyTo(parameters.Slice(offset)); offset += _w[l].Length;
            _b[l].CopyTo(parameters.Slice(offset)); offset += _b[l].Length;
        }
    }

    /// <summary>Overwrites the weights from a parameter span in the StaticNets layout.</summary>
    public void LoadParameters(ReadOnlySpan<float> parameters)
    {
        int offset = 0;
        for (int l = 0; l < _w.Length; l++)
        {
            parameters.Slice(offset, _w[l].Length).CopyTo(_w[l]); offset += _w[l].Length;
            parameters.Slice(offset, _b[l].Length).CopyTo(_b[l]); offset += _b[l].Length;
        }
    }

    /// <summary>The largest batch the buffers hold.</summary>
    public int BatchCapacity => _capacity;
}
