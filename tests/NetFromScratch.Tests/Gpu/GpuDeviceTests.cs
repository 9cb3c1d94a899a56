using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Gpu;

/// <summary>
/// Devices from the outside: placement and copies between devices, the error for mixed devices, discovery and the
/// fallback when a requested GPU is missing, transfer counting, the memory pool and the out-of-memory message.
/// Each test that counts makes its own simulator device, so counts are not disturbed by other tests.
/// </summary>
public class GpuDeviceTests
{
    private static (Device Device, GpuBackend Backend) Fresh(string name)
    {
        var device = GpuDevices.CreateSimulator(4, 1, name);
        return (device, (GpuBackend)device.Backend);
    }

    [Test]
    public void AnOpOnTensorsFromTwoDevicesNamesBoth()
    {
        var sim = GpuDevices.Simulator();
        var a = Tensor.Ones(new Shape(2, 2));
        var b = Tensor.Ones(new Shape(2, 2), sim);
        var e = Assert.Throws<InvalidOperationException>(() => a.Add(b));
        Assert.That(e!.Message, Does.Contain("cpu").And.Contain(sim.Name).And.Contain("Add"));
        e = Assert.Throws<InvalidOperationException>(() => b.MatMul(a));
        Assert.That(e!.Message, Does.Contain("cpu").And.Contain(sim.Name).And.Contain("MatMul"));
    }

    [Test]
    public void ToCopiesBetweenDevicesAndBack()
    {
        var sim = GpuDevices.Simulator();
        var host = Tensor.FromArray(TensorAssert.RandomData(12, 1), new Shape(3, 4));
        var onSim = host.T.To(sim);
        Assert.That(onSim.Device, Is.SameAs(sim));
        Assert.That(onSim.Shape, Is.EqualTo(new Shape(4, 3)));
        Assert.That(onSim.Storage, Is.InstanceOf<GpuStorage>());
        Assert.That(onSim.To(sim), Is.SameAs(onSim));
        var back = onSim.Mul(2f).To(Device.Cpu);
        Assert.That(back.Device, Is.SameAs(Device.Cpu));
        Assert.That(back.ToArray(), Is.EqualTo(host.T.Mul(2f).ToArray()));
    }

