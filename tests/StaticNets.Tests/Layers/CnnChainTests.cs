using System;
using StaticNets.Tests.Networks;
using StaticNets.Training;
using Xunit;

namespace StaticNets.Tests.Layers;

/// <summary>
/// Two generated networks back to back: a conv encoder giving a 5-vector and a dense decoder with the loss. The composed
/// model's gradients come from the decoder's <c>Backward(…, inputGradient, …)</c> followed by the encoder's
/// <c>BackwardFromOutputGradient</c>; they must equal central differences of the composed cost.
/// </summary>
public class CnnChainTests
{
    private const int Batch = 3;

    private sealed class Chain
    {
        public readonly EncoderCnnD Encoder = new(3);
        public readonly DecoderD Decoder = new(4);
        public readonly double[] Hidden = new double[Batch * EncoderCnnD.OutputSize];
        public readonly double[] HiddenGradient = new double[Batch * EncoderCnnD.OutputSize];
        public readonly INetworkWorkspace<double> EncoderWorkspace = new EncoderCnnD(0).CreateWorkspace(Batch);
        public readonly INetworkWorkspace<double> DecoderWorkspace = new DecoderD(0).CreateWorkspace(Batch);

        /// <summary>The summed cost of decoder(encoder(x)), gradients added into the three spans.</summary>
        public double Step(double[] x, double[] targets, Span<double> encoderGradient, Span<double> decoderGradient, Span<double> inputGradient)
        {
            Encoder.Forward(x, Hidden, EncoderWorkspace);
            double cost = Decoder.Backward(Hidden, targets, decoderGradient, HiddenGradient, DecoderWorkspace);
            Encoder.BackwardFromOutputGradient(x, HiddenGradient, encoderGradient, inputGradient, EncoderWorkspace);
            return cost;
        }

        public double Cost(double[] x, double[] targets)
        {
            Encoder.Forward(x, Hidden, EncoderWorkspace);
            var outputs = new double[Batch * DecoderD.OutputSize];
            Decoder.Forward(Hidden, outputs, DecoderWorkspace);
            double cost = 0;
            for (int s = 0; s < Batch; s++)
                cost += CnnCatalog.Cost(DecoderD.Architecture, outputs.AsSpan(s * DecoderD.OutputSize, DecoderD.OutputSize).ToArray(), targets.AsSpan(s * DecoderD.OutputSize, DecoderD.OutputSize));
            return cost;
        }
    }

    [Fact]
    public void Composed_gradients_equal_central_differences_of_the_composed_cost()
    {
        var chain = new Chain();
        var x = NetworkCatalog.Random<double>(Batch * EncoderCnnD.InputSize, 5);
        var targets = NetworkCatalog.Targets<double>(DecoderD.Architecture, Batch, 6);
        var ge = new double[EncoderCnnD.ParameterCount];
        var gd = new double[DecoderD.ParameterCount];
        var dx = new double[x.Length];
        double cost = chain.Step(x, targets, ge, gd, dx);
        Assert.Equal(chain.Cost(x, targets), cost, 12);

        double Loss() => chain.Cost(x, targets);
        for (int i = 0; i < EncoderCnnD.ParameterCount; i++)
            CnnCatalog.AssertClose(CnnCatalog.ParameterDifference(chain.Encoder, i, Loss), ge[i], $"encoder parameter {i}");
        for (int i = 0; i < DecoderD.ParameterCount; i++)
            CnnCatalog.AssertClose(CnnCatalog.ParameterDifference(chain.Decoder, i, Loss), gd[i], $"decoder parameter {i}");
        for (int i = 0; i < x.Length; i++)
            CnnCatalog.AssertClose(CnnCatalog.ValueDifference(x, i, Loss), dx[i], $"input {i}");
    }

    [Fact]
    public void Gradient_steps_through_the_chain_lower_the_composed_cost()
    {
        var chain = new Chain();
        var x = NetworkCatalog.Random<double>(Batch * EncoderCnnD.InputSize, 7);
        var targets = NetworkCatalog.Targets<double>(DecoderD.Architecture, Batch, 8);
        var ge = new double[EncoderCnnD.ParameterCount];
        var gd = new double[DecoderD.ParameterCount];
        var encoderOptimizer = new Sgd<double>();
        var decoderOptimizer = new Sgd<double>();
        double first = chain.Cost(x, targets);
        for (int step = 0; step < 50; step++)
        {
            Array.Clear(ge);
            Array.Clear(gd);
            chain.Step(x, targets, ge, gd, Span<double>.Empty);
            using (var e = chain.Encoder.EditParameters()) encoderOptimizer.Step(e.Span, ge, 0.1);
            using (var e = chain.Decoder.EditParameters()) decoderOptimizer.Step(e.Span, gd, 0.1);
        }
        double last = chain.Cost(x, targets);
        Assert.True(last < first / 2, $"composed cost {first} → {last}");
    }
}
