using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>
/// Under the runtime's default tiered compilation a method with a loop starts in unoptimised tier-0 code, and a method
/// marked <c>AggressiveInlining</c> runs as a method of its own wherever the inliner declines it (tier-0 callers never
/// inline; an optimised caller can run out of inlining budget, as the packed forward did with its six micro-kernels).
/// In tier 0 every vector operation is a call: N2's training step took 3–5 ms instead of 0.2 ms for its first thousand
/// steps, and stayed 1.4–2× slower than with tiering off (RESULTS.md round 15). These tests read the IL of the runtime
/// assembly and hold the rule that prevents it: every kernel or pool method with a loop, inlined or not, is compiled
/// fully optimised from its first call (<c>AggressiveOptimization</c>), and so is every inlined method with a loop
/// elsewhere in the assembly.
/// </summary>
public class TieringTests
{
    private static readonly Assembly Runtime = typeof(INetwork<>).Assembly;

    // Loops that run once per process, per trainer or only for tests, where tier 0 costs nothing worth a full compile
    // (constructors are left out by the same reasoning, and the confusion matrix's report arithmetic over classes).
    private static readonly string[] RunOnce =
    [
        "StaticNets.Kernels.CacheSizes.Read",
        "StaticNets.Threading.WorkerPool.get_WorkerAllocatedBytes",
        "StaticNets.Training.TrainingLoop`1.Segments",
    ];

    private static bool Exempt(MethodIl m)
        => m.Method is ConstructorInfo || m.Method.DeclaringType?.Name == "ConfusionMatrix" || RunOnce.Contains(m.Name);

    [Fact]
    public void Kernel_and_pool_methods_with_loops_are_fully_optimised_from_the_first_call()
    {
        AssertNone(m => InKernelNamespaces(m.Method) && m.HasLoop && !m.Optimized && !Exempt(m),
            "Loops that would start in tier-0 code (mark them AggressiveOptimization):");
    }

    [Fact]
    public void Inlined_methods_with_loops_are_fully_optimised_where_they_are_not_inlined()
    {
        AssertNone(m => m.Inlined && m.HasLoop && !m.Optimized,
            "Inlined loops that would run in tier 0 wherever an inline fails (add AggressiveOptimization):");
    }

    [Fact]
    public void The_reader_sees_loops_and_calls()
    {
        // The rules are only as good as the IL reader: a known micro-kernel must show its loop and its caller, and a
        // guard without a loop must show none.
        var packed = Methods.Values.Single(m => m.Method.DeclaringType?.Name == "DenseKernels" && m.Method.Name == "Micro6x4");
        Assert.True(packed.HasLoop);
        Assert.True(packed.Inlined);
        Assert.Contains(Methods.Values, m => m.Method.Name == "ForwardBatchPacked" && m.Calls.Contains(packed.Method.MetadataToken));
        var guard = Methods.Values.First(m => m.Method.DeclaringType?.Name == "KernelGuard" && m.Method.Name == "SameLength");
        Assert.False(guard.HasLoop);
        Assert.Contains(RunOnce, name => Methods.Values.Any(m => m.Name == name && m.HasLoop));
    }

    private static void AssertNone(Func<MethodIl, bool> offends, string heading)
    {
        var offenders = Methods.Values.Where(offends).Select(m => m.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.True(offenders.Count == 0, heading + "\n" + string.Join("\n", offenders));
    }

    // The code a training step, an epoch, an evaluation or a code lookup runs through: the kernels and the pool, the
    // trainer and optimizers, the unsupervised models, and the data set's per-batch copy and per-epoch shuffle.
    private static bool InKernelNamespaces(MethodBase m)
    {
        string ns = m.DeclaringType?.Namespace ?? "";
        string type = m.DeclaringType?.Name ?? "";
        return ns is "StaticNets.Kernels" or "StaticNets.Threading" or "StaticNets.Training" or "StaticNets.Unsupervised"
            || ns == "StaticNets" && type is "HammingIndex" or "BinaryCodes" or "BinaryBottleneck`1" or "Encoders"
            || ns == "StaticNets.Data" && type is "Dataset`1" or "Shuffle" or "OneHot" && m.Name is "CopyBatch" or "FisherYates" or "ArgMax";
    }

    private sealed record MethodIl(MethodBase Method, bool HasLoop, bool Inlined, bool Optimized, HashSet<int> Calls)
    {
        public string Name => $"{Method.DeclaringType?.FullName}.{Method.Name}";
    }

    // Read on first use, after the opcode tables below are filled.
    private static Dictionary<int, MethodIl> Methods => LazyMethods.Value;

    private static readonly Lazy<Dictionary<int, MethodIl>> LazyMethods = new(ReadAll);

    private static Dictionary<int, MethodIl> ReadAll()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var result = new Dictionary<int, MethodIl>();
        foreach (var type in Runtime.GetTypes())
        {
            foreach (MethodBase m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                byte[]? il = m.GetMethodBody()?.GetILAsByteArray();
                if (il is null)
                    continue;
                var flags = m.GetMethodImplementationFlags();
                var (loop, calls) = Scan(m, il);
                result[m.MetadataToken] = new MethodIl(m, loop, (flags & MethodImplAttributes.AggressiveInlining) != 0,
                    (flags & MethodImplAttributes.AggressiveOptimization) != 0, calls);
            }
        }
        return result;
    }

    private static readonly OpCode[] OneByte = new OpCode[256], TwoByte = new OpCode[256];

    static TieringTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            ushort v = (ushort)op.Value;
            if (op.Size == 1)
                OneByte[v] = op;
            else
                TwoByte[v & 0xFF] = op;
        }
    }

    // Walks the IL once: a branch to an earlier offset is a loop; call, callvirt and newobj name the methods called
    // (those of this assembly, by their definition's token).
    private static (bool Loop, HashSet<int> Calls) Scan(MethodBase m, byte[] il)
    {
        bool loop = false;
        var calls = new HashSet<int>();
        Type[]? typeArgs = m.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = m.IsGenericMethod ? m.GetGenericArguments() : null;
        int i = 0;
        while (i < il.Length)
        {
            int start = i;
            OpCode op = il[i] == 0xFE ? TwoByte[il[i + 1]] : OneByte[il[i]];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                    loop |= i + 1 + (sbyte)il[i] <= start;
                    i += 1;
                    break;
                case OperandType.InlineBrTarget:
                    loop |= i + 4 + BitConverter.ToInt32(il, i) <= start;
                    i += 4;
                    break;
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    int n = BitConverter.ToInt32(il, i);
                    i += 4;
                    int after = i + 4 * n;
                    for (int k = 0; k < n; k++)
                        loop |= after + BitConverter.ToInt32(il, i + 4 * k) <= start;
                    i = after;
                    break;
                case OperandType.InlineMethod:
                    if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
                    {
                        try
                        {
                            var callee = m.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                            if (callee is not null && callee.Module == m.Module)
                                calls.Add(callee.MetadataToken);
                        }
                        catch (ArgumentException)
                        {
                            // A member of another assembly the context cannot resolve: not one of ours.
                        }
                    }
                    i += 4;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
        return (loop, calls);
    }
}
