using System;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading;
using GameAgents;

// Coin runners: a few thousand agents share one generated policy network, run as ONE batched forward per frame,
// and learn during the run by imitating a scripted expert: run to your coin, flee the hunters (agents: cyan by
// density, coins: yellow ·, hunters: red X). Coins per 1000 agent-frames rise as the policy learns.
// In a terminal it draws a live view (q or Esc quits); with output redirected, or --headless, it prints a line
// every 100 frames. Either way it stops after --frames frames and prints a summary line.
//   dotnet run -c Release --project samples/GameAgents -- [--frames N] [--agents N] [--seed N] [--headless] [--fast] [--expert]
// (--expert lets the scripted expert steer, for the yardstick the learner is measured against.)
int frames = -1, agents = 4096, seed = 1;   // 0 after a bad number (the message is printed)
bool headless = Console.IsOutputRedirected, fast = false, expert = false;
for (int a = 0; a < args.Length; a++)
{
    switch (args[a])
    {
        case "--frames": frames = Number(args, ++a); break;
        case "--agents": agents = Number(args, ++a); break;
        case "--seed": seed = Number(args, ++a); break;
        case "--help" or "-h":
            Console.WriteLine("GameAgents [--frames N] [--agents N] [--seed N] [--headless] [--fast] [--expert]");
            return 0;
        case "--headless": headless = true; break;
        case "--fast": fast = true; break;
        case "--expert": expert = true; break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[a]}'; expected --frames N, --agents N, --seed N, --headless, --fast or --expert.");
            return 2;
    }
}
if (frames == 0 || agents == 0 || seed == 0)
    return 2;
if (frames < 0)
    frames = headless ? 600 : 1800;

var game = new Simulation(agents, seed, learnBatch: Math.Min(256, agents), expertDrives: expert);
var view = headless ? null : new View();
var clock = Stopwatch.StartNew();
long inferenceTicks = 0, learningTicks = 0, stepAllocated = 0, windowInference = 0;
int gen0 = GC.CollectionCount(0);
// Statistics per window of 100 frames (half the run for runs shorter than 200 frames).
int Window = frames >= 200 ? 100 : Math.Max(1, frames / 2);
int windowCoins = 0, windowCaught = 0, frame = 0;
double windowLoss = 0, firstRate = double.NaN, lastRate = 0, firstLoss = double.NaN, lastLoss = 0, lastInference = 0;
double firstCaught = double.NaN, lastCaught = 0;
try
{
    view?.Begin();
    for (frame = 0; frame < frames; frame++)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stats = game.Step();
        if (frame >= Window)   // the first window builds the trainer's buffers and the optimizer state once
            stepAllocated += GC.GetAllocatedBytesForCurrentThread() - before;
        inferenceTicks += stats.InferenceTicks;
        learningTicks += stats.LearningTicks;
        windowInference += stats.InferenceTicks;
        windowCoins += stats.Coins;
        windowCaught += stats.Caught;
        windowLoss += stats.ImitationLoss;
        if ((frame + 1) % Window == 0)
        {
            // Coins per 1000 agent-frames: what the policy is worth, rising as it learns.
            lastRate = 1000.0 * windowCoins / ((double)Window * agents);
            lastCaught = 1000.0 * windowCaught / ((double)Window * agents);
            lastLoss = windowLoss / Window;
            lastInference = Micro(windowInference, Window);
            if (double.IsNaN(firstRate))
                (firstRate, firstLoss, firstCaught) = (lastRate, lastLoss, lastCaught);
            if (headless)
                Console.WriteLine(FormattableString.Invariant($"frame {frame + 1,5}: coins {lastRate,6:F2} and caught {lastCaught,5:F2} per 1000 agent-frames, imitation loss {lastLoss:F4}, {Fps(frame + 1),5:F0} fps, inference {lastInference,6:F1} µs/frame"));
            windowCoins = windowCaught = 0;
            windowInference = 0;
            windowLoss = 0;
        }
        if (view is not null)
        {
            view.Draw(game, FormattableString.Invariant(
                $"frame {frame + 1}/{frames}  {agents} agents  {Fps(frame + 1):F0} fps  inference {(double.IsNaN(firstRate) ? Micro(inferenceTicks, frame + 1) : lastInference):F1} µs/frame  learning {Micro(learningTicks, frame + 1):F1} µs/frame  coins {lastRate:F2} caught {lastCaught:F2} per 1000 agent-frames  loss {lastLoss:F4}  (q quits)"));
            if (view.QuitPressed())
            {
                frame++;
                break;
            }
            if (!fast)
                Thread.Sleep(Math.Max(0, (int)(frame * 1000L / 30 - clock.ElapsedMilliseconds)));
        }
    }
}
finally
{
    view?.End();
}

