using System;
using Xunit;

namespace StaticNets.Gpu.Tests;

public class PlanTests
{
    [Fact]
    public void Layers_at_or_over_the_budget_send_the_network_to_the_accelerator_with_reasons()
    {
        var info = new SoftmaxNet(1).Info; // 13·70 = 910, 70·33 = 2310, 33·5 = 165 multiply-adds per sample
        var plan = GpuPlan.Create(info, budget: 2310);
        Assert.True(plan.OnAccelerator);
        Assert.Equal(2310, plan.Budget);
        Assert.All(plan.Layers, l => Assert.True(l.OnAccelerator));
        Assert.Equal(new long[] { 910, 2310, 165 }, new[] { plan.Layers[0].MultiplyAddsPerSample, plan.Layers[1].MultiplyAddsPerSample, plan.Layers[2].MultiplyAddsPerSample });
        Assert.StartsWith("accelerator: 2,310 multiply-adds per sample ≥ budget 2,310", plan.Layers[1].Reason, StringComparison.Ordinal);
        Assert.Contains("kept on the device", plan.Layers[0].Reason, StringComparison.Ordinal);
        Assert.Equal("accelerator: layer 1 has 2,310 multiply-adds per sample ≥ budget 2,310", plan.Summary);
        Assert.Contains("  layer 2 5(Softmax): accelerator: 165", plan.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_under_the_budget_stays_on_the_host()
    {
        var plan = GpuPlan.Create(new SoftmaxNet(1).Info, budget: 2311);
        Assert.False(plan.OnAccelerator);
        Assert.Equal("host: the largest layer (1) has 2,310 multiply-adds per sample < budget 2,311", plan.Summary);
        Assert.All(plan.Layers, l => Assert.StartsWith("host:", l.Reason, StringComparison.Ordinal));
        Assert.False(GpuPlan.Create(new SoftmaxNet(1).Info).OnAccelerator); // the default budget, 262,144
    }

    [Fact]
    public void Layers_the_gpu_path_lacks_keep_the_network_on_the_host_and_say_which()
    {
        var plan = GpuPlan.Create(new DropoutNet(1).Info, budget: 0);
        Assert.False(plan.OnAccelerator);
        Assert.StartsWith("host: the GPU path runs Dense (over vectors), Conv2D, MaxPool2D, AvgPool2D, Flatten and Activation layers, and layer 2 is Dropout", plan.Summary, StringComparison.Ordinal);
        Assert.All(plan.Layers, l => Assert.Equal(plan.Summary, l.Reason));
        plan = GpuPlan.Create(new LstmNet(1).Info, budget: 0);
        Assert.False(plan.OnAccelerator);
        Assert.StartsWith("host: the GPU path runs Dense (over vectors), Conv2D, MaxPool2D, AvgPool2D, Flatten and Activation layers, and layer 0 is Lstm", plan.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Convolution_pooling_flatten_and_activation_layers_run_on_the_accelerator()
    {
        // CnnTwoNet: conv 3@3×3 over 1×10×10 → 3×11×9 (27·99 = 2,673), max pool 3×3 → 3×5×4 (60·9 = 540), conv 4@2×3
        // → 4×2×2 (72·4 = 288), flatten (16), dense 16·6 = 96, dense 6·3 = 18, softmax (3).
        var info = new CnnTwoNet(1).Info;
        var plan = GpuPlan.Create(info, budget: 2673);
        Assert.True(plan.OnAccelerator, plan.ToString());
        Assert.Equal(new long[] { 2673, 540, 288, 16, 96, 18, 3 }, Array.ConvertAll(ToArray(plan), l => l.MultiplyAddsPerSample));
        Assert.Equal("accelerator: layer 0 has 2,673 multiply-adds per sample ≥ budget 2,673", plan.Summary);
        Assert.Contains("kept on the device", plan.Layers[1].Reason, StringComparison.Ordinal);
        Assert.False(GpuPlan.Create(info, budget: 2674).OnAccelerator);
        Assert.True(GpuPlan.Create(new CnnMaxNet(1).Info, budget: 0).OnAccelerator);
        Assert.True(GpuPlan.Create(new CnnAvgNet(1).Info, budget: 0).OnAccelerator);
        Assert.True(GpuPlan.Create(new ConvNet(1).Info, budget: 0).OnAccelerator);
    }

    private static GpuLayerPlacement[] ToArray(GpuPlan plan)
    {
        var layers = new GpuLayerPlacement[plan.Layers.Count];
        for (int i = 0; i < layers.Length; i++)
            layers[i] = plan.Layers[i];
        return layers;
    }

    [Fact]
    public void A_negative_budget_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GpuPlan.Create(new SoftmaxNet(1).Info, -1));
        Assert.Equal("budget", e.ParamName);
        Assert.Contains("0 or more multiply-adds per sample but got -1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Optimizer_settings_are_checked_and_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GpuOptimizer.Momentum(1.0));
        Assert.Equal("momentum", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => GpuOptimizer.AdamW(weightDecay: 2));
        Assert.Equal("weightDecay", e.ParamName);
        Assert.Contains("[0, 1] but got 2", e.Message, StringComparison.Ordinal);
        Assert.IsType<StaticNets.Training.AdamW<float>>(GpuOptimizer.AdamW().CreateCpu(new SoftmaxNet(1).Info));
    }
}
