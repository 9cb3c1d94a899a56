using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Autograd;

/// <summary>The graph's behaviour: accumulation, NoGrad, Detach, retained and released graphs, hooks, errors.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class VariableTests(Device device)
{
    private Tensor T(float[] values, params int[] shape) => Tensor.FromArray(values, shape, device);

    private Variable Param(float[] values, string name, params int[] shape) => new(T(values, shape), requiresGrad: true, name: name);

    [Test]
    public void GradientsSumOverEveryUseOfAVariable()
    {
        // y = x * x + 3x, used three times: dy/dx = 2x + 3.
        var x = Param([1f, -2f, 0.5f], "x", 3);
        var y = (x * x + x * 3f).Sum();
        y.Backward();
        TensorAssert.Close([5f, -1f, 4f], x.Grad!);
    }

    [Test]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroGrad()
    {
        var x = Param([1f, 2f], "x", 2);
        (x * 2f).Sum().Backward();
        (x * 3f).Sum().Backward();
        TensorAssert.Close([5f, 5f], x.Grad!);
        var buffer = x.Grad;
        x.ZeroGrad();
        Assert.That(x.Grad, Is.SameAs(buffer), "ZeroGrad keeps the buffer");
        TensorAssert.Close([0f, 0f], x.Grad!);
        (x * 4f).Sum().Backward();
        TensorAssert.Close([4f, 4f], x.Grad!);
    }

    [Test]
    public void OneGradientSentTwiceJoinsAnEarlierOne()
    {
        // y reaches the loss three times; y.Sum() is walked before y + y, whose rule then sends one tensor to both slots.
        var x = Param([1f, -2f, 3f], "x", 3);
        var y = x * 2f;
        var loss = (y + y).Square().Sum() + y.Sum();
        loss.Backward();
        // loss = 4 sum(y^2) + sum(y), dloss/dy = 8y + 1, dy/dx = 2.
        TensorAssert.Close([2f * (8f * 2f + 1f), 2f * (8f * -4f + 1f), 2f * (8f * 6f + 1f)], x.Grad!, 1e-4f);
    }

    [Test]
    public void DiamondGraphSumsBothPaths()
    {
        // a -> b = 2a, c = a^2 -> d = b * c: dd/da = 2 a^2 + 2a * 2a = 6 a^2.
        var a = Param([1.5f], "a", 1);
        var b = a * 2f;
        var c = a.Square();
        (b * c).Sum().Backward();
        TensorAssert.Close([6f * 1.5f * 1.5f], a.Grad!, 1e-4f);
    }

    [Test]
    public void NoGradRecordsNothing()
    {
        var x = Param([1f, 2f], "x", 2);
        Variable y;
        using (NoGrad.Scope())
        {
            Assert.That(NoGrad.IsActive, Is.True);
            y = (x * x).Sum();
        }
        Assert.That(NoGrad.IsActive, Is.False);
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That(y.GradFn, Is.Null);
        Assert.That(y.IsLeaf, Is.True);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
    }

    [Test]
    public void NoGradScopesNest()
    {
        var outer = NoGrad.Scope();
        using (NoGrad.Scope()) { }
        Assert.That(NoGrad.IsActive, Is.True);
        outer.Dispose();
        outer.Dispose();
        Assert.That(NoGrad.IsActive, Is.False);
    }

    [Test]
    public void DetachCutsTheGraph()
    {
        var x = Param([2f, 3f], "x", 2);
        var h = x * x;
        var d = h.Detach();
        Assert.That(d.IsLeaf && !d.RequiresGrad, Is.True);
        Assert.That(d.Data.Storage, Is.SameAs(h.Data.Storage), "Detach shares the data");
        // y = x * detach(x^2): dy/dx = x^2 only, the path through the detached value is cut.
        (x * d).Sum().Backward();
        TensorAssert.Close([4f, 9f], x.Grad!);
    }

    [Test]
    public void ConstantsGetNoGradient()
    {
        var x = Param([1f, 2f], "x", 2);
        var c = new Variable(T([5f, 7f], 2));
        (x * c).Sum().Backward();
        Assert.That(c.Grad, Is.Null);
        TensorAssert.Close([5f, 7f], x.Grad!);
    }

    [Test]
    public void BackwardOnANonScalarNeedsAGradient()
    {
        var x = Param([1f, 2f, 3f, 4f, 5f, 6f], "x", 2, 3);
        var y = x * 2f;
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward())!;
        Assert.That(e.Message, Does.Contain("Backward").And.Contain("[2, 3]").And.Contain("gradient"));
        y.Backward(T([1f, 0f, 0f, 0f, 0f, 2f], 2, 3));
        TensorAssert.Close([2f, 0f, 0f, 0f, 0f, 4f], x.Grad!);
    }

    [Test]
    public void SuppliedGradientMustMatchTheShape()
    {
        var x = Param([1f, 2f, 3f], "x", 3);
        var y = x * 2f;
        var e = Assert.Throws<ArgumentException>(() => y.Backward(T([1f, 1f], 2)))!;
        Assert.That(e.Message, Does.Contain("[2]").And.Contain("[3]"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void SecondBackwardThroughAReleasedGraphFails()
    {
        var x = Param([1f, 2f], "x", 2);
        var y = x.Exp().Sum();
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward())!;
        Assert.That(e.Message, Does.Contain("already released").And.Contain("retainGraph"));
        Assert.That(y.GradFn!.IsReleased, Is.True);
    }

    [Test]
    public void RetainGraphAllowsASecondBackward()
    {
        var x = Param([1f, 2f], "x", 2);
        var y = x.Square().Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        TensorAssert.Close([4f, 8f], x.Grad!);
        Assert.That(y.GradFn!.IsReleased, Is.True);
    }

    [Test]
    public void BackwardOnALeafAccumulatesIntoIt()
    {
        var x = Param([3f], "x", 1);
        x.Backward(T([2f], 1));
        TensorAssert.Close([2f], x.Grad!);
    }

    [Test]
    public void OnlyLeavesKeepTheirGradientUnlessRetained()
    {
        var x = Param([1f, 2f], "x", 2);
        var h = x * 3f;
        var k = x * 4f;
        k.RetainGrad();
        (h.Square() + k).Sum().Backward();
        Assert.That(h.Grad, Is.Null);
        TensorAssert.Close([1f, 1f], k.Grad!);
        TensorAssert.Close([2f * 9f * 1f + 4f, 2f * 9f * 2f + 4f], x.Grad!);
    }

    [Test]
    public void HookSeesTheSummedGradientAndCanReplaceIt()
    {
        var x = Param([1f, 2f], "x", 2);
        Tensor? seen = null;
        using var inspect = x.RegisterHook(g => { seen = g; return null; });
        using var doubled = x.RegisterHook(g => g * 2f);
        (x * 3f + x).Sum().Backward();
        TensorAssert.Close([4f, 4f], seen!);
        TensorAssert.Close([8f, 8f], x.Grad!);
    }

    [Test]
    public void HookOnANonLeafChangesWhatFlowsFurther()
    {
        var x = Param([1f, 2f], "x", 2);
        var h = x * 5f;
        h.RegisterHook(g => Tensor.ZerosLike(g));
        (h + x).Sum().Backward();
        TensorAssert.Close([1f, 1f], x.Grad!);
    }

    [Test]
    public void DisposingAHookRemovesIt()
    {
        var x = Param([1f], "x", 1);
        int calls = 0;
        var handle = x.RegisterHook(_ => { calls++; return null; });
        x.Sum().Backward();
        handle.Dispose();
        x.Sum().Backward();
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public void HookReturningAWrongShapeIsAnError()
    {
        var x = Param([1f, 2f], "x", 2);
        x.RegisterHook(_ => Tensor.Zeros(new Shape(3), device));
        var e = Assert.Throws<InvalidOperationException>(() => (x * 2f).Sum().Backward())!;
        Assert.That(e.Message, Does.Contain("hook").And.Contain("[3]").And.Contain("[2]"));
    }

    [Test]
    public void HooksAndRetainGradNeedAVariableThatRequiresGrad()
    {
        var c = new Variable(T([1f], 1));
        Assert.Throws<InvalidOperationException>(() => c.RegisterHook(_ => null));
        Assert.Throws<InvalidOperationException>(c.RetainGrad);
    }

    [Test]
    public void RequiresGradCanOnlyBeSetOnLeaves()
    {
        var x = Param([1f], "x", 1);
        var y = x * 2f;
        var e = Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false)!;
        Assert.That(e.Message, Does.Contain("Detach"));
        x.RequiresGrad = false;
        Assert.That((x * 2f).RequiresGrad, Is.False);
    }

    [Test]
    public void GradSetterChecksShape()
    {
        var x = Param([1f, 2f], "w", 2);
        var e = Assert.Throws<ArgumentException>(() => x.Grad = Tensor.Zeros(new Shape(3), device))!;
        Assert.That(e.Message, Does.Contain("'w'").And.Contain("[3]").And.Contain("[2]"));
        x.Grad = Tensor.Ones(new Shape(2), device);
        x.Grad = null;
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void GradientIsAPrivateContiguousBuffer()
    {
        // Sum's rule sends an expanded (stride 0) view; the stored gradient must be a real buffer the optimizer can own.
        var x = Param([1f, 2f, 3f, 4f], "x", 2, 2);
        x.Sum().Backward();
        Assert.That(x.Grad!.IsContiguous, Is.True);
        x.Grad.AddInPlace(T([1f, 2f, 3f, 4f], 2, 2));
        TensorAssert.Close([2f, 3f, 4f, 5f], x.Grad);
    }

    [Test]
    public void SuppliedGradientIsNotDisposedOrModified()
    {
        var x = Param([1f, 2f], "x", 2);
        var g = T([3f, 4f], 2);
        (x + 0f).Backward(g);
        TensorAssert.Close([3f, 4f], g);
        TensorAssert.Close([3f, 4f], x.Grad!);
        Assert.That(g.Storage.IsReleased, Is.False);
    }

    [Test]
    public void AddSendsOneGradientToTwoInputsSafely()
    {
        // Add returns the incoming gradient object for both inputs; each must get its own reference.
        var a = Param([1f, 2f], "a", 2);
        var b = Param([3f, 4f], "b", 2);
        var y = (a + b) * 2f;
        y.Sum().Backward();
        a.Grad!.AddInPlace(T([10f, 10f], 2));
        TensorAssert.Close([2f, 2f], b.Grad!);
        TensorAssert.Close([12f, 12f], a.Grad);
    }

    [Test]
    public void AnomalyModeNamesTheOpThatProducedANaN()
    {
        var x = Param([-1f, 2f], "x", 2);
        using (Anomaly.Scope())
        {
            var e = Assert.Throws<AnomalyException>(() => x.Log())!;
            Assert.That(e.Message, Does.Contain("Log").And.Contain("NaN"));
        }
        Assert.That(Anomaly.IsEnabled, Is.False);
        Assert.DoesNotThrow(() => x.Log());
    }

    [Test]
    public void AnomalyModeChecksGradientsToo()
    {
        // sqrt at 0 is finite forward, infinite gradient backward.
        var x = Param([0f, 4f], "x", 2);
        using var scope = Anomaly.Scope();
        var y = x.Sqrt().Sum();
        var e = Assert.Throws<AnomalyException>(() => y.Backward())!;
        Assert.That(e.Message, Does.Contain("backward of Sqrt"));
    }

    [Test]
    public void ToStringShowsNameAndGradFn()
    {
        var x = Param([1f], "w", 1);
        Assert.That(x.ToString(), Does.Contain("'w'").And.Contain("requires_grad"));
        Assert.That((x * 2f).ToString(), Does.Contain("grad_fn=MulScalar"));
    }

    [Test]
    public void DisposeGraphReturnsIntermediateBuffersButKeepsLeaves()
    {
        var x = Param([1f, 2f], "x", 2);
        var h = x.Exp();
        h.Name = "h";
        var loss = (h * 2f).Sum();
        loss.Backward();
        var hStorage = h.Data.Storage;
        loss.DisposeGraph();
        Assert.That(hStorage.IsReleased, Is.True, "the intermediate buffer went back to the pool");
        Assert.That(x.Data.Storage.IsReleased, Is.False);
        TensorAssert.Close([1f, 2f], x.Data);
        TensorAssert.Close([2f * MathF.E, 2f * MathF.Exp(2f)], x.Grad!, 1e-5f);
        var e = Assert.Throws<ObjectDisposedException>(() => _ = h.Data)!;
        Assert.That(e.Message, Does.Contain("'h'").And.Contain("DisposeGraph"));
        Assert.Throws<ObjectDisposedException>(() => loss.Item());
        Assert.That(h.ToString(), Does.Contain("disposed"));
    }

    [Test]
    public void DetachedCopiesSurviveDisposeGraph()
    {
        var x = Param([1f, 2f], "x", 2);
        var h = x * 3f;
        var kept = h.Detach();
        h.Sum().DisposeGraph();
        TensorAssert.Close([3f, 6f], kept.Data);
    }

    [Test]
    public void DeepChainsDoNotOverflowTheStack()
    {
        var x = Param([1f], "x", 1);
        var y = x;
        for (int i = 0; i < 20000; i++) y = y + 0f;
        y.Sum().Backward();
        TensorAssert.Close([1f], x.Grad!);
    }
}
