using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Autograd;

/// <summary>The checker itself: it must catch a wrong rule, leave the caller's Variables alone, and report clearly.</summary>
[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class GradCheckTests(Device device)
{
    private Variable Leaf(int seed, params int[] shape) =>
        new(Tensor.FromArray(TensorAssert.RandomData(new Shape(shape).Numel, seed), shape, device), requiresGrad: true, name: "x");

    [Test]
    public void CatchesAWrongBackwardRule()
    {
        // d(x^2)/dx written as x instead of 2x.
        static Variable WrongSquare(Variable x) =>
            Variable.Custom("WrongSquare", x.Data.Square(), [x], dY => [dY * x.Data], "dX = dY * X (wrong)");
        var result = GradCheck.Check(v => WrongSquare(v[0]), Leaf(1, 3, 4));
        Assert.That(result.Passed, Is.False);
        Assert.That(result.ToString(), Does.Contain("FAILED").And.Contain("x [3, 4]"));
        Assert.Throws<InvalidOperationException>(result.ThrowIfFailed);
    }

    [Test]
    public void AcceptsACorrectCustomRule()
    {
        static Variable Cube(Variable x) =>
            Variable.Custom("Cube", x.Data.Pow(3f), [x], dY => [dY * (x.Data.Square() * 3f)], "dX = 3 X^2 dY");
        var result = GradCheck.Check(v => Cube(v[0]), Leaf(2, 2, 3));
        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(result.MaxAbsError, Is.LessThan(1e-2));
    }

    [Test]
    public void LeavesTheCallersGradientsAndDataUntouched()
    {
        var x = Leaf(3, 2, 2);
        var before = x.Data.ToArray();
        GradCheck.Check(v => v[0].Square().Sum(), x).ThrowIfFailed();
        Assert.That(x.Grad, Is.Null);
        Assert.That(x.Data.ToArray(), Is.EqualTo(before));
    }

    [Test]
    public void SkipsInputsThatDoNotRequireGrad()
    {
        var x = Leaf(4, 3);
        var c = new Variable(Tensor.FromArray(new float[] { 1, 2, 3 }, new Shape(3), device));
        var result = GradCheck.Check(v => (v[0] * v[1]).Sum(), x, c);
        Assert.That(result.Inputs, Has.Count.EqualTo(1));
        Assert.That(result.Inputs[0].Index, Is.EqualTo(0));
    }

    [Test]
    public void RejectsAFunctionWithoutGradient()
    {
        var c = new Variable(Tensor.Ones(new Shape(2), device));
        var e = Assert.Throws<ArgumentException>(() => GradCheck.Check(v => v[0].Exp(), c))!;
        Assert.That(e.Message, Does.Contain("GradCheck"));
    }
}
