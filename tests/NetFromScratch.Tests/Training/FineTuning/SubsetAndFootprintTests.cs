using NetFromScratch.Autograd;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.FineTuning;

namespace NetFromScratch.Tests.Training.FineTuning;

/// <summary>Subsets (stratified splits, N per class with relabelling) and the training footprint.</summary>
public class SubsetAndFootprintTests
{
    private static readonly int[] Labels = Enumerable.Range(0, 40).Select(i => i % 4).ToArray();

    private static InMemoryDataset Indexed()
    {
        // Sample i holds the value i, so a subset's samples say where they came from.
        var features = Enumerable.Range(0, 40).Select(i => (float)i).ToArray();
        return new InMemoryDataset(features, Labels, new Shape(1), 4);
    }

    private static int[] Origins(IDataset d)
    {
        var one = new float[1];
        return Enumerable.Range(0, d.Count).Select(i => { d.CopySample(i, one); return (int)one[0]; }).ToArray();
    }

    [Test]
    public void StratifiedSplitKeepsClassProportionsAndCoversEverySampleOnce()
    {
        var data = Indexed();
        var (train, validation) = SubsetDataset.StratifiedSplit(data, Labels, 0.2, seed: 3);
        Assert.That(validation.Count, Is.EqualTo(8));
        Assert.That(validation.Labels.GroupBy(l => l).Select(g => g.Count()), Is.All.EqualTo(2));
        Assert.That(Origins(train).Concat(Origins(validation)).Order(), Is.EqualTo(Enumerable.Range(0, 40)));
        var (again, _) = SubsetDataset.StratifiedSplit(data, Labels, 0.2, seed: 3);
        Assert.That(Origins(again), Is.EqualTo(Origins(train)), "seeded");
        Assert.Throws<ArgumentException>(() => SubsetDataset.StratifiedSplit(data, Labels, 1.0, 0));
    }

    [Test]
    public void PerClassTakesTheFirstSamplesOfEachClassAndRenumbersThem()
    {
        var subset = SubsetDataset.PerClass(Indexed(), Labels, classes: [3, 1], perClass: 2, skipPerClass: 1);
        Assert.That(Origins(subset), Is.EqualTo(new[] { 5, 7, 9, 11 }));
        Assert.That(subset.Labels, Is.EqualTo(new[] { 1, 0, 1, 0 }));
        var one = new float[1];
        Assert.That(subset.CopySample(0, one), Is.EqualTo(1));
        Assert.That(subset.ClassCount, Is.EqualTo(2));
        Assert.That(Assert.Throws<ArgumentException>(() => SubsetDataset.PerClass(Indexed(), Labels, [0], 20))!.Message, Does.Contain("only 10"));
    }

    [Test]
    public void FootprintCountsWeightsStateAndWhatTheGraphKeeps()
    {
        var linear = new Linear(3, 2, generator: new Generator(1));
        using var batch = Tensor.Ones(new Shape(5, 3));
        var f = TrainingFootprint.Measure(linear, linear, batch, optimizerSlots: 2, cachedFeatureBytes: 100);
        Assert.That(f.WeightBytes, Is.EqualTo(4 * 8));
        Assert.That(f.GradientBytes, Is.EqualTo(4 * 8));
        Assert.That(f.OptimizerBytes, Is.EqualTo(4 * 16));
        // The batch and the output at least, and at most one intermediate (x W^T before the bias) besides; never W's views.
        Assert.That(f.ActivationBytes, Is.InRange(4 * (15 + 10), 4 * (15 + 10 + 10)));
        Assert.That(f.TotalBytes, Is.EqualTo(32 + 32 + 64 + 100 + f.ActivationBytes));

        linear.Weight.RequiresGrad = false;
        linear.Bias!.RequiresGrad = false;
        var frozen = TrainingFootprint.Measure(linear, linear, batch, optimizerSlots: 2);
        Assert.That(frozen.GradientBytes + frozen.OptimizerBytes, Is.Zero);
        Assert.That(frozen.ActivationBytes, Is.EqualTo(4 * 10), "no graph: only the output, nothing kept for backward but itself");
    }

    [Test]
    public void GraphBytesCountsViewsOnce()
    {
        var x = new Variable(Tensor.Ones(new Shape(2, 3)), requiresGrad: true);
        var y = (x * 2f).Reshape(3, 2).Reshape(6);
        Assert.That(TrainingFootprint.GraphBytes(y), Is.EqualTo(4 * 6), "x is a leaf that requires grad (a parameter); the product and its views share one storage");
    }
}
