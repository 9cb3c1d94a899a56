namespace NetFromScratch.Tensors;

/// <summary>
/// Where a tensor's data lives and whose kernels run on it. Each device owns one <see cref="IBackend"/>.
/// Two tensors on different devices never meet in one op: the op fails naming both devices.
/// </summary>
public sealed class Device
{
    private static readonly Lazy<Device> CpuDevice = new(() => new Device("cpu", DeviceKind.Cpu, b => new Cpu.CpuBackend(b)));

    /// <summary>Creates a device whose backend is built by <paramref name="createBackend"/> (called once, here).</summary>
    public Device(string name, DeviceKind kind, Func<Device, IBackend> createBackend)
    {
        Name = name;
        Kind = kind;
        Backend = createBackend(this);
    }

    /// <summary>The CPU device, always present.</summary>
    public static Device Cpu => CpuDevice.Value;

    /// <summary>Human-readable name, for example <c>cpu</c> or <c>cuda:0 (NVIDIA H100)</c>.</summary>
    public string Name { get; }

    /// <summary>The kind of hardware.</summary>
    public DeviceKind Kind { get; }

    /// <summary>The kernels that run on this device.</summary>
    public IBackend Backend { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
