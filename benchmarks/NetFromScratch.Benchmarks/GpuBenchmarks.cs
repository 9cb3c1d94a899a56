using BenchmarkDotNet.Attributes;
using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Benchmarks;

/// <summary>
/// The GPU backend's main kernels at training sizes, on the fastest GPU present (CUDA, else OpenCL; set
/// <c>NFS_DEVICE</c> to choose). Each benchmark queues its work and then waits for the device, so the time is the
/// device's. SGEMM GFLOP/s = <c>2*M*N*K / time</c>; the transfer counters are printed after each run to show that
/// the hot path moved nothing through the host.
/// <c>dotnet run -c Release --project benchmarks/NetFromScratch.Benchmarks -- --filter '*Gpu*'</c>
/// </summary>
[MemoryDiagnoser, MinColumn]
public class GpuBenchmarks
{
    private Device _device = null!;
    private GpuBackend _backend = null!;
    private Tensor _a4k = null!, _b4k = null!, _a1k = null!, _b1kT = null!;
    private Tensor _image = null!, _weight = null!, _bias = null!, _gradOut = null!;
    private Tensor _logits = null!, _big = null!, _big2 = null!;
    private Tensor _x = null!, _w1 = null!, _w2 = null!;

    /// <summary>Finds the GPU and uploads every input once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var requested = Environment.GetEnvironmentVariable("NFS_DEVICE");
        _device = string.IsNullOrWhiteSpace(requested) ? GpuDevices.Fastest() : GpuDevices.Resolve(requested, Console.Error.WriteLine);
        if (_device.Backend is not GpuBackend backend)
            throw new InvalidOperationException("GPU benchmarks need a CUDA or OpenCL device; `nfs devices` says why none is used.");
        _backend = backend;
        var g = new Generator(1);
        _a4k = Tensor.Randn(new Shape(4096, 4096), g, _device);
        _b4k = Tensor.Randn(new Shape(4096, 4096), g, _device);
        _a1k = Tensor.Randn(new Shape(1024, 1024), g, _device);
        _b1kT = Tensor.Randn(new Shape(1024, 1024), g, _device).T;
        _image = Tensor.Randn(new Shape(64, 64, 56, 56), g, _device);
        _weight = Tensor.Randn(new Shape(64, 64, 3, 3), g, _device);
        _bias = Tensor.Randn(new Shape(64), g, _device);
        _gradOut = Tensor.Randn(new Shape(64, 64, 56, 56), g, _device);
        _logits = Tensor.Randn(new Shape(4096, 1000), g, _device);
        _big = Tensor.Randn(new Shape(16 << 20), g, _device);
        _big2 = Tensor.Randn(new Shape(16 << 20), g, _device);
        _x = Tensor.Randn(new Shape(512, 784), g, _device);
        _w1 = Tensor.Randn(new Shape(784, 1024), g, _device).Mul(0.03f);
        _w2 = Tensor.Randn(new Shape(1024, 10), g, _device).Mul(0.03f);
        _backend.Synchronize();
    }

    /// <summary>Prints the device and the counters: uploads and downloads should not grow during a run.</summary>
    [GlobalCleanup]
    public void Report() => Console.WriteLine($"// {_device}: {_backend.Statistics}; pool {_backend.Pool}");

    private void Done(Tensor t)
    {
        _backend.Synchronize();
        t.Dispose();
    }

    /// <summary>SGEMM [4096, 4096] @ [4096, 4096]: 137 GFLOP per call.</summary>
    [Benchmark]
    public void Sgemm4096() => Done(_a4k.MatMul(_b4k));

    /// <summary>SGEMM 1024 with B transposed (read in place through its strides).</summary>
    [Benchmark]
    public void Sgemm1024TransposedB() => Done(_a1k.MatMul(_b1kT));

    /// <summary>A ResNet stage-1 convolution, 3x3 pad 1 on [64, 64, 56, 56] (im2col + GEMM): 14.8 GFLOP.</summary>
    [Benchmark]
    public void Conv2dForward() => Done(Tensor.Conv2d(_image, _weight, _bias, Conv2dParams.Square(padding: 1)));

    /// <summary>Its input gradient (GEMM with the transposed weight + col2im).</summary>
    [Benchmark]
    public void Conv2dBackwardInput() => Done(Tensor.Conv2dBackwardInput(_gradOut, _weight, _image.Shape, Conv2dParams.Square(padding: 1)));

    /// <summary>Its weight gradient (one GEMM over the whole batch).</summary>
    [Benchmark]
    public void Conv2dBackwardWeight() => Done(Tensor.Conv2dBackwardWeight(_image, _gradOut, _weight.Shape, Conv2dParams.Square(padding: 1)));

    /// <summary>Log-softmax of [4096, 1000] logits (one group per row).</summary>
    [Benchmark]
    public void LogSoftmax() => Done(_logits.LogSoftmax(1));

    /// <summary>Sum of 16 Mi elements (split across groups, then folded).</summary>
    [Benchmark]
    public void SumOf16M() => Done(_big.Sum());

    /// <summary>Elementwise add of two 16 Mi vectors: 192 MiB of traffic.</summary>
    [Benchmark]
    public void Add16M() => Done(_big.Add(_big2));

    /// <summary>An MLP step, 784-1024-10 on a batch of 512: forward, a softmax-like backward and an SGD update.</summary>
    [Benchmark]
    public void MlpStep()
    {
        using var h = _x.MatMul(_w1);
        using var a = h.Relu();
        using var logits = a.MatMul(_w2);
        using var p = logits.Softmax(1);
        using var g2 = a.T.MatMul(p);
        using var ga = p.MatMul(_w2.T);
        using var g1 = _x.T.MatMul(ga.Mul(h.Gt(0f)));
        _w2.SubInPlace(g2.Mul(1e-4f));
        _w1.SubInPlace(g1.Mul(1e-4f));
        _backend.Synchronize();
    }
}
