using System.CommandLine;
using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli;

/// <summary>
/// The <c>--device</c> option every <c>nfs</c> command shares, and how it is resolved: the option, else the
/// <c>NFS_DEVICE</c> environment variable, else the fastest device present (CUDA, then OpenCL, then the CPU).
/// A GPU that was asked for but is missing gives the CPU and one line on standard error saying why.
/// </summary>
public static class DeviceOption
{
    /// <summary>The environment variable consulted when <c>--device</c> is not given.</summary>
    public const string EnvironmentVariable = "NFS_DEVICE";

    /// <summary>A new <c>--device</c> option, to add to a command.</summary>
    public static Option<string?> Create() => new("--device")
    {
        Description = $"Where tensors live and kernels run: {GpuDevices.Choices} " +
                      $"(default: ${EnvironmentVariable}, else the fastest available).",
        HelpName = "device",
    };

    /// <summary>The device chosen for a parsed command line.</summary>
    public static Device Resolve(ParseResult result, Option<string?> option, TextWriter? notices = null) =>
        Resolve(result.GetValue(option), notices);

    /// <summary>
    /// The device for an explicit request (null when the option was not given).
    /// </summary>
    /// <exception cref="ArgumentException">The request names no known device.</exception>
    public static Device Resolve(string? requested, TextWriter? notices = null)
    {
        string? spec = string.IsNullOrWhiteSpace(requested) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : requested;
        var writer = notices ?? Console.Error;
        return GpuDevices.Resolve(spec, line => writer.WriteLine($"nfs: {line}"));
    }

    /// <summary>Where the request came from, for messages: the option, the environment variable, or the default.</summary>
    public static string Source(string? requested) =>
        !string.IsNullOrWhiteSpace(requested) ? "--device"
        : !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)) ? $"${EnvironmentVariable}"
        : "fastest available";
}
