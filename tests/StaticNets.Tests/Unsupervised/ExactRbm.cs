using System;
using StaticNets.Unsupervised;

namespace StaticNets.Tests.Unsupervised;

/// <summary>Exact quantities of a tiny RBM, by enumerating every binary state: plain loops in double, no kernels.</summary>
internal static class ExactRbm
{
    public static double Dot(Rbm<double> rbm, int j, ReadOnlySpan<double> v)
    {
        double sum = rbm.HiddenBias[j];
        for (int i = 0; i < rbm.VisibleCount; i++)
            sum += rbm.Weights[j * rbm.VisibleCount + i] * v[i];
        return sum;
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>The binary vector of <paramref name="bits"/>' low <paramref name="n"/> bits.</summary>
    public static double[] State(int bits, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
            v[i] = (bits >> i) & 1;
        return v;
    }

    /// <summary>E(v, h) for either kind of visible units and Bernoulli hidden units.</summary>
    public static double Energy(Rbm<double> rbm, ReadOnlySpan<double> v, ReadOnlySpan<double> h)
    {
        double e = 0;
        for (int i = 0; i < rbm.VisibleCount; i++)
        {
            double a = rbm.VisibleBias[i];
            e += rbm.VisibleUnits == VisibleUnits.Bernoulli ? -a * v[i] : 0.5 * (v[i] - a) * (v[i] - a);
        }
        for (int j = 0; j < rbm.HiddenCount; j++)
        {
            if (rbm.HiddenUnits == HiddenUnits.Gaussian)
                e += 0.5 * h[j] * h[j];
            e -= h[j] * rbm.HiddenBias[j];
            for (int i = 0; i < rbm.VisibleCount; i++)
                e -= h[j] * rbm.Weights[j * rbm.VisibleCount + i] * v[i];
        }
        return e;
    }

    /// <summary>−log Σ_h e^(−E(v, h)) over all 2^H binary hidden states (log-sum-exp).</summary>
    public static double FreeEnergyBySum(Rbm<double> rbm, ReadOnlySpan<double> v)
    {
        int states = 1 << rbm.HiddenCount;
        var terms = new double[states];
        double max = double.NegativeInfinity;
        for (int s = 0; s < states; s++)
        {
            terms[s] = -Energy(rbm, v, State(s, rbm.HiddenCount));
            max = Math.Max(max, terms[s]);
        }
        double sum = 0;
        foreach (double t in terms)
            sum += Math.Exp(t - max);
        return -(max + Math.Log(sum));
    }

    /// <summary>p(v) over all 2^V binary visible vectors (Bernoulli visible units), from the brute-force free energy.</summary>
    public static double[] VisibleDistribution(Rbm<double> rbm)
    {
        int states = 1 << rbm.VisibleCount;
        var p = new double[states];
        double max = double.NegativeInfinity;
        for (int s = 0; s < states; s++)
        {
            p[s] = -FreeEnergyBySum(rbm, State(s, rbm.VisibleCount));
            max = Math.Max(max, p[s]);
        }
        double z = 0;
        for (int s = 0; s < states; s++)
            z += p[s] = Math.Exp(p[s] - max);
        for (int s = 0; s < states; s++)
            p[s] /= z;
        return p;
    }

    /// <summary>
    /// The exact gradient of the mean log-likelihood of <paramref name="data"/> in the layout of <see cref="Rbm{T}.Parameters"/>
    /// (W, hidden bias, visible bias): data statistics minus model statistics, the model's by enumeration — over v for
    /// Bernoulli visible units; over h for Gaussian visible units, where p(h) ∝ exp(b·h + (|a + Wᵀh|² − |a|²)/2) and v | h ~ N(a + Wᵀh, I).
    /// </summary>
    public static double[] LogLikelihoodGradient(Rbm<double> rbm, double[][] data)
    {
        int nv = rbm.VisibleCount, nh = rbm.HiddenCount;
        var grad = new double[rbm.Parameters.Length];
        // Data term: ⟨v_i p(h_j | v)⟩, ⟨p(h_j | v)⟩, ⟨v_i⟩.
        foreach (var v in data)
            Accumulate(rbm, grad, v, HiddenProbabilities(rbm, v), 1.0 / data.Length);
        var model = new double[grad.Length];
        if (rbm.VisibleUnits == VisibleUnits.Bernoulli)
        {
            var p = VisibleDistribution(rbm);
            for (int s = 0; s < p.Length; s++)
            {
                var v = State(s, nv);
                Accumulate(rbm, model, v, HiddenProbabilities(rbm, v), p[s]);
            }
        }
        else
        {
            int states = 1 << nh;
            var logWeight = new double[states];
            var means = new double[states][];
            double max = double.NegativeInfinity;
            for (int s = 0; s < states; s++)
            {
                var h = State(s, nh);
                means[s] = new double[nv];
                double w = 0, aa = 0;
                for (int j = 0; j < nh; j++)
                    w += rbm.HiddenBias[j] * h[j];
                for (int i = 0; i < nv; i++)
                {
                    double m = rbm.VisibleBias[i];
                    for (int j = 0; j < nh; j++)
                        m += rbm.Weights[j * nv + i] * h[j];
                    means[s][i] = m;
                    w += 0.5 * m * m;
                    aa += 0.5 * rbm.VisibleBias[i] * rbm.VisibleBias[i];
                }
                logWeight[s] = w - aa;
                max = Math.Max(max, logWeight[s]);
            }
            double z = 0;
            for (int s = 0; s < states; s++)
                z += logWeight[s] = Math.Exp(logWeight[s] - max);
            for (int s = 0; s < states; s++)
                Accumulate(rbm, model, means[s], State(s, nh), logWeight[s] / z);
        }
        for (int k = 0; k < grad.Length; k++)
            grad[k] -= model[k];
        return grad;
    }

    public static double[] HiddenProbabilities(Rbm<double> rbm, ReadOnlySpan<double> v)
    {
        var h = new double[rbm.HiddenCount];
        for (int j = 0; j < h.Length; j++)
            h[j] = Sigmoid(Dot(rbm, j, v));
        return h;
    }

    /// <summary>Adds weight × (v hᵀ, h, v) into <paramref name="grad"/> in the parameter layout.</summary>
    private static void Accumulate(Rbm<double> rbm, double[] grad, ReadOnlySpan<double> v, ReadOnlySpan<double> h, double weight)
    {
        int nv = rbm.VisibleCount, nh = rbm.HiddenCount;
        for (int j = 0; j < nh; j++)
        {
            for (int i = 0; i < nv; i++)
                grad[j * nv + i] += weight * h[j] * v[i];
            grad[nv * nh + j] += weight * h[j];
        }
        for (int i = 0; i < nv; i++)
            grad[nv * nh + nh + i] += weight * v[i];
    }

    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.Sqrt(aa * bb);
    }

