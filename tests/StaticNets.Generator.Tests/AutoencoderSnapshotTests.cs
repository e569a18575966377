using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>The generated source of autoencoders (tied decoder layers, a code layer for Encode), compared with reviewed snapshots.</summary>
public class AutoencoderSnapshotTests
{
    private static void VerifyNetwork(string source, string hint, [System.Runtime.CompilerServices.CallerMemberName] string method = "", [System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Snapshot.VerifyNetwork(source, hint, method, file);

    [Fact]
    public void TiedAutoencoder() => VerifyNetwork("""
        using StaticNets;
        [Network(16, Loss = Loss.CrossEntropy, Code = "code")]
        [Dense(8, Activation.ReLU, Name = "encoder")]
        [Dense(4, Activation.Sigmoid, Name = "code")]
        [Dense(8, Activation.ReLU, TiedTo = "code")]
        [Dense(16, Activation.Sigmoid, TiedTo = "encoder")]
        public partial class TiedAutoencoder;
        """, "TiedAutoencoder.g.cs");
}
