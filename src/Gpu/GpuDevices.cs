using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using NetFromScratch.Tensors;
using IlgpuDevice = ILGPU.Runtime.Device;

namespace NetFromScratch.Gpu;

/// <summary>
/// Finds the GPUs ILGPU can drive and hands out one <see cref="Tensors.Device"/> per GPU (created on first use and
/// kept for the process). Discovery never throws: a missing or broken driver becomes a line in
/// <see cref="Discover"/> saying why, and asking for a device that is not there falls back to the CPU with a notice.
/// </summary>
public static class GpuDevices
{
    private static readonly Lazy<Discovery> Found = new(Run, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly ConcurrentDictionary<string, Device?> Created = new();
    private static readonly Lazy<Device> SimulatorDevice = new(() => CreateSimulator(4, 1, "ilgpu-cpu"));
    private static readonly ConcurrentDictionary<string, string> Failures = new();

    /// <summary>Spellings <see cref="Resolve"/> accepts, for help texts.</summary>
    public const string Choices = "auto, cpu, cuda, cuda:N, opencl, opencl:N, simulator";

    /// <summary>
    /// What discovery found: the CPU, each usable GPU, and each driver or device that was not used with the reason
    /// (no driver, no device, an OpenCL device without generic address space, an accelerator that failed to start).
    /// </summary>
    public static IReadOnlyList<DeviceReport> Discover()
    {
        var d = Found.Value;
        var list = new List<DeviceReport>
        {
            new("cpu", DeviceKind.Cpu, true, $"managed SIMD backend, {Environment.ProcessorCount} logical cores"),
        };
        foreach (var r in d.Reports)
            list.Add(Failures.TryGetValue(r.Name, out var why) ? r with { Usable = false, Detail = $"{r.Detail}; failed to start: {why}" } : r);
        list.Add(new("simulator", DeviceKind.Simulator, true, "ILGPU's CPU accelerator: runs the GPU kernels on the CPU, slowly; for tests only"));
        return list;
    }

    /// <summary>The <paramref name="ordinal"/>-th usable GPU of <paramref name="kind"/>, or null when there is none.</summary>
    public static Device? Get(DeviceKind kind, int ordinal = 0)
    {
        if (kind == DeviceKind.Cpu) return Device.Cpu;
        if (kind == DeviceKind.Simulator) return Simulator();
        string name = $"{Prefix(kind)}:{ordinal}";
        return Created.GetOrAdd(name, _ => Create(kind, ordinal, name));
    }

    /// <summary>The fastest device present: the first CUDA GPU, else the first OpenCL GPU, else the CPU.</summary>
    public static Device Fastest() => Get(DeviceKind.Cuda) ?? Get(DeviceKind.OpenCL) ?? Device.Cpu;

    /// <summary>
    /// The device named by <paramref name="spec"/> (see <see cref="Choices"/>; null, empty or <c>auto</c> picks
    /// <see cref="Fastest"/>). A GPU that is not available gives the CPU, and <paramref name="notice"/> gets one line
    /// saying so and why.
    /// </summary>
    /// <exception cref="ArgumentException">The spelling is not one of <see cref="Choices"/>.</exception>
    public static Device Resolve(string? spec, Action<string>? notice = null)
    {
        string s = (spec ?? "").Trim().ToLowerInvariant();
        if (s is "" or "auto") return Fastest();
        if (s == "cpu") return Device.Cpu;
        if (s is "simulator" or "ilgpu-cpu") return Simulator();
        var parts = s.Split(':');
        DeviceKind? kind = parts[0] switch { "cuda" or "gpu" => DeviceKind.Cuda, "opencl" => DeviceKind.OpenCL, _ => null };
        int ordinal = 0;
        if (kind is null || parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], out ordinal) || ordinal < 0)))
            throw new ArgumentException($"Unknown device '{spec}'; choose one of: {Choices}.");
        var device = Get(kind.Value, ordinal);
        if (device is not null) return device;
        notice?.Invoke($"{s} is not available ({WhyMissing(kind.Value, ordinal)}); using the CPU.");
        return Device.Cpu;
    }

    /// <summary>
    /// The ILGPU CPU accelerator as a device (one per process): the GPU kernels, run by a simulator. Its groups are
    /// one warp of 4 threads: the simulator runs every thread as an OS thread, and a launch of a few threads costs
    /// about a tenth of a millisecond where 16 or more cost milliseconds. It is about a thousand times slower than
    /// the CPU backend; for tests only.
    /// </summary>
    public static Device Simulator() => SimulatorDevice.Value;

    /// <summary>A new simulator device whose groups have <c>warpSize * warps</c> threads (256 runs the GPU's GEMM tile).</summary>
    internal static Device CreateSimulator(int warpSize, int warps, string name)
    {
        var context = Context.Create(b => b.CPU(new CPUDevice(warpSize, warps, 1)).EnableAlgorithms());
        var accelerator = context.CreateCPUAccelerator(0);
        return new Device($"{name} (simulator)", DeviceKind.Simulator, d => new GpuBackend(d, accelerator) { OwnedContext = context });
    }

    private static string Prefix(DeviceKind kind) => kind == DeviceKind.Cuda ? "cuda" : "opencl";

    private static string WhyMissing(DeviceKind kind, int ordinal)
    {
        string name = $"{Prefix(kind)}:{ordinal}";
        if (Failures.TryGetValue(name, out var failure)) return failure;
        var reports = Found.Value.Reports.Where(r => r.Kind == kind).ToList();
        var unusable = reports.FirstOrDefault(r => !r.Usable);
        int usable = reports.Count(r => r.Usable);
        if (usable > 0) return $"only {usable} {Prefix(kind)} device{(usable == 1 ? "" : "s")} found";
        return unusable?.Detail ?? "no device found";
    }

    private static Device? Create(DeviceKind kind, int ordinal, string name)
    {
        var d = Found.Value;
        var candidates = d.Usable.Where(u => u.Kind == kind).ToList();
        if (ordinal >= candidates.Count || d.Context is null) return null;
        var (ilgpu, _) = candidates[ordinal];
        try
        {
            var accelerator = ilgpu.CreateAccelerator(d.Context);
            return new Device($"{name} ({ilgpu.Name})", kind, dev => new GpuBackend(dev, accelerator));
        }
        catch (Exception e)
        {
            // A broken driver must not take the program down: report it and let the caller fall back.
            Failures[name] = e.Message.Split('\n')[0];
            return null;
        }
    }

    private sealed record Discovery(Context? Context, List<DeviceReport> Reports, List<(IlgpuDevice Device, DeviceKind Kind)> Usable);

    private static Discovery Run()
    {
        NativeLibraryNames.Register();
        var reports = new List<DeviceReport>();
        var refused = new List<DeviceReport>();
        var usable = new List<(IlgpuDevice, DeviceKind)>();
        Context? context = null;
        try
        {
            context = Context.Create(b => b
                .Cuda(cuda => Accept(cuda, refused))
                .OpenCL(cl => Accept(cl, refused))
                .EnableAlgorithms()
                .Optimize(OptimizationLevel.O2));
        }
        catch (Exception e)
        {
            reports.Add(new("gpu", DeviceKind.Cuda, false, $"ILGPU could not start: {e.Message.Split('\n')[0]}"));
        }

        int cudaIndex = 0, clIndex = 0;
        foreach (var device in context?.Devices ?? [])
        {
            switch (device.AcceleratorType)
            {
                case AcceleratorType.Cuda:
                    usable.Add((device, DeviceKind.Cuda));
                    reports.Add(new($"cuda:{cudaIndex++}", DeviceKind.Cuda, true, Describe(device)));
                    break;
                case AcceleratorType.OpenCL:
                    usable.Add((device, DeviceKind.OpenCL));
                    reports.Add(new($"opencl:{clIndex++}", DeviceKind.OpenCL, true, Describe(device)));
                    break;
                // ILGPU adds its CPU accelerator when nothing else registered; that is the simulator, not a GPU.
            }
        }
        reports.AddRange(refused);
        if (cudaIndex == 0 && !refused.Any(r => r.Kind == DeviceKind.Cuda))
            reports.Add(new("cuda", DeviceKind.Cuda, false, MissingDriver("cuda", "CUDA", "NVIDIA driver")));
        if (clIndex == 0 && !refused.Any(r => r.Kind == DeviceKind.OpenCL))
            reports.Add(new("opencl", DeviceKind.OpenCL, false, MissingDriver("OpenCL", "OpenCL", "OpenCL runtime (ICD loader)")));
        return new Discovery(context, reports, usable);
    }

    private static bool Accept(CudaDevice device, List<DeviceReport> refused)
    {
        // The same test as ILGPU's own Cuda() default, with the reason kept.
        string? reason = null;
        if (device.Architecture is null)
            reason = "compute capability not supported by ILGPU 1.5.3";
        else if (device.InstructionSet is not { } isa || !PTXCodeGenerator.SupportedInstructionSets.Contains(isa))
            reason = $"driver {device.DriverVersion} offers no PTX version that ILGPU 1.5.3 emits (update the driver)";
        if (reason is null) return true;
        refused.Add(new($"cuda ({device.Name.Trim()})", DeviceKind.Cuda, false, reason));
        return false;
    }

    private static bool Accept(CLDevice device, List<DeviceReport> refused)
    {
        string? reason = null;
        if (device.DeviceType != CLDeviceType.CL_DEVICE_TYPE_GPU && device.DeviceType != CLDeviceType.CL_DEVICE_TYPE_ACCELERATOR)
            reason = $"{device.DeviceType} device (the managed CPU backend is faster than OpenCL on a CPU)";
        else if (device.CVersion < CLCVersion.CL20)
            reason = $"OpenCL C {device.CVersion}; ILGPU needs 2.0 or later";
        else if (!device.Capabilities.GenericAddressSpace)
            reason = "no generic address space support, which ILGPU's OpenCL backend requires";
        if (reason is null) return true;
        refused.Add(new($"opencl ({device.Name.Trim()})", DeviceKind.OpenCL, false, reason));
        return false;
    }

    private static string MissingDriver(string library, string api, string what)
    {
        string files = string.Join(" or ", NativeLibraryNames.Candidates(library));
        string? loaded = NativeLibraryNames.Probe(library);
        string note = NativeLibraryNames.Problem is { } p ? $" ({p})" : "";
        return loaded is null
            ? $"no {what}: {files} not found{note}"
            : $"{loaded} loads, but {api} reports no usable device{note}";
    }

    private static string Describe(IlgpuDevice device)
    {
        string memory = GpuOutOfMemoryException.Format(device.MemorySize);
        string arch = device is CudaDevice cuda && cuda.Architecture is { } a ? $", {a}" : "";
        return $"{device.Name.Trim()}, {memory}, {device.NumMultiprocessors} multiprocessors{arch}";
    }
}
