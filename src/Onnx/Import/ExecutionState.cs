using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import;

/// <summary>What a forward pass knows beyond its inputs: the mode, and where new tensors go.</summary>
internal sealed class ExecutionState(bool training, Device device)
{
    /// <summary>Training mode: dropout drops, batch normalization uses batch statistics.</summary>
    public bool Training { get; } = training;

    /// <summary>The device of the inputs; constants are made here.</summary>
    public Device Device { get; } = device;

    /// <summary>The state used while folding constants at load time.</summary>
    public static ExecutionState Folding { get; } = new(false, Device.Cpu);
}
