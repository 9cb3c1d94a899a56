using NetFromScratch.Tensors;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// Turns <c>--device</c> into a <see cref="Device"/>. The one place <c>nfs train</c> resolves devices: point it at the
/// tool's GPU device resolver when that is available.
/// </summary>
public static class DeviceChoice
{
    /// <summary>The device named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such device in this build.</exception>
    public static Device Resolve(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cpu" => Device.Cpu,
        _ => throw new ArgumentException($"--device {name}: only the CPU is available to nfs train in this build; use --device cpu."),
    };
}
