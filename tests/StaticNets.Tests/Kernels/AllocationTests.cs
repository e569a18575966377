using System;
using System.Collections.Generic;
using System.Numerics;
using StaticNets.Kernels;
using Xunit;

namespace StaticNets.Tests.Kernels;

/// <summary>No kernel allocates: 1000 calls after a warm-up add nothing to the thread's allocated bytes.</summary>
public class AllocationTests
{
    [Fact]
    public void Kernels_DoNotAllocate_Single() => AssertNoAllocations<float>();

    [Fact]
    public void Kernels_DoNotAllocate_Double() => AssertNoAllocations<double>();

    private static void AssertNoAllocations<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // 37 elements: several vectors and a ragged tail at every width; 13 × 37 weights for the dense kernels.
        const int n = 37, outputs = 13, batch = 5;
        var rng = new Random(1);
        T[] x = KernelTestSupport.Uniform<T>(rng, n, 0.01, 0.99), y = KernelTestSupport.Uniform<T>(rng, n, 0.01, 0.99);
        T[] d = new T[n], a = new T[n], delta = KernelTestSupport.Uniform<T>(rng, n);
        T[] w = KernelTestSupport.Uniform<T>(rng, outputs * n), b = KernelTestSupport.Uniform<T>(rng, outputs);
        T[] z = new T[outputs], dOut = KernelTestSupport.Uniform<T>(rng, outputs);
        T[] xs = KernelTestSupport.Uniform<T>(rng, batch * n), zs = new T[batch * outputs];
        T[] gw = new T[outputs * n], gb = new T[outputs];
        // Wide and long enough for the packed outer-product path (at least 64 samples and one whole panel).
        const int wideOutputs = 70, longBatch = 66;
        T[] wWide = KernelTestSupport.Uniform<T>(rng, wideOutputs * n), bWide = KernelTestSupport.Uniform<T>(rng, wideOutputs);
        T[] xsLong = KernelTestSupport.Uniform<T>(rng, longBatch * n), zsLong = new T[longBatch * wideOutputs];
        T sink = T.Zero;
        int index = 0;
        T small = KernelTestSupport.C<T>(1e-30);

        var kernels = new List<(string Name, Action Call)>
        {
            ("Dot", () => sink += VectorMath.Dot<T>(x, y)),
            ("Sum", () => sink += VectorMath.Sum<T>(x)),
            ("SumOfSquares", () => sink += VectorMath.SumOfSquares<T>(x)),
            ("Add", () => VectorMath.Add<T>(x, y, d)),
            ("AddInPlace", () => VectorMath.AddInPlace<T>(d, x)),
            ("Axpy", () => VectorMath.Axpy<T>(small, x, d)),
            ("Scale", () => VectorMath.Scale<T>(T.One, d)),
            ("Subtract", () => VectorMath.Subtract<T>(x, y, d)),
            ("ArgMax", () => index += VectorMath.ArgMax<T>(x)),
            ("Forward", () => DenseKernels.Forward<T>(w, b, x, z)),
            ("ForwardBatch", () => DenseKernels.ForwardBatch<T>(w, b, xs, zs, n, outputs)),
            ("ForwardBatch (packed)", () => DenseKernels.ForwardBatch<T>(wWide, bWide, xsLong, zsLong, n, wideOutputs)),
            ("BackwardInput", () => DenseKernels.BackwardInput<T>(w, dOut, d)),
            ("AccumulateGradient", () => DenseKernels.AccumulateGradient<T>(dOut, x, gw, gb)),
            ("Identity", () => ActivationKernels.Identity<T>(x, a)),
            ("Sigmoid", () => ActivationKernels.Sigmoid<T>(x, a)),
            ("Tanh", () => ActivationKernels.Tanh<T>(x, a)),
            ("ReLU", () => ActivationKernels.ReLU<T>(x, a)),
            ("LeakyReLU", () => ActivationKernels.LeakyReLU<T>(x, a)),
            ("Softmax", () => ActivationKernels.Softmax<T>(x, a)),
            ("SigmoidDerivative", () => ActivationKernels.SigmoidDerivative<T>(x, y, d)),
            ("TanhDerivative", () => ActivationKernels.TanhDerivative<T>(x, y, d)),
            ("ReLUDerivative", () => ActivationKernels.ReLUDerivative<T>(x, y, d)),
            ("LeakyReLUDerivative", () => ActivationKernels.LeakyReLUDerivative<T>(x, y, d)),
            ("SoftmaxBackward", () => ActivationKernels.SoftmaxBackward<T>(x, delta, d)),
            ("Apply", () => ActivationKernels.Apply<T>(Activation.Tanh, x, a)),
            ("MultiplyByDerivative", () => ActivationKernels.MultiplyByDerivative<T>(Activation.Sigmoid, x, y, d)),
            ("Quadratic", () => sink += LossKernels.Quadratic<T>(x, y)),
            ("CrossEntropy", () => sink += LossKernels.CrossEntropy<T>(x, y)),
            ("BinaryCrossEntropy", () => sink += LossKernels.BinaryCrossEntropy<T>(x, y)),
            ("OutputError", () => LossKernels.OutputError<T>(x, y, d)),
            ("BinaryCrossEntropyGradient", () => LossKernels.BinaryCrossEntropyGradient<T>(x, y, d)),
            ("Compute", () => sink += LossKernels.Compute<T>(Loss.CrossEntropy, Activation.Softmax, x, y)),
        };

        // A kernel that allocates does so on every call, so every round of 1000 calls shows it. The runtime
        // itself occasionally allocates a few bytes on the calling thread once (tiered compilation reaching
        // its call-count threshold), so a kernel passes when any of a few rounds allocates nothing.
        foreach (var (name, call) in kernels)
        {
            call();
            long allocated = 0;
            for (int round = 0; round < 5; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 1000; i++)
                    call();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated == 0)
                    break;
            }
            Assert.True(allocated == 0, $"{name}<{typeof(T).Name}> allocated {allocated} bytes in each of 5 rounds of 1000 calls.");
        }
        Assert.True(T.IsFinite(sink) || T.IsNaN(sink) || T.IsInfinity(sink));
        Assert.True(index >= 0);
    }
}
