using System;
using System.Numerics;

namespace StaticNets;

/// <summary>
/// A generated network with recurrent layers (LSTM, GRU). Besides whole sequences through <see cref="INetwork{T}"/>
/// (every sample is <c>steps × features</c>, started from a zero state), it runs one stream one time step at a
/// time: <see cref="Step"/> reads one step's input, advances a <see cref="RecurrentState{T}"/> the caller owns and
/// writes that step's output — a game agent per frame, an audio effect per sample.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// Streaming a sequence through <see cref="Step"/> from a fresh (or <see cref="RecurrentState{T}.Reset"/>) state
/// gives the recurrent state of the whole-sequence forward bit for bit, and its outputs: the last step's output is
/// the whole-sequence output of a network whose last recurrent layer returns only its last step; each step's
/// output is that step's row when it returns sequences (dense layers on top agree to rounding, as their batched
/// kernels block their sums differently).
/// </remarks>
public interface IRecurrentNetwork<T> : INetwork<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Values of one step's input (the features of one time step).</summary>
    int StepInputSize { get; }

    /// <summary>Values of one step's output.</summary>
    int StepOutputSize { get; }

    /// <summary>Values of one stream's state: h (and c for an LSTM) of every recurrent layer, in layer order.</summary>
    int StateSize { get; }

    /// <summary>
    /// Steps after which back-propagation through time stops (0, the default, back-propagates through every step):
    /// with <c>k</c>, the gradient does not flow from step <c>t</c> into step <c>t − 1</c> when <c>t</c> is a
    /// multiple of <c>k</c> (truncated BPTT in windows of <c>k</c> steps; the forward pass still runs the whole
    /// sequence). Set it before training, not while another thread runs Backward.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    int BackpropagationWindow { get; set; }

    /// <summary>A fresh, zero state for one stream (allocates; then <see cref="Step"/> allocates nothing).</summary>
    RecurrentState<T> CreateState();

    /// <summary>Runs one time step of one stream: advances <paramref name="state"/> in place and writes the step's output. Allocates nothing; safe on many threads with distinct states.</summary>
    /// <param name="input">Exactly <see cref="StepInputSize"/> values.</param>
    /// <param name="output">Exactly <see cref="StepOutputSize"/> values, overwritten.</param>
    /// <param name="state">A state of this network from <see cref="CreateState"/>.</param>
    void Step(ReadOnlySpan<T> input, Span<T> output, RecurrentState<T> state);
}

/// <summary>
/// The state one stream carries from step to step through <see cref="IRecurrentNetwork{T}.Step"/>: h (and c for an
/// LSTM) of every recurrent layer, in layer order, plus the scratch a step needs, so steps allocate nothing and
/// streams with distinct states may run on different threads. Reset it for a new sequence, copy it to branch a
/// stream, and save or restore it through <see cref="Values"/>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class RecurrentState<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _values;
    private readonly T[] _scratch;

    /// <summary>A zero state of <paramref name="stateSize"/> values for a network of <paramref name="network"/>'s architecture (generated networks call this from <c>CreateState</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public RecurrentState(NetworkInfo network, int stateSize, int scratchSize)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        if (stateSize < 0)
            throw new ArgumentOutOfRangeException(nameof(stateSize), stateSize, "The state size must not be negative.");
        if (scratchSize < 0)
            throw new ArgumentOutOfRangeException(nameof(scratchSize), scratchSize, "The scratch size must not be negative.");
        _values = new T[stateSize];
        _scratch = new T[scratchSize];
    }

    /// <summary>The architecture of the networks this state belongs to.</summary>
    public NetworkInfo Network { get; }

    /// <summary>Number of state values.</summary>
    public int Length => _values.Length;

    /// <summary>The state values (h, then c for an LSTM, of every recurrent layer in layer order); read or write them to save or restore a stream.</summary>
    public Span<T> Values => _values;

    /// <summary>Scratch of one step; not part of the state. For generated code.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public Span<T> Scratch => _scratch;

    /// <summary>Zeroes the state: the next step starts a new sequence.</summary>
    public void Reset() => Array.Clear(_values);

    /// <summary>Copies this state into <paramref name="destination"/>, a state of the same architecture (branches a stream).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> belongs to another architecture.</exception>
    public void CopyTo(RecurrentState<T> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.CheckFor(Network, nameof(destination));
        _values.CopyTo(destination._values, 0);
    }

    /// <summary>A new state with the same values.</summary>
    public RecurrentState<T> Clone()
    {
        var copy = new RecurrentState<T>(Network, _values.Length, _scratch.Length);
        CopyTo(copy);
        return copy;
    }

    /// <summary>Throws unless this state belongs to <paramref name="network"/>'s architecture.</summary>
    /// <exception cref="ArgumentException">The architectures differ.</exception>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public void CheckFor(NetworkInfo network, string paramName)
    {
        if (!ReferenceEquals(network, Network) && !network.Equals(Network))
            throw new ArgumentException($"The state belongs to a network of architecture {Network} but is used with one of architecture {network}; create it with that network's CreateState().", paramName);
    }
}