    public static double Norm(ReadOnlySpan<double> a)
    {
        double s = 0;
        foreach (double x in a)
            s += x * x;
        return Math.Sqrt(s);
    }

    /// <summary>An RBM with weights N(0, scale²) and biases N(0, (scale/2)²) from a seed: far from the N(0, 0.01²) start, so CD-1's bias shows.</summary>
    public static Rbm<double> Random(int visible, int hidden, double scale, int seed, VisibleUnits visibleUnits = VisibleUnits.Bernoulli)
    {
        var rbm = new Rbm<double>(visible, hidden, visibleUnits);
        var rng = new SplitMix64(seed);
        var weights = rbm.Weights;
        for (int k = 0; k < weights.Length; k++)
            weights[k] = scale * Normal(rng);
        for (int j = 0; j < hidden; j++)
            rbm.HiddenBias[j] = 0.5 * scale * Normal(rng);
        for (int i = 0; i < visible; i++)
            rbm.VisibleBias[i] = 0.5 * scale * Normal(rng);
        return rbm;
    }

    public static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>−a·v − Σ_j log(1 + e^(b_j + w_j·v)), the closed form, for RBMs with too many hidden units to enumerate.</summary>
    public static double FreeEnergyBySumSeparable(Rbm<double> rbm, ReadOnlySpan<double> v)
    {
        double f = 0;
        for (int i = 0; i < rbm.VisibleCount; i++)
            f -= rbm.VisibleBias[i] * v[i];
        for (int j = 0; j < rbm.HiddenCount; j++)
            f -= Math.Log(1 + Math.Exp(Dot(rbm, j, v)));
        return f;
    }
}
