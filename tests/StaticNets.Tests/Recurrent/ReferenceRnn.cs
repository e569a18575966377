using System;
using StaticNets.Tests.Networks;

namespace StaticNets.Tests.Recurrent;

/// <summary>
/// The forward pass of recurrent networks written as plain loops in double precision, straight from PyTorch's
/// documented equations (nn.LSTM: gates i, f, g, o; nn.GRU: r, z, n with r applied to W_hn·h + b_hn), with no code
/// shared with the kernels or the generator. Samples are steps × features, time-major.
/// </summary>
internal static class ReferenceRnn
{
    public static double[] Forward(NetworkInfo info, double[] p, double[] input, int window = 0)
    {
        double[] a = input;
        foreach (var layer in info.Layers)
            a = Layer(layer, p, a);
        return a;
    }

    public static double[] Layer(LayerInfo layer, double[] p, double[] x) => layer switch
    {
        LstmLayerInfo lstm => Lstm(lstm, p, x),
        GruLayerInfo gru => Gru(gru, p, x),
        DenseLayerInfo { Steps: > 1 } or DenseLayerInfo { InputShape.Rank: 2 } => PerStep((DenseLayerInfo)layer, p, x),
        _ => ReferenceCnn.Layer(layer, p, x),
    };

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double[] PerStep(DenseLayerInfo d, double[] p, double[] x)
    {
        int steps = d.Steps, n = d.Features, m = d.Units;
        var y = new double[steps * m];
        for (int t = 0; t < steps; t++)
        {
            var z = new double[m];
            for (int j = 0; j < m; j++)
            {
                double sum = d.HasBias ? p[d.Biases!.Offset + j] : 0;
                for (int k = 0; k < n; k++)
                    sum += p[d.Weights!.Offset + j * n + k] * x[t * n + k];
                z[j] = sum;
            }
            var a = ReferenceCnn.Activate(d.Activation, z);
            Array.Copy(a, 0, y, t * m, m);
        }
        return y;
    }

    /// <summary>W·v + b for one gate row j of a [rows, cols] block at offset w.</summary>
    private static double Row(double[] p, int w, int cols, int j, double[] v, int vOffset) 
    {
        double sum = 0;
        for (int k = 0; k < cols; k++)
            sum += p[w + j * cols + k] * v[vOffset + k];
        return sum;
    }

    public static double[] Lstm(LstmLayerInfo l, double[] p, double[] x)
    {
        int steps = l.Steps, f = l.Features, h = l.Units;
        int wih = l.InputWeights.Offset, whh = l.HiddenWeights.Offset, bih = l.InputBiases.Offset, bhh = l.HiddenBiases.Offset;
        var hPrev = new double[h];
        var cPrev = new double[h];
        var all = new double[steps * h];
        for (int t = 0; t < steps; t++)
        {
            var hNew = new double[h];
            var cNew = new double[h];
            for (int j = 0; j < h; j++)
            {
                double Gate(int g) => p[bih + g * h + j] + p[bhh + g * h + j] + Row(p, wih, f, g * h + j, x, t * f) + Row(p, whh, h, g * h + j, hPrev, 0);
                double i = Sigmoid(Gate(0)), fg = Sigmoid(Gate(1)), gg = Math.Tanh(Gate(2)), o = Sigmoid(Gate(3));
                cNew[j] = fg * cPrev[j] + i * gg;
                hNew[j] = o * Math.Tanh(cNew[j]);
            }
            Array.Copy(hNew, 0, all, t * h, h);
            hPrev = hNew;
            cPrev = cNew;
        }
        return l.ReturnSequences ? all : hPrev;
    }

    public static double[] Gru(GruLayerInfo l, double[] p, double[] x)
    {
        int steps = l.Steps, f = l.Features, h = l.Units;
        int wih = l.InputWeights.Offset, whh = l.HiddenWeights.Offset, bih = l.InputBiases.Offset, bhh = l.HiddenBiases.Offset;
        var hPrev = new double[h];
        var all = new double[steps * h];
        for (int t = 0; t < steps; t++)
        {
            var hNew = new double[h];
            for (int j = 0; j < h; j++)
            {
                double r = Sigmoid(p[bih + j] + Row(p, wih, f, j, x, t * f) + p[bhh + j] + Row(p, whh, h, j, hPrev, 0));
                double z = Sigmoid(p[bih + h + j] + Row(p, wih, f, h + j, x, t * f) + p[bhh + h + j] + Row(p, whh, h, h + j, hPrev, 0));
                double n = Math.Tanh(p[bih + 2 * h + j] + Row(p, wih, f, 2 * h + j, x, t * f) + r * (p[bhh + 2 * h + j] + Row(p, whh, h, 2 * h + j, hPrev, 0)));
                hNew[j] = (1 - z) * n + z * hPrev[j];
            }
            Array.Copy(hNew, 0, all, t * h, h);
            hPrev = hNew;
        }
        return l.ReturnSequences ? all : hPrev;
    }

    /// <summary>The summed cost of one sample's output against its target, as the network's loss defines it.</summary>
    public static double Cost(Loss loss, double[] a, double[] y)
    {
        double c = 0;
        for (int j = 0; j < a.Length; j++)
            c += loss == Loss.Quadratic ? 0.5 * (a[j] - y[j]) * (a[j] - y[j]) : -y[j] * Math.Log(a[j]);
        return c;
    }
}
