using System;
using System.Linq;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Recurrent;

/// <summary>
/// Generated LSTM and GRU networks against the plain double reference (<see cref="ReferenceRnn"/>): forward of
/// single samples and batches, every parameter's BPTT gradient and ∂C/∂input by central differences (also with
/// truncation), streaming against whole sequences, state reset and copy, and allocation.
/// </summary>
public class RecurrentTests
{
    private const int MaxBatch = 5;

    internal static T[] Targets<T>(INetwork<T> net, int batch, int seed) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var last = net.Info.Layers[^1];
        if (last.Activation != Activation.Softmax)
            return NetworkCatalog.Targets<T>(net.Info, batch, seed);
        // One class per softmax group: per step for a dense layer applied to every step.
        int classes = last is DenseLayerInfo d ? d.Units : net.OutputSize, groups = net.OutputSize / classes;
        var rng = new Random(seed);
        var y = new T[batch * net.OutputSize];
        for (int g = 0; g < batch * groups; g++)
            y[g * classes + rng.Next(classes)] = T.One;
        return y;
    }

    private static double[] Reference<T>(INetwork<T> net, T[] inputs, int sample) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        => ReferenceRnn.Forward(net.Info, NetworkCatalog.ToDouble<T>(net.Parameters), NetworkCatalog.ToDouble<T>(inputs.AsSpan(sample * net.InputSize, net.InputSize)));

    [Theory]
    [MemberData(nameof(RecurrentCatalog.DoubleNames), MemberType = typeof(RecurrentCatalog))]
    public void Double_forward_single_and_batched_matches_the_reference(string name)
    {
        var net = RecurrentCatalog.Double[name](3);
        var inputs = NetworkCatalog.Random<double>(MaxBatch * net.InputSize, 11, -2, 2);
        var single = new double[net.OutputSize];
        for (int batch = 1; batch <= MaxBatch; batch++)
        {
            var outputs = new double[batch * net.OutputSize];
            net.Forward(inputs.AsSpan(0, batch * net.InputSize), outputs, net.CreateWorkspace(batch + 1));
            for (int s = 0; s < batch; s++)
            {
                var expected = Reference(net, inputs, s);
                net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), single);
                for (int j = 0; j < net.OutputSize; j++)
                {
                    Assert.True(Math.Abs(expected[j] - outputs[s * net.OutputSize + j]) <= 1e-12, $"{name} batch {batch} sample {s} output {j}: {outputs[s * net.OutputSize + j]:R} vs {expected[j]:R}");
                    Assert.True(Math.Abs(expected[j] - single[j]) <= 1e-12, $"{name} single sample {s} output {j}: {single[j]:R} vs {expected[j]:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(RecurrentCatalog.SingleNames), MemberType = typeof(RecurrentCatalog))]
    public void Float_forward_matches_the_reference(string name)
    {
        var net = RecurrentCatalog.Single[name](3);
        var inputs = NetworkCatalog.Random<float>(MaxBatch * net.InputSize, 11, -1, 1);
        var outputs = new float[MaxBatch * net.OutputSize];
        net.Forward(inputs, outputs, net.CreateWorkspace(MaxBatch));
        for (int s = 0; s < MaxBatch; s++)
        {
            var expected = Reference(net, inputs, s);
            for (int j = 0; j < net.OutputSize; j++)
                Assert.True(Math.Abs(expected[j] - outputs[s * net.OutputSize + j]) <= 2e-5 * Math.Max(1, Math.Abs(expected[j])), $"{name} sample {s} output {j}: {outputs[s * net.OutputSize + j]} vs {expected[j]}");
        }
    }

    private static double BatchCost(IRecurrentNetwork<double> net, double[] parameters, double[] inputs, double[] targets, int batch)
    {
        double cost = 0;
        for (int s = 0; s < batch; s++)
        {
            var a = ReferenceRnn.Forward(net.Info, parameters, inputs.AsSpan(s * net.InputSize, net.InputSize).ToArray());
            cost += ReferenceRnn.Cost(net.Info.Loss, a, targets.AsSpan(s * net.OutputSize, net.OutputSize).ToArray());
        }
        return cost;
    }

    [Theory]
    [MemberData(nameof(RecurrentCatalog.DoubleNames), MemberType = typeof(RecurrentCatalog))]
    public void Bptt_gradient_and_input_gradient_match_central_differences_of_the_reference(string name)
    {
        var net = RecurrentCatalog.Double[name](5);
        const int batch = 3;
        var inputs = NetworkCatalog.Random<double>(batch * net.InputSize, 17, -1.5, 1.5);
        var targets = Targets<double>(net, batch, 19);
        var gradient = new double[net.ParameterCount];
        var dx = new double[inputs.Length];
        double cost = net.Backward(inputs, targets, gradient, dx, net.CreateWorkspace(batch));
        var p = net.Parameters.ToArray();
        Assert.True(Math.Abs(cost - BatchCost(net, p, inputs, targets, batch)) <= 1e-10 * Math.Max(1, Math.Abs(cost)), $"{name}: cost {cost:R}");

        // Every parameter for small networks, a seeded subset of 120 for the 64-unit ones.
        var rng = new Random(23);
        var indices = p.Length <= 400 ? Enumerable.Range(0, p.Length) : Enumerable.Range(0, 120).Select(_ => rng.Next(p.Length));
        const double h = 1e-6;
        foreach (int i in indices)
        {
            double keep = p[i];
            p[i] = keep + h;
            double plus = BatchCost(net, p, inputs, targets, batch);
            p[i] = keep - h;
            double minus = BatchCost(net, p, inputs, targets, batch);
            p[i] = keep;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{name} parameter {i}: {gradient[i]:R} vs central difference {numeric:R}");
        }
        foreach (int i in Enumerable.Range(0, Math.Min(inputs.Length, 60)))
        {
            double keep = inputs[i];
            inputs[i] = keep + h;
            double plus = BatchCost(net, p, inputs, targets, batch);
            inputs[i] = keep - h;
            double minus = BatchCost(net, p, inputs, targets, batch);
            inputs[i] = keep;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - dx[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{name} input {i}: {dx[i]:R} vs central difference {numeric:R}");
        }
    }

    [Fact]
    public void Truncated_bptt_is_the_full_gradient_of_windows_that_start_from_the_carried_state()
    {
        // With window k the gradient stops flowing from step t into t − 1 when t is a multiple of k. For a network
        // whose only recurrent layer returns its last step, the truncated gradient of the hidden weights is then
        // the full gradient with the state entering the last window held constant: check it against central
        // differences of a reference that treats that state as a constant.
        IRecurrentNetwork<double> net = new DLstm3(8);
        net.BackpropagationWindow = 3; // 7 steps: windows [0, 3), [3, 6), [6, 7): only step 6 is differentiated
        const int batch = 2;
        var inputs = NetworkCatalog.Random<double>(batch * net.InputSize, 5, -1, 1);
        var targets = Targets<double>(net, batch, 6);
        var truncated = new double[net.ParameterCount];
        net.Backward(inputs, targets, truncated, net.CreateWorkspace(batch));
        var full = new double[net.ParameterCount];
        net.BackpropagationWindow = 0;
        net.Backward(inputs, targets, full, net.CreateWorkspace(batch));
        var lstm = (LstmLayerInfo)net.Info.Layers[0];
        // The dense head sees the same h either way.
        var head = net.Info.Layers[1];
        for (int i = head.ParameterOffset; i < head.ParameterOffset + head.ParameterCount; i++)
            Assert.Equal(full[i], truncated[i], 12);
        Assert.True(Enumerable.Range(lstm.HiddenWeights.Offset, lstm.HiddenWeights.Count).Any(i => Math.Abs(full[i] - truncated[i]) > 1e-9), "truncation changed no hidden-weight gradient");

        // Reference: only the last step (t = 6) is differentiated; its incoming (h, c) are constants from the full forward.
        var p = net.Parameters.ToArray();
        double Cost(double[] q)
        {
            double c = 0;
            for (int s = 0; s < batch; s++)
            {
                var x = inputs.AsSpan(s * net.InputSize, net.InputSize).ToArray();
                var (h5, c5) = LstmState(lstm, p, x, 6);          // carried state, from the unperturbed parameters
                var h6 = LstmStepFrom(lstm, q, x, 6, h5, c5);      // the window being differentiated
                var a = ReferenceRnn.Layer(head, q, h6);
                c += ReferenceRnn.Cost(net.Info.Loss, a, targets.AsSpan(s * net.OutputSize, net.OutputSize).ToArray());
            }
            return c;
        }
        const double eps = 1e-6;
        for (int i = lstm.ParameterOffset; i < lstm.ParameterOffset + lstm.ParameterCount; i++)
        {
            double keep = p[i];
            var q = (double[])p.Clone();
            q[i] = keep + eps;
            double plus = Cost(q);
            q[i] = keep - eps;
            double minus = Cost(q);
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(numeric - truncated[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"parameter {i}: {truncated[i]:R} vs {numeric:R}");
        }
    }

    private static (double[] H, double[] C) LstmState(LstmLayerInfo l, double[] p, double[] x, int steps)
    {
        var h = new double[l.Units];
        var c = new double[l.Units];
        for (int t = 0; t < steps; t++)
        {
            var hn = LstmStepFrom(l, p, x, t, h, c, out var cn);
            h = hn;
            c = cn;
        }
        return (h, c);
    }

    private static double[] LstmStepFrom(LstmLayerInfo l, double[] p, double[] x, int t, double[] h, double[] c) => LstmStepFrom(l, p, x, t, h, c, out _);

    private static double[] LstmStepFrom(LstmLayerInfo l, double[] p, double[] x, int t, double[] hPrev, double[] cPrev, out double[] cNew)
    {
        int f = l.Features, n = l.Units;
        // Run the reference over a one-step sequence whose input is step t, from the given state, through its equations.
        var hNew = new double[n];
        cNew = new double[n];
        for (int j = 0; j < n; j++)
        {
            double Gate(int g)
            {
                double sum = p[l.InputBiases.Offset + g * n + j] + p[l.HiddenBiases.Offset + g * n + j];
                for (int k = 0; k < f; k++)
                    sum += p[l.InputWeights.Offset + (g * n + j) * f + k] * x[t * f + k];
                for (int k = 0; k < n; k++)
                    sum += p[l.HiddenWeights.Offset + (g * n + j) * n + k] * hPrev[k];
                return sum;
            }
            double i = 1 / (1 + Math.Exp(-Gate(0))), fg = 1 / (1 + Math.Exp(-Gate(1))), g = Math.Tanh(Gate(2)), o = 1 / (1 + Math.Exp(-Gate(3)));
            cNew[j] = fg * cPrev[j] + i * g;
            hNew[j] = o * Math.Tanh(cNew[j]);
        }
        return hNew;
    }

    [Theory]
    [MemberData(nameof(RecurrentCatalog.DoubleNames), MemberType = typeof(RecurrentCatalog))]
    public void Streaming_step_by_step_gives_the_whole_sequence_result(string name)
    {
        var net = RecurrentCatalog.Double[name](9);
        StreamMatchesWhole(net, name, 1e-12);
    }

    [Theory]
    [MemberData(nameof(RecurrentCatalog.SingleNames), MemberType = typeof(RecurrentCatalog))]
    public void Float_streaming_gives_the_whole_sequence_result(string name)
    {
        var net = RecurrentCatalog.Single[name](9);
        StreamMatchesWhole(net, name, 1e-6);
    }

    private static void StreamMatchesWhole<T>(IRecurrentNetwork<T> net, string name, double tolerance) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var input = NetworkCatalog.Random<T>(net.InputSize, 31, -1, 1);
        var whole = new T[net.OutputSize];
        net.Forward(input, whole);
        int steps = net.InputSize / net.StepInputSize;
        bool sequences = net.OutputSize == steps * net.StepOutputSize && steps > 1;
        var state = net.CreateState();
        var output = new T[net.StepOutputSize];
        for (int round = 0; round < 2; round++)
        {
            for (int t = 0; t < steps; t++)
            {
                net.Step(input.AsSpan(t * net.StepInputSize, net.StepInputSize), output, state);
                if (sequences || t == steps - 1)
                {
                    int offset = sequences ? t * net.StepOutputSize : 0;
                    for (int j = 0; j < output.Length; j++)
                    {
                        double expected = double.CreateTruncating(whole[offset + j]), actual = double.CreateTruncating(output[j]);
                        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{name} round {round} step {t} output {j}: {actual:R} vs whole sequence {expected:R}");
                    }
                }
            }
            // Reset starts a new sequence: the second round must repeat the first.
            state.Reset();
        }
    }

    [Fact]
    public void State_copies_branch_a_stream_and_reject_another_architecture()
    {
        IRecurrentNetwork<float> net = new FLstm16(2);
        var x = NetworkCatalog.Random<float>(net.InputSize, 3, -1, 1);
        var a = net.CreateState();
        var output = new float[FLstm16.StepOutputSize];
        for (int t = 0; t < 5; t++)
            net.Step(x.AsSpan(t * 16, 16), output, a);
        var b = a.Clone();
        var c = net.CreateState();
        a.CopyTo(c);
        Assert.Equal(a.Values.ToArray(), b.Values.ToArray());
        var outA = new float[16];
        var outB = new float[16];
        var outC = new float[16];
        for (int t = 5; t < 20; t++)
        {
            net.Step(x.AsSpan(t * 16, 16), outA, a);
            net.Step(x.AsSpan(t * 16, 16), outB, b);
            net.Step(x.AsSpan(t * 16, 16), outC, c);
            Assert.Equal(outA, outB);
            Assert.Equal(outA, outC);
        }
        // Saving and restoring through Values resumes the stream exactly.
        var saved = a.Values.ToArray();
        net.Step(x.AsSpan(0, 16), outA, a);
        saved.CopyTo(b.Values);
        net.Step(x.AsSpan(0, 16), outB, b);
        Assert.Equal(outA, outB);

        IRecurrentNetwork<float> gru = new FGru16(2);
        var ex = Assert.Throws<ArgumentException>(() => gru.Step(x.AsSpan(0, 16), outA, a));
        Assert.Equal("state", ex.ParamName);
        Assert.Contains("CreateState", ex.Message);
        var wrong = Assert.Throws<ArgumentException>(() => net.Step(x.AsSpan(0, 15), outA, a));
        Assert.Equal("input", wrong.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.BackpropagationWindow = -1);
    }

    [Fact]
    public void Steps_sequences_and_training_steps_allocate_nothing()
    {
        IRecurrentNetwork<float> net = new FLstm64(1);
        IRecurrentNetwork<float> gru = new FGruSequence(1);
        var state = net.CreateState();
        var gruState = gru.CreateState();
        var x = NetworkCatalog.Random<float>(8 * net.InputSize, 4, -1, 1);
        var y = Targets<float>(net, 8, 5);
        var out1 = new float[FLstm64.StepOutputSize];
        var outs = new float[8 * net.OutputSize];
        var gradient = new float[net.ParameterCount];
        var ws = net.CreateWorkspace(8);
        var gx = NetworkCatalog.Random<float>(8 * gru.InputSize, 4, -1, 1);
        var gy = Targets<float>(gru, 8, 5);
        var gg = new float[gru.ParameterCount];
        var gws = gru.CreateWorkspace(8);
        var gout = new float[FGruSequence.StepOutputSize];
        void Round()
        {
            net.Step(x.AsSpan(0, 28), out1, state);
            gru.Step(gx.AsSpan(0, 5), gout, gruState);
            net.Forward(x, outs, ws);
            net.Backward(x, y, gradient, ws);
            gru.Backward(gx, gy, gg, gws);
        }
        // The first calls build the weight caches; the rest give tiered compilation its promotions (on a loaded
        // machine they come late, and code not yet re-compiled may allocate where the final code does not).
        for (int i = 0; i < 60; i++)
            Round();
        // As the other allocation tests: one clean round is enough (re-compilation may still allocate once).
        Allocations.AssertOneCleanRound(() =>
        {
            for (int i = 0; i < 20; i++)
                Round();
        }, "the recurrent step, forward and backward", rounds: 5);
    }

    [Fact]
    public void Parameter_edits_reach_the_step_and_the_sequence_paths()
    {
        IRecurrentNetwork<float> net = new FGru16(4);
        var x = NetworkCatalog.Random<float>(net.InputSize, 8, -1, 1);
        var before = new float[net.OutputSize];
        net.Forward(x, before);
        var state = net.CreateState();
        var stepBefore = new float[16];
        net.Step(x.AsSpan(0, 16), stepBefore, state);
        using (var edit = net.EditParameters())
            edit.Span[FGru16.Layer0ParameterOffset + 16 * 16 + 5] += 0.5f; // W_iz[0, 5]: z acts from the first step (r does not, as h_{-1} = 0)
        var after = new float[net.OutputSize];
        net.Forward(x, after);
        state.Reset();
        var stepAfter = new float[16];
        net.Step(x.AsSpan(0, 16), stepAfter, state);
        Assert.NotEqual(before, after);
        Assert.NotEqual(stepBefore, stepAfter);
    }
}

/// <summary>Recurrent networks through .snet and safetensors (PyTorch's block names), bit for bit.</summary>
public class RecurrentPersistenceTests
{
    [Fact]
    public void Snet_and_safetensors_round_trips_keep_every_parameter_and_the_pytorch_names()
    {
        IRecurrentNetwork<double> net = new DMixed(12);
        IRecurrentNetwork<double> copy = new DMixed(99);
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "staticnets-rnn-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            string snet = System.IO.Path.Combine(dir, "mixed.snet");
            StaticNets.Persistence.NetworkFile.Save(net, snet);
            StaticNets.Persistence.NetworkFile.Load(copy, snet);
            Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());

            string tensors = System.IO.Path.Combine(dir, "mixed.safetensors");
            StaticNets.Interop.Safetensors.Export(net, tensors);
            var names = StaticNets.Interop.SafetensorsFile.Parse(System.IO.File.ReadAllBytes(tensors)).Tensors.Select(t => t.Name).ToArray();
            Assert.Contains("layers.1.weight_ih_l0", names);
            Assert.Contains("layers.1.weight_hh_l0", names);
            Assert.Contains("layers.1.bias_ih_l0", names);
            Assert.Contains("layers.3.bias_hh_l0", names);
            Assert.Contains("layers.0.weight", names);
            var other = new DMixed(5);
            StaticNets.Interop.Safetensors.Import(other, tensors);
            Assert.Equal(net.Parameters.ToArray(), other.Parameters.ToArray());
        }
        finally
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }
}
