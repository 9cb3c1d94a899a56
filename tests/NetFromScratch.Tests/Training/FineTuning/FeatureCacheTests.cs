using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.FineTuning;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;

namespace NetFromScratch.Tests.Training.FineTuning;

/// <summary>
/// Cached features must train the head exactly as the whole model would with its backbone frozen; frozen BatchNorm
/// must keep its running statistics; the two-phase run must cache only when that is exact.
/// </summary>
public class FeatureCacheTests
{
    // A tiny CNN with BatchNorm: conv, BN, ReLU, max pool | conv, BN, ReLU, global pool, flatten | head.
    private static Sequential TinyCnn(int classes = 10, ulong seed = 1) => new(
        new Conv2d(3, 4, 3, padding: 1, generator: new Generator(seed)), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
        new Conv2d(4, 6, 3, padding: 1, generator: new Generator(seed + 1)), new BatchNorm2d(6), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(),
        new Linear(6, classes, generator: new Generator(seed + 2)));

    private static void GiveBatchNormStatistics(Module m, ulong seed)
    {
        var g = new Generator(seed);
        foreach (var (_, b) in m.NamedBuffers())
            if (b.Data.Rank == 1 && b.Data.Numel > 1) b.Data.CopyFrom(Tensor.Rand(b.Data.Shape, generator: g) + 0.5f);
    }

    private static InMemoryDataset Images(int count, int size = 8, ulong seed = 3) =>
        new ShapesDataset(count, seed, size).ToInMemory();

