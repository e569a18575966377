using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;

namespace StaticNets.Benchmarks;

/// <summary>
/// <c>build-ab NETWORK DIR_A DIR_B [rounds] [batch] [train [threads]]</c>: one network's forward (or, with <c>train</c>, its
/// SGD training step through <c>Trainer.TrainBatch</c>, η = 0.001, on <c>threads</c> threads, 1 by default) from two builds of this project
/// (copies of its output folder), loaded side by side into one process and timed in alternated windows. On a shared
/// host the machine's speed drifts by tens of percent between runs, and between separate processes a few percent of
/// generated-code change cannot be told from the drift; within one process both arms see the same drift, so the
/// median of the per-round ratios can. <c>batch</c> 0 (the default) times the single-sample <c>Forward</c>, otherwise
/// the batched forward with a workspace of that many samples. <c>build-ab N1 bin/x bin/x</c> (a build against itself)
/// shows the method's own bias, about ±1 % here.
/// </summary>
internal static class BuildAb
{
    private delegate void Single(ReadOnlySpan<float> input, Span<float> output);

    private delegate void Batched(object network, float[] inputs, float[] outputs, object workspace);

    private delegate float Training(object trainer, float[] inputs, float[] targets, object options);

    // Each build's own copy of every assembly in its folder; the framework comes from the default context, shared.
    private sealed class BuildContext(string folder) : AssemblyLoadContext(name: null, isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            string path = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }

