using System;
using System.Threading;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Layers;

/// <summary>
/// The stale-parameter sequence of the issue through the edit path: forward, edit one parameter, forward again. The
/// second forward must see the edit, on the single-sample path (transposed or fused weight copies) and batched.
/// </summary>
public class CnnParameterEditTests
{
    public static TheoryData<string> Names => new() { "N1", "DigitsNet", "LeNet5", "Stride3" };

    private static INetwork<float> Create(string name, int seed) => name switch
    {
        "N1" => new N1(seed),
        "DigitsNet" => new DigitsNet(seed),
        "LeNet5" => new LeNet5(seed),
        _ => new Stride3Cnn(seed),
    };

    /// <summary>A network of the same type holding a copy of <paramref name="net"/>'s parameters, never run before.</summary>
    private static INetwork<float> Twin(string name, INetwork<float> net)
    {
        var twin = Create(name, 999);
        using var e = twin.EditParameters();
        net.Parameters.CopyTo(e.Span);
        return twin;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_after_an_edit_sees_the_new_parameter_single_and_batched(string name)
    {
        var net = Create(name, 2);
        const int batch = 3;
        var x = NetworkCatalog.Random<float>(batch * net.InputSize, 8, 0, 1);
        var ws = net.CreateWorkspace(batch);
        var single = new float[net.OutputSize];
        var batched = new float[batch * net.OutputSize];
        // First layer's first weight, a weight in the middle, the last bias: each edit is seen by the next forward.
        foreach (int k in new[] { 0, net.ParameterCount / 2, net.ParameterCount - 1 })
        {
            net.Forward(x.AsSpan(0, net.InputSize), single);       // builds the weight copies
            net.Forward(x, batched, ws);
            var before = (float[])single.Clone();
            using (var e = net.EditParameters())
                e.Span[k] += 1;
            net.Forward(x.AsSpan(0, net.InputSize), single);
            net.Forward(x, batched, ws);

            var twin = Twin(name, net);
            var expectedSingle = new float[net.OutputSize];
            var expectedBatched = new float[batch * net.OutputSize];
            twin.Forward(x.AsSpan(0, net.InputSize), expectedSingle);
            twin.Forward(x, expectedBatched, twin.CreateWorkspace(batch));
            Assert.Equal(expectedSingle, single);
            Assert.Equal(expectedBatched, batched);
            for (int s = 0; s < batch; s++)
            {
                var reference = CnnCatalog.Reference(net, x, s);
                for (int j = 0; j < net.OutputSize; j++)
                    Assert.True(Math.Abs(reference[j] - batched[s * net.OutputSize + j]) <= 1e-5, $"{name} after editing {k}: sample {s} output {j}");
            }
            if (k == net.ParameterCount - 1)
                Assert.NotEqual(before, single);                    // the last bias always moves the output
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void An_edit_made_while_another_thread_runs_forwards_is_seen_by_the_next_forward(string name)
    {
        var net = Create(name, 3);
        var x = NetworkCatalog.Random<float>(net.InputSize, 9, 0, 1);
        var old = new float[net.OutputSize];
        net.Forward(x, old);
        int k = net.ParameterCount - 1;
        var twin = Twin(name, net);
        using (var e = twin.EditParameters())
            e.Span[k] += 1;
        var expected = new float[net.OutputSize];
        twin.Forward(x, expected);

        int editEnded = 0, stop = 0, seenAfter = 0, wrongAfter = 0;
        string? failure = null;
        var worker = new Thread(() =>
        {
            var y = new float[net.OutputSize];
            while (Volatile.Read(ref stop) == 0)
            {
                bool ended = Volatile.Read(ref editEnded) == 1;
                net.Forward(x, y);
                if (ended)
                {
                    seenAfter++;
                    if (!y.AsSpan().SequenceEqual(expected))
                    {
                        wrongAfter++;
                        failure ??= $"[{string.Join(", ", y)}] instead of [{string.Join(", ", expected)}]";
                    }
                }
            }
        });
        worker.Start();
        Thread.Sleep(20);
        using (var e = net.EditParameters())
        {
            e.Span[k] += 1;
            Thread.Sleep(5);                                       // forwards run on the other thread while the edit is open
        }
        Volatile.Write(ref editEnded, 1);
        var mine = new float[net.OutputSize];
        net.Forward(x, mine);
        Assert.Equal(expected, mine);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Volatile.Read(ref seenAfter) < 20 && DateTime.UtcNow < deadline)
            Thread.Sleep(1);
        Volatile.Write(ref stop, 1);
        worker.Join();
        Assert.True(seenAfter >= 20, $"the worker ran only {seenAfter} forwards after the edit");
        Assert.True(wrongAfter == 0, $"{name}: {wrongAfter} of {seenAfter} forwards started after the edit ended missed it: {failure}");
        Assert.NotEqual(old, mine);
    }
}
