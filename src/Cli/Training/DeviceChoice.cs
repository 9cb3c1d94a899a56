using NetFromScratch.Tensors;
using NetFromScratch.Tensors.Cpu;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// Turns <c>--device</c> into a <see cref="Device"/>. The one place <c>nfs train</c> and <c>nfs finetune</c> resolve devices: point it at the
/// tool's GPU device resolver when that is available.
/// </summary>
public static class DeviceChoice
{
    /// <summary>
    /// The device for <paramref name="name"/> (the <c>--device</c> of <c>nfs train</c> and <c>nfs finetune</c>) through the shared resolver: empty means $NFS_DEVICE, else the fastest
    /// available; a GPU that is missing falls back to the CPU with a one-line notice.
    /// </summary>
    /// <exception cref="ArgumentException">No such device kind.</exception>
    public static Device Resolve(string? name)
    {
        try
        {
            return DeviceOption.Resolve(name, Console.Error);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--device {name}: {e.Message}", e);
        }
    }

    /// <summary>The <c>device:</c> line of a run: the device's name, and for the CPU the threads its kernels use.</summary>
    public static string Describe(Device device) =>
        device.Kind == DeviceKind.Cpu ? $"device: {device} ({CpuParallel.MaxThreads} threads)" : $"device: {device}";
}