Console.WriteLine(FormattableString.Invariant(
    $"GameAgents: {agents} agents{(expert ? " (expert driving)" : "")}, {frame} frames in {clock.Elapsed.TotalSeconds:F1} s ({Fps(frame):F0} fps); inference {Micro(inferenceTicks, frame):F1} µs/frame on average, {lastInference:F1} in the last {Window} ({1e3 * lastInference / agents:F1} ns/agent), learning {Micro(learningTicks, frame):F1} µs/frame; coins per 1000 agent-frames {firstRate:F2} → {lastRate:F2}, caught {firstCaught:F2} → {lastCaught:F2}, imitation loss {firstLoss:F4} → {lastLoss:F4}; {(frame > Window ? $"{stepAllocated / (frame - Window)} B" : "(not measured)")} allocated per simulation step after frame {Window}, {GC.CollectionCount(0) - gen0} gen-0 GCs"));
return 0;

double Fps(int done) => done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);

static double Micro(long ticks, int done) => done == 0 ? 0 : 1e6 * ticks / Stopwatch.Frequency / done;

static int Number(string[] args, int at)
{
    if (at < args.Length && int.TryParse(args[at], NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 1)
        return value;
    Console.Error.WriteLine($"Expected a positive whole number after {args[at - 1]} but got {(at < args.Length ? $"'{args[at]}'" : "nothing")}.");
    return 0;
}

/// <summary>The live terminal view: the arena at 2 world units per character, drawn with ANSI escapes into one reused buffer.</summary>
internal sealed class View
{
    private const int Columns = (int)(Simulation.Width / 2), Rows = (int)(Simulation.Height / 2);
    private readonly int[] _density = new int[Columns * Rows];
    private readonly char[] _cells = new char[Columns * Rows];
    private readonly StringBuilder _frame = new(Columns * Rows * 4);

    public void Begin()
    {
        Console.OutputEncoding = Encoding.UTF8;
        Console.Write("\u001b[?25l\u001b[2J");
    }

    public void End() => Console.Write("\u001b[0m\u001b[?25h\n");

    public bool QuitPressed()
    {
        if (Console.IsInputRedirected || !Console.KeyAvailable)
            return false;
        var key = Console.ReadKey(intercept: true).Key;
        return key is ConsoleKey.Q or ConsoleKey.Escape;
    }

    public void Draw(Simulation game, string status)
    {
        Array.Clear(_density);
        for (int i = 0; i < game.Agents; i++)
            _density[Cell(game.X[i], game.Y[i])]++;
        for (int c = 0; c < _cells.Length; c++)
            _cells[c] = _density[c] switch { 0 => ' ', 1 => '.', 2 => 'o', < 5 => 'O', _ => '@' };
        for (int i = 0; i < game.Agents; i++)
        {
            int cell = Cell(game.CoinX[i], game.CoinY[i]);
            if (_cells[cell] == ' ')
                _cells[cell] = '·';
        }
        for (int h = 0; h < game.HunterX.Length; h++)
            _cells[Cell(game.HunterX[h], game.HunterY[h])] = 'X';

        _frame.Clear().Append("\u001b[H");
        char colour = ' ';
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                char ch = _cells[r * Columns + c];
                char want = ch == '·' ? 'y' : ch == 'X' ? 'r' : 'c';
                if (want != colour)
                {
                    _frame.Append(want == 'y' ? "\u001b[0;33m" : want == 'r' ? "\u001b[91;1m" : "\u001b[0;96m");
                    colour = want;
                }
                _frame.Append(ch);
            }
            _frame.Append("\u001b[0m\n");
            colour = ' ';
        }
        _frame.Append(status).Append("\u001b[K\n");
        Console.Out.Write(_frame);
        Console.Out.Flush();
    }

    private static int Cell(float x, float y)
        => Math.Min(Rows - 1, (int)(y / 2)) * Columns + Math.Min(Columns - 1, (int)(x / 2));
}
