using System;
using System.Linq;

namespace StaticNets.Tests.Networks;

/// <summary>
/// The forward pass of any <see cref="NetworkInfo"/> written as plain loops in double precision, with no code
/// shared with the library's kernels or the generator: the yardstick for exported and generated CNNs.
/// Activations are NCHW per sample, row-major; parameters follow each layer's <see cref="ParameterBlock"/>s
/// (convolution weights <c>[out_c, in_c, kh, kw]</c>, dense weights <c>[out, in]</c>).
/// </summary>
internal static class ReferenceCnn
{
    /// <summary>The output of one sample: every layer in turn (dropout is the identity at inference).</summary>
    public static double[] Forward(NetworkInfo info, double[] parameters, double[] input)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (input.Length != info.InputSize)
            throw new ArgumentException($"Expected {info.InputSize} inputs but got {input.Length}.", nameof(input));
        if (parameters.Length != info.ParameterCount)
            throw new ArgumentException($"Expected {info.ParameterCount} parameters but got {parameters.Length}.", nameof(parameters));
        double[] a = input;
        foreach (var layer in info.Layers)
            a = Layer(layer, parameters, a);
        return a;
    }

    /// <summary>One layer's output from its input.</summary>
    public static double[] Layer(LayerInfo layer, double[] p, double[] x) => layer switch
    {
        DenseLayerInfo d => Activate(d.Activation, Dense(d, p, x)),
        Conv2DLayerInfo c => Activate(c.Activation, Conv(c, p, x)),
        MaxPool2DLayerInfo m => Pool(m, x, max: true),
        AvgPool2DLayerInfo v => Pool(v, x, max: false),
        FlattenLayerInfo => (double[])x.Clone(),
        DropoutLayerInfo => (double[])x.Clone(),
        ActivationLayerInfo s => Activate(s.Activation, x),
        NormalizeLayerInfo n => x.Select((v, j) => (v - p[n.Mean.Offset + j]) * p[n.Scale.Offset + j]).ToArray(),
        _ => throw new NotSupportedException($"The reference has no {layer.Kind} layer."),
    };

    /// <summary>z_j = Σ_k w[j, k]·x_k (+ b_j).</summary>
    public static double[] Dense(DenseLayerInfo layer, double[] p, double[] x)
    {
        int inputs = layer.Inputs, outputs = layer.Outputs;
        int w = layer.Weights!.Offset;
        var z = new double[outputs];
        for (int j = 0; j < outputs; j++)
        {
            double sum = layer.HasBias ? p[layer.Biases!.Offset + j] : 0;
            for (int k = 0; k < inputs; k++)
                sum += p[w + j * inputs + k] * x[k];
            z[j] = sum;
        }
        return z;
    }

    /// <summary>
    /// Cross-correlation: z[f, oy, ox] = b[f] + Σ_{c, ky, kx} w[f, c, ky, kx]·x[c, oy·sy + ky − top, ox·sx + kx − left],
    /// where positions outside the input (the padding) are zero.
    /// </summary>
    public static double[] Conv(Conv2DLayerInfo layer, double[] p, double[] x)
    {
        var input = layer.InputShape;
        var output = layer.OutputShape;
        int inC = input.Channels, inH = input.Height, inW = input.Width;
        int outC = output.Channels, outH = output.Height, outW = output.Width;
        int kh = layer.KernelHeight, kw = layer.KernelWidth;
        int w = layer.Weights!.Offset;
        var z = new double[output.Size];
        for (int f = 0; f < outC; f++)
        {
            double bias = layer.HasBias ? p[layer.Biases!.Offset + f] : 0;
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    double sum = bias;
                    for (int c = 0; c < inC; c++)
                    {
                        for (int ky = 0; ky < kh; ky++)
                        {
                            int iy = oy * layer.StrideY + ky - layer.PadTop;
                            if (iy < 0 || iy >= inH)
                                continue;
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int ix = ox * layer.StrideX + kx - layer.PadLeft;
                                if (ix < 0 || ix >= inW)
                                    continue;
                                sum += p[w + ((f * inC + c) * kh + ky) * kw + kx] * x[(c * inH + iy) * inW + ix];
                            }
                        }
                    }
                    z[(f * outH + oy) * outW + ox] = sum;
                }
            }
        }
        return z;
    }

    /// <summary>Max or mean of each window, per channel; windows start at multiples of the stride, no padding.</summary>
    public static double[] Pool(Pool2DLayerInfo layer, double[] x, bool max)
    {
        var input = layer.InputShape;
        var output = layer.OutputShape;
        int inH = input.Height, inW = input.Width, outH = output.Height, outW = output.Width;
        var y = new double[output.Size];
        for (int c = 0; c < output.Channels; c++)
        {
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    double acc = max ? double.NegativeInfinity : 0;
                    for (int wy = 0; wy < layer.WindowHeight; wy++)
                    {
                        for (int wx = 0; wx < layer.WindowWidth; wx++)
                        {
                            double v = x[(c * inH + oy * layer.StrideY + wy) * inW + ox * layer.StrideX + wx];
                            acc = max ? Math.Max(acc, v) : acc + v;
                        }
                    }
                    y[(c * outH + oy) * outW + ox] = max ? acc : acc / (layer.WindowHeight * layer.WindowWidth);
                }
            }
        }
        return y;
    }

    /// <summary>An activation over one sample's values; softmax normalises all of them as one vector, whatever the shape.</summary>
    public static double[] Activate(Activation activation, double[] z)
    {
        var a = new double[z.Length];
        if (activation == Activation.Softmax)
        {
            double largest = double.NegativeInfinity, sum = 0;
            foreach (double v in z)
                largest = Math.Max(largest, v);
            for (int i = 0; i < z.Length; i++)
                sum += a[i] = Math.Exp(z[i] - largest);
            for (int i = 0; i < z.Length; i++)
                a[i] /= sum;
            return a;
        }
        for (int i = 0; i < z.Length; i++)
        {
            double v = z[i];
            a[i] = activation switch
            {
                Activation.Identity => v,
                Activation.Sigmoid => 1 / (1 + Math.Exp(-v)),
                Activation.Tanh => Math.Tanh(v),
                Activation.ReLU => Math.Max(0, v),
                Activation.LeakyReLU => v > 0 ? v : 0.01 * v,
                Activation.ELU => v > 0 ? v : Math.Exp(v) - 1,
                Activation.GELU => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))),
                Activation.Softplus => Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v))),
                Activation.SiLU => v / (1 + Math.Exp(-v)),
                _ => throw new NotSupportedException($"The reference has no activation {activation}."),
            };
        }
        return a;
    }
}
