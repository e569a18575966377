using System;
using StaticNets;
using StaticNets.Training;

namespace GameAgents;

/// <summary>
/// The policy every agent runs: 8 observations (direction and distance to the agent's coin and to the nearest
/// hunter, the agent's velocity) → standardised by [Normalize] (fitted from the first frame's observations) → 32 ReLU →
/// a steering vector in (−1, 1)². One network for the whole population, run as one batch per frame.
/// </summary>
[Network(Input = new[] { Simulation.Observations }, Loss = Loss.Quadratic)]
[Normalize]
[Dense(32, Activation.ReLU)]
[Dense(2, Activation.Tanh)]
public partial class PolicyNet;

/// <summary>What one frame did: coins collected and agents caught, the imitation loss, and the time spent in inference and in learning.</summary>
public readonly record struct FrameStats(int Coins, int Caught, double ImitationLoss, long InferenceTicks, long LearningTicks);

/// <summary>
/// The game: on a wrap-around arena every agent runs for its own coin (a new one appears when it is reached) while a
/// few hunters chase the nearest agent. Every frame the whole population's
/// observations go through <see cref="PolicyNet"/> in one batched forward; the outputs steer the agents. The policy
/// learns during the run by imitation (DAgger): a scripted expert labels the states the learner itself visits, a
/// rotating slice of the population per frame, and one Adam step follows. Nothing on the frame path allocates.
/// </summary>
public sealed class Simulation
{
    /// <summary>Observations per agent.</summary>
    public const int Observations = 8;

    /// <summary>Arena size in world units (the terminal shows it at 2 units per character).</summary>
    public const float Width = 192, Height = 56;

    private const float MaxSpeed = 0.9f, Acceleration = 0.25f, Drag = 0.92f, HunterSpeed = 0.55f, CoinRadius = 1.2f, CatchRadius = 1.0f, Danger = 10f;

    private readonly PolicyNet _policy;
    private readonly Trainer<float> _trainer;
    private readonly TrainerOptions _trainOptions;
    private readonly INetworkWorkspace<float> _workspace;
    private readonly SplitMix64 _random;
    private readonly float[] _x, _y, _vx, _vy, _coinX, _coinY, _hunterX, _hunterY;
    private readonly float[] _observations, _actions, _batchInputs, _batchTargets;
    private readonly bool _expertDrives;
    private readonly int _batch;
    private int _cursor;

    /// <summary>A game of <paramref name="agents"/> agents and <paramref name="hunters"/> hunters, reproducible from <paramref name="seed"/>.</summary>
    /// <param name="agents">Agents, at least 1.</param>
    /// <param name="seed">The same seed gives the same game, frame for frame.</param>
    /// <param name="hunters">Hunters chasing the agents.</param>
    /// <param name="learnBatch">Agents whose states the expert labels per frame (one Adam step on them); 0 turns learning off.</param>
    /// <param name="learningRate">Adam's step size.</param>
    /// <param name="expertDrives">Steer the agents by the expert itself (the yardstick) instead of the policy; the policy still runs and learns.</param>
    public Simulation(int agents, int seed, int hunters = 6, int learnBatch = 256, double learningRate = 0.003, bool expertDrives = false)
    {
        if (agents < 1)
            throw new ArgumentOutOfRangeException(nameof(agents), agents, $"Expected at least 1 agent but got {agents}.");
        if (learnBatch < 0 || learnBatch > agents)
            throw new ArgumentOutOfRangeException(nameof(learnBatch), learnBatch, $"Expected a learning batch in [0, {agents}] (the agents) but got {learnBatch}.");
        Agents = agents;
        _random = new SplitMix64(seed);
        _policy = new PolicyNet(seed);
        _trainer = new Trainer<float>(_policy, new Adam<float>());
        _trainOptions = new TrainerOptions { LearningRate = learningRate };
        _workspace = _policy.CreateWorkspace(agents);
        _batch = learnBatch;
        _x = new float[agents]; _y = new float[agents]; _vx = new float[agents]; _vy = new float[agents];
        _coinX = new float[agents]; _coinY = new float[agents];
        _expertDrives = expertDrives;
        _hunterX = new float[hunters]; _hunterY = new float[hunters];
        _observations = new float[agents * Observations];
        _actions = new float[agents * 2];
        _batchInputs = new float[Math.Max(1, learnBatch) * Observations];
        _batchTargets = new float[Math.Max(1, learnBatch) * 2];
        for (int i = 0; i < agents; i++)
        {
            Respawn(i);
            (_coinX[i], _coinY[i]) = RandomPoint();
        }
        for (int h = 0; h < hunters; h++)
            (_hunterX[h], _hunterY[h]) = RandomPoint();

        // Fit the policy's [Normalize] from the observations of the first frame: distances of up to 100 units,
        // directions and velocities of ±1 reach the first dense layer on one scale, and the statistics travel with the network.
        Observe();
        var first = new float[agents * 2];
        _policy.FitNormalization(new Dataset<float>((float[])_observations.Clone(), Observations, first, 2));
    }

