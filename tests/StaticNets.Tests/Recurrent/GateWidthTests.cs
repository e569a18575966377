using System;
using System.Runtime.Intrinsics;
using StaticNets.Kernels;
using StaticNets.Tests.Kernels;
using Xunit;

namespace StaticNets.Tests.Recurrent;

/// <summary>
/// The fused LSTM and GRU cells run 512-bit lanes where they are enabled and 256-bit ones after them; the gate
/// functions give the same bits at either width, so a network's outputs and gradients must not depend on the width.
/// </summary>
[Collection(nameof(VectorWidthCollection))]
public class GateWidthTests
{
    [Fact]
    public void GateMath_512_bit_forms_give_the_256_bit_results_lane_for_lane()
    {
        var rng = new Random(5);
        var lanes = new float[16];
        for (int trial = 0; trial < 20_000; trial++)
        {
            for (int i = 0; i < 16; i++)
                lanes[i] = trial % 7 == 0 ? BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32)) : (float)((rng.NextDouble() * 2 - 1) * 40);
            var wide = Vector512.Create(lanes);
            var lo = Vector256.Create(lanes.AsSpan(0, 8));
            var hi = Vector256.Create(lanes.AsSpan(8, 8));
            Same(Vector512.Create(GateMath.Exp(lo), GateMath.Exp(hi)), GateMath.Exp(wide));
            Same(Vector512.Create(GateMath.Sigmoid(lo), GateMath.Sigmoid(hi)), GateMath.Sigmoid(wide));
            Same(Vector512.Create(GateMath.Tanh(lo), GateMath.Tanh(hi)), GateMath.Tanh(wide));
        }
    }

    private static void Same(Vector512<float> expected, Vector512<float> actual)
    {
        for (int i = 0; i < 16; i++)
        {
            float e = expected.GetElement(i), a = actual.GetElement(i);
            Assert.True(float.IsNaN(e) ? float.IsNaN(a) : BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a), $"lane {i}: {e:R} vs {a:R}");
        }
    }

    // The recurrent layer alone (its products add each column's terms in the same order at every width; the dense
    // heads of whole networks do not, so networks are compared within tolerance elsewhere).
    [Theory]
    [InlineData(RecurrentCell.Lstm, 64, false)]
    [InlineData(RecurrentCell.Lstm, 24, true)]
    [InlineData(RecurrentCell.Lstm, 37, false)]
    [InlineData(RecurrentCell.Gru, 17, true)]
    [InlineData(RecurrentCell.Gru, 48, false)]
    public void Recurrent_forward_is_the_same_at_512_and_256_bits(RecurrentCell cell, int units, bool sequences)
    {
        if (!Vector512.IsHardwareAccelerated)
            return; // only the 256-bit cell can run here
        var shape = new RecurrentShape(cell, Steps: 6, Features: 5, Units: units, ReturnSequences: sequences);
        const int batch = 3;
        var rng = new Random(units);
        var parameters = new float[shape.ParameterCount];
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] = (float)(rng.NextDouble() * 2 - 1) * 0.6f;
        var x = new float[batch * shape.InputsPerSample];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(rng.NextDouble() * 2 - 1) * 2;
        var prepared = new float[RecurrentKernels.PreparedLength<float>(shape)];
        RecurrentKernels.PrepareWeights<float>(shape, parameters, prepared);
        float[][] wide = Run(512), narrow = Run(256);
        for (int i = 0; i < wide.Length; i++)
            Assert.Equal(narrow[i], wide[i]);

        float[][] Run(int bits)
        {
            var gates = new float[batch * shape.Steps * RecurrentLayout.GateBlocks * units];
            var cells = new float[cell == RecurrentCell.Lstm ? batch * shape.Steps * units : 0];
            var hidden = new float[batch * shape.Steps * units];
            var output = new float[sequences ? 0 : batch * units];
            int saved = VectorWidth.MaxBits;
            VectorWidth.MaxBits = bits;
            try
            {
                RecurrentKernels.Forward<float>(shape, prepared, x, gates, cells, hidden, output);
            }
            finally
            {
                VectorWidth.MaxBits = saved;
            }
            return new[] { gates, cells, hidden, output };
        }
    }
}