    [Test]
    public void DiscoveryListsTheCpuTheSimulatorAndWhyEachGpuDriverWasOrWasNotUsed()
    {
        var reports = GpuDevices.Discover();
        Assert.That(reports.Select(r => r.Name), Does.Contain("cpu").And.Contain("simulator"));
        foreach (var kind in new[] { DeviceKind.Cuda, DeviceKind.OpenCL })
        {
            var found = reports.Where(r => r.Kind == kind).ToList();
            Assert.That(found, Is.Not.Empty, $"{kind} has a line");
            foreach (var r in found) Assert.That(r.Detail, Is.Not.Empty, r.Name);
        }
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, reports));
    }

    [Test]
    public void AMissingGpuFallsBackToTheCpuWithAOneLineNotice()
    {
        if (GpuDevices.Get(DeviceKind.Cuda) is not null) Assert.Ignore("a CUDA device is present, so nothing falls back");
        var notices = new List<string>();
        var device = GpuDevices.Resolve("cuda", notices.Add);
        Assert.That(device, Is.SameAs(Device.Cpu));
        Assert.That(notices, Has.Count.EqualTo(1));
        Assert.That(notices[0], Does.Contain("cuda").And.Contain("CPU").And.Not.Contain("\n"));
        Assert.That(GpuDevices.Resolve("cuda:3", notices.Add), Is.SameAs(Device.Cpu));
    }

    [Test]
    public void ResolveUnderstandsEveryChoiceAndRejectsOthers()
    {
        Assert.That(GpuDevices.Resolve("cpu"), Is.SameAs(Device.Cpu));
        Assert.That(GpuDevices.Resolve(" Simulator "), Is.SameAs(GpuDevices.Simulator()));
        Assert.That(GpuDevices.Resolve(null), Is.SameAs(GpuDevices.Fastest()));
        Assert.That(GpuDevices.Fastest().Kind, Is.Not.EqualTo(DeviceKind.Simulator), "the simulator is never picked by itself");
        var e = Assert.Throws<ArgumentException>(() => GpuDevices.Resolve("tpu"));
        Assert.That(e!.Message, Does.Contain("tpu").And.Contain("cuda"));
        Assert.Throws<ArgumentException>(() => GpuDevices.Resolve("cuda:x"));
    }

    [Test]
    public void ASequenceOfOpsMovesNoDataThroughTheHost()
    {
        var (device, backend) = Fresh("ilgpu-cpu-transfers");
        using var owner = backend;
        // As on a GPU: index checks are read back at the next wait, not at each op.
        backend.CheckIndicesEagerly = false;
        var x = Tensor.FromArray(TensorAssert.RandomData(6 * 8, 1), new Shape(6, 8), device);
        var w = Tensor.Randn(new Shape(8, 4), new Generator(3), device);
        var labels = Tensor.FromArray(new float[] { 0, 3, 1, 2, 2, 0 }, new Shape(6, 1), device);
        long uploads = backend.Statistics.Uploads, downloads = backend.Statistics.Downloads, checks = backend.Statistics.ErrorChecks;

        // A small forward and backward pass: matmul, bias, relu, log-softmax, gather, reductions, transposed products.
        var h = x.MatMul(w).Add(Tensor.Full(new Shape(4), 0.1f, device)).Relu();
        var logp = h.LogSoftmax(1);
        var loss = logp.Gather(1, labels).Mean().Neg();
        var grad = logp.Exp().Sub(Tensor.OneHot(labels.Squeeze(1), 4));
        var gw = x.T.MatMul(grad.Mul(h.Gt(0f)));
        var update = w.Sub(gw.Mul(0.1f)).Pad([1, 1], PadMode.Replicate).Sum(0);

        Assert.That(backend.Statistics.Uploads, Is.EqualTo(uploads), "uploads during the ops");
        Assert.That(backend.Statistics.Downloads, Is.EqualTo(downloads), "downloads during the ops");
        Assert.That(backend.Statistics.ErrorChecks, Is.EqualTo(checks), "index checks wait for the next download");
        Assert.That(backend.Statistics.KernelLaunches, Is.GreaterThan(10));

        Assert.That(float.IsFinite(loss.Item()), Is.True);
        Assert.That(update.ToArray(), Has.Length.EqualTo(6));
        Assert.That(backend.Statistics.Downloads, Is.EqualTo(downloads + 2), "one download per read");
    }

    [Test]
    public void ASteadyLoopAllocatesNoNewDeviceBuffers()
    {
        var (device, backend) = Fresh("ilgpu-cpu-pool");
        using var owner = backend;
        using var x = Tensor.FromArray(TensorAssert.RandomData(32 * 16, 2), new Shape(32, 16), device);
        using var w = Tensor.FromArray(TensorAssert.RandomData(16 * 8, 3), new Shape(16, 8), device);
        long afterFirst = 0;
        for (int step = 0; step < 5; step++)
        {
            using (var h = x.MatMul(w))
            using (var a = h.Apply(UnaryOp.Tanh))
            using (var s = a.Softmax(1))
            using (var m = s.Reduce(ReduceOp.Mean, [0], keepDim: true))
            using (var r = Tensor.Rand(new Shape(16, 8), new Generator(7), device))
                w.ApplyInPlace(UnaryOp.Affine, 0.99f, 0f);
            if (step == 0) afterFirst = backend.Pool.Allocations;
        }
        Assert.That(backend.Pool.Allocations, Is.EqualTo(afterFirst), backend.Pool.ToString());
        Assert.That(backend.Pool.Reuses, Is.GreaterThan(0));
    }

    [Test]
    public void UndisposedTensorsGiveTheirBuffersBackWhenCollected()
    {
        var (device, backend) = Fresh("ilgpu-cpu-finalized");
        using var owner = backend;
        MakeGarbage(device);
        long inUse = backend.Pool.InUseBytes;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(backend.Pool.InUseBytes, Is.LessThan(inUse));
        Assert.That(backend.Pool.CachedBytes, Is.GreaterThan(0));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void MakeGarbage(Device device)
    {
        for (int i = 0; i < 4; i++) _ = Tensor.Ones(new Shape(1000), device).Mul(2f);
    }

    [Test]
    public void RunningOutOfMemorySaysWhatWasAskedForAndWhatWasFree()
    {
        var (device, backend) = Fresh("ilgpu-cpu-oom");
        using var owner = backend;
        backend.Pool.LimitBytes = 1 << 20;
        using var kept = Tensor.Zeros(new Shape(128 * 1024), device);
        var e = Assert.Throws<GpuOutOfMemoryException>(() => Tensor.Zeros(new Shape(512 * 1024), device));
        Assert.That(e!.RequestedBytes, Is.EqualTo(2L << 20));
        Assert.That(e.FreeBytes, Is.EqualTo(512L << 10));
        Assert.That(e.Message, Does.Contain("out of memory").And.Contain("2.0 MiB").And.Contain("512.0 KiB free").And.Contain(device.Name));
        // The failure leaves the device usable.
        Assert.That(Tensor.Ones(new Shape(16), device).Sum().Item(), Is.EqualTo(16f));
    }
}
