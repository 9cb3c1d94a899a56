namespace NetFromScratch.Tensors;

/// <summary>The kind of hardware a <see cref="Device"/> runs kernels on.</summary>
public enum DeviceKind
{
    /// <summary>The managed CPU backend (SIMD, multi-threaded).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through CUDA.</summary>
    Cuda,
    /// <summary>An OpenCL device.</summary>
    OpenCL,
    /// <summary>A GPU kernel simulator running on the CPU; for kernel tests only.</summary>
    Simulator,
}
