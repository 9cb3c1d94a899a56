using NetFromScratch.Cli;
using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Gpu;

/// <summary>The shared <c>--device</c> option and <c>nfs devices</c>.</summary>
[NonParallelizable]
public class DeviceOptionTests
{
    [Test]
    public void TheOptionWinsOverTheEnvironmentVariableWhichWinsOverTheDefault()
    {
        string? saved = Environment.GetEnvironmentVariable(DeviceOption.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DeviceOption.EnvironmentVariable, "simulator");
            Assert.That(DeviceOption.Resolve(null), Is.SameAs(GpuDevices.Simulator()));
            Assert.That(DeviceOption.Source(null), Is.EqualTo("$NFS_DEVICE"));
            Assert.That(DeviceOption.Resolve("cpu"), Is.SameAs(Device.Cpu));
            Assert.That(DeviceOption.Source("cpu"), Is.EqualTo("--device"));
            Environment.SetEnvironmentVariable(DeviceOption.EnvironmentVariable, null);
            Assert.That(DeviceOption.Resolve(null), Is.SameAs(GpuDevices.Fastest()));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DeviceOption.EnvironmentVariable, saved);
        }
    }

    [Test]
    public void AMissingGpuIsOneNoticeLineNotACrash()
    {
        if (GpuDevices.Get(DeviceKind.OpenCL) is not null) Assert.Ignore("an OpenCL device is present");
        var notices = new StringWriter();
        Assert.That(DeviceOption.Resolve("opencl", notices), Is.SameAs(Device.Cpu));
        var lines = notices.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        Assert.That(lines[0], Does.StartWith("nfs: opencl is not available (").And.Contain("using the CPU"));
    }

    [Test]
    public void NfsDevicesListsEveryDeviceAndTheSelection()
    {
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        int code;
        try
        {
            code = Program.Main(["devices", "--device", "cpu"]);
        }
        finally
        {
            Console.SetOut(saved);
        }
        Assert.That(code, Is.EqualTo(0));
        var text = output.ToString();
        Assert.That(text, Does.Contain("cpu").And.Contain("cuda").And.Contain("opencl").And.Contain("simulator"));
        Assert.That(text, Does.Contain("Selected: cpu (--device)"));
    }
}
