using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu;

/// <summary>
/// One line of device discovery: a device that was found and can be used, or a device (or a whole driver) that
/// was not used, with the reason.
/// </summary>
/// <param name="Name">The device name as <c>--device</c> accepts it (for example <c>cuda:0</c>), or the driver's name.</param>
/// <param name="Kind">CUDA, OpenCL, the CPU or the simulator.</param>
/// <param name="Usable">True when tensors can be placed on it.</param>
/// <param name="Detail">The hardware (model, memory, multiprocessors) or why it was not used.</param>
public sealed record DeviceReport(string Name, DeviceKind Kind, bool Usable, string Detail)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Name,-12} {(Usable ? "available" : "not used"),-10} {Detail}";
}
