using NetFromScratch.Autograd;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Autograd;

/// <summary>
/// <see cref="ReleaseScope"/> and <see cref="InferenceMode"/>: what they release and what they keep (leaves, kept
/// results, views of released buffers, an op that hands back its input, a training step's graph and gradients),
/// nesting and misuse, and that repeated passes stop allocating.
/// </summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class ReleaseScopeTests(Device device)
{
    private const int Passes = 10;

    private Tensor T(float[] values, params int[] shape) => Tensor.FromArray(values, shape, device);

    [Test]
    public void ReleasesWhatOpsMadeAndKeepsLeavesAndKeptResults()
    {
        var x = new Variable(T([1f, -2f, 3f, -4f], 2, 2), requiresGrad: true, name: "x");
        Variable h, total, kept;
        using (var inference = InferenceMode.Enter())
        {
            Assert.That(NoGrad.IsActive, Is.True);
            Assert.That(ReleaseScope.IsActive, Is.True);
            h = (x * 2f).Relu();
            total = h.Sum();
            Assert.That(total.RequiresGrad, Is.False, "nothing is recorded");
            kept = inference.Keep(h * 3f);
        }
        Assert.That(NoGrad.IsActive, Is.False);
        Assert.That(ReleaseScope.IsActive, Is.False);
        var error = Assert.Throws<ObjectDisposedException>(() => _ = h.Data)!;
        Assert.That(error.Message, Does.Contain("InferenceMode"));
        Assert.Throws<ObjectDisposedException>(() => _ = total.Data);
        Assert.That(kept.Data.ToArray(), Is.EqualTo(new[] { 6f, 0f, 18f, 0f }));
        Assert.That(x.Data.ToArray(), Is.EqualTo(new[] { 1f, -2f, 3f, -4f }), "a leaf is never released");
        kept.Data.Dispose();
    }

    [Test]
    public void AStepOfAPartlyFrozenModelFreesTheFrozenPartAndKeepsItsGradient()
    {
        // A frozen convolution (nothing in it needs a gradient, so it records no graph) feeds a trainable product.
        var g = new Generator(9);
        var x = new Variable(Tensor.Randn(new Shape(4, 2, 6, 6), g, device));
        var frozen = new Variable(Tensor.Randn(new Shape(3, 2, 3, 3), g, device));
        var w = new Variable(Tensor.Randn(new Shape(48, 5), g, device) * 0.1f, requiresGrad: true, name: "w");
        Variable Loss(out Variable features)
        {
            features = F.Conv2d(x, frozen).Relu();
            return features.Reshape(4, 48).MatMul(w).Square().Sum();
        }

        var reference = Loss(out _);
        reference.Backward();
        var expected = w.Grad!.ToArray();
        reference.DisposeGraph();
        w.Grad = null;

        Variable frozenFeatures, loss;
        using (ReleaseScope.Enter())
        {
            Assert.That(NoGrad.IsActive, Is.False, "a release scope leaves grad mode as it is");
            loss = Loss(out frozenFeatures);
            Assert.That(frozenFeatures.RequiresGrad, Is.False);
            Assert.That(loss.RequiresGrad, Is.True);
            loss.Backward();
            loss.DisposeGraph();
        }
        Assert.Throws<ObjectDisposedException>(() => _ = frozenFeatures.Data);
        TensorAssert.Close(expected, w.Grad!, 1e-5f, 1e-4f);
        Assert.That(frozen.Data.ToArray(), Has.Length.EqualTo(54), "the frozen weight is a leaf");
    }

    [Test]
    public void AKeptViewOutlivesTheIntermediateItViews()
    {
        var x = new Variable(T(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 4));
        Variable view;
        using (var inference = InferenceMode.Enter())
        {
            var doubled = x * 2f;
            view = inference.Keep(doubled.Reshape(4, 3));
        }
        // Buffers of this size come back from the pool now: had the view's buffer been returned, this would overwrite it.
        using (InferenceMode.Enter())
            for (int i = 0; i < 4; i++) _ = x * -1f;
        Assert.That(view.Data.ToArray(), Is.EqualTo(Enumerable.Range(0, 12).Select(i => 2f * i).ToArray()));
        view.Data.Dispose();
    }

    [Test]
    public void AnOpThatHandsBackItsInputsTensorDoesNotReleaseIt()
    {
        var x = new Variable(T([1f, 2f, 3f], 3));
        using (InferenceMode.Enter())
        {
            var same = Variable.Custom("Same", x.Data, [x], dY => [dY]);
            Assert.That(same.Data, Is.SameAs(x.Data));
        }
        using (InferenceMode.Enter())
            for (int i = 0; i < 4; i++) _ = x * 0f;
        Assert.That(x.Data.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f }));
    }

    [Test]
    public void AnInnerScopeHandsWhatItKeepsToTheOuterOne()
    {
        var x = new Variable(T([1f, 2f], 2));
        Variable innerKept, outerKept;
        using (var outer = InferenceMode.Enter())
        {
            using (var inner = InferenceMode.Enter())
            {
                innerKept = inner.Keep(x + 1f);
                outerKept = inner.Keep(x + 2f);
            }
            Assert.That(NoGrad.IsActive, Is.True, "the outer scope is still open");
            Assert.That(innerKept.Data.ToArray(), Is.EqualTo(new[] { 2f, 3f }));
            outer.Keep(outerKept);
        }
        Assert.Throws<ObjectDisposedException>(() => _ = innerKept.Data);
        Assert.That(outerKept.Data.ToArray(), Is.EqualTo(new[] { 3f, 4f }));
    }

    [Test]
    public void ClosingOutOfOrderOrKeepingAfterCloseIsAnError()
    {
        var outer = InferenceMode.Enter();
        var inner = InferenceMode.Enter();
        var error = Assert.Throws<InvalidOperationException>(outer.Dispose)!;
        Assert.That(error.Message, Does.Contain("reverse order"));
        inner.Dispose();
        outer.Dispose();
        outer.Dispose();
        Assert.That(NoGrad.IsActive, Is.False);
        Assert.Throws<ObjectDisposedException>(() => outer.Keep(new Variable(T([1f], 1))));
    }

    [Test]
    public void RepeatedForwardPassesReuseTheirBuffers()
    {
        // A small CNN's activations come to about 1.4 MB per pass of 8 images. Left to the collector, every pass allocates them
        // again; released by the scope, later passes take them from the pool.
        if (device.Kind != DeviceKind.Cpu) Assert.Ignore("Managed allocations are the CPU backend's buffers.");
        var g = new Generator(5);
        var model = new Sequential(
            new Conv2d(3, 16, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 16, 3, padding: 1, generator: g), new ReLU(), new Flatten(), new Linear(16 * 16 * 16, 10, generator: g));
        model.Eval();
        var x = new Variable(Tensor.Randn(new Shape(8, 3, 32, 32), g, device));

        // Outputs are made on the calling thread; counting only its allocations leaves out the runtime's own threads.
        long Allocated(bool scoped)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int pass = 0; pass < Passes; pass++)
            {
                if (scoped)
                {
                    using (InferenceMode.Enter()) model.Forward(x);
                }
                else
                {
                    using (NoGrad.Scope()) model.Forward(x).Data.Dispose();
                }
            }
            return (GC.GetAllocatedBytesForCurrentThread() - before) / Passes;
        }

        Allocated(scoped: true);
        long scoped = Allocated(scoped: true), unscoped = Allocated(scoped: false);
        TestContext.Out.WriteLine($"bytes per pass: {unscoped} under NoGrad alone, {scoped} in InferenceMode");
        Assert.That(unscoped, Is.GreaterThan(1_000_000), "the activations themselves");
        Assert.That(scoped, Is.LessThan(50_000));
    }
}
