namespace StaticNets.Training;

/// <summary>
/// The workspace of a network with dropout. Each backward pass in training mode draws its masks from a
/// SplitMix64 stream started from (network's <see cref="IDropoutNetwork.DropoutSeed"/>, <see cref="DropoutKey"/>,
/// this workspace's call count), so masks differ from step to step yet repeat exactly for the same seed and the
/// same sequence of calls — also when a trainer spreads partitions of a batch over threads, each partition
/// keeping its own workspace and key.
/// </summary>
public interface IDropoutWorkspace
{
    /// <summary>Distinguishes workspaces used side by side (a trainer sets it to the partition index).</summary>
    ulong DropoutKey { get; set; }

    /// <summary>Backward passes in training mode run with this workspace so far; part of the mask stream's start.</summary>
    ulong DropoutCalls { get; set; }
}
