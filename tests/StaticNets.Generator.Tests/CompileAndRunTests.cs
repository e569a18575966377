using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>
/// The generated source compiles to a real assembly, loads, and computes what the course's equations say —
/// checked here independently of the runtime test project, straight from the generator's output.
/// </summary>
public class CompileAndRunTests
{
    [Fact]
    public void Generated_network_compiles_loads_and_matches_hand_computed_forward_pass()
    {
        var run = GeneratorHarness.Run("""
            using StaticNets;
            namespace User;
            [Network(3, 4, 2, Hidden = Activation.Tanh, Output = Activation.Sigmoid, Precision = Precision.Double)]
            public partial class SmallNet;
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);

        using var image = new MemoryStream();
        var emit = run.Output.Emit(image);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var context = new AssemblyLoadContext("generated", isCollectible: true);
        try
        {
            image.Position = 0;
            var assembly = context.LoadFromStream(image);
            var type = assembly.GetType("User.SmallNet")!;
            var net = (StaticNets.INetwork<double>)Activator.CreateInstance(type, 5)!;
            Assert.Equal(3 * 4 + 4 + 4 * 2 + 2, net.ParameterCount);

            // Known parameters: w¹_jk = 0.1·(j+1) − 0.05·k, b¹_j = 0.01·j; w²_jk = 0.2 − 0.1·(j+k), b² = (0.3, −0.3).
            using (var edit = net.EditParameters())
            {
            var p = edit.Span;
            for (int j = 0; j < 4; j++)
            {
                for (int k = 0; k < 3; k++)
                    p[j * 3 + k] = 0.1 * (j + 1) - 0.05 * k;
                p[12 + j] = 0.01 * j;
            }
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 4; k++)
                    p[16 + j * 4 + k] = 0.2 - 0.1 * (j + k);
            p[24] = 0.3;
            p[25] = -0.3;
            }

            double[] x = { 1.0, -2.0, 0.5 };
            var hidden = new double[4];
            for (int j = 0; j < 4; j++)
                hidden[j] = Math.Tanh(Enumerable.Range(0, 3).Sum(k => (0.1 * (j + 1) - 0.05 * k) * x[k]) + 0.01 * j);
            var expected = new double[2];
            for (int j = 0; j < 2; j++)
                expected[j] = 1 / (1 + Math.Exp(-(Enumerable.Range(0, 4).Sum(k => (0.2 - 0.1 * (j + k)) * hidden[k]) + (j == 0 ? 0.3 : -0.3))));

            var output = new double[2];
            net.Forward(x, output);
            Assert.Equal(expected[0], output[0], 12);
            Assert.Equal(expected[1], output[1], 12);
        }
        finally
        {
            context.Unload();
        }
    }
}
