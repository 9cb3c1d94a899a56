using NetFromScratch.Autograd;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Losses;

namespace NetFromScratch.Tests.Training.Losses;

public class LossTests
{
    private static readonly float[] Input = [-2.5f, -0.4f, 0f, 0.3f, 1.2f, 3f];
    private static readonly float[] Target = [0f, 0f, 0.5f, 0f, 0f, 1f];

    private static (float Loss, float[] Grad) Run(Loss loss, float[] input, float[] target, Shape shape)
    {
        var x = new Variable(Tensor.FromArray(input, shape), requiresGrad: true);
        var l = loss.Forward(x, Tensor.FromArray(target, shape));
        l.Backward();
        return (l.Item(), x.Grad!.ToArray());
    }

    [TestCase(1.0f)]
    [TestCase(0.5f)]
    public void SmoothL1MatchesItsDefinition(float beta)
    {
        var (loss, grad) = Run(new SmoothL1Loss(beta), Input, Target, new Shape(6));
        double expected = 0;
        var expectedGrad = new float[6];
        for (int i = 0; i < 6; i++)
        {
            double d = Input[i] - Target[i];
            expected += Math.Abs(d) < beta ? 0.5 * d * d / beta : Math.Abs(d) - 0.5 * beta;
            expectedGrad[i] = (float)((Math.Abs(d) < beta ? d / beta : Math.Sign(d)) / 6);
        }
        Assert.That(loss, Is.EqualTo(expected / 6).Within(1e-6));
        TensorAssert.Close(expectedGrad, grad);
    }

    [Test]
    public void SmoothL1WithZeroBetaIsL1()
    {
        var (a, ga) = Run(new SmoothL1Loss(0f), Input, Target, new Shape(6));
        var (b, gb) = Run(new L1Loss(), Input, Target, new Shape(6));
        Assert.That(a, Is.EqualTo(b).Within(1e-7));
        TensorAssert.Close(gb, ga);
    }

    [Test]
    public void HuberIsDeltaTimesSmoothL1()
    {
        var (a, _) = Run(new HuberLoss(2f), Input, Target, new Shape(6));
        var (b, _) = Run(new SmoothL1Loss(2f), Input, Target, new Shape(6));
        Assert.That(a, Is.EqualTo(2 * b).Within(1e-6));
    }

    [Test]
    public void RegressionLossesByHand()
    {
        // d = [1, -2]: MSE (1 + 4) / 2 = 2.5, L1 (1 + 2) / 2 = 1.5, sum reductions 5 and 3.
        float[] x = [2f, 0f], t = [1f, 2f];
        Assert.That(Run(new MSELoss(), x, t, new Shape(2)).Loss, Is.EqualTo(2.5f).Within(1e-6));
        Assert.That(Run(new MSELoss(Reduction.Sum), x, t, new Shape(2)).Loss, Is.EqualTo(5f).Within(1e-6));
        Assert.That(Run(new L1Loss(), x, t, new Shape(2)).Loss, Is.EqualTo(1.5f).Within(1e-6));
        Assert.That(Run(new L1Loss(Reduction.Sum), x, t, new Shape(2)).Loss, Is.EqualTo(3f).Within(1e-6));
    }

    [Test]
    public void BceWithLogitsByHand()
    {
        // x = 0, t = 1: log 2; x = 2, t = 0: 2 + log(1 + e^-2).
        var (loss, _) = Run(new BCEWithLogitsLoss(Reduction.Sum), [0f, 2f], [1f, 0f], new Shape(2));
        Assert.That(loss, Is.EqualTo(Math.Log(2) + 2 + Math.Log(1 + Math.Exp(-2))).Within(1e-5));
    }

    [Test]
    public void CrossEntropyAndNllAgree()
    {
        var logits = TensorAssert.RandomData(12, 4);
        float[] targets = [0f, 2f, 1f, 2f];
        var shape = new Shape(4, 3);
        var z = new Variable(Tensor.FromArray(logits, shape), requiresGrad: true);
        var ceLoss = new CrossEntropyLoss().Forward(z, Tensor.FromArray(targets));
        ceLoss.Backward();
        var x = new Variable(Tensor.FromArray(logits, shape), requiresGrad: true);
        var nll = new NLLLoss().Forward(x.LogSoftmax(1), Tensor.FromArray(targets));
        nll.Backward();
        Assert.That(ceLoss.Item(), Is.EqualTo(nll.Item()).Within(1e-6));
        TensorAssert.Close(x.Grad!.ToArray(), z.Grad!);
        Assert.That(new CrossEntropyLoss().TakesClassTargets, Is.True);
        Assert.That(new MSELoss().TakesClassTargets, Is.False);
    }

    [Test]
    public void CrossEntropySmoothingAndWeightsByHand()
    {
        // Two classes, logits equal: log-probabilities are both log(1/2); any smoothing or weighting keeps the loss at log 2.
        var weight = Tensor.FromArray(1f, 3f);
        var loss = new CrossEntropyLoss(weight, labelSmoothing: 0.2f).Forward(new Variable(Tensor.Zeros(new Shape(2, 2))), Tensor.FromArray(0f, 1f));
        Assert.That(loss.Item(), Is.EqualTo(Math.Log(2)).Within(1e-6));
    }

    [Test]
    public void ShapeMismatchNamesTheLoss()
    {
        var e = Assert.Throws<ArgumentException>(() => new MSELoss().Forward(new Variable(Tensor.Zeros(new Shape(3))), Tensor.Zeros(new Shape(2))));
        Assert.That(e!.Message, Does.Contain("MSELoss").And.Contain("[3]").And.Contain("[2]"));
    }
}
