using System;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Training;

/// <summary>Learning-rate schedules against values worked out by hand.</summary>
public class ScheduleTests
{
    [Fact]
    public void Constant_is_constant()
    {
        var s = LearningRateSchedule.Constant(0.05);
        Assert.Equal(0.05, s.Rate(0, 0));
        Assert.Equal(0.05, s.Rate(100_000, 37.5));
    }

    [Theory]
    // 0.1 halved every 3 epochs: epochs 0–2.99 → 0.1, 3–5.99 → 0.05, 6 → 0.025.
    [InlineData(0.0, 0.1)]
    [InlineData(2.99, 0.1)]
    [InlineData(3.0, 0.05)]
    [InlineData(5.5, 0.05)]
    [InlineData(6.0, 0.025)]
    public void Step_decay_halves_every_three_epochs(double epoch, double expected)
        => Assert.Equal(expected, LearningRateSchedule.StepDecay(0.1, 0.5, 3).Rate(0, epoch), 15);

    [Theory]
    // 0.2·0.9^⌊epoch⌋: 0.2, 0.18 (epoch 1.7), 0.162 (epoch 2).
    [InlineData(0.5, 0.2)]
    [InlineData(1.7, 0.18)]
    [InlineData(2.0, 0.162)]
    public void Exponential_decays_once_per_epoch(double epoch, double expected)
        => Assert.Equal(expected, LearningRateSchedule.Exponential(0.2, 0.9).Rate(0, epoch), 15);

    [Theory]
    // From 0.1 to 0.01 over 10 epochs: start 0.1, half-way 0.055 (cos π/2 = 0), a quarter 0.01 + 0.045(1 + √½),
    // end and beyond 0.01.
    [InlineData(0.0, 0.1)]
    [InlineData(5.0, 0.055)]
    [InlineData(2.5, 0.0868198051533946)]
    [InlineData(10.0, 0.01)]
    [InlineData(12.0, 0.01)]
    public void Cosine_anneals_to_the_minimum(double epoch, double expected)
        => Assert.Equal(expected, LearningRateSchedule.Cosine(0.1, 10, 0.01).Rate(0, epoch), 12);

    [Theory]
    // Four warm-up steps over a constant 0.4: 0.1, 0.2, 0.3, 0.4, then 0.4.
    [InlineData(0, 0.1)]
    [InlineData(1, 0.2)]
    [InlineData(2, 0.3)]
    [InlineData(3, 0.4)]
    [InlineData(50, 0.4)]
    public void Linear_warmup_ramps_up_then_follows_the_inner_schedule(long step, double expected)
        => Assert.Equal(expected, LearningRateSchedule.Constant(0.4).WithWarmup(4).Rate(step, 0), 15);

    [Fact]
    public void Warmup_multiplies_the_inner_schedule()
        => Assert.Equal(0.5 * 0.05, LearningRateSchedule.StepDecay(0.1, 0.5, 1).WithWarmup(4).Rate(1, 1.0), 15);

    [Fact]
    public void Bad_arguments_are_rejected_with_their_names()
    {
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant(0)).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.StepDecay(0.1, 1.5, 2)).ParamName);
        Assert.Equal("everyEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.StepDecay(0.1, 0.5, 0)).ParamName);
        Assert.Equal("minimum", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(0.1, 5, 0.2)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant(0.1).WithWarmup(0)).ParamName);
    }
}
