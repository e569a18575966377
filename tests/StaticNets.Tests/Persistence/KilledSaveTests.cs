using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using StaticNets.Persistence;
using Xunit;

namespace StaticNets.Tests.Persistence;

/// <summary>A network whose file (12.6 MB) takes long enough to write that a kill lands inside a save.</summary>
[Network(1024, 1536, 1024)]
internal sealed partial class KilledSaveNet;

/// <summary>
/// Saves killed with SIGKILL in a child process (this test assembly, started as <c>dotnet exec … save-loop path</c>,
/// saving in a loop): the target always holds the last complete save, and the killed saves leave at most one
/// temporary file, the target's own <c>.name.tmp</c>, which the next save reuses.
/// </summary>
public class KilledSaveTests
{
    private const int Kills = 6;

    [Fact]
    public void Killed_saves_leave_at_most_the_one_temporary_file_the_next_save_reuses()
    {
        using var dir = new TempDirectory();
        string path = dir.File("big.snet");
        var rng = new Random(13);
        int killedInsideASave = 0;
        for (int kill = 0; kill < Kills; kill++)
        {
            using var child = StartSaveLoop(path);
            // "saved" after each complete save: wait for the first, then kill at some point of the following ones.
            string? line = child.StandardOutput.ReadLine();
            if (line != "saved")
                Assert.Fail($"the child printed '{line}' instead of 'saved'; stderr: {child.StandardError.ReadToEnd()}");
            // Kill inside the next save: once its temporary file is being written (newer than the last complete save),
            // after a few more microseconds at random.
            var since = DateTime.UtcNow;
            var waited = Stopwatch.StartNew();
            while (!Directory.EnumerateFiles(dir.Path, "*.tmp").Any(f => File.GetLastWriteTimeUtc(f) >= since))
            {
                if (waited.Elapsed > TimeSpan.FromSeconds(60))
                    Assert.Fail("the child started no save within a minute");
                Thread.SpinWait(50);
            }
            Thread.SpinWait(rng.Next(1, 2000));
            child.Kill();
            child.WaitForExit();
            bool interrupted = File.Exists(NetworkFile.TemporaryPath(Path.GetFullPath(path)));
            if (interrupted)
                killedInsideASave++;
            // Nothing but the target and, when the kill interrupted a save, the one temporary file of the target.
            Assert.Equal(interrupted ? new[] { ".big.snet.tmp", "big.snet" } : new[] { "big.snet" },
                Directory.GetFiles(dir.Path).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
            // The target is the last complete save, whatever the kill interrupted.
            NetworkFile.Load(new KilledSaveNet(), path);
        }
        Assert.True(killedInsideASave > 0, "no kill landed inside a save, so the test showed nothing; make the saves longer");

        NetworkFile.Save(new KilledSaveNet(5), path);
        Assert.Equal(new[] { "big.snet" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        var loaded = new KilledSaveNet();
        NetworkFile.Load(loaded, path);
        Assert.True(loaded.Parameters.SequenceEqual(new KilledSaveNet(5).Parameters));
    }

    [Fact]
    public void A_save_while_another_save_holds_the_temporary_file_writes_its_own_and_leaves_nothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("net.snet");
        string temporary = NetworkFile.TemporaryPath(Path.GetFullPath(path));
        using (var held = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            held.WriteByte(42);
            NetworkFile.Save(new KilledSaveNet(3), path);
            Assert.Equal(new[] { ".net.snet.tmp", "net.snet" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        }
        Assert.Equal(1, new FileInfo(temporary).Length);
        var loaded = new KilledSaveNet();
        NetworkFile.Load(loaded, path);
        Assert.True(loaded.Parameters.SequenceEqual(new KilledSaveNet(3).Parameters));
    }

    /// <summary>Starts this test assembly as a program that saves a KilledSaveNet to <paramref name="path"/> again and again.</summary>
    private static Process StartSaveLoop(string path)
    {
        string assembly = typeof(KilledSaveTests).Assembly.Location;
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(assembly);
        info.ArgumentList.Add(SaveLoop.Command);
        info.ArgumentList.Add(path);
        return Process.Start(info) ?? throw new InvalidOperationException("the child process did not start");
    }
}

/// <summary>The child side: <c>save-loop path</c> saves ever-changing parameters to the path until killed.</summary>
internal static class SaveLoop
{
    public const string Command = "save-loop";

    public static int Run(string path)
    {
        var net = new KilledSaveNet(1);
        for (int i = 0; ; i++)
        {
            using (var edit = net.EditParameters())
                edit.Span[i % edit.Span.Length] += 1;
            NetworkFile.Save(net, path);
            Console.Out.WriteLine("saved");
            Console.Out.Flush();
        }
    }
}

/// <summary>
/// The test assembly's entry point (GenerateProgramFile is off): the test host never calls it; a test starts the
/// assembly with <c>dotnet exec</c> to get a child process it can kill.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == SaveLoop.Command)
            return SaveLoop.Run(args[1]);
        Console.Error.WriteLine($"Usage: {SaveLoop.Command} <path> (a child process of KilledSaveTests)");
        return 2;
    }
}
