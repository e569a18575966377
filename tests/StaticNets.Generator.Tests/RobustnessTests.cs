using System;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>The generator never throws, whatever the source text: every prefix of valid and odd declarations.</summary>
public class RobustnessTests
{
    private static readonly string[] Seeds =
    {
        "using StaticNets;\nnamespace A.B { public partial class O { [Network(784, 128, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy, Precision = Precision.Double)] internal partial record Net; } }",
        "using StaticNets;\n[Network(4, Loss = Loss.CrossEntropy)]\n[Dense(3, Activation.ReLU)]\n[Dense(2, (Activation)99)]\npublic partial class Net<T> where T : struct { }",
        "using StaticNets;\n[Network(new int[] { 1, 2 }, Activations = null)]\n[Network(3, 3)] static class Net { }",
    };

    [Fact]
    public void Every_prefix_and_mutation_of_declarations_runs_without_generator_exceptions()
    {
        var rng = new Random(1);
        int runs = 0;
        foreach (var seed in Seeds)
        {
            for (int length = 0; length <= seed.Length; length += 3)
            {
                AssertNoGeneratorException(seed[..length]);
                runs++;
            }
            for (int i = 0; i < 60; i++)
            {
                var mutated = new StringBuilder(seed);
                int position = rng.Next(mutated.Length);
                switch (rng.Next(3))
                {
                    case 0: mutated.Remove(position, Math.Min(rng.Next(1, 6), mutated.Length - position)); break;
                    case 1: mutated.Insert(position, "(),[]-0\"=;{}"[rng.Next(12)]); break;
                    default: mutated[position] = (char)rng.Next(32, 127); break;
                }
                AssertNoGeneratorException(mutated.ToString());
                runs++;
            }
        }
        Assert.True(runs > 300);
    }

    private static void AssertNoGeneratorException(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var result = driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        // A generator exception surfaces as CS8785; it must never appear.
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785");
    }
}
