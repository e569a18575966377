using System;
using System.Collections.Generic;
using System.Numerics;
using StaticNets.Kernels;
using StaticNets.Tests.Kernels;
using Xunit;

namespace StaticNets.Tests.Networks
{
    // Small dense nets whose batched Forward runs in lanes: odd widths 1, 3, 17, 33 and 64, every activation kind kept
    // in registers, a softmax below and above 8 outputs, a non-register activation, float and double.
    [Network(3, 17, 33, 1, Hidden = Activation.ReLU, Output = Activation.Identity, Loss = Loss.Quadratic)] public partial class LaneOddA;
    [Network(3, 17, 33, 1, Hidden = Activation.ReLU, Output = Activation.Identity, Loss = Loss.Quadratic, Precision = Precision.Double)] public partial class LaneOddAD;
    [Network(17, 64, 33, 3, Hidden = Activation.LeakyReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)] public partial class LaneOddB;
    [Network(17, 64, 33, 3, Hidden = Activation.LeakyReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy, Precision = Precision.Double)] public partial class LaneOddBD;
    [Network(1, 3, 5, Hidden = Activation.Tanh, Output = Activation.Sigmoid, Loss = Loss.Quadratic)] public partial class LaneOddC;
    [Network(33, 17, 1, 7, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)] public partial class LaneOddE;
    [Network(33, 17, 1, 7, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy, Precision = Precision.Double)] public partial class LaneOddED;
    // Layers the fused forward computes grouped (several inputs per vector of a narrow layer's outputs): a grouped hidden
    // layer feeding a wider one and a grouped 3-output softmax; 2 outputs (every chain in one vector at 512 bits); 1 output.
    [Network(8, 16, 4, 8, 3, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy)] public partial class LaneGroupA;
    [Network(8, 16, 4, 8, 3, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy, Precision = Precision.Double)] public partial class LaneGroupAD;
    [Network(8, 32, 2, Hidden = Activation.LeakyReLU, Output = Activation.Identity, Loss = Loss.Quadratic)] public partial class LaneGroupB;
    [Network(8, 32, 2, Hidden = Activation.LeakyReLU, Output = Activation.Identity, Loss = Loss.Quadratic, Precision = Precision.Double)] public partial class LaneGroupBD;
    [Network(16, 16, 1, Hidden = Activation.Identity, Output = Activation.ReLU, Loss = Loss.Quadratic)] public partial class LaneGroupC;
    [Network(1, 1, Output = Activation.ReLU, Loss = Loss.Quadratic)] public partial class ReluUnit;
    [Network(1, 4, Output = Activation.Softmax, Loss = Loss.CrossEntropy)] public partial class SoftmaxUnit;
    [Network(1, 4, Output = Activation.Softmax, Loss = Loss.CrossEntropy, Precision = Precision.Double)] public partial class SoftmaxUnitD;
}

namespace StaticNets.Tests.Networks
{
    /// <summary>
    /// The batched forward in lanes (small dense nets) against the single-sample forward and a double reference, at
    /// every batch size 1..67 and 256 and every vector width; NaN and ∞ through ReLU and softmax on both paths.
    /// </summary>
    [Collection(nameof(VectorWidthCollection))]
    public class LaneForwardTests
    {
        public static TheoryData<int> Widths => new() { 512, 256, 128, 0 };

        private static readonly Dictionary<string, Func<int, INetwork<float>>> SingleNets = new()
        {
            ["3-17-33-1 relu"] = s => new LaneOddA(s),
            ["17-64-33-3 leaky softmax"] = s => new LaneOddB(s),
            ["1-3-5 tanh sigmoid"] = s => new LaneOddC(s),
            ["33-17-1-7 relu softmax"] = s => new LaneOddE(s),
            ["8-32-32-4"] = s => new N1(s),
            ["64-32-10"] = s => new DigitsNet(s),
            ["13-7-5-3 B"] = s => new Odd13B(s),
            ["13-7-5-3 E"] = s => new Odd13E(s),
            ["13-16-9-3 dropout"] = s => new DropNet(s),
            ["2-3-1"] = s => new XorNet(s),
            ["8-16-4-8-3 grouped"] = s => new LaneGroupA(s),
            ["8-32-2 grouped"] = s => new LaneGroupB(s),
            ["16-16-1 grouped"] = s => new LaneGroupC(s),
        };

