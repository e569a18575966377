#if TORCHSHARP
using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StaticNets.Benchmarks.Peers;

/// <summary>
/// TorchSharp (libtorch on the CPU) running the same ReLU…softmax network as <see cref="Mlp"/>, written the way a
/// PyTorch user writes it: <c>nn.Sequential</c> of <c>Linear</c> and <c>ReLU</c>, softmax on the logits for inference,
/// <c>cross_entropy</c> on the logits with the one-hot targets as class probabilities and <c>optim.SGD</c> for training.
/// Inputs and targets are tensors made once; every call runs in a dispose scope so nothing it creates outlives it.
/// </summary>
public sealed class TorchPeer : IDisposable
{
    private readonly Sequential _model;
    private readonly Linear[] _linears;
    private readonly Tensor _x;
    private readonly Tensor? _y;
    private readonly optim.Optimizer? _sgd;

    /// <summary>
    /// Copies the weights from a parameter span in the StaticNets layout (per layer [out, in] then biases; a
    /// <c>Linear</c>'s weight has the same [out, in] layout) and makes the input (and, for training, target) tensors.
    /// </summary>
    public TorchPeer(int[] sizes, ReadOnlySpan<float> parameters, float[] x, int batch, float[]? targets = null, float learningRate = 0)
    {
        var layers = new System.Collections.Generic.List<(string, nn.Module<Tensor, Tensor>)>();
        _linears = new Linear[sizes.Length - 1];
        for (int l = 0; l < _linears.Length; l++)
        {
            var linear = nn.Linear(sizes[l], sizes[l + 1]);
            _linears[l] = linear;
            layers.Add(($"linear{l}", linear));
            if (l < _linears.Length - 1)
                layers.Add(($"relu{l}", nn.ReLU()));
        }
        _model = nn.Sequential(layers);
        Load(parameters);
        _x = tensor(x, new long[] { batch, sizes[0] });
        if (targets is not null)
        {
            _y = tensor(targets, new long[] { batch, sizes[^1] });
            _sgd = optim.SGD(_model.parameters(), learningRate);
        }
    }

    /// <summary>Overwrites the weights from a parameter span in the StaticNets layout (a <c>Linear</c>'s weight is [out, in] too).</summary>
    public void Load(ReadOnlySpan<float> parameters)
    {
        using var inference = no_grad();
        int offset = 0;
        foreach (var linear in _linears)
        {
            long nOut = linear.weight!.shape[0], nIn = linear.weight.shape[1];
            using var w = tensor(parameters.Slice(offset, (int)(nIn * nOut)).ToArray(), new long[] { nOut, nIn });
            linear.weight.copy_(w);
            offset += (int)(nIn * nOut);
            using var b = tensor(parameters.Slice(offset, (int)nOut).ToArray(), new long[] { nOut });
            linear.bias!.copy_(b);
            offset += (int)nOut;
        }
    }

    /// <summary>The thread count libtorch uses for the following calls (it is process-wide).</summary>
    public static int Threads
    {
        get => get_num_threads();
        set => set_num_threads(value);
    }

    /// <summary>Softmax of the network's output for the bound batch, inference mode; returns its first value.</summary>
    public float Forward()
    {
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        return nn.functional.softmax(_model.forward(_x), 1)[0, 0].item<float>();
    }

    /// <summary>The softmax outputs, for the agreement check.</summary>
    public float[] Outputs()
    {
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        return nn.functional.softmax(_model.forward(_x), 1).data<float>().ToArray();
    }

    /// <summary>One SGD step on the bound batch (mean cross-entropy, as <c>Trainer.TrainBatch</c>); returns the loss.</summary>
    public float TrainStep()
    {
        using var scope = NewDisposeScope();
        _sgd!.zero_grad();
        var loss = nn.functional.cross_entropy(_model.forward(_x), _y!);
        loss.backward();
        _sgd.step();
        return loss.item<float>();
    }

    /// <summary>The parameters in the StaticNets layout, for the agreement check.</summary>
    public float[] Parameters()
    {
        var all = new System.Collections.Generic.List<float>();
        foreach (var linear in _linears)
        {
            all.AddRange(linear.weight!.data<float>().ToArray());
            all.AddRange(linear.bias!.data<float>().ToArray());
        }
        return all.ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sgd?.Dispose();
        _y?.Dispose();
        _x.Dispose();
        _model.Dispose();
    }
}
#endif
