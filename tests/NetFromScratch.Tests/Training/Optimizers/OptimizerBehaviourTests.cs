using NetFromScratch.Autograd;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Tests.Training.Optimizers;

public class OptimizerBehaviourTests
{
    private static Variable Param(params float[] values) => new(Tensor.FromArray(values), requiresGrad: true);

    [Test]
    public void GroupsHaveTheirOwnLearningRateAndWeightDecay()
    {
        var a = Param(1f);
        var b = Param(1f);
        var opt = new SGD([new ParamGroup([a], learningRate: 0.01), new ParamGroup([b], weightDecay: 1.0)], lr: 0.1);
        Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(0.01));
        Assert.That(opt.ParamGroups[1].LearningRate, Is.EqualTo(0.1));
        Assert.That(opt.ParamGroups[0].WeightDecay, Is.EqualTo(0.0));
        a.Grad = Tensor.FromArray(1f);
        b.Grad = Tensor.FromArray(1f);
        opt.Step();
        Assert.That(a.Data.ToArray()[0], Is.EqualTo(0.99f).Within(1e-7f));
        Assert.That(b.Data.ToArray()[0], Is.EqualTo(1f - 0.1f * 2f).Within(1e-7f)); // d = g + 1.0 * p = 2
    }

    [Test]
    public void FrozenParametersAndMissingGradientsAreSkipped()
    {
        var frozen = Param(1f);
        var noGrad = Param(1f);
        var opt = new Adam([frozen, noGrad], lr: 0.1);
        frozen.Grad = Tensor.FromArray(1f);
        frozen.RequiresGrad = false;
        opt.Step();
        Assert.That(frozen.Data.ToArray()[0], Is.EqualTo(1f));
        Assert.That(noGrad.Data.ToArray()[0], Is.EqualTo(1f));
        Assert.That(opt.StateOf(0, 0).Step, Is.EqualTo(0));
    }

    [Test]
    public void ZeroGradKeepsBuffersOrDropsThem()
    {
        var p = Param(1f, 2f);
        var opt = new SGD([p], lr: 0.1);
        var grad = Tensor.FromArray(3f, 4f);
        p.Grad = grad;
        opt.ZeroGrad();
        Assert.That(p.Grad, Is.SameAs(grad));
        Assert.That(grad.ToArray(), Is.EqualTo(new[] { 0f, 0f }));
        opt.ZeroGrad(setToNone: true);
        Assert.That(p.Grad, Is.Null);
    }

    [Test]
    public void RejectsBadSettingsAndDuplicates()
    {
        var p = Param(1f);
        Assert.Throws<ArgumentException>(() => new SGD([p], lr: -1));
        Assert.Throws<ArgumentException>(() => new SGD([p], lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Adam([p], beta1: 1.0));
        var e = Assert.Throws<ArgumentException>(() => new SGD([new ParamGroup([p]), new ParamGroup([p])]));
        Assert.That(e!.Message, Does.Contain("more than one place"));
        Assert.Throws<ArgumentException>(() => new SGD(Array.Empty<Variable>()));
    }

    [TestCase("sgd")]
    [TestCase("adam")]
    [TestCase("adamw")]
    [TestCase("rmsprop")]
    [TestCase("adagrad")]
    public void StateRoundTripContinuesIdentically(string kind)
    {
        Optimizer Make(Variable[] ps) => kind switch
        {
            "sgd" => new SGD(ps, lr: 0.05, momentum: 0.9, nesterov: true),
            "adam" => new Adam(ps, lr: 0.01, amsgrad: true),
            "adamw" => new AdamW(ps, lr: 0.01),
            "rmsprop" => new RMSprop(ps, lr: 0.01, momentum: 0.5, centered: true),
            _ => new Adagrad(ps, lr: 0.1, lrDecay: 0.01),
        };
        var init = TensorAssert.RandomData(10, 3);
        var a = new[] { new Variable(Tensor.FromArray(init, new Shape(2, 5)), requiresGrad: true) };
        var optA = Make(a);
        for (int t = 0; t < 3; t++) { a[0].Grad = Tensor.FromArray(TensorAssert.RandomData(10, t), new Shape(2, 5)); optA.Step(); }

        // A second optimizer over a copy of the weights receives the saved state, then both take the same steps.
        var b = new[] { new Variable(a[0].Data.Clone(), requiresGrad: true) };
        var optB = Make(b);
        var state = optA.StateDict();
        optB.LoadStateDict(state);
        Assert.That(optB.StepCount, Is.EqualTo(3));
        for (int t = 3; t < 6; t++)
        {
            var g = TensorAssert.RandomData(10, t);
            a[0].Grad = Tensor.FromArray(g, new Shape(2, 5));
            b[0].Grad = Tensor.FromArray(g, new Shape(2, 5));
            optA.Step();
            optB.Step();
        }
        Assert.That(b[0].Data.ToArray(), Is.EqualTo(a[0].Data.ToArray()), "bit-identical after resuming");
    }

    [Test]
    public void StateSavesToAFileAndLoads()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nfs-opt-{Guid.NewGuid():N}.safetensors");
        try
        {
            var a = Param(1f, 2f, 3f);
            var optA = new RMSprop([a], lr: 0.01, momentum: 0.9, centered: true);
            for (int t = 0; t < 3; t++) { a.Grad = Tensor.FromArray(0.1f * t, -0.2f, 0.3f); optA.Step(); }
            optA.Save(path);
            var b = new Variable(a.Data.Clone(), requiresGrad: true);
            var optB = new RMSprop([b], lr: 0.01, momentum: 0.9, centered: true);
            optB.Load(path);
            a.Grad = Tensor.FromArray(0.5f, 0.5f, 0.5f);
            b.Grad = Tensor.FromArray(0.5f, 0.5f, 0.5f);
            optA.Step();
            optB.Step();
            Assert.That(b.Data.ToArray(), Is.EqualTo(a.Data.ToArray()));
            var wrong = new Adam([Param(1f, 2f, 3f)]);
            var e = Assert.Throws<InvalidOperationException>(() => wrong.Load(path));
            Assert.That(e!.Message, Does.Contain(path).And.Contain("RMSprop"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void LoadingAnotherOptimizersStateFailsWithoutChanges()
    {
        var p = Param(1f, 2f);
        var adam = new Adam([p]);
        p.Grad = Tensor.FromArray(1f, 1f);
        adam.Step();
        var sgd = new SGD([p], lr: 0.1, momentum: 0.9);
        var e = Assert.Throws<InvalidOperationException>(() => sgd.LoadStateDict(adam.StateDict()));
        Assert.That(e!.Message, Does.Contain("Adam"));
        var other = new Adam([Param(1f, 2f, 3f)]);
        var e2 = Assert.Throws<InvalidOperationException>(() => other.LoadStateDict(adam.StateDict()));
        Assert.That(e2!.Message, Does.Contain("shape"));
    }

    [Test]
    public void TrainsALinearRegression()
    {
        // y = 2x - 1; every optimizer should fit it.
        var x = Tensor.FromArray(TensorAssert.RandomData(32, 9), new Shape(32, 1));
        using var yTrue = x * 2f - 1f;
        foreach (var make in new Func<IEnumerable<NetFromScratch.Nn.Parameter>, Optimizer>[]
                 {
                     ps => new SGD(ps, lr: 0.1, momentum: 0.9), ps => new Adam(ps, lr: 0.05), ps => new AdamW(ps, lr: 0.05, weightDecay: 0),
                     ps => new RMSprop(ps, lr: 0.01), ps => new Adagrad(ps, lr: 0.5),
                 })
        {
            var layer = new Linear(1, 1, generator: new Generator(1));
            var opt = make(layer.Parameters());
            float loss = 0;
            for (int i = 0; i < 300; i++)
            {
                opt.ZeroGrad();
                var l = F.MseLoss(layer.Forward(x), yTrue);
                l.Backward();
                opt.Step();
                loss = l.Item();
            }
            Assert.That(loss, Is.LessThan(1e-3), opt.Name);
        }
    }
}