    /// <summary>Number of agents.</summary>
    public int Agents { get; }

    /// <summary>Frames run so far.</summary>
    public int Frame { get; private set; }

    /// <summary>The shared policy.</summary>
    public PolicyNet Policy => _policy;

    /// <summary>Agent positions (world units), for drawing.</summary>
    public ReadOnlySpan<float> X => _x;

    /// <inheritdoc cref="X"/>
    public ReadOnlySpan<float> Y => _y;

    /// <summary>Each agent's coin.</summary>
    public ReadOnlySpan<float> CoinX => _coinX;

    /// <inheritdoc cref="CoinX"/>
    public ReadOnlySpan<float> CoinY => _coinY;

    /// <summary>Hunter positions.</summary>
    public ReadOnlySpan<float> HunterX => _hunterX;

    /// <inheritdoc cref="HunterX"/>
    public ReadOnlySpan<float> HunterY => _hunterY;

    /// <summary>One frame: observe, one batched forward for every agent, (when learning) one imitation step, move, collect, hunt.</summary>
    public FrameStats Step()
    {
        Observe();
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        _policy.Forward(_observations, _actions, _workspace);
        long inference = System.Diagnostics.Stopwatch.GetTimestamp() - start;

        double loss = 0;
        long learning = 0;
        if (_batch > 0)
        {
            start = System.Diagnostics.Stopwatch.GetTimestamp();
            loss = Learn();
            learning = System.Diagnostics.Stopwatch.GetTimestamp() - start;
        }

        int coins = 0, caught = 0;
        Span<float> expert = stackalloc float[2];
        for (int i = 0; i < Agents; i++)
        {
            float ax = _actions[2 * i], ay = _actions[2 * i + 1];
            if (_expertDrives)
            {
                Expert(new ReadOnlySpan<float>(_observations, i * Observations, Observations), expert);
                (ax, ay) = (expert[0], expert[1]);
            }
            float vx = (_vx[i] + Acceleration * ax) * Drag, vy = (_vy[i] + Acceleration * ay) * Drag;
            float speed = MathF.Sqrt(vx * vx + vy * vy);
            if (speed > MaxSpeed)
            {
                vx *= MaxSpeed / speed;
                vy *= MaxSpeed / speed;
            }
            _vx[i] = vx;
            _vy[i] = vy;
            _x[i] = Wrap(_x[i] + vx, Width);
            _y[i] = Wrap(_y[i] + vy, Height);
            if (Offset(_x[i], _y[i], _coinX[i], _coinY[i], out _, out _) < CoinRadius)
            {
                coins++;
                (_coinX[i], _coinY[i]) = RandomPoint();
            }
        }
        for (int h = 0; h < _hunterX.Length; h++)
        {
            int prey = Nearest(_hunterX[h], _hunterY[h], _x, _y, out float dx, out float dy, out float d);
            if (d < CatchRadius)
            {
                caught++;
                Respawn(prey);
                continue;
            }
            _hunterX[h] = Wrap(_hunterX[h] + HunterSpeed * dx / d, Width);
            _hunterY[h] = Wrap(_hunterY[h] + HunterSpeed * dy / d, Height);
        }
        Frame++;
        return new FrameStats(coins, caught, loss, inference, learning);
    }