        private static readonly Dictionary<string, Func<int, INetwork<double>>> DoubleNets = new()
        {
            ["3-17-33-1 relu"] = s => new LaneOddAD(s),
            // Over the fused budget in double (half the lanes, twice the vector multiply-adds): the workspace path, so
            // equal within rounding only.
            ["17-64-33-3 leaky softmax, not fused"] = s => new LaneOddBD(s),
            ["33-17-1-7 relu softmax"] = s => new LaneOddED(s),
            ["8-32-32-4"] = s => new N1D(s),
            ["8-16-4-8-3 grouped"] = s => new LaneGroupAD(s),
            ["8-32-2 grouped"] = s => new LaneGroupBD(s),
            ["64-32-10"] = s => new DigitsNetD(s),
            ["13-7-5-3 B"] = s => new Odd13BD(s),
        };

        public static TheoryData<int, string> SingleCases()
        {
            var data = new TheoryData<int, string>();
            foreach (int bits in new[] { 512, 256, 128, 0 })
                foreach (string name in SingleNets.Keys)
                    data.Add(bits, name);
            return data;
        }

        public static TheoryData<int, string> DoubleCases()
        {
            var data = new TheoryData<int, string>();
            foreach (int bits in new[] { 512, 256, 128, 0 })
                foreach (string name in DoubleNets.Keys)
                    data.Add(bits, name);
            return data;
        }

        [Theory]
        [MemberData(nameof(SingleCases))]
        public void Float_batches_match_single_samples_and_reference(int bits, string name)
            => VectorWidthTests.WithWidth(bits, () => Check(SingleNets[name](5), ReferenceTests.FloatTolerance, bits));

        [Theory]
        [MemberData(nameof(DoubleCases))]
        public void Double_batches_match_single_samples_and_reference(int bits, string name)
            => VectorWidthTests.WithWidth(bits, () => Check(DoubleNets[name](5), ReferenceTests.DoubleTolerance, bits));

        /// <summary>
        /// Whether a sample of the lane forward must give exactly the single-sample forward's bits: hidden activations
        /// applied in registers (ReLU, LeakyReLU, identity) and an output one of those or a softmax under 8 outputs.
        /// </summary>
        private static bool BitIdentical(NetworkInfo info)
        {
            for (int i = 0; i < info.Layers.Count; i++)
            {
                var a = info.Layers[i].Activation;
                bool last = i == info.Layers.Count - 1;
                bool registers = a is Activation.ReLU or Activation.LeakyReLU or Activation.Identity;
                if (!(registers || (last && a == Activation.Softmax && info.Layers[i].Outputs < 8)))
                    return false;
            }
            return true;
        }

        // 1..67 (every remainder of every lane width, one by one and in padded blocks) and the full 256.
        private static IEnumerable<int> Batches(int capacity)
        {
            for (int batch = 1; batch <= 67; batch++)
                yield return batch;
            yield return capacity;
        }

