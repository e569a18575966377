using System.Linq;
using Xunit;

namespace StaticNets.Tests.Networks;

/// <summary>The reference CNN on cases small enough to work out by hand.</summary>
public class ReferenceCnnTests
{
    [Fact]
    public void Conv_with_asymmetric_padding_and_stride_is_cross_correlation_over_out_in_kh_kw_weights()
    {
        // Input 2×2×3, one 2×2 filter, stride 1×2, pads top 1, left 0, bottom 0, right 1 → output 1×2×2.
        var info = new LayerStack(2, 2, 3).Conv(1, 2, 2, Activation.Identity, strideY: 1, strideX: 2, top: 1, left: 0, bottom: 0, right: 1).Build("Conv", Precision.Double);
        double[] x = { 1, 2, 3, 4, 5, 6,  /* channel 1 */ 10, 20, 30, 40, 50, 60 };
        double[] w = { 1, 2, 3, 4, /* channel 1 */ 0.5, -1, 2, 0 };   // [1, 2, 2, 2]
        double[] p = w.Append(100).ToArray();
        var y = ReferenceCnn.Forward(info, p, x);
        Assert.Equal(new[] { 1, 2, 2 }, info.OutputShape.Dimensions.ToArray());
        // (0, 0): the top kernel row lies in the padding; kernel row 1 covers input row 0, columns 0-1.
        Assert.Equal(100 + 3 * 1 + 4 * 2 + 2 * 10 + 0 * 20, y[0]);
        // (0, 1): columns 2-3 (3 is padding).
        Assert.Equal(100 + 3 * 3 + 2 * 30, y[1]);
        // (1, 0): rows 0-1, columns 0-1.
        Assert.Equal(100 + 1 * 1 + 2 * 2 + 3 * 4 + 4 * 5 + 0.5 * 10 - 1 * 20 + 2 * 40, y[2]);
        // (1, 1): rows 0-1, column 2.
        Assert.Equal(100 + 1 * 3 + 3 * 6 + 0.5 * 30 + 2 * 60, y[3]);
    }

    [Fact]
    public void Pools_use_floor_windows_and_softmax_spans_the_whole_sample()
    {
        double[] x = Enumerable.Range(0, 2 * 3 * 5).Select(i => (double)(i * 7 % 11)).ToArray();
        var max = ReferenceCnn.Forward(new LayerStack(2, 3, 5).MaxPool(2, 2, 2, 2).Build("Max", Precision.Double), [], x);
        var avg = ReferenceCnn.Forward(new LayerStack(2, 3, 5).AvgPool(2, 2, 2, 2).Build("Avg", Precision.Double), [], x);
        Assert.Equal(4, max.Length);   // 2 channels × 1 × 2: the last row and column are left out
        double At(int c, int r, int col) => x[(c * 3 + r) * 5 + col];
        Assert.Equal(new[] { At(0, 0, 2), At(0, 0, 3), At(0, 1, 2), At(0, 1, 3) }.Max(), max[1]);
        Assert.Equal((At(1, 0, 0) + At(1, 0, 1) + At(1, 1, 0) + At(1, 1, 1)) / 4, avg[2]);

        var soft = ReferenceCnn.Forward(new LayerStack(2, 3, 5).Activate(Activation.Softmax).Build("Softmax", Precision.Double), [], x);
        Assert.Equal(1.0, soft.Sum(), 12);
        Assert.Equal(System.Math.Exp(x[7] - x[3]), soft[7] / soft[3], 12);
    }
}
