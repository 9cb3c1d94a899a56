using NetFromScratch.Autograd;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Schedules;

namespace NetFromScratch.Tests.Training.Schedules;

/// <summary>Each schedule's learning-rate sequence against values worked out from PyTorch's closed forms.</summary>
public class ScheduleTests
{
    private static SGD Optimizer(double lr = 0.1) => new([new Variable(Tensor.FromArray(1f), requiresGrad: true)], lr);

    private static double[] Sequence(LRScheduler s, int count)
    {
        var lrs = new List<double> { s.Optimizer.ParamGroups[0].LearningRate };
        for (int i = 1; i < count; i++)
        {
            s.Step();
            lrs.Add(s.Optimizer.ParamGroups[0].LearningRate);
        }
        return lrs.ToArray();
    }

    [Test]
    public void StepLRHalvesEveryTwoEpochs() =>
        Assert.That(Sequence(new StepLR(Optimizer(), 2, 0.5), 6), Is.EqualTo(new[] { 0.1, 0.1, 0.05, 0.05, 0.025, 0.025 }).Within(1e-12));

    [Test]
    public void MultiStepLRDecaysAtMilestones() =>
        Assert.That(Sequence(new MultiStepLR(Optimizer(), [4, 2], 0.1), 6), Is.EqualTo(new[] { 0.1, 0.1, 0.01, 0.01, 0.001, 0.001 }).Within(1e-12));

    [Test]
    public void ExponentialLRDecaysEveryEpoch() =>
        Assert.That(Sequence(new ExponentialLR(Optimizer(), 0.9), 4), Is.EqualTo(new[] { 0.1, 0.09, 0.081, 0.0729 }).Within(1e-12));

    [Test]
    public void CosineAnnealingFollowsHalfACosine() =>
        // 0.1 * (1 + cos(pi e / 4)) / 2 for e = 0..4, then back up (PyTorch's closed form is periodic).
        Assert.That(Sequence(new CosineAnnealingLR(Optimizer(), 4), 6),
            Is.EqualTo(new[] { 0.1, 0.0853553390593, 0.05, 0.0146446609407, 0.0, 0.0146446609407 }).Within(1e-12));

    [Test]
    public void CosineAnnealingStopsAtEtaMin() =>
        Assert.That(Sequence(new CosineAnnealingLR(Optimizer(), 2, etaMin: 0.02), 3), Is.EqualTo(new[] { 0.1, 0.06, 0.02 }).Within(1e-12));

    [Test]
    public void LinearWarmUpRampsThenHolds() =>
        Assert.That(Sequence(new LinearLR(Optimizer(), 0.25, 1.0, 3), 5), Is.EqualTo(new[] { 0.025, 0.05, 0.075, 0.1, 0.1 }).Within(1e-12));

    [Test]
    public void OneCycleWarmsUpThenAnnealsToTheFloor()
    {
        var lrs = Sequence(new OneCycleLR(Optimizer(), maxLr: 1.0, totalSteps: 10, pctStart: 0.3), 10);
        // Warm-up ends at step 0.3*10 - 1 = 2: 0.04, halfway 0.52, 1.0; then the cosine down to 0.04 / 1e4 at step 9.
        Assert.That(lrs[0], Is.EqualTo(0.04).Within(1e-12));
        Assert.That(lrs[1], Is.EqualTo(0.52).Within(1e-12));
        Assert.That(lrs[2], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(lrs[3], Is.EqualTo(4e-6 + (1 - 4e-6) / 2 * (Math.Cos(Math.PI / 7) + 1)).Within(1e-12));
        Assert.That(lrs[9], Is.EqualTo(4e-6).Within(1e-15));
        for (int i = 3; i < 10; i++) Assert.That(lrs[i], Is.LessThan(lrs[i - 1]));
    }

    [Test]
    public void ReduceOnPlateauWaitsForPatienceThenCools()
    {
        var opt = Optimizer();
        var s = new ReduceLROnPlateau(opt, factor: 0.5, patience: 2, cooldown: 1);
        var lrs = new List<double>();
        foreach (double metric in new[] { 1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95 })
        {
            s.Step(metric);
            lrs.Add(opt.ParamGroups[0].LearningRate);
        }
        // Bad epochs 1, 2, 3 > patience at the 5th value; the 6th is a cooldown epoch (its count is reset); then 1, 2, 3 again at the 9th.
        Assert.That(lrs, Is.EqualTo(new[] { 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025 }).Within(1e-12));
        Assert.Throws<InvalidOperationException>(() => s.Step());
    }

    [Test]
    public void ReduceOnPlateauRespectsTheMinimum()
    {
        var opt = Optimizer();
        var s = new ReduceLROnPlateau(opt, factor: 0.1, patience: 0, minLr: 0.05);
        s.Step(1);
        s.Step(1);
        Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(0.05));
        s.Step(1);
        Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(0.05));
    }

    [Test]
    public void SequentialWarmUpThenCosine()
    {
        var opt = Optimizer();
        var s = new SequentialLR(opt, [new LinearLR(opt, 0.5, 1.0, 2), new CosineAnnealingLR(opt, 4)], [2]);
        Assert.That(Sequence(s, 5), Is.EqualTo(new[] { 0.05, 0.075, 0.1, 0.0853553390593, 0.05 }).Within(1e-12));
    }

    [Test]
    public void GroupsScaleFromTheirOwnBaseRate()
    {
        var a = new Variable(Tensor.FromArray(1f), requiresGrad: true);
        var b = new Variable(Tensor.FromArray(1f), requiresGrad: true);
        var opt = new SGD([new ParamGroup([a], learningRate: 0.01), new ParamGroup([b])], lr: 0.1);
        var s = new StepLR(opt, 1, 0.5);
        s.Step();
        Assert.That(opt.ParamGroups.Select(g => g.LearningRate), Is.EqualTo(new[] { 0.005, 0.05 }).Within(1e-15));
    }

    [Test]
    public void StateRoundTripResumesTheSequence()
    {
        var first = new CosineAnnealingLR(Optimizer(), 10);
        for (int i = 0; i < 3; i++) first.Step();
        var plateau = new ReduceLROnPlateau(Optimizer(), patience: 1);
        plateau.Step(1); plateau.Step(2);

        var second = new CosineAnnealingLR(Optimizer(), 10);
        second.LoadStateDict(first.StateDict());
        Assert.That(second.LastEpoch, Is.EqualTo(3));
        Assert.That(second.Optimizer.ParamGroups[0].LearningRate, Is.EqualTo(first.Optimizer.ParamGroups[0].LearningRate));
        first.Step(); second.Step();
        Assert.That(second.Optimizer.ParamGroups[0].LearningRate, Is.EqualTo(first.Optimizer.ParamGroups[0].LearningRate));

        var plateau2 = new ReduceLROnPlateau(Optimizer(), patience: 1);
        plateau2.LoadStateDict(plateau.StateDict());
        Assert.That(plateau2.Best, Is.EqualTo(1.0));
        Assert.That(plateau2.BadEpochs, Is.EqualTo(1));
    }

    [Test]
    public void BadSettingsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new StepLR(Optimizer(), 0));
        Assert.Throws<ArgumentException>(() => new OneCycleLR(Optimizer(), 1.0, 10, pctStart: 1.5));
        var one = new OneCycleLR(Optimizer(), 1.0, 2);
        one.Step();
        one.Step();
        Assert.Throws<InvalidOperationException>(() => one.Step());
    }
}