    [Test]
    public void CachedFeaturesGiveTheSameHeadGradientsAsTheWholeModel()
    {
        var model = TinyCnn();
        GiveBatchNormStatistics(model, 4);
        var tuner = new FineTuner(model);
        tuner.FreezeBackbone();
        var data = Images(10);
        var loss = new CrossEntropyLoss();

        // Uncached: the whole model in training mode, as a trainer would run it.
        var loader = new DataLoader(data, 10, shuffle: false, prefetch: 0);
        using var batch = loader.First();
        model.Train();
        loss.Forward(model.Forward(batch.Inputs), batch.Targets).Backward();
        var head = (Linear)tuner.Layout.Head;
        var expectedWeight = head.Weight.Grad!.ToArray();
        var expectedBias = head.Bias!.Grad!.ToArray();
        Assert.That(model.Parameters().Where(p => !p.RequiresGrad).All(p => p.Grad is null), Is.True, "frozen parameters get no gradient");
        model.ZeroGrad();

        // Cached: features once, then the head alone.
        var features = FeatureCache.Compute(tuner.Layout, data, batchSize: 4);
        Assert.That(features.SampleShape, Is.EqualTo(new Shape(6)));
        Assert.That(features.Labels.ToArray(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => i % 10).ToArray()));
        var featureLoader = new DataLoader(features, 10, shuffle: false, prefetch: 0);
        using var featureBatch = featureLoader.First();
        tuner.Layout.HeadForTraining.Train();
        loss.Forward(tuner.Layout.HeadForTraining.Forward(featureBatch.Inputs), featureBatch.Targets).Backward();
        TensorAssert.Close(expectedWeight, head.Weight.Grad!, atol: 1e-6f, rtol: 1e-5f);
        TensorAssert.Close(expectedBias, head.Bias.Grad!, atol: 1e-6f, rtol: 1e-5f);
        Assert.That(model.IsTraining, Is.True, "caching restores the mode it found");
    }

    [Test]
    public void FrozenBatchNormKeepsItsRunningStatisticsWhileTraining()
    {
        var model = TinyCnn();
        GiveBatchNormStatistics(model, 5);
        var tuner = new FineTuner(model);
        tuner.FreezeBackbone();
        var bn = (BatchNorm2d)model[1];
        var mean = bn.RunningMean!.Data.ToArray();
        var variance = bn.RunningVar!.Data.ToArray();
        var frozenWeight = ((Conv2d)model[0]).Weight.Data.ToArray();
        Assert.That(bn.UsesBatchStatistics, Is.False);

        var run = new FineTuningRun(tuner, new CrossEntropyLoss(), new SGD(tuner.ParameterGroups(0.1), lr: 0.1),
            new FineTuningOptions { Epochs = 2, BatchSize = 4, CacheFeatures = false, CompileFrozenBackbone = false });
        var result = run.Fit(Images(12));
        Assert.That(result.CachedEpochs, Is.Zero);
        Assert.That(bn.RunningMean.Data.ToArray(), Is.EqualTo(mean));
        Assert.That(bn.RunningVar.Data.ToArray(), Is.EqualTo(variance));
        Assert.That(bn.NumBatchesTracked!.Data.Item(), Is.Zero);
        Assert.That(((Conv2d)model[0]).Weight.Data.ToArray(), Is.EqualTo(frozenWeight), "the optimizer skips frozen parameters");

        // Unfrozen, the same layer goes back to batch statistics and updates them.
        tuner.UnfreezeAll();
        Assert.That(bn.UsesBatchStatistics, Is.True);
        new FineTuningRun(tuner, new CrossEntropyLoss(), new SGD(tuner.ParameterGroups(0.1), lr: 0.1),
            new FineTuningOptions { Epochs = 1, BatchSize = 4 }).Fit(Images(8));
        Assert.That(bn.RunningMean.Data.ToArray(), Is.Not.EqualTo(mean));
        Assert.That(bn.NumBatchesTracked.Data.Item(), Is.EqualTo(2f));
    }

    [Test]
    public void CachedAndUncachedRunsTrainTheHeadAlike()
    {
        float[] Train(bool cache)
        {
            var model = TinyCnn(seed: 7);
            GiveBatchNormStatistics(model, 8);
            var tuner = new FineTuner(model);
            tuner.FreezeBackbone();
            var run = new FineTuningRun(tuner, new CrossEntropyLoss(), new SGD(tuner.ParameterGroups(0.05), lr: 0.05),
                new FineTuningOptions { Epochs = 3, BatchSize = 5, Seed = 9, CacheFeatures = cache });
            var result = run.Fit(Images(15), Images(6, seed: 10));
            Assert.That(result.CachedEpochs, Is.EqualTo(cache ? 3 : 0));
            Assert.That(result.History.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(result.History.Epochs.All(e => e.HasValidation), Is.True);
            Assert.That(result.CacheNote, Does.StartWith(cache ? "features cached" : "feature caching is off"));
            return ((Linear)model[9]).Weight.Data.ToArray();
        }
        TensorAssert.Close(Train(cache: false), Train(cache: true), atol: 1e-5f, rtol: 1e-4f);
    }

    [Test]
    public void RandomAugmentationOrATrainingBackboneTurnsCachingOff()
    {
        var model = TinyCnn();
        var tuner = new FineTuner(model);
        tuner.FreezeBackbone();
        var sgd = new SGD(tuner.ParameterGroups(0.1), lr: 0.1);
        Assert.That(new FineTuningRun(tuner, new CrossEntropyLoss(), sgd, new FineTuningOptions { Transform = new Compose(new RandomHorizontalFlip()) })
            .CachePlan().Reason, Does.Contain("random augmentation"));
        Assert.That(new FineTuningRun(tuner, new CrossEntropyLoss(), sgd, new FineTuningOptions { Transform = new Normalize([0.5f], [0.25f]) })
            .CachePlan().Cacheable, Is.True);
        tuner.FreezeUntil("block1");
        Assert.That(new FineTuningRun(tuner, new CrossEntropyLoss(), sgd).CachePlan().Reason, Does.Contain("the backbone trains"));
    }

    [Test]
    public void GradualUnfreezingCachesUntilTheFirstBlockIsUnfrozen()
    {
        var model = TinyCnn();
        var tuner = new FineTuner(model);
        tuner.FreezeBackbone();
        var log = new StringWriter();
        var epochs = new List<int>();
        var run = new FineTuningRun(tuner, new CrossEntropyLoss(), new Adam(tuner.ParameterGroups(0.01, backboneScale: 0.1), lr: 0.01),
            new FineTuningOptions { Epochs = 5, BatchSize = 4, UnfreezeEvery = 2, Log = log, EpochEnd = m => epochs.Add(m.Epoch) });
        var result = run.Fit(Images(8));
        Assert.That(result.CachedEpochs, Is.EqualTo(2));
        Assert.That(epochs, Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
        Assert.That(result.Unfrozen.Select(u => (u.Epoch, u.Block.Name)), Is.EqualTo(new[] { (3, "block2"), (5, "block1") }));
        Assert.That(log.ToString(), Does.Contain("features cached").And.Contain("epoch 3: unfroze block2 (next: block1)"));
        Assert.That(model.Parameters().All(p => p.RequiresGrad), Is.True);
    }

    [Test]
    public void GradualUnfreezingScheduleAndCheckpointState()
    {
        var tuner = new FineTuner(TinyCnn());
        tuner.FreezeBackbone();
        var schedule = new GradualUnfreezing(tuner, 3);
        Assert.That(Enumerable.Range(1, 10).Where(schedule.UnfreezesAt), Is.EqualTo(new[] { 4, 7, 10 }));
        Assert.Throws<ArgumentException>(() => new GradualUnfreezing(tuner, 0));

        // What is unfrozen follows from the epoch alone: after epoch 6, only the unfreezing at epoch 4 has happened.
        var state = new NetFromScratch.Training.Checkpoints.CheckpointState();
        state.SetInteger("epoch", 6);
        schedule.LoadState(state, "u.");
        Assert.That(tuner.IsFrozen(tuner.Layout.Find("block2")!), Is.False);
        Assert.That(tuner.IsFrozen(tuner.Layout.Find("block1")!), Is.True);
        Assert.That(schedule.Unfrozen.Select(u => (u.Epoch, u.Block.Name)), Is.EqualTo(new[] { (4, "block2") }));

        // A phase trainer that starts after cached epochs counts its epochs from there.
        tuner.FreezeBackbone();
        var shifted = new GradualUnfreezing(tuner, 3) { EpochOffset = 3 };
        state.SetInteger("epoch", 4);
        shifted.LoadState(state, "u.");
        Assert.That(shifted.Unfrozen.Select(u => (u.Epoch, u.Block.Name)), Is.EqualTo(new[] { (4, "block2"), (7, "block1") }));
        Assert.That(tuner.IsFrozen(tuner.Layout.Find("block1")!), Is.False);
    }

    [Test]
    public void TransformedDatasetAppliesItsTransformOnCopy()
    {
        var data = Images(2);
        var normalized = new TransformedDataset(data, new Normalize([0.5f], [0.5f]));
        var a = new float[data.SampleShape.Numel];
        var b = new float[data.SampleShape.Numel];
        Assert.That(normalized.CopySample(1, b), Is.EqualTo(data.CopySample(1, a)));
        Assert.That(b, Is.EqualTo(a.Select(v => (v - 0.5f) / 0.5f).ToArray()).Within(1e-6f));
    }
}
