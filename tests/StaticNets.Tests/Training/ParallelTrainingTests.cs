using System;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>
/// Multi-core training: the batch partitions depend only on the batch size, so the weights after training
/// are bit-identical for 1 and 2 threads, match a plain single-Backward step up to rounding, and a step
/// allocates nothing on the calling thread.
/// </summary>
public class ParallelTrainingTests
{
    private static Dataset<float> RandomData(INetwork<float> net, int count, int seed)
        => new(NetworkCatalog.Random<float>(count * net.InputSize, seed, 0, 1), net.InputSize,
            NetworkCatalog.Targets<float>(net.Info, count, seed + 1), net.OutputSize);

    [Theory]
    [InlineData("784-128-10", 64)]
    [InlineData("784-128-10", 40)]
    [InlineData("64-32-10", 128)]
    [InlineData("8-32-32-4", 48)]
    public void AnyThreadCount_GivesBitIdenticalWeights(string name, int batchSize)
    {
        var data = RandomData(NetworkCatalog.Single[name](0), 300, 5);
        float[] Train(int threads)
        {
            var net = NetworkCatalog.Single[name](3);
            new Trainer<float>(net).Fit(data, new TrainerOptions { Epochs = 2, BatchSize = batchSize, LearningRate = 0.05, Seed = 9, Threads = threads });
            return net.Parameters.ToArray();
        }

        float[] one = Train(1);
        Assert.Equal(one, Train(2));
        Assert.Equal(one, Train(3));
        Assert.Equal(one, Train(8));
        Assert.NotEqual(NetworkCatalog.Single[name](3).Parameters.ToArray(), one);
    }

    // A network whose products split over the threads trains on the whole batch: the step must be exactly Backward, the
    // 1/m of the mean and the SGD update, whichever passes the loop fuses (it scales in the norms' pass and checks the new
    // weights in the update's).
    [Theory]
    [InlineData(1, 32)]
    [InlineData(2, 32)]
    [InlineData(3, 27)]
    public void WholeBatchStep_IsBackwardThenTheMeanThenSgd_BitForBit(int threads, int batch)
    {
        var reference = new MnistNet(4);
        var trained = new MnistNet(4);
        Assert.Equal(1, Trainer<float>.PartitionCount(MnistNet.Architecture, batch));
        var inputs = NetworkCatalog.Random<float>(batch * MnistNet.InputSize, 16, 0, 1);
        var targets = NetworkCatalog.Targets<float>(MnistNet.Architecture, batch, 17);

        var gradient = new float[MnistNet.ParameterCount];
        var workspace = reference.CreateWorkspace(batch);
        workspace.Threads = threads;
        reference.Backward(inputs, targets, gradient, workspace);
        StaticNets.Kernels.VectorMath.Scale(1f / batch, gradient);
        float[] expected = reference.Parameters.ToArray();
        StaticNets.Kernels.VectorMath.Axpy(-0.1f, gradient, expected);
        using (var edit = reference.EditParameters())
            expected.CopyTo(edit.Span);

        var trainer = new Trainer<float>(trained);
        trainer.TrainBatch(inputs, targets, new TrainerOptions { LearningRate = 0.1, Threads = threads });
        Assert.Equal(expected, trained.Parameters.ToArray());

        // Later steps start from the gradient the last update zeroed as it read it: still exactly the manual sequence.
        for (int step = 0; step < 3; step++)
        {
            Array.Clear(gradient);
            reference.Backward(inputs, targets, gradient, workspace);
            StaticNets.Kernels.VectorMath.Scale(1f / batch, gradient);
            using (var edit = reference.EditParameters())
                StaticNets.Kernels.VectorMath.Axpy(-0.1f, gradient, edit.Span);
            trainer.TrainBatch(inputs, targets, new TrainerOptions { LearningRate = 0.1, Threads = threads });
            Assert.Equal(reference.Parameters.ToArray(), trained.Parameters.ToArray());
        }
    }

