using System;
using Xunit;

namespace StaticNets.Tests.Networks;

/// <summary>
/// Finite-difference gradient checks on double networks: each analytic ∂C/∂θ_i from the generated backward
/// pass against (C(θ + h·e_i) − C(θ − h·e_i)) / 2h computed with the generated forward pass.
/// </summary>
public class GradientCheckTests
{
    private const double Step = 1e-6;
    private const int Batch = 3;

    [Theory]
    [MemberData(nameof(NetworkCatalog.DoubleNames), MemberType = typeof(NetworkCatalog))]
    public void Analytic_gradient_matches_central_differences(string name)
    {
        var net = NetworkCatalog.Double[name](5);
        var inputs = NetworkCatalog.Random<double>(Batch * net.InputSize, seed: 21);
        var targets = NetworkCatalog.Targets<double>(net.Info, Batch, seed: 22);
        var workspace = net.CreateWorkspace(Batch);
        var gradient = new double[net.ParameterCount];
        net.Backward(inputs, targets, gradient, workspace);

        var scratch = new double[net.ParameterCount];
        // Every parameter for small nets; an even sample of at most 400 for large ones.
        int stride = Math.Max(1, net.ParameterCount / 400);
        int checkedCount = 0;
        for (int i = 0; i < net.ParameterCount; i += stride)
        {
            double original = net.Parameters[i];
            NetworkCatalog.SetParameter(net, i, original + Step);
            double plus = net.Backward(inputs, targets, scratch, workspace);
            NetworkCatalog.SetParameter(net, i, original - Step);
            double minus = net.Backward(inputs, targets, scratch, workspace);
            NetworkCatalog.SetParameter(net, i, original);
            double numeric = (plus - minus) / (2 * Step);
            double error = Math.Abs(numeric - gradient[i]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(gradient[i]));
            Assert.True(error < 1e-5, $"{name}: parameter {i}: analytic {gradient[i]:R}, numeric {numeric:R}, relative error {error:E2}.");
            checkedCount++;
        }
        Assert.True(checkedCount >= Math.Min(net.ParameterCount, 100));
    }
}
