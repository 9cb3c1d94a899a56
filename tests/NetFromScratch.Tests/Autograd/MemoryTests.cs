using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Autograd;

/// <summary>A training loop must not leak: graphs are released after each backward and buffers are reused.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class MemoryTests(Device device)
{
    [TestCase(false, TestName = "ThousandTrainingStepsKeepManagedMemoryFlat(graphs left to the collector)")]
    [TestCase(true, TestName = "ThousandTrainingStepsKeepManagedMemoryFlat(DisposeGraph after each step)")]
    public void ThousandTrainingStepsKeepManagedMemoryFlat(bool disposeGraph)
    {
        var gen = new Generator(3);
        var w1 = new Variable(Tensor.Randn(new Shape(16, 8), gen, device) * 0.3f, requiresGrad: true, name: "w1");
        var b1 = new Variable(Tensor.Zeros(new Shape(16), device), requiresGrad: true, name: "b1");
        var w2 = new Variable(Tensor.Randn(new Shape(4, 16), gen, device) * 0.3f, requiresGrad: true, name: "w2");
        var b2 = new Variable(Tensor.Zeros(new Shape(4), device), requiresGrad: true, name: "b2");
        Variable[] parameters = [w1, b1, w2, b2];
        var x = new Variable(Tensor.Randn(new Shape(32, 8), gen, device));
        var oneHot = new float[32 * 4];
        for (int i = 0; i < 32; i++) oneHot[i * 4 + i % 4] = 1f;
        var targets = Tensor.FromArray(oneHot, new Shape(32, 4), device);

        float Step()
        {
            var logits = F.Linear(F.Linear(x, w1, b1).Relu(), w2, b2);
            var loss = F.MseLoss(logits.Softmax(), targets);
            loss.Backward();
            using (NoGrad.Scope())
                foreach (var p in parameters)
                {
                    using var update = p.Grad! * 0.5f;
                    p.Data.SubInPlace(update);
                    p.ZeroGrad();
                }
            float value = loss.Item();
            if (disposeGraph) loss.DisposeGraph();
            return value;
        }

        float first = 0;
        for (int i = 0; i < 50; i++) first = Step();
        long before = Settled();
        float last = 0;
        // The GPU simulator runs the same loop a thousand times slower: fewer steps show the same flatness.
        int steps = BackendCases.Size(device, 1000, 150);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++) last = Step();
        long allocatedPerStep = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / steps;
        long after = Settled();
        TestContext.Out.WriteLine($"managed heap {before} -> {after} bytes; {allocatedPerStep} bytes allocated per step");
        Assert.That(last, Is.LessThan(first), "the loop trains");
        Assert.That(after - before, Is.LessThan(2_000_000), $"managed memory grew from {before} to {after} bytes");
    }

    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
