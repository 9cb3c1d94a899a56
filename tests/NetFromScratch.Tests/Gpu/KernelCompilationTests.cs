using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using NetFromScratch.Gpu.Kernels;

namespace NetFromScratch.Tests.Gpu;

/// <summary>
/// Compiles every kernel to PTX (as the CUDA backend would for an sm_80 GPU; an H100 JIT-compiles that PTX) and to
/// OpenCL C, without any GPU. This catches constructs that run on the CPU simulator but that ILGPU cannot translate
/// for a device, and checks that the GEMM's 4x4 register block really stays in registers (no local memory).
/// </summary>
public class KernelCompilationTests
{
    private static readonly Lazy<Context> CompileContext = new(() => Context.Create(b => b.EnableAlgorithms().Optimize(OptimizationLevel.O2)));

    public static IEnumerable<TestCaseData> Kernels() =>
        KernelCatalog.All().Select(k => new TestCaseData(k.Method).SetArgDisplayNames(k.Name));

    [TestCaseSource(nameof(Kernels))]
    public void CompilesToPtx(MethodInfo kernel)
    {
        using var backend = new PTXBackend(CompileContext.Value, CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null!);
        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), KernelSpecialization.Empty);
        Assert.That(compiled.PTXAssembly, Does.Contain(".entry"));
        if (kernel.Name == nameof(GemmKernel.Run))
        {
            Assert.That(compiled.PTXAssembly, Does.Not.Contain(".local"), "the 16 accumulators must live in registers");
            Assert.That(compiled.PTXAssembly, Does.Contain(".shared"));
        }
    }

    [TestCaseSource(nameof(Kernels))]
    public void CompilesToOpenClC(MethodInfo kernel)
    {
        // The capability context a 2.0 GPU with generic address space reports; its constructor is not public.
        var capabilities = (CLCapabilityContext)Activator.CreateInstance(typeof(CLCapabilityContext),
            BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, [true, true, true, true, true], null)!;
        using var backend = new CLBackend(CompileContext.Value, capabilities, CLDeviceVendor.Nvidia, CLCVersion.CL20);
        var compiled = (CLCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), KernelSpecialization.Empty);
        Assert.That(compiled.Source, Does.Contain("kernel"));
    }
}
