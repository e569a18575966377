using System;
using System.Collections.Generic;

namespace StaticNets.Tests.Networks;

/// <summary>
/// The course's equations written plainly in double precision, with no SIMD and no shared code with the
/// library's kernels: the yardstick generated code is checked against.
/// </summary>
internal sealed class ReferenceNetwork
{
    private readonly NetworkInfo _info;
    private readonly double[] _p;
    // The documented log clamp of the cross-entropy losses, per precision.
    private readonly double _epsilon;

    public ReferenceNetwork(NetworkInfo info, double[] parameters)
    {
        // Dropout layers are the identity when not training, which is how every caller here runs them.
        _info = new NetworkInfo(info.Name, info.Precision, info.Loss, info.InputShape, System.Linq.Enumerable.ToList(System.Linq.Enumerable.Where(info.Layers, l => l is not DropoutLayerInfo)));
        _p = parameters;
        _epsilon = info.Precision == Precision.Single ? 1e-7 : 1e-12;
    }

    /// <summary>a^l = σ(w^l a^{l−1} + b^l) for every layer; returns (z, a) per layer.</summary>
    public (List<double[]> Z, List<double[]> A) Forward(double[] x)
    {
        var zs = new List<double[]>();
        var activations = new List<double[]>();
        double[] a = x;
        foreach (var layer in _info.Layers)
        {
            var z = new double[layer.Outputs];
            for (int j = 0; j < layer.Outputs; j++)
            {
                double sum = _p[layer.BiasOffset + j];
                for (int k = 0; k < layer.Inputs; k++)
                    sum += _p[layer.WeightOffset + j * layer.Inputs + k] * a[k];
                z[j] = sum;
            }
            a = Activate(layer.Activation, z);
            zs.Add(z);
            activations.Add(a);
        }
        return (zs, activations);
    }

    public double[] Output(double[] x) => Forward(x).A[^1];

    public double Loss(double[] a, double[] y)
    {
        double c = 0;
        var output = _info.Layers[^1].Activation;
        for (int j = 0; j < a.Length; j++)
        {
            if (_info.Loss == StaticNets.Loss.Quadratic)
                c += 0.5 * (y[j] - a[j]) * (y[j] - a[j]);
            else if (output == Activation.Softmax)
                c -= y[j] * Math.Log(Math.Max(a[j], _epsilon));
            else
            {
                double aj = Math.Clamp(a[j], _epsilon, 1 - _epsilon);
                c -= y[j] * Math.Log(aj) + (1 - y[j]) * Math.Log(1 - aj);
            }
        }
        return c;
    }

    /// <summary>Backprop by the four equations: δ^L = ∇_a C ⊙ σ'(z^L); δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l); ∂C/∂w = a^{l−1} δ; ∂C/∂b = δ.</summary>
    public double Backward(double[] x, double[] y, double[] gradient)
    {
        var (zs, acts) = Forward(x);
        int last = _info.Layers.Count - 1;
        double[] aL = acts[last], zL = zs[last];
        var outputActivation = _info.Layers[last].Activation;

        // ∇_a C for the loss, then through σ' (the full Jacobian for softmax).
        var gradA = new double[aL.Length];
        for (int j = 0; j < aL.Length; j++)
        {
            if (_info.Loss == StaticNets.Loss.Quadratic)
                gradA[j] = aL[j] - y[j];
            else if (outputActivation == Activation.Softmax)
                gradA[j] = -y[j] / Math.Max(aL[j], _epsilon);
            else if (outputActivation == Activation.Sigmoid)
                gradA[j] = -y[j] / aL[j] + (1 - y[j]) / (1 - aL[j]);
            else
            {
                // The clamped loss is flat outside [ε, 1 − ε], so its gradient there is zero.
                double aj = aL[j];
                gradA[j] = aj < _epsilon || aj > 1 - _epsilon ? 0 : -y[j] / aj + (1 - y[j]) / (1 - aj);
            }
        }
        double[] delta = ThroughActivation(outputActivation, zL, aL, gradA);

        for (int l = last; l >= 0; l--)
        {
            var layer = _info.Layers[l];
            double[] previous = l == 0 ? x : acts[l - 1];
            for (int j = 0; j < layer.Outputs; j++)
            {
                for (int k = 0; k < layer.Inputs; k++)
                    gradient[layer.WeightOffset + j * layer.Inputs + k] += previous[k] * delta[j];
                gradient[layer.BiasOffset + j] += delta[j];
            }
            if (l == 0)
                break;
            var below = _info.Layers[l - 1];
            var back = new double[layer.Inputs];
            for (int k = 0; k < layer.Inputs; k++)
                for (int j = 0; j < layer.Outputs; j++)
                    back[k] += _p[layer.WeightOffset + j * layer.Inputs + k] * delta[j];
            delta = ThroughActivation(below.Activation, zs[l - 1], acts[l - 1], back);
        }
        return Loss(aL, y);
    }

