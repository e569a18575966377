using System.Linq;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary><c>net.Info</c> is a public member of every generated network, unless the user's class has its own <c>Info</c>.</summary>
public class InfoMemberTests
{
    [Fact]
    public void Info_is_public_on_the_generated_class()
    {
        var run = GeneratorHarness.Run("""
            using StaticNets;
            [Network(4, 3, 2)]
            public partial class Net;
            public static class Use
            {
                public static NetworkInfo Of(Net net) => net.Info;
                public static bool Same(Net net) => ReferenceEquals(net.Info, Net.Architecture) && ReferenceEquals(((INetwork<float>)net).Info, net.Info);
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
        Assert.Contains("public global::StaticNets.NetworkInfo Info => Architecture;", run.Sources.Single().Source, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_member_named_Info_keeps_the_interface_member_explicit()
    {
        var run = GeneratorHarness.Run("""
            using StaticNets;
            [Network(4, 3, 2)]
            public partial class Net
            {
                public string Info => "mine";
            }
            public static class Use
            {
                public static string Mine(Net net) => net.Info;
                public static NetworkInfo Interface(Net net) => ((INetwork<float>)net).Info;
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
        Assert.Contains("global::StaticNets.NetworkInfo global::StaticNets.INetwork<float>.Info => Architecture;", run.Sources.Single().Source, System.StringComparison.Ordinal);
    }
}
