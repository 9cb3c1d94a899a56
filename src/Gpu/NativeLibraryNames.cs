using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;

namespace NetFromScratch.Gpu;

/// <summary>
/// Maps the library names ILGPU imports (<c>cuda</c>, <c>OpenCL</c>) to the files drivers actually install.
/// .NET looks for <c>libcuda.so</c> and <c>libOpenCL.so</c>, but a Linux driver usually ships only the versioned
/// <c>libcuda.so.1</c> and <c>libOpenCL.so.1</c> (the unversioned link comes with development packages), and ILGPU
/// silently treats a library it cannot load as "no device".
/// </summary>
internal static class NativeLibraryNames
{
    private static int _registered;

    /// <summary>A note when the resolver could not be installed (another one was), else null.</summary>
    public static string? Problem { get; private set; }

    /// <summary>Installs the resolver on ILGPU's assembly once, before any ILGPU driver call.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) != 0) return;
        // Under WSL, ILGPU installs its own resolver (the driver lives in /usr/lib/wsl/lib); a second one would make
        // that call fail.
        if (IsWsl()) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            Problem = "ILGPU's native libraries already have a resolver; libcuda.so.1/libOpenCL.so.1 are not mapped";
        }
    }

    private static bool IsWsl()
    {
        try
        {
            return OperatingSystem.IsLinux() && File.ReadAllText("/proc/version").Contains("microsoft", StringComparison.OrdinalIgnoreCase);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>File names tried for an imported library name, most specific first.</summary>
    public static string[] Candidates(string name)
    {
        bool cuda = name is "cuda" or "nvcuda", openCl = name.Equals("opencl", StringComparison.OrdinalIgnoreCase);
        if (OperatingSystem.IsWindows())
            return cuda ? ["nvcuda.dll"] : openCl ? ["OpenCL.dll"] : [];
        if (OperatingSystem.IsMacOS())
            return openCl ? ["/System/Library/Frameworks/OpenCL.framework/OpenCL"] : [];
        return cuda ? ["libcuda.so.1", "libcuda.so"] : openCl ? ["libOpenCL.so.1", "libOpenCL.so"] : [];
    }

    /// <summary>The file that loads for <paramref name="name"/>, or null when none does (no driver installed).</summary>
    public static string? Probe(string name)
    {
        foreach (var file in Candidates(name))
        {
            if (NativeLibrary.TryLoad(file, out var handle))
            {
                NativeLibrary.Free(handle);
                return file;
            }
        }
        return null;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        foreach (var file in Candidates(name))
            if (NativeLibrary.TryLoad(file, assembly, searchPath, out var handle)) return handle;
        // Zero lets .NET try its default probing.
        return IntPtr.Zero;
    }
}