    /// <summary>The expert's steering from one observation row: toward the coin, away from a hunter inside the danger radius, minus the current velocity.</summary>
    public static void Expert(ReadOnlySpan<float> observation, Span<float> action)
    {
        float wx = observation[0], wy = observation[1];
        float hd = observation[5];
        if (hd < Danger)
        {
            float flee = 2.5f * (Danger - hd) / Danger;
            wx -= flee * observation[3];
            wy -= flee * observation[4];
        }
        float norm = MathF.Sqrt(wx * wx + wy * wy) + 1e-6f;
        // Desired velocity at full speed, minus (a multiple of) the current one: the steering that gets there.
        float sx = MaxSpeed * wx / norm - 2 * observation[6], sy = MaxSpeed * wy / norm - 2 * observation[7];
        // Full thrust (0.9, inside tanh's range) for a large correction, proportional below 0.3: no jump where it vanishes.
        float s = MathF.Max(MathF.Sqrt(sx * sx + sy * sy), 0.3f);
        action[0] = 0.9f * sx / s;
        action[1] = 0.9f * sy / s;
    }

    /// <summary>One Adam step on the expert's labels for the next slice of the population (DAgger: the learner's own states).</summary>
    private double Learn()
    {
        for (int k = 0; k < _batch; k++)
        {
            int i = _cursor;
            _cursor = (_cursor + 1) % Agents;
            ReadOnlySpan<float> o = new(_observations, i * Observations, Observations);
            o.CopyTo(_batchInputs.AsSpan(k * Observations, Observations));
            Expert(o, _batchTargets.AsSpan(k * 2, 2));
        }
        return _trainer.TrainBatch(_batchInputs, _batchTargets, _trainOptions) / _batch;
    }

    /// <summary>Every agent's observation row: unit direction and distance to its coin and to the nearest hunter (across the wrap-around edges), and its velocity.</summary>
    private void Observe()
    {
        for (int i = 0; i < Agents; i++)
        {
            Span<float> o = _observations.AsSpan(i * Observations, Observations);
            float d = Offset(_x[i], _y[i], _coinX[i], _coinY[i], out float dx, out float dy);
            (o[0], o[1], o[2]) = (dx / d, dy / d, d);
            Nearest(_x[i], _y[i], _hunterX, _hunterY, out dx, out dy, out d);
            (o[3], o[4], o[5]) = (dx / d, dy / d, d);
            o[6] = _vx[i];
            o[7] = _vy[i];
        }
    }

    private void Respawn(int i)
    {
        (_x[i], _y[i]) = RandomPoint();
        _vx[i] = _vy[i] = 0;
    }

    private (float, float) RandomPoint() => ((float)(_random.NextDouble() * Width), (float)(_random.NextDouble() * Height));

    private static float Wrap(float v, float size) => v < 0 ? v + size : v >= size ? v - size : v;

    /// <summary>Offset from (x, y) to the other point across the wrap-around edges, and its length.</summary>
    private static float Offset(float x, float y, float ox, float oy, out float dx, out float dy)
    {
        dx = ox - x;
        dy = oy - y;
        if (dx > Width / 2) dx -= Width; else if (dx < -Width / 2) dx += Width;
        if (dy > Height / 2) dy -= Height; else if (dy < -Height / 2) dy += Height;
        return MathF.Sqrt(dx * dx + dy * dy) + 1e-4f;
    }

    private static int Nearest(float x, float y, float[] xs, float[] ys, out float dx, out float dy, out float distance)
    {
        int best = 0;
        distance = float.MaxValue;
        dx = dy = 0;
        for (int j = 0; j < xs.Length; j++)
        {
            float d = Offset(x, y, xs[j], ys[j], out float ox, out float oy);
            if (d < distance)
            {
                (best, distance, dx, dy) = (j, d, ox, oy);
            }
        }
        return best;
    }
}