    public static double[] Activate(Activation activation, double[] z)
    {
        var a = new double[z.Length];
        if (activation == Activation.Softmax)
        {
            double max = double.NegativeInfinity, sum = 0;
            foreach (double v in z)
                max = Math.Max(max, v);
            for (int i = 0; i < z.Length; i++)
                sum += a[i] = Math.Exp(z[i] - max);
            for (int i = 0; i < z.Length; i++)
                a[i] /= sum;
            return a;
        }
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = activation switch
            {
                Activation.Identity => z[i],
                Activation.Sigmoid => 1 / (1 + Math.Exp(-z[i])),
                Activation.Tanh => Math.Tanh(z[i]),
                Activation.ReLU => Math.Max(0, z[i]),
                Activation.LeakyReLU => z[i] > 0 ? z[i] : 0.01 * z[i],
                Activation.ELU => z[i] > 0 ? z[i] : Math.Exp(z[i]) - 1,
                Activation.GELU => Gelu(z[i]),
                Activation.Softplus => Math.Log(1 + Math.Exp(z[i])),
                Activation.SiLU => z[i] * Sigmoid(z[i]),
                _ => throw new ArgumentOutOfRangeException(nameof(activation)),
            };
        }
        return a;
    }

    /// <summary>Jᵀ·g for the activation's Jacobian J = ∂a/∂z.</summary>
    private static double[] ThroughActivation(Activation activation, double[] z, double[] a, double[] g)
    {
        var result = new double[g.Length];
        if (activation == Activation.Softmax)
        {
            double dot = 0;
            for (int k = 0; k < g.Length; k++)
                dot += g[k] * a[k];
            for (int j = 0; j < g.Length; j++)
                result[j] = a[j] * (g[j] - dot);
            return result;
        }
        for (int i = 0; i < g.Length; i++)
        {
            double derivative = activation switch
            {
                Activation.Identity => 1,
                Activation.Sigmoid => Sigmoid(z[i]) * (1 - Sigmoid(z[i])),
                Activation.Tanh => 1 - Math.Tanh(z[i]) * Math.Tanh(z[i]),
                Activation.ReLU => z[i] > 0 ? 1 : 0,
                Activation.LeakyReLU => z[i] > 0 ? 1 : 0.01,
                Activation.ELU => z[i] > 0 ? 1 : Math.Exp(z[i]),
                Activation.GELU => GeluDerivative(z[i]),
                Activation.Softplus => Sigmoid(z[i]),
                Activation.SiLU => Sigmoid(z[i]) + z[i] * Sigmoid(z[i]) * (1 - Sigmoid(z[i])),
                _ => throw new ArgumentOutOfRangeException(nameof(activation)),
            };
            result[i] = g[i] * derivative;
        }
        return result;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    // GELU's tanh form, u(z) = √(2/π)(z + 0.044715 z³), GELU = ½ z (1 + tanh u).
    private static double Gelu(double z) => 0.5 * z * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));

    // Product rule on ½ z (1 + tanh u): ½(1 + tanh u) + ½ z sech²u · u'(z).
    private static double GeluDerivative(double z)
    {
        double u = Math.Sqrt(2 / Math.PI) * (z + 0.044715 * Math.Pow(z, 3));
        double du = Math.Sqrt(2 / Math.PI) * (1 + 0.134145 * z * z);
        double sech = 1 / Math.Cosh(u);
        return 0.5 * (1 + Math.Tanh(u)) + 0.5 * z * sech * sech * du;
    }
}
