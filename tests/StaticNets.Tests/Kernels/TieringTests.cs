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
        AssertNone(m => OnHotPaths(m.Method) && m.HasLoop && !m.Optimized && !Exempt(m),
            "Loops that would start in tier-0 code (mark them AggressiveOptimization):");
    }

    [Fact]
    public void Inlined_methods_with_loops_are_fully_optimised_where_they_are_not_inlined()
    {
        AssertNone(m => m.Inlined && m.HasLoop && !m.Optimized,
            "Inlined loops that would run in tier 0 wherever an inline fails (add AggressiveOptimization):");
    }

    [Fact]
    public void The_reader_sees_loops_and_attributes()
    {
        // The rules are only as good as the IL reader: a known micro-kernel must show its loop and its attributes, and a
        // guard without a loop must show none.
        var packed = Methods.Single(m => m.Method.DeclaringType?.Name == "DenseKernels" && m.Method.Name == "Micro6x4");
        Assert.True(packed.HasLoop);
        Assert.True(packed.Inlined);
        Assert.True(packed.Optimized);
        var guard = Methods.First(m => m.Method.DeclaringType?.Name == "KernelGuard" && m.Method.Name == "SameLength");
        Assert.False(guard.HasLoop);
        Assert.Contains(RunOnce, name => Methods.Any(m => m.Name == name && m.HasLoop));
    }

    private static void AssertNone(Func<MethodIl, bool> offends, string heading)
    {
        var offenders = Methods.Where(offends).Select(m => m.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.True(offenders.Count == 0, heading + "\n" + string.Join("\n", offenders));
    }

    // The code a training step, an epoch, an evaluation or a code lookup runs through: the kernels and the pool, the
    // trainer and optimizers, the unsupervised models, and the data set's per-batch copy and per-epoch shuffle.
    private static bool OnHotPaths(MethodBase m)
    {
        string ns = m.DeclaringType?.Namespace ?? "";
        string type = m.DeclaringType?.Name ?? "";
        return ns is "StaticNets.Kernels" or "StaticNets.Threading" or "StaticNets.Training" or "StaticNets.Unsupervised"
            || ns == "StaticNets" && type is "HammingIndex" or "BinaryCodes" or "BinaryBottleneck`1" or "Encoders"
            || ns == "StaticNets.Data" && type is "Dataset`1" or "Shuffle" or "OneHot" && m.Name is "CopyBatch" or "FisherYates" or "ArgMax";
    }

    private sealed record MethodIl(MethodBase Method, bool HasLoop, bool Inlined, bool Optimized)
    {
        public string Name => $"{Method.DeclaringType?.FullName}.{Method.Name}";
    }

    // One-byte opcodes by value, and the 0xFE-prefixed ones by their second byte; built before Methods below reads the
    // IL (static fields initialise in the order they are written).
    private static readonly (OpCode[] One, OpCode[] Two) Opcodes = OpcodeTables();

    private static readonly List<MethodIl> Methods = ReadAll();

    private static (OpCode[] One, OpCode[] Two) OpcodeTables()
    {
        var one = new OpCode[256];
        var two = new OpCode[256];
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            ushort v = (ushort)op.Value;
            if (op.Size == 1)
                one[v] = op;
            else
                two[v & 0xFF] = op;
        }
        return (one, two);
    }

    private static List<MethodIl> ReadAll()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var result = new List<MethodIl>();
        foreach (var type in Runtime.GetTypes())
        {
            foreach (MethodBase m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                byte[]? il = m.GetMethodBody()?.GetILAsByteArray();
                if (il is null)
                    continue;
                var flags = m.GetMethodImplementationFlags();
                result.Add(new MethodIl(m, HasBackwardBranch(il), (flags & MethodImplAttributes.AggressiveInlining) != 0,
                    (flags & MethodImplAttributes.AggressiveOptimization) != 0));
            }
        }
        return result;
    }

    // Walks the IL once: a branch to an earlier offset is a loop.
    private static bool HasBackwardBranch(byte[] il)
    {
        int i = 0;
        while (i < il.Length)
        {
            int start = i;
            OpCode op = il[i] == 0xFE ? Opcodes.Two[il[i + 1]] : Opcodes.One[il[i]];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                    if (i + 1 + (sbyte)il[i] <= start)
                        return true;
                    i += 1;
                    break;
                case OperandType.InlineBrTarget:
                    if (i + 4 + BitConverter.ToInt32(il, i) <= start)
                        return true;
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
                    int after = i + 4 + 4 * n;
                    for (int k = 0; k < n; k++)
                        if (after + BitConverter.ToInt32(il, i + 4 + 4 * k) <= start)
                            return true;
                    i = after;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
        return false;
    }
}
