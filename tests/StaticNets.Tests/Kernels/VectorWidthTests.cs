using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>Tests that change <see cref="VectorWidth.MaxBits"/> run alone, after every parallel test.</summary>
[CollectionDefinition(nameof(VectorWidthCollection), DisableParallelization = true)]
public sealed class VectorWidthCollection;

/// <summary>
/// Every kernel check again with the vector width capped at 512, 256 and 128 bits and with scalar code only,
/// so that one machine covers each path (a cap above what the hardware has falls to the widest it has).
/// </summary>
[Collection(nameof(VectorWidthCollection))]
public class VectorWidthTests
{
    public static TheoryData<int> Widths => new() { 512, 256, 128, 0 };

    internal static void WithWidth(int bits, Action action)
    {
        int saved = VectorWidth.MaxBits;
        VectorWidth.MaxBits = bits;
        try
        {
            action();
        }
        finally
        {
            VectorWidth.MaxBits = saved;
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void EveryKernel_Single(int bits) => WithWidth(bits, KernelChecks.All<float>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void EveryKernel_Double(int bits) => WithWidth(bits, KernelChecks.All<double>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void BatchKernels_Single(int bits) => WithWidth(bits, BatchKernelChecks.All<float>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void BatchKernels_Double(int bits) => WithWidth(bits, BatchKernelChecks.All<double>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void ParallelKernels_Single(int bits) => WithWidth(bits, ParallelKernelChecks.All<float>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void ParallelKernels_Double(int bits) => WithWidth(bits, ParallelKernelChecks.All<double>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void ParallelConv_Single(int bits) => WithWidth(bits, ParallelKernelChecks.Conv<float>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void ParallelConv_Double(int bits) => WithWidth(bits, ParallelKernelChecks.Conv<double>);

    /// <summary>The unaliased entry points skip only two overlap checks: same kernel, so the same bits, at every shape and width.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void ConvKernels_Single(int bits) => WithWidth(bits, ConvChecks.All<float>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void ConvKernels_Double(int bits) => WithWidth(bits, ConvChecks.All<double>);

    /// <summary>The direct scheme runs for the shapes meant to test it, at every vector width whose vector fits the row.</summary>
    [Fact]
    public void DirectShapes_TakeTheDirectScheme()
    {
        var c1 = new Conv2DShape(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 28, 28);
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
            Assert.StartsWith("direct", ConvKernels.Describe<float>(c1), StringComparison.Ordinal);
        Assert.StartsWith("im2col", ConvKernels.Describe<float>(new Conv2DShape(3, 9, 6, 5, 4, 2, 2, 3, 2, 0, 5, 2)), StringComparison.Ordinal);
        Assert.StartsWith("pointwise", ConvKernels.Describe<float>(new Conv2DShape(3, 4, 5, 2, 1, 1, 1, 1, 0, 0, 4, 5)), StringComparison.Ordinal);
        // The cost model decides per shape and width; most of these shapes must still reach the direct kernels.
        foreach (int bits in new[] { 512, 256, 128 })
            WithWidth(bits, () =>
            {
                var taken = new List<Conv2DShape>();
                foreach (Conv2DShape d in ConvChecks.DirectShapes())
                    if (ConvKernels.Describe<float>(d).StartsWith("direct", StringComparison.Ordinal))
                        taken.Add(d);
                if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
                    Assert.True(taken.Count >= 14, $"{bits} bits: only {taken.Count} shapes take the direct scheme.");
            });
    }

    /// <summary>LeNet's second layer runs vectorised over its 16 output channels at 512 and 256 bits (measured faster there); its first stays direct.</summary>
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    public void LeNetConv2_TakesTheChannelScheme(int bits) => WithWidth(bits, () =>
    {
        var c2 = new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10);
        var c1 = new Conv2DShape(1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 28, 28);
        bool has = bits == 512 ? Vector512.IsHardwareAccelerated : Vector256.IsHardwareAccelerated;
        if (!has)
            return;
        Assert.StartsWith("vectorised over output channels", ConvKernels.Describe<float>(c2), StringComparison.Ordinal);
        Assert.Contains($"{bits}-bit", ConvKernels.Describe<float>(c2), StringComparison.Ordinal);
        Assert.StartsWith("direct", ConvKernels.Describe<float>(c1), StringComparison.Ordinal);
    });

    /// <summary>
    /// The input delta folded along input rows (StrideX 1): channel counts 1–7, kernels 1–5, input widths around each
    /// vector length (rows narrower than a vector spill into the next; wider ones in overlapping chunks), padding
    /// 0–2, vertical strides 1–2, batches 1–5, both precisions, against the reference at every width.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void InputDeltaRows_MatchReference(int bits) => WithWidth(bits, () =>
    {
        var rng = new Random(41);
        int i = 0, taken = 0;
        foreach (int iw in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 14, 15, 16, 17, 23, 31, 32, 33 })
        {
            for (int k = 1; k <= 5; k++)
            {
                int ic = 1 + (i % 7), oc = 1 + (i * 5 % 17), pad = Math.Min(k - 1, i % 3), sy = 1 + i % 4 / 3;
                int ih = 3 + i % 9, kh = Math.Max(1, k - i % 2), kw = k;
                int oh = (ih + 2 * Math.Min(pad, kh - 1) - kh) / sy + 1, ow = iw + 2 * pad - kw + 1;
                if (ow < 1 || oh < 1 || ih + 2 * Math.Min(pad, kh - 1) < kh)
                    continue;
                var s = new Conv2DShape(ic, ih, iw, oc, kh, kw, sy, 1, Math.Min(pad, kh - 1), pad, oh, ow);
                if (bits > 0 && Vector128.IsHardwareAccelerated && !(kh == 1 && kw == 1 && pad == 0 && sy == 1))
                {
                    Assert.Contains("input delta folded along input rows", ConvKernels.Describe<float>(s), StringComparison.Ordinal);
                    taken++;
                }
                ConvChecks.Check<float>(rng, s, 1 + i % 5, i % 2 == 0);
                ConvChecks.Check<double>(rng, s, 5 - i % 5, i % 2 == 1);
                i++;
            }
        }
        Assert.True(i > 60, $"only {i} shapes");
        if (bits == 0 || !Vector128.IsHardwareAccelerated)
            Assert.Equal(0, taken);
    });

    /// <summary>
    /// The input delta's GEMM over a block of samples side by side (where the plane is ragged for the vector):
    /// LeNet's second layer at 512 bits and small ragged planes, batches 1–5 (a last partial block), both
    /// precisions, a scratch for the batch and one for a single sample (per sample), against the reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void BlockedInputDelta_MatchesReference(int bits) => WithWidth(bits, () =>
    {
        var rng = new Random(47);
        var shapes = new[]
        {
            new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10),
            new Conv2DShape(3, 5, 5, 4, 3, 3, 1, 1, 0, 0, 3, 3),
            new Conv2DShape(2, 7, 6, 5, 3, 2, 1, 1, 1, 1, 7, 7),
            new Conv2DShape(1, 6, 9, 3, 2, 4, 2, 1, 0, 0, 3, 6),
        };
        int blocked = 0;
        foreach (Conv2DShape s in shapes)
        {
            for (int batch = 1; batch <= 5; batch++)
            {
                if (ConvKernels.InputDeltaBlock<float>(s, batch, ConvKernels.ScratchLength<float>(s, batch)) > 1)
                    blocked++;
                if (ConvKernels.InputDeltaBlock<double>(s, batch, ConvKernels.ScratchLength<double>(s, batch)) > 1)
                    blocked++;
                Assert.Equal(1, ConvKernels.InputDeltaBlock<float>(s, batch, ConvKernels.ScratchLength<float>(s, 1)));
                ConvChecks.Check<float>(rng, s, batch, batch % 2 == 0);
                ConvChecks.Check<double>(rng, s, batch, batch % 2 == 1);
                ConvChecks.Check<float>(rng, s, batch, true, ConvKernels.ScratchLength<float>(s, 1));
            }
        }
        if (bits == 0 || !Vector128.IsHardwareAccelerated)
            Assert.Equal(0, blocked);
        else
            Assert.True(blocked > 0);
        if (bits == 512 && Vector512.IsHardwareAccelerated)
            Assert.Equal(4, ConvKernels.InputDeltaBlock<float>(shapes[0], 64, ConvKernels.ScratchLength<float>(shapes[0], 64)));
    });

    /// <summary>LeNet's second layer folds its input delta along input rows at 512 bits (one vector per 14-column row) and 256 (two).</summary>
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    public void LeNetConv2_FoldsItsInputDeltaAlongRows(int bits) => WithWidth(bits, () =>
    {
        var c2 = new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 10, 10);
        bool has = bits == 512 ? Vector512.IsHardwareAccelerated : Vector256.IsHardwareAccelerated;
        if (!has)
            return;
        Assert.EndsWith($"; input delta folded along input rows ({bits}-bit)", ConvKernels.Describe<float>(c2), StringComparison.Ordinal);
        ConvChecks.Check<float>(new Random(43), c2, 5, true);
        ConvChecks.Check<double>(new Random(44), c2, 3, false);
    });

    /// <summary>The channel scheme forced wherever it can run (padded, phase-split, one or two vectors at a time), at every width.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void ChannelScheme_Forced_MatchesReference(int bits) => WithWidth(bits, () =>
    {
        VectorWidth.ForceChannelScheme = true;
        try
        {
            var rng = new Random(29);
            int i = 0;
            foreach (Conv2DShape s in ConvChecks.ChannelShapes())
            {
                if (bits > 0 && Vector128.IsHardwareAccelerated)
                    Assert.StartsWith("vectorised over output channels", ConvKernels.Describe<float>(s), StringComparison.Ordinal);
                ConvChecks.Check<float>(rng, s, 1 + i % 5, i % 2 == 0);
                ConvChecks.Check<double>(rng, s, 5 - i % 5, i % 2 == 1);
                i++;
            }
            ConvChecks.All<float>();
        }
        finally
        {
            VectorWidth.ForceChannelScheme = false;
        }
    });

    /// <summary>Most of the shapes meant for the channel scheme reach it at each width whose vector fits their channels.</summary>
    [Fact]
    public void ChannelShapes_TakeTheChannelScheme()
    {
        foreach (int bits in new[] { 512, 256, 128 })
            WithWidth(bits, () =>
            {
                int taken = 0, total = 0;
                foreach (Conv2DShape c in ConvChecks.ChannelShapes())
                {
                    total++;
                    if (ConvKernels.Describe<float>(c).StartsWith("vectorised over output channels", StringComparison.Ordinal))
                        taken++;
                }
                if (Vector128.IsHardwareAccelerated)
                    Assert.True(taken >= 3, $"{bits} bits: only {taken} of {total} shapes take the channel scheme.");
            });
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void MaxPooling_Single(int bits) => WithWidth(bits, PoolKernelsTests.AllMax<float>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void MaxPooling_Double(int bits) => WithWidth(bits, PoolKernelsTests.AllMax<double>);

    [Theory]
    [MemberData(nameof(Widths))]
    public void UnaliasedEntryPoints_MatchCheckedOnes(int bits) => WithWidth(bits, () =>
    {
        var rng = new System.Random(607);
        foreach (var (outputs, inputs) in KernelChecks.Shapes())
        {
            float[] w = KernelTestSupport.Uniform<float>(rng, outputs * inputs), b = KernelTestSupport.Uniform<float>(rng, outputs);
            float[] x = KernelTestSupport.Uniform<float>(rng, inputs);
            float[] expected = new float[outputs], actual = new float[outputs];
            DenseKernels.Forward<float>(w, b, x, expected);
            DenseKernels.ForwardUnaliased<float>(w, b, x, actual);
            Assert.Equal(expected, actual);
            DenseKernels.ForwardTransposed<float>(w, b, x, expected);
            DenseKernels.ForwardTransposedUnaliased<float>(w, b, x, actual);
            Assert.Equal(expected, actual);
        }
    });

    [Theory]
    [MemberData(nameof(Widths))]
    public void Cap_DisablesWiderPaths(int bits) => WithWidth(bits, () =>
    {
        Assert.Equal(Vector512.IsHardwareAccelerated && bits >= 512, Simd512<float>.IsEnabled);
        Assert.Equal(Vector256.IsHardwareAccelerated && bits >= 256, Simd256<double>.IsEnabled);
        Assert.Equal(Vector128.IsHardwareAccelerated && bits >= 128, Simd128<float>.IsEnabled);
    });

    [Fact]
    public void NonVectorTypes_TakeTheScalarPath()
    {
        Assert.False(Simd128<Half>.IsEnabled);
        Half[] x = { (Half)1, (Half)2, (Half)3, (Half)4, (Half)5, (Half)6, (Half)7, (Half)8, (Half)9 };
        Assert.Equal((Half)285, VectorMath.Dot<Half>(x, x));
    }
}
