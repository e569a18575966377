using System;
using System.IO;
using StaticNets.Persistence;
using Xunit;

namespace StaticNets.Tests.Persistence
{
    /// <summary>The generator's reader and the runtime's reader agree on the same file, and baked loading allocates nothing.</summary>
    public class BakedWeightsTests
    {
        private static string SnetPath => Path.Combine(AppContext.BaseDirectory, "data", "digits.snet");

        [Fact]
        public void Baked_parameters_equal_what_the_runtime_reads_from_the_same_file()
        {
            var contents = NetworkFile.Read(SnetPath);
            Assert.Equal(BakedDigitsNet.Architecture, contents.Architecture);
            var net = BakedDigitsNet.FromBakedWeights();
            Assert.Equal(contents.GetParameters<float>(), net.Parameters.ToArray());

            var loaded = new BakedDigitsNet(1);
            NetworkFile.Load(loaded, SnetPath);
            Assert.Equal(loaded.Parameters.ToArray(), net.Parameters.ToArray());
        }

        [Fact]
        public void Loading_baked_weights_allocates_nothing()
        {
            var net = new BakedDigitsNet(3);
            long allocated = 0;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                net.LoadBakedWeights();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated == 0)
                    break;
            }
            Assert.Equal(0, allocated);
            Assert.Equal(BakedDigitsNet.ParameterCount * sizeof(float), BakedDigitsNet.BakedWeightBytes.Length);
        }

        [Fact]
        public void Copy_checks_the_length()
        {
            var ex = Assert.Throws<ArgumentException>(() => BakedWeights.CopyTo<float>(new byte[7], new float[2]));
            Assert.Equal("bytes", ex.ParamName);
        }
    }

    /// <summary>The samples' digits network with its trained weights baked in from samples/BakedApp/digits.snet.</summary>
    [Network(64, 32, 10, Hidden = Activation.ReLU, Output = Activation.Softmax, Loss = Loss.CrossEntropy, Weights = "digits.snet")]
    public partial class BakedDigitsNet;
}