    public static int Run(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("build-ab NETWORK DIR_A DIR_B [rounds] [batch]: e.g. build-ab N1 /tmp/before /tmp/after 300 0");
            return 2;
        }
        string type = args[0].Contains('.') ? args[0] : "StaticNets.Benchmarks." + args[0];
        int rounds = args.Length > 3 ? int.Parse(args[3]) : 300;
        int batch = args.Length > 4 ? int.Parse(args[4]) : 0;
        bool train = args.Length > 5 && args[5] == "train";
        int threads = args.Length > 6 ? int.Parse(args[6]) : 1;
        if (train && batch == 0)
            batch = 32;
        var arms = train
            ? new[] { LoadTraining(args[1], type, batch, threads), LoadTraining(args[2], type, batch, threads) }
            : new[] { Load(args[1], type, batch), Load(args[2], type, batch) };
        int calls = batch > 0 ? 20 : 4000;
        for (int w = 0; w < 50; w++)
        {
            Time(arms[0], calls);
            Time(arms[1], calls);
        }
        var a = new List<double>();
        var b = new List<double>();
        var ratio = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            // Which arm goes first alternates, so neither always runs on a cache the other has just left.
            double ta, tb;
            if ((r & 1) == 0)
            {
                ta = Time(arms[0], calls);
                tb = Time(arms[1], calls);
            }
            else
            {
                tb = Time(arms[1], calls);
                ta = Time(arms[0], calls);
            }
            a.Add(ta);
            b.Add(tb);
            ratio.Add(tb / ta);
        }
        a.Sort();
        b.Sort();
        ratio.Sort();
        string unit = train ? $"µs per training step of {batch} on {threads} thread(s)" : batch > 0 ? $"µs per batch of {batch}" : "ns per sample";
        double scale = batch > 0 ? 1e-3 : 1;
        Console.WriteLine($"{type}, {rounds} alternated rounds, {unit}: A median {a[rounds / 2] * scale:F1} (best {a[0] * scale:F1}), B median {b[rounds / 2] * scale:F1} (best {b[0] * scale:F1})");
        Console.WriteLine($"B/A per round: median {ratio[rounds / 2]:F3}, quartiles {ratio[rounds / 4]:F3} .. {ratio[3 * rounds / 4]:F3}");
        return 0;
    }

    // That build's network type (in its own load context), a fresh instance with seed 1, and its sizes.
    private static (AssemblyLoadContext Context, Type Type, object Network, int Inputs, int Outputs) Open(string folder, string type)
    {
        folder = Path.GetFullPath(folder);
        var context = new BuildContext(folder);
        var assembly = context.LoadFromAssemblyPath(Path.Combine(folder, "StaticNets.Benchmarks.dll"));
        var t = assembly.GetType(type) ?? throw new ArgumentException($"No type {type} in {folder}.", nameof(type));
        return (context, t, Activator.CreateInstance(t, 1)!, (int)t.GetField("InputSize")!.GetValue(null)!, (int)t.GetField("OutputSize")!.GetValue(null)!);
    }

    private static Action Load(string folder, string type, int batch)
    {
        var (_, t, network, inputs, outputs) = Open(folder, type);
        if (batch == 0)
        {
            var forward = (Single)Delegate.CreateDelegate(typeof(Single), network, t.GetMethod("Forward", [typeof(ReadOnlySpan<float>), typeof(Span<float>)])!);
            var x = Enumerable.Range(0, inputs).Select(i => (i % 7 - 3) * 0.3f).ToArray();
            var y = new float[outputs];
            return () => forward(x, y);
        }
        // Forward(inputs, outputs, workspace) takes the workspace interface of that build's StaticNets: called through a
        // small dynamic method, as the spans cannot be boxed for reflection.
        var method = t.GetMethods().Single(m => m.Name == "Forward" && m.GetParameters().Length == 3);
        object workspace = t.GetMethods().Single(m => m.Name == "CreateWorkspace" && m.GetParameters().Length == 1).Invoke(network, [batch])!;
        var batched = SpanCall<Batched>(t, method, typeof(Span<float>));
        var xs = Enumerable.Range(0, batch * inputs).Select(i => (i % 11 - 5) * 0.2f).ToArray();
        var ys = new float[batch * outputs];
        return () => batched(network, xs, ys, workspace);
    }

    // Trainer<float>.TrainBatch of that build's StaticNets on a fixed batch, η = 0.001. The weights are never reset: a batch
    // trained thousands of times drifts towards subnormal outputs and slower steps, so compare builds whose steps give
    // the same bits (both arms then drift alike), or keep the rounds few.
    private static Action LoadTraining(string folder, string type, int batch, int threads)
    {
        var (context, _, network, inputs, outputs) = Open(folder, type);
        var core = context.LoadFromAssemblyName(new AssemblyName("StaticNets"));
        var networkInterface = core.GetType("StaticNets.INetwork`1")!.MakeGenericType(typeof(float));
        var trainerType = core.GetType("StaticNets.Training.Trainer`1")!.MakeGenericType(typeof(float));
        var optimizerInterface = core.GetType("StaticNets.Training.IOptimizer`1")!.MakeGenericType(typeof(float));
        object trainer = trainerType.GetConstructor([networkInterface, optimizerInterface])!.Invoke([network, null]);
        var optionsType = core.GetType("StaticNets.Training.TrainerOptions")!;
        object options = Activator.CreateInstance(optionsType)!;
        optionsType.GetProperty("BatchSize")!.SetValue(options, batch);
        optionsType.GetProperty("LearningRate")!.SetValue(options, 0.001);
        optionsType.GetProperty("Threads")!.SetValue(options, threads);
        var method = trainerType.GetMethod("TrainBatch")!;
        var step = SpanCall<Training>(trainerType, method, typeof(ReadOnlySpan<float>));
        var xs = Enumerable.Range(0, batch * inputs).Select(i => (i % 11) * 0.09f).ToArray();
        var ys = new float[batch * outputs];
        for (int s = 0; s < batch; s++)
            ys[s * outputs + s % outputs] = 1;
        return () => step(trainer, xs, ys, options);
    }

    // A delegate (object target, float[] a, float[] b, object last) calling target.method(a as ReadOnlySpan<float>, b as
    // `second`, last): a small dynamic method, since spans cannot be boxed for reflection, and the last parameter's type
    // (a workspace interface, the options) belongs to that build's StaticNets.
    private static TDelegate SpanCall<TDelegate>(Type target, MethodInfo method, Type second) where TDelegate : Delegate
    {
        var call = new DynamicMethod(method.Name, method.ReturnType, [typeof(object), typeof(float[]), typeof(float[]), typeof(object)], typeof(BuildAb).Module, true);
        var il = call.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Castclass, target);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, typeof(ReadOnlySpan<float>).GetMethod("op_Implicit", [typeof(float[])])!);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Call, second.GetMethod("op_Implicit", [typeof(float[])])!);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Castclass, method.GetParameters()[2].ParameterType);
        il.Emit(OpCodes.Callvirt, method);
        il.Emit(OpCodes.Ret);
        return (TDelegate)call.CreateDelegate(typeof(TDelegate));
    }

    // Nanoseconds per call over one window of calls.
    private static double Time(Action forward, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
            forward();
        return (Stopwatch.GetTimestamp() - start) * 1e9 / Stopwatch.Frequency / calls;
    }
}
