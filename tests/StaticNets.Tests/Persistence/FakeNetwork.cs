using System;
using System.Numerics;

namespace StaticNets.Tests.Persistence;

/// <summary>Just enough of a network over a hand-made <see cref="NetworkInfo"/> for the file format: no forward pass.</summary>
internal sealed class FakeNetwork<T>(NetworkInfo info, T[] parameters) : INetwork<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>A network of <paramref name="info"/> whose parameters are <paramref name="seed"/> + 0.5, + 1.5, … (distinct per seed).</summary>
    public FakeNetwork(NetworkInfo info, int seed)
        : this(info, Values(info.ParameterCount, seed)) { }

    public NetworkInfo Info => info;
    public int InputSize => info.InputSize;
    public int OutputSize => info.OutputSize;
    public int ParameterCount => parameters.Length;
    public ReadOnlySpan<T> Parameters => parameters;
    public ParameterEdit<T> EditParameters() => new(parameters, this);
    public void OnParametersWritten() { }
    public void Initialize(int seed) => Values(parameters.Length, seed).CopyTo(parameters, 0);
    public void Forward(ReadOnlySpan<T> input, Span<T> output) => throw new NotSupportedException();
    public void Forward(ReadOnlySpan<T> inputs, Span<T> outputs, INetworkWorkspace<T> workspace) => throw new NotSupportedException();
    public T Backward(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> gradient, INetworkWorkspace<T> workspace) => throw new NotSupportedException();
    public T Backward(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> gradient, Span<T> inputGradient, INetworkWorkspace<T> workspace) => throw new NotSupportedException();
    public void BackwardFromOutputGradient(ReadOnlySpan<T> inputs, ReadOnlySpan<T> outputGradient, Span<T> gradient, Span<T> inputGradient, INetworkWorkspace<T> workspace) => throw new NotSupportedException();
    public INetworkWorkspace<T> CreateWorkspace(int batchCapacity) => throw new NotSupportedException();

    private static T[] Values(int count, int seed)
    {
        var values = new T[count];
        for (int i = 0; i < count; i++)
            values[i] = T.CreateChecked(seed * 1000 + i) + T.CreateChecked(0.5);
        return values;
    }
}
