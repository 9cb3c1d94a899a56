using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Gpu;

/// <summary>
/// Checks that only a real GPU can make: sizes the simulator is too slow for, the hardware's transcendental
/// instructions, the 64x64 GEMM tile across many groups, and no host round trips in a training-like loop.
/// The whole fixture is ignored, with discovery's reason, when no CUDA device is present. (Every op test runs on
/// CUDA as well through <see cref="BackendCases"/>.)
/// Tolerances on CUDA: the kernels' exp and log are within 2 ulps and their fp64 functions within 1, so elementwise
/// results agree with the CPU to 1e-5 here (room for fused multiply-adds) and normal random draws to 1e-5.
/// </summary>
public class CudaTests
{
    private Device _cuda = null!;

    [OneTimeSetUp]
    public void FindDevice()
    {
        var cuda = GpuDevices.Get(DeviceKind.Cuda);
        if (cuda is null) Assert.Ignore($"no CUDA device: {BackendCases.CudaMissingReason}");
        _cuda = cuda;
        TestContext.Out.WriteLine($"running on {_cuda}");
    }

    private Tensor On(Device d, int seed, params int[] shape) =>
        Tensor.FromArray(TensorAssert.RandomData(new Shape(shape).Numel, seed), new Shape(shape), d);

    [Test]
    public void LargeAndTransposedMatMulsMatchTheCpu()
    {
        foreach (var (m, k, n) in new[] { (512, 384, 256), (300, 257, 129), (1, 1000, 1), (1000, 3, 1000) })
        {
            var expected = On(Device.Cpu, 1, m, k).MatMul(On(Device.Cpu, 2, n, k).T).ToArray();
            var actual = On(_cuda, 1, m, k).MatMul(On(_cuda, 2, n, k).T);
            TensorAssert.Close(expected, actual, 1e-4f, 1e-4f);
        }
        var batched = On(Device.Cpu, 3, 8, 64, 96).MatMul(On(Device.Cpu, 4, 96, 80)).ToArray();
        TensorAssert.Close(batched, On(_cuda, 3, 8, 64, 96).MatMul(On(_cuda, 4, 96, 80)), 1e-4f, 1e-4f);
    }

    [Test]
    public void ElementwiseTranscendentalsAndReductionsAgreeWithTheCpu()
    {
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var expected = On(Device.Cpu, 5, 1000, 100).Mul(4f).Apply(op, 1.5f, 0.5f).ToArray();
            TensorAssert.Close(expected, On(_cuda, 5, 1000, 100).Mul(4f).Apply(op, 1.5f, 0.5f), 1e-5f, 1e-5f);
        }
        foreach (var op in Enum.GetValues<ReduceOp>())
        {
            TensorAssert.Close(On(Device.Cpu, 6, 300, 2000).Reduce(op, [1], correction: 1f).ToArray(),
                On(_cuda, 6, 300, 2000).Reduce(op, [1], correction: 1f), 1e-5f, 1e-4f);
            TensorAssert.Close(On(Device.Cpu, 7, 1_000_000).Reduce(op).ToArray(), On(_cuda, 7, 1_000_000).Reduce(op), 1e-5f, 1e-4f);
        }
        TensorAssert.Close(On(Device.Cpu, 8, 512, 1000).Softmax(1).ToArray(), On(_cuda, 8, 512, 1000).Softmax(1), 1e-6f, 1e-4f);
    }

    [Test]
    public void RandomStreamsMatchTheCpu()
    {
        var uniform = Tensor.Rand(new Shape(1 << 20), new Generator(42)).ToArray();
        TensorAssert.Close(uniform, Tensor.Rand(new Shape(1 << 20), new Generator(42), _cuda), 1e-7f, 0f);
        var normal = Tensor.Randn(new Shape(1 << 20), new Generator(43)).ToArray();
        TensorAssert.Close(normal, Tensor.Randn(new Shape(1 << 20), new Generator(43), _cuda), 1e-5f, 1e-5f);
    }

    [Test]
    public void ATrainingLikeLoopMovesNothingThroughTheHost()
    {
        var backend = (GpuBackend)_cuda.Backend;
        var x = On(_cuda, 9, 256, 512);
        var w = On(_cuda, 10, 512, 128).Mul(0.05f);
        long transfers = backend.Statistics.Transfers;
        for (int step = 0; step < 20; step++)
        {
            var y = x.MatMul(w).Relu().LogSoftmax(1);
            var g = x.T.MatMul(y.Exp()).Mul(1e-3f);
            w.SubInPlace(g);
        }
        Assert.That(backend.Statistics.Transfers, Is.EqualTo(transfers));
        backend.Synchronize();
        Assert.That(float.IsFinite(w.Sum().Item()), Is.True);
    }
}
