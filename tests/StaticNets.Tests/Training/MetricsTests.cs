using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>Per-class precision, recall and F1 from a confusion matrix worked by hand.</summary>
public class MetricsTests
{
    [Fact]
    public void Precision_recall_and_F1_match_hand_computed_values()
    {
        // true\pred   0  1  2
        //     0       5  1  0
        //     1       2  3  1
        //     2       0  0  0      (class 2 never occurs, but is predicted once)
        var m = new ConfusionMatrix(3);
        void Add(int a, int p, int times)
        {
            for (int i = 0; i < times; i++)
                m.Add(a, p);
        }
        Add(0, 0, 5); Add(0, 1, 1); Add(1, 0, 2); Add(1, 1, 3); Add(1, 2, 1);
        Assert.Equal(12, m.Total);
        Assert.Equal(8 / 12.0, m.Accuracy, 15);
        Assert.Equal(5 / 7.0, m.Precision(0), 15);   // column 0: 5 + 2
        Assert.Equal(5 / 6.0, m.Recall(0), 15);      // row 0: 5 + 1
        Assert.Equal(3 / 4.0, m.Precision(1), 15);
        Assert.Equal(3 / 6.0, m.Recall(1), 15);
        Assert.Equal(0.0, m.Precision(2));           // predicted once, never right
        Assert.Equal(0.0, m.Recall(2));              // no samples: defined as 0
        Assert.Equal(2 * (5 / 7.0) * (5 / 6.0) / (5 / 7.0 + 5 / 6.0), m.F1(0), 15);
        Assert.Equal(0.0, m.F1(2));
        var (p, r, f) = m.MacroAverage();
        Assert.Equal((5 / 7.0 + 0.75 + 0) / 3, p, 15);
        Assert.Equal((5 / 6.0 + 0.5 + 0) / 3, r, 15);
        Assert.Equal((m.F1(0) + m.F1(1)) / 3, f, 15);
    }
}