        private static void Check<T>(INetwork<T> net, double tolerance, int bits) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var rng = new Random(3);
            foreach (var layer in net.Info.Layers)
                for (int j = 0; j < layer.Outputs; j++)
                    NetworkCatalog.SetParameter(net, layer.BiasOffset + j, T.CreateTruncating(rng.NextDouble() - 0.5));
            var reference = new ReferenceNetwork(net.Info, NetworkCatalog.ToDouble<T>(net.Parameters));
            bool exact = bits > 0 && BitIdentical(net.Info) && net is not LaneOddBD;
            const int capacity = 256;
            var workspace = net.CreateWorkspace(capacity);
            var inputs = NetworkCatalog.Random<T>(capacity * net.InputSize, seed: 17, lo: -2, hi: 2);
            var single = new T[capacity * net.OutputSize];
            var output = new T[net.OutputSize];
            for (int s = 0; s < capacity; s++)
            {
                net.Forward(inputs.AsSpan(s * net.InputSize, net.InputSize), output);
                output.CopyTo(single, s * net.OutputSize);
                if (s < 70 || s % 16 == 0)
                {
                    var expected = reference.Output(NetworkCatalog.ToDouble<T>(inputs.AsSpan(s * net.InputSize, net.InputSize)));
                    ReferenceTests.AssertClose(expected, NetworkCatalog.ToDouble<T>(output), tolerance, $"{bits} bits, single sample {s}");
                }
            }
            Assert.Throws<ArgumentException>(() => net.Forward(ReadOnlySpan<T>.Empty, Span<T>.Empty, workspace));
            var batched = new T[capacity * net.OutputSize];
            foreach (int batch in Batches(capacity))
            {
                batched.AsSpan().Fill(T.CreateTruncating(-7.0));
                net.Forward(inputs.AsSpan(0, batch * net.InputSize), batched.AsSpan(0, batch * net.OutputSize), workspace);
                for (int i = 0; i < batch * net.OutputSize; i++)
                {
                    if (exact)
                    {
                        if (!single[i].Equals(batched[i]))
                            Assert.Fail($"{bits} bits, batch {batch}, sample {i / net.OutputSize}, output {i % net.OutputSize}: single-sample {single[i]:R} but batched {batched[i]:R}.");
                    }
                    else
                    {
                        double a = double.CreateTruncating(single[i]), b = double.CreateTruncating(batched[i]);
                        if (!(Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a))))
                            Assert.Fail($"{bits} bits, batch {batch}, sample {i / net.OutputSize}, output {i % net.OutputSize}: single-sample {a:R} but batched {b:R}.");
                    }
                }
                Assert.True(double.CreateTruncating(batched[batch * net.OutputSize - 1]) != -7.0 || batch * net.OutputSize == batched.Length, "the batch was written");
                if (batch * net.OutputSize < batched.Length)
                    Assert.Equal(T.CreateTruncating(-7.0), batched[batch * net.OutputSize]); // nothing past the batch
            }
        }

        [Theory]
        [MemberData(nameof(Widths))]
        public void Batched_lane_forward_allocates_nothing(int bits) => VectorWidthTests.WithWidth(bits, () =>
        {
            var net = new N1(1);
            var workspace = net.CreateWorkspace(256);
            var inputs = NetworkCatalog.Random<float>(256 * N1.InputSize, 1);
            var outputs = new float[256 * N1.OutputSize];
            net.Forward(inputs, outputs, workspace);
            long best = long.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++)
                    net.Forward(inputs, outputs, workspace);
                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Equal(0, best);
        });

        [Theory]
        [MemberData(nameof(Widths))]
        public void Overlapping_spans_take_the_workspace_path(int bits) => VectorWidthTests.WithWidth(bits, () =>
        {
            // 3-17-33-1 reads 3 values and writes 1 per sample: outputs over the front of the inputs.
            var net = new LaneOddA(2);
            var workspace = net.CreateWorkspace(40);
            var buffer = NetworkCatalog.Random<float>(40 * LaneOddA.InputSize, 4);
            var expected = new float[40];
            net.Forward(buffer, expected, workspace);
            net.Forward(buffer, buffer.AsSpan(0, 40), workspace);
            // The workspace path sums in another order: equal within rounding, not bit for bit.
            ReferenceTests.AssertClose(NetworkCatalog.ToDouble<float>(expected), NetworkCatalog.ToDouble<float>(buffer.AsSpan(0, 40)), ReferenceTests.FloatTolerance, "overlapping");
        });

        [Theory]
        [MemberData(nameof(Widths))]
        public void ReLU_passes_NaN_and_infinities_on_both_paths(int bits) => VectorWidthTests.WithWidth(bits, () =>
        {
            var net = new ReluUnit();
            using (var edit = net.EditParameters())
            {
                edit.Span[0] = 1f; // weight
                edit.Span[1] = 0f; // bias
            }
            float[] x = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -3f, 2.5f, 0f };
            float[] expected = { float.NaN, float.PositiveInfinity, 0f, 0f, 2.5f, 0f };
            var one = new float[1];
            for (int i = 0; i < x.Length; i++)
            {
                net.Forward(x.AsSpan(i, 1), one);
                Assert.Equal(expected[i], one[0]);
            }
            // A whole lane block of them (6 repeated to 48 samples) through the batched forward.
            var xs = new float[48];
            for (int i = 0; i < xs.Length; i++)
                xs[i] = x[i % x.Length];
            var ys = new float[48];
            net.Forward(xs, ys, net.CreateWorkspace(48));
            for (int i = 0; i < xs.Length; i++)
                Assert.Equal(expected[i % x.Length], ys[i]);
        });

        [Theory]
        [MemberData(nameof(Widths))]
        public void Softmax_handles_NaN_infinities_and_huge_logits_on_both_paths(int bits) => VectorWidthTests.WithWidth(bits, () =>
        {
            SoftmaxEdges(new SoftmaxUnit());
            SoftmaxEdges(new SoftmaxUnitD());
        });

        private static void SoftmaxEdges<T>(INetwork<T> net) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            // z = (x, −x, 0, 2x).
            using (var edit = net.EditParameters())
            {
                edit.Span.Clear();
                edit.Span[0] = T.One;
                edit.Span[1] = -T.One;
                edit.Span[3] = T.CreateTruncating(2);
            }
            T[] x = { T.NaN, T.PositiveInfinity, T.CreateTruncating(1e30), T.CreateTruncating(-1e30), T.Zero, T.CreateTruncating(0.5) };
            var output = new T[4];
            var rows = new T[x.Length][];
            for (int i = 0; i < x.Length; i++)
            {
                net.Forward(x.AsSpan(i, 1), output);
                rows[i] = (T[])output.Clone();
            }
            foreach (T y in rows[0]) Assert.True(T.IsNaN(y)); // NaN in: every output NaN
            foreach (T y in rows[1]) Assert.True(T.IsNaN(y)); // z has +∞ and 0·∞: NaN, as the kernels' softmax gives
            Assert.Equal(new[] { T.Zero, T.Zero, T.Zero, T.One }, rows[2]);
            Assert.Equal(new[] { T.Zero, T.One, T.Zero, T.Zero }, rows[3]);
            Assert.Equal(new[] { T.CreateTruncating(0.25), T.CreateTruncating(0.25), T.CreateTruncating(0.25), T.CreateTruncating(0.25) }, rows[4]);
            double[] z = { 0.5, -0.5, 0, 1 };
            double sum = 0;
            foreach (double v in z) sum += Math.Exp(v);
            for (int j = 0; j < 4; j++)
                Assert.True(Math.Abs(double.CreateTruncating(rows[5][j]) - Math.Exp(z[j]) / sum) < 1e-6);

            // The same samples repeated over more than one lane block: the lane forward gives the same bits.
            int batch = 40;
            var xs = new T[batch];
            for (int i = 0; i < batch; i++)
                xs[i] = x[i % x.Length];
            var ys = new T[batch * 4];
            net.Forward(xs, ys, net.CreateWorkspace(batch));
            for (int i = 0; i < batch; i++)
                for (int j = 0; j < 4; j++)
                {
                    T expected = rows[i % x.Length][j], actual = ys[i * 4 + j];
                    Assert.True(expected.Equals(actual) || (T.IsNaN(expected) && T.IsNaN(actual)), $"sample {i}, output {j}: {expected} vs {actual}");
                }
        }
    }
}