    // A network that trains in partitions, with enough parameters that the sum of the partitions' buffers runs in
    // several chunks over the pool: exactly the partitions' backward passes added in order, the last addition times
    // 1/m, then the SGD update, on any thread count.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void PartitionedStep_IsThePartitionsSummedInOrderThenSgd_BitForBit(int threads)
    {
        const int batch = 64;
        INetwork<float> reference = new StaticNets.Tests.Layers.LeNet5(2), trained = new StaticNets.Tests.Layers.LeNet5(2);
        int partitions = Trainer<float>.PartitionCount(reference.Info, batch);
        Assert.True(partitions > 1);
        Assert.True(reference.ParameterCount > 2 * 16_384);
        var inputs = NetworkCatalog.Random<float>(batch * reference.InputSize, 21, 0, 1);
        var targets = NetworkCatalog.Targets<float>(reference.Info, batch, 22);

        var sum = new float[reference.ParameterCount];
        var part = new float[reference.ParameterCount];
        for (int p = 0; p < partitions; p++)
        {
            int start = batch * p / partitions, end = batch * (p + 1) / partitions;
            var target = p == 0 ? sum : part;
            Array.Clear(target);
            reference.Backward(inputs.AsSpan(start * reference.InputSize, (end - start) * reference.InputSize),
                targets.AsSpan(start * reference.OutputSize, (end - start) * reference.OutputSize), target, reference.CreateWorkspace(end - start));
            if (p == 0)
                continue;
            float scale = p == partitions - 1 ? 1f / batch : 1f;
            for (int i = 0; i < sum.Length; i++)
                sum[i] = (sum[i] + part[i]) * scale;
        }
        float[] expected = reference.Parameters.ToArray();
        StaticNets.Kernels.VectorMath.Axpy(-0.05f, sum, expected);

        new Trainer<float>(trained).TrainBatch(inputs, targets, new TrainerOptions { LearningRate = 0.05, Threads = threads });
        Assert.Equal(expected, trained.Parameters.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void PartitionedStep_MatchesOneBackwardOverTheWholeBatch(int threads)
    {
        const int batch = 64;
        var reference = new MnistNet(4);
        var trained = new MnistNet(4);
        var inputs = NetworkCatalog.Random<float>(batch * MnistNet.InputSize, 6, 0, 1);
        var targets = NetworkCatalog.Targets<float>(MnistNet.Architecture, batch, 7);

        var gradient = new float[MnistNet.ParameterCount];
        float expectedLoss = reference.Backward(inputs, targets, gradient, reference.CreateWorkspace(batch));
        for (int i = 0; i < gradient.Length; i++)
            NetworkCatalog.SetParameter(reference, i, reference.Parameters[i] - 0.1f * gradient[i] / batch);

        float loss = new Trainer<float>(trained).TrainBatch(inputs, targets, new TrainerOptions { LearningRate = 0.1, Threads = threads });

        Assert.Equal(expectedLoss, loss, 1e-3f * Math.Abs(expectedLoss));
        for (int i = 0; i < gradient.Length; i++)
            Assert.True(Math.Abs(reference.Parameters[i] - trained.Parameters[i]) <= 1e-6f, $"parameter {i}: {reference.Parameters[i]} vs {trained.Parameters[i]}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TrainBatch_AllocatesNothingPerStep(int threads)
    {
        var net = new MnistNet(1);
        const int batch = 32;
        var inputs = NetworkCatalog.Random<float>(batch * MnistNet.InputSize, 1, 0, 1);
        var targets = NetworkCatalog.Targets<float>(MnistNet.Architecture, batch, 2);
        var trainer = new Trainer<float>(net);
        var options = new TrainerOptions { LearningRate = 0.01, Threads = threads };
        trainer.TrainBatch(inputs, targets, options); // buffers and JIT here

        Allocations.AssertOneCleanRound(() =>
        {
            for (int i = 0; i < 50; i++)
                trainer.TrainBatch(inputs, targets, options);
        }, $"TrainBatch on {threads} threads");
    }

    [Fact]
    public void Partitions_DependOnlyOnTheNetworkAndTheBatchSize()
    {
        // A small network is cut into partitions of at least MinPartitionSamples samples …
        var small = N1.Architecture;
        Assert.Equal(1, Trainer<float>.PartitionCount(small, 1));
        Assert.Equal(1, Trainer<float>.PartitionCount(small, 31));
        Assert.Equal(2, Trainer<float>.PartitionCount(small, 32));
        Assert.Equal(4, Trainer<float>.PartitionCount(small, 64));
        Assert.Equal(Trainer<float>.MaxPartitions, Trainer<float>.PartitionCount(small, 10_000));
        // … while a chain of large dense layers keeps the batch whole and splits its products instead.
        Assert.Equal(1, Trainer<float>.PartitionCount(MnistNet.Architecture, 64));
        Assert.Equal(1, Trainer<float>.PartitionCount(MnistNet.Architecture, 10_000));
    }

    [Fact]
    public void BadThreadsAndBatches_AreRejected()
    {
        var net = new MnistNet(1);
        var trainer = new Trainer<float>(net);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.TrainBatch(new float[MnistNet.InputSize], new float[MnistNet.OutputSize], new TrainerOptions { Threads = 0 }));
        Assert.Equal("Threads", e.ParamName);
        var bad = Assert.Throws<ArgumentException>(() => trainer.TrainBatch(new float[MnistNet.InputSize + 1], new float[MnistNet.OutputSize], new TrainerOptions()));
        Assert.Equal("inputs", bad.ParamName);
        bad = Assert.Throws<ArgumentException>(() => trainer.TrainBatch(new float[MnistNet.InputSize], new float[MnistNet.OutputSize + 1], new TrainerOptions()));
        Assert.Equal("targets", bad.ParamName);
    }
}
