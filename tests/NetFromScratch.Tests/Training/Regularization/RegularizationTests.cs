using NetFromScratch.Autograd;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Regularization;

namespace NetFromScratch.Tests.Training.Regularization;

public class RegularizationTests
{
    [Test]
    public void PenaltyTermAndValueByHand()
    {
        var w = new Variable(Tensor.FromArray(1f, -2f, 0f), requiresGrad: true);
        var penalty = new Penalty([w], l1: 0.5, l2: 0.25);
        // 0.5 * (1 + 2 + 0) + 0.25 * (1 + 4 + 0) = 1.5 + 1.25 = 2.75.
        Assert.That(penalty.Value(), Is.EqualTo(2.75).Within(1e-6));
        var term = penalty.Term();
        Assert.That(term.Item(), Is.EqualTo(2.75f).Within(1e-6));
        term.Backward();
        // d/dw = 0.5 sign(w) + 2 * 0.25 w = [1, -1.5, 0]
        TensorAssert.Close([1f, -1.5f, 0f], w.Grad!);
    }

    [Test]
    public void AddGradientsEqualsBackpropagatingTheTerm()
    {
        var data = TensorAssert.RandomData(20, 2);
        var a = new Variable(Tensor.FromArray(data, new Shape(4, 5)), requiresGrad: true);
        var b = new Variable(Tensor.FromArray(data, new Shape(4, 5)), requiresGrad: true);
        new Penalty([a], l1: 0.01, l2: 0.1).Term().Backward();
        b.Grad = Tensor.Zeros(b.Shape);
        new Penalty([b], l1: 0.01, l2: 0.1).AddGradients();
        TensorAssert.Close(a.Grad!.ToArray(), b.Grad!, 1e-6f, 1e-6f);
    }

    [Test]
    public void WeightsOfLeavesBiasesOut()
    {
        var mlp = Mlp.Create(4, [3], 2);
        var chosen = Penalty.WeightsOf(mlp).ToList();
        Assert.That(chosen, Has.Count.EqualTo(2));
        Assert.That(chosen.All(p => p.Shape.Rank == 2));
    }

    private static Variable WithGrad(params float[] g)
    {
        var v = new Variable(Tensor.Zeros(new Shape(g.Length)), requiresGrad: true) { Grad = Tensor.FromArray(g) };
        return v;
    }

    [Test]
    public void ClipGradNormScalesToTheMaximum()
    {
        var a = WithGrad(3f, 0f);
        var b = WithGrad(0f, 4f);
        double total = GradientClipping.ClipGradNorm([a, b], 1.0);
        Assert.That(total, Is.EqualTo(5.0).Within(1e-9));
        double c = 1.0 / (5.0 + 1e-6);
        TensorAssert.Close([(float)(3 * c), 0f], a.Grad!);
        TensorAssert.Close([0f, (float)(4 * c)], b.Grad!);
        Assert.That(GradientClipping.TotalNorm([a, b]), Is.EqualTo(1.0).Within(1e-5));
    }

    [Test]
    public void ClipGradNormLeavesSmallGradientsAlone()
    {
        var a = WithGrad(0.3f, 0.4f);
        Assert.That(GradientClipping.ClipGradNorm([a], 1.0), Is.EqualTo(0.5).Within(1e-7));
        TensorAssert.Close([0.3f, 0.4f], a.Grad!);
    }

    [Test]
    public void ClipGradNormInfinityNormAndNonFinite()
    {
        var a = WithGrad(-3f, 1f);
        Assert.That(GradientClipping.ClipGradNorm([a], 1.5, double.PositiveInfinity), Is.EqualTo(3.0));
        Assert.That(a.Grad!.ToArray()[0], Is.EqualTo(-1.5f).Within(1e-5));
        var bad = WithGrad(float.NaN, 1f);
        Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGradNorm([bad], 1.0, errorIfNonfinite: true));
    }

    [Test]
    public void ClipGradValueClamps()
    {
        var a = WithGrad(-3f, 0.2f, 5f);
        GradientClipping.ClipGradValue([a], 1.0);
        TensorAssert.Close([-1f, 0.2f, 1f], a.Grad!);
    }
}
