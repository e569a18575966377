using System;
using GameAgents;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Samples;

/// <summary>
/// The GameAgents sample's game logic (Simulation.cs, compiled into this project): the shared policy learns to
/// collect coins by imitating the expert, deterministically, and a frame allocates nothing.
/// </summary>
public class GameAgentsTests
{
    private static (double Coins, double Loss) Run(Simulation game, int frames, int window)
    {
        int coins = 0;
        double loss = 0;
        for (int f = 0; f < frames; f++)
        {
            var stats = game.Step();
            if (f >= frames - window)
            {
                coins += stats.Coins;
                loss += stats.ImitationLoss;
            }
        }
        return (1000.0 * coins / ((double)window * game.Agents), loss / window);
    }

    [Fact]
    public void The_policy_learns_to_collect_coins_close_to_the_expert()
    {
        var untrained = new Simulation(512, seed: 3, learnBatch: 0);
        var learner = new Simulation(512, seed: 3);
        var expert = new Simulation(512, seed: 3, learnBatch: 0, expertDrives: true);
        var (before, _) = Run(untrained, 400, 200);
        var (after, loss) = Run(learner, 400, 200);
        var (best, _) = Run(expert, 400, 200);
        Assert.True(after > 3 * before, $"coins per 1000 agent-frames: untrained {before:F2}, after learning {after:F2}");
        Assert.True(after > 0.7 * best, $"coins per 1000 agent-frames: learner {after:F2}, expert {best:F2}");
        Assert.True(loss < 0.15, $"imitation loss {loss:F4}");
        // The Normalize layer was fitted from the first frame and learning left it alone.
        Assert.NotEqual(1f, learner.Policy.Layer0Scale[2]);
        Assert.Equal(new Simulation(512, seed: 3).Policy.Layer0Scale.ToArray(), learner.Policy.Layer0Scale.ToArray());
    }

    [Fact]
    public void The_same_seed_plays_the_same_game_and_a_frame_allocates_nothing()
    {
        var a = new Simulation(256, seed: 9);
        var b = new Simulation(256, seed: 9);
        for (int f = 0; f < 50; f++)
        {
            var sa = a.Step();
            var sb = b.Step();
            Assert.Equal((sa.Coins, sa.Caught, sa.ImitationLoss), (sb.Coins, sb.Caught, sb.ImitationLoss));
        }
        Assert.Equal(a.X.ToArray(), b.X.ToArray());
        Assert.Equal(a.Policy.Parameters.ToArray(), b.Policy.Parameters.ToArray());

        Allocations.AssertOneCleanRound(() =>
        {
            for (int f = 0; f < 20; f++)
                a.Step();
        }, "20 frames of the game");
    }

    [Fact]
    public void Misuse_is_rejected_with_the_argument_named()
    {
        Assert.Equal("agents", Assert.Throws<ArgumentOutOfRangeException>(() => new Simulation(0, 1)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Simulation(8, 1, learnBatch: 9));
        Assert.Equal("learnBatch", e.ParamName);
        Assert.StartsWith("Expected a learning batch in [0, 8] (the agents) but got 9.", e.Message, StringComparison.Ordinal);
    }
}
