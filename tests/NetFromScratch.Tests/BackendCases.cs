using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests;

/// <summary>
/// The devices every op test runs on. A fixture marked
/// <c>[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]</c> takes a <see cref="Device"/> in its
/// constructor and runs once per entry. A new backend joins every op test by adding one entry here.
/// </summary>
public static class BackendCases
{
    /// <summary>
    /// Every backend available in this run, as NUnit fixture arguments named after the device: the CPU, the GPU
    /// kernels on ILGPU's CPU simulator (always, so CI checks every kernel), and CUDA when a GPU is present (else
    /// the fixture is reported as ignored with the reason).
    /// </summary>
    public static IEnumerable<TestFixtureData> All()
    {
        yield return new TestFixtureData(Device.Cpu).SetArgDisplayNames("cpu");
        yield return new TestFixtureData(GpuDevices.Simulator()).SetArgDisplayNames("ilgpu-cpu");
        var cuda = GpuDevices.Get(DeviceKind.Cuda);
        if (cuda is not null)
        {
            // The op tests expect a bad index to throw at the op, as on the CPU; a GPU defers that to the next wait.
            ((GpuBackend)cuda.Backend).CheckIndicesEagerly = true;
            yield return new TestFixtureData(cuda).SetArgDisplayNames("cuda");
        }
        else yield return new TestFixtureData(Device.Cpu).SetArgDisplayNames("cuda").Ignore($"no CUDA device: {CudaMissingReason}");
    }

    /// <summary>Why no CUDA device is used in this run, from device discovery.</summary>
    public static string CudaMissingReason =>
        GpuDevices.Discover().FirstOrDefault(r => r.Kind == DeviceKind.Cuda && !r.Usable)?.Detail ?? "none found";

    /// <summary>
    /// True for ILGPU's CPU simulator. It is about a thousand times slower than the CPU backend, so op tests use
    /// small sizes there (see <see cref="Size"/> and <see cref="SkipOnSimulator"/>).
    /// </summary>
    public static bool IsSimulator(Device device) => device.Kind == DeviceKind.Simulator;

    /// <summary><paramref name="full"/> on real backends, <paramref name="simulator"/> on the simulator.</summary>
    public static int Size(Device device, int full, int simulator) => IsSimulator(device) ? simulator : full;

    /// <summary>Skips the calling test on the simulator, reporting it as ignored with the reason.</summary>
    public static void SkipOnSimulator(Device device, string reason = "too large for ILGPU's CPU simulator; the same kernel runs at a small size in the other cases")
    {
        if (IsSimulator(device)) Assert.Ignore(reason);
    }
}
