using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Gpu;

/// <summary>
/// The GPU kernels, run on ILGPU's CPU simulator, against the CPU backend on the same inputs: every elementwise op,
/// reduction, softmax, matrix product and random distribution, with strided, broadcast and odd-sized operands, and
/// each launch shape the backend chooses (one thread per output, one group per output, rows split across groups).
/// Tolerances: the kernels' exp and log are within 2 ulps of MathF and their fp64 functions within an ulp or two
/// (atol 1e-6, rtol 1e-5 covers both); sums accumulate in double on both sides; the GEMM accumulates in float in
/// another order than the CPU's blocked kernel (1e-5).
/// </summary>
public class SimulatorAgreementTests
{
    private static readonly Device Sim = GpuDevices.Simulator();

    /// <summary>Runs <paramref name="op"/> on both devices with inputs made there and compares the results.</summary>
    private static void Agree(Func<Device, Tensor> op, float atol = 1e-6f, float rtol = 1e-5f)
    {
        var expected = op(Device.Cpu);
        var actual = op(Sim);
        Assert.That(actual.Device, Is.SameAs(Sim));
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape));
        TensorAssert.Close(expected.ToArray(), actual, atol, rtol);
    }

    private static Tensor Data(Device d, int seed, params int[] shape) =>
        Tensor.FromArray(TensorAssert.RandomData(new Shape(shape).Numel, seed), new Shape(shape), d);

    private static Tensor Special(Device d) =>
        Tensor.FromArray(new[] { -3f, -0.5f, 0f, -0f, 0.5f, 2f, 25f, -25f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-3f }, new Shape(3, 4), d);

    [TestCaseSource(nameof(UnaryOps))]
    public void UnaryOpOnTransposedInputMatchesCpu(UnaryOp op)
    {
        float a = op switch { UnaryOp.Pow => 2.5f, UnaryOp.Clamp => -0.3f, UnaryOp.LeakyRelu => 0.1f, UnaryOp.Reciprocal => 2f, _ => 1.5f };
        float b = op == UnaryOp.Clamp ? 0.4f : 0.25f;
        Agree(d => Data(d, 3, 7, 5).Mul(3f).T.Apply(op, a, b));
        Agree(d => Special(d).T.Apply(op, a, b));
    }

    public static IEnumerable<UnaryOp> UnaryOps() => Enum.GetValues<UnaryOp>();

    [TestCaseSource(nameof(BinaryOps))]
    public void BinaryOpWithBroadcastingMatchesCpu(BinaryOp op)
    {
        Agree(d => Tensor.Binary(op, Data(d, 1, 3, 1, 4), Data(d, 2, 1, 5, 4).Mul(2f)));
        Agree(d => Tensor.Binary(op, Data(d, 1, 4, 6).T, Data(d, 2, 6, 1)));
        Agree(d => Tensor.Binary(op, Special(d), Special(d).Reshape(4, 3).T));
    }

    public static IEnumerable<BinaryOp> BinaryOps() => Enum.GetValues<BinaryOp>();

    [Test]
    public void WhereCopyFillAndInPlaceUpdatesOfStridedViewsMatchCpu()
    {
        Agree(d => Tensor.Where(Data(d, 1, 4, 1).Gt(0f), Data(d, 2, 4, 5), Data(d, 3, 5)));
        Agree(d =>
        {
            var y = Tensor.Zeros(new Shape(6, 8), d);
            y.Slice(1, 1, null, 2).CopyFrom(Data(d, 4, 4, 6).T);
            y.Narrow(0, 2, 3).FillInPlace(7f);
            y.T.Slice(0, 0, null, 3).AddInPlace(Data(d, 5, 8).Reshape(8, 1).Narrow(0, 0, 3));
            return y;
        });
        Agree(d => Data(d, 6, 2, 3, 4).Permute(2, 0, 1).Contiguous());
    }

    [Test]
    public void CopyHandlesViewsOfEightDimensions()
    {
        int[] shape = [2, 1, 3, 2, 2, 3, 2, 2, 2];
        Agree(d =>
        {
            var x = Data(d, 9, shape).Permute(8, 1, 6, 3, 4, 5, 2, 7, 0).Slice(0, 0, null, 1);
            return x.Contiguous();
        });
        // Nine dimensions that cannot merge are beyond the kernels' layout and must be refused with a clear message.
        var nine = Data(Sim, 1, [2, 2, 2, 2, 2, 2, 2, 2, 2]).Permute(8, 7, 6, 5, 4, 3, 2, 1, 0);
        var e = Assert.Throws<NotSupportedException>(() => nine.Contiguous());
        Assert.That(e!.Message, Does.Contain("Copy").And.Contain("[2, 2, 2, 2, 2, 2, 2, 2, 2]"));
    }

    [TestCase(ReduceOp.Sum)]
    [TestCase(ReduceOp.Mean)]
    [TestCase(ReduceOp.Max)]
    [TestCase(ReduceOp.Min)]
    [TestCase(ReduceOp.Variance)]
    [TestCase(ReduceOp.LogSumExp)]
    public void ReductionsOverEveryAxisSetMatchCpu(ReduceOp op)
    {
        // [3, 5, 40]: axis 2 is long and contiguous (one group per row), axis 0 short (one thread per output).
        int[][] axisSets = [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2]];
        foreach (var axes in axisSets)
        {
            Agree(d => Data(d, 11, 3, 5, 40).Mul(4f).Reduce(op, axes, keepDim: true, correction: 1f), 1e-5f, 1e-5f);
            Agree(d => Data(d, 12, 40, 5, 3).Permute(2, 1, 0).Reduce(op, axes, correction: 0f), 1e-5f, 1e-5f);
        }
    }

    [TestCase(ReduceOp.Sum)]
    [TestCase(ReduceOp.Mean)]
    [TestCase(ReduceOp.Max)]
    [TestCase(ReduceOp.Variance)]
    [TestCase(ReduceOp.LogSumExp)]
    public void ALongReductionSplitAcrossGroupsMatchesCpu(ReduceOp op)
    {
        // 3000 elements into one output: the backend splits the row into pieces and folds their partial results.
        Agree(d => Data(d, 13, 3000).Add(0.5f).Reduce(op, correction: 1f), 1e-5f, 1e-5f);
        Agree(d => Data(d, 14, 1500, 2).T.Reduce(op, [1]), 1e-5f, 1e-5f);
    }

    [Test]
    public void ReductionsPropagateNaNAndInfinityLikeCpu()
    {
        foreach (var op in Enum.GetValues<ReduceOp>())
        {
            Agree(d => Special(d).Reduce(op, [1], correction: 1f), 1e-6f, 1e-5f);
            Agree(d => Tensor.Full(new Shape(2, 40), float.NegativeInfinity, d).Reduce(op, [1]), 1e-6f, 1e-5f);
        }
    }

    [Test]
    public void ArgMaxAndArgMinPickTheFirstWinnerAndNaN()
    {
        foreach (bool max in new[] { true, false })
        {
            Agree(d => Data(d, 15, 6, 7).ArgReduceBoth(max, 1));
            Agree(d => Data(d, 16, 50, 3).T.ArgReduceBoth(max, 1));
            Agree(d => Data(d, 16, 3, 50).ArgReduceBoth(max, 0));
            Agree(d => Tensor.FromArray(new[] { 1f, 3f, 3f, 0f, 3f, 2f, float.NaN, 5f, float.NaN }, new Shape(1, 9), d).ArgReduceBoth(max, 1));
            Agree(d => Tensor.Full(new Shape(2, 40), 1f, d).ArgReduceBoth(max, 1));
        }
    }

    [Test]
    public void SoftmaxAndLogSoftmaxMatchCpu()
    {
        foreach (bool log in new[] { false, true })
        {
            Agree(d => Soft(Data(d, 17, 4, 7).Mul(5f), 1, log));
            Agree(d => Soft(Data(d, 18, 3, 45).Mul(5f), 1, log));
            Agree(d => Soft(Data(d, 19, 45, 3).T, 1, log));
            Agree(d => Soft(Data(d, 20, 2, 6, 3), 1, log));
            Agree(d => Soft(Tensor.FromArray(new[] { float.NegativeInfinity, 0f, 1f, float.NegativeInfinity }, new Shape(2, 2), d), 1, log));
        }
    }

    private static Tensor Soft(Tensor x, int axis, bool log) => log ? x.LogSoftmax(axis) : x.Softmax(axis);

    [Test]
    public void MatMulMatchesCpuForOddSizesTransposesAndBatches()
    {
        Agree(d => Data(d, 21, 17, 23).MatMul(Data(d, 22, 23, 19)), 1e-5f, 1e-5f);
        Agree(d => Data(d, 21, 23, 17).T.MatMul(Data(d, 22, 19, 23).T), 1e-5f, 1e-5f);
        Agree(d => Data(d, 23, 2, 1, 5, 7).MatMul(Data(d, 24, 3, 7, 4)), 1e-5f, 1e-5f);
        Agree(d => Data(d, 25, 9).MatMul(Data(d, 26, 9, 3)), 1e-5f, 1e-5f);
        Agree(d => Data(d, 27, 1, 1).MatMul(Data(d, 28, 1, 33)), 1e-5f, 1e-5f);
        Agree(d => Data(d, 29, 4, 40).MatMul(Data(d, 30, 40).Reshape(40, 1).Expand(40, 5)), 1e-5f, 1e-5f);
    }

    [Test]
    public void MatMulAccumulatesIntoTheOutputWhenAsked()
    {
        Agree(d =>
        {
            var c = Data(d, 31, 5, 6);
            d.Backend.MatMul(Data(d, 32, 5, 9), Data(d, 33, 9, 6), c, accumulate: true);
            return c;
        }, 1e-5f, 1e-5f);
    }

    [Test]
    public void TheGpuTileOf64By64RunsOnAWideSimulator()
    {
        // The 64x64 tile needs groups of 256 threads; a simulator with 16 warps of 16 provides them.
        var wide = GpuDevices.CreateSimulator(16, 16, "ilgpu-cpu-wide");
        using var backend = (GpuBackend)wide.Backend;
        Assert.That(backend.UsesLargeTiles, Is.True);
        var a = TensorAssert.RandomData(70 * 33, 41);
        var b = TensorAssert.RandomData(33 * 65, 42);
        var expected = Tensor.FromArray(a, new Shape(70, 33)).MatMul(Tensor.FromArray(b, new Shape(33, 65)));
        var actual = Tensor.FromArray(a, new Shape(70, 33), wide).MatMul(Tensor.FromArray(b, new Shape(33, 65), wide));
        TensorAssert.Close(expected.ToArray(), actual, 1e-5f, 1e-5f);
        // A transposed A is read along M instead of K: the other tile-loading order.
        var transposed = Tensor.FromArray(a, new Shape(70, 33), wide).T.Contiguous().T.MatMul(Tensor.FromArray(b, new Shape(33, 65), wide));
        TensorAssert.Close(expected.ToArray(), transposed, 1e-5f, 1e-5f);
    }

    [Test]
    public void UniformAndBernoulliDrawsAreBitIdenticalAndNormalDrawsClose()
    {
        foreach (var (dist, a, b) in new[] { (RandomDistribution.Uniform, -2f, 3f), (RandomDistribution.Bernoulli, 0.3f, 0f) })
        {
            var cpu = Tensor.Empty(new Shape(1000));
            cpu.Device.Backend.FillRandom(cpu, dist, 1234, 77, a, b);
            var sim = Tensor.Empty(new Shape(1000), Sim);
            Sim.Backend.FillRandom(sim, dist, 1234, 77, a, b);
            Assert.That(sim.ToArray(), Is.EqualTo(cpu.ToArray()), dist.ToString());
        }
        Agree(d => Tensor.Normal(new Shape(31, 33), 1f, 2f, new Generator(99, 5), d), 1e-6f, 1e-6f);
        Agree(d => Tensor.Rand(new Shape(3, 0, 2), new Generator(1), d));
    }
}

/// <summary>Both results of an arg-reduction in one tensor, so a single comparison covers values and positions.</summary>
internal static class ArgReduceExtensions
{
    public static Tensor ArgReduceBoth(this Tensor x, bool max, int axis)
    {
        var (v, i) = max ? x.MaxWithIndex(axis) : x.MinWithIndex(axis);
        return Tensor.Stack([v, i]);
    }
}
