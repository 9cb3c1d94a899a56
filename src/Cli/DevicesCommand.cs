using System.CommandLine;
using System.Diagnostics;
using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs devices</c>: lists the devices found, says for each one that is not used why not (no driver, an OpenCL
/// device without generic address space, ...), and which device the other commands would pick.
/// </summary>
public static class DevicesCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var device = DeviceOption.Create();
        var check = new Option<bool>("--check")
        {
            Description = "Run a small matrix product on the selected device and compare it with the CPU.",
        };
        var command = new Command("devices", "List CPU and GPU devices, why any GPU is not used, and which device commands run on.");
        command.Options.Add(device);
        command.Options.Add(check);
        command.SetAction(result =>
        {
            var output = Console.Out;
            output.WriteLine("Devices:");
            foreach (var report in GpuDevices.Discover()) output.WriteLine($"  {report}");
            string? requested = result.GetValue(device);
            Device selected;
            try
            {
                selected = DeviceOption.Resolve(requested);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"nfs: {e.Message}");
                return 2;
            }
            output.WriteLine($"Selected: {selected} ({DeviceOption.Source(requested)})");
            return result.GetValue(check) ? Check(selected, output) : 0;
        });
        return command;
    }

    private static int Check(Device device, TextWriter output)
    {
        // The simulator is a thousand times slower than the CPU; keep its check short.
        int n = device.Kind == DeviceKind.Simulator ? 48 : 256;
        var a = Tensor.Rand(new Shape(n, n), new Generator(1));
        var b = Tensor.Rand(new Shape(n, n), new Generator(2));
        var expected = a.MatMul(b).ToArray();
        var watch = Stopwatch.StartNew();
        var actual = a.To(device).MatMul(b.To(device)).ToArray();
        watch.Stop();
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / Math.Max(1, Math.Abs(expected[i])));
        bool ok = worst < 1e-4;
        output.WriteLine($"Check: {n}x{n} matmul on {device} {(ok ? "agrees with" : "DIFFERS from")} the CPU " +
                         $"(largest relative difference {worst:E1}; {watch.Elapsed.TotalMilliseconds:F0} ms including upload and kernel compilation)");
        return ok ? 0 : 1;
    }
}
