using System.Reflection;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>Every device kernel of the backend by name, so tests can compile each one for every target ILGPU supports.</summary>
internal static class KernelCatalog
{
    public static IEnumerable<(string Name, MethodInfo Method)> All()
    {
        foreach (var type in new[] { typeof(ElementwiseKernels), typeof(ReductionKernels), typeof(ConvolutionKernels),
                     typeof(PoolingKernels), typeof(IndexingKernels), typeof(PadKernels), typeof(RandomKernel), typeof(IndexValidation) })
            foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Where(m => m.ReturnType == typeof(void)))
                yield return ($"{type.Name}.{m.Name}", m);
        var gemm = typeof(GemmKernel).GetMethod(nameof(GemmKernel.Run))!;
        yield return ("GemmKernel.Run<GemmTile64>", gemm.MakeGenericMethod(typeof(GemmTile64)));
        yield return ("GemmKernel.Run<GemmTile8>", gemm.MakeGenericMethod(typeof(GemmTile8)));
    }
}
