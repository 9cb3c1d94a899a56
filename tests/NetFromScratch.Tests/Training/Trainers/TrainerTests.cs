using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Checkpoints;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Regularization;
using NetFromScratch.Training.Schedules;
using NetFromScratch.Training.Trainers;

namespace NetFromScratch.Tests.Training.Trainers;

public class TrainerTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), "nfs-trainer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Sequential Model(float dropout = 0f, Generator? gen = null) =>
        Mlp.Create(inputs: 4, hidden: [16, 8], classes: 3, dropout: dropout, generator: gen ?? new Generator(11));

    [TestCase(true)]
    [TestCase(false)]
    public void LearnsSeparableBlobs(bool fused)
    {
        var data = SyntheticData.BlobImages(perClass: 40);
        var (train, test) = data.Split(0.25, seed: 3);
        var model = Model();
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), lr: 0.02),
            new TrainerOptions { Epochs = 15, BatchSize = 16, Seed = 5, UseFusedSteps = fused, ValidationSplit = 0.2 });
        var history = trainer.Fit(train);
        Assert.That(trainer.StepKind, Is.EqualTo(fused ? "fused-mlp" : "autograd"));
        Assert.That(history.Epochs, Has.Count.EqualTo(15));
        Assert.That(history.Epochs[^1].TrainLoss, Is.LessThan(history.Epochs[0].TrainLoss));
        Assert.That(history.Epochs[^1].HasValidation, Is.True);
        var result = trainer.Evaluate(test);
        Assert.That(result.Accuracy, Is.GreaterThanOrEqualTo(0.95), $"test accuracy {result.Accuracy}");
        Assert.That(result.Samples, Is.EqualTo(test.Count));
    }

    [Test]
    public void ReleasingAPartlyFrozenModelsActivationsChangesNoResult()
    {
        // The first layer is frozen, so its activations record no graph: with ReleaseIntermediates (the default) each
        // step and each evaluation gives them back to the pool. The run must end bit-for-bit where the run that keeps
        // everything ends; an activation a hook kept past its step is released in one and readable in the other.
        var data = SyntheticData.BlobImages(perClass: 20);
        (float[] Weights, double Loss, Variable Kept) Run(bool release)
        {
            var model = Model();
            model.Freeze("1");
            Variable? kept = null;
            using var hook = model[1].RegisterForwardHook((_, _, output) => kept = output);
            var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.TrainableParameters(), lr: 0.02),
                new TrainerOptions { Epochs = 3, BatchSize = 16, Seed = 5, UseFusedSteps = false, ValidationSplit = 0.25, ReleaseIntermediates = release });
            var history = trainer.Fit(data);
            Assert.That(trainer.StepKind, Is.EqualTo("autograd"));
            return (model.Parameters().SelectMany(p => p.Data.ToArray()).ToArray(), history.Epochs[^1].ValidationLoss, kept!);
        }

        var released = Run(release: true);
        var keptAll = Run(release: false);
        Assert.That(released.Weights, Is.EqualTo(keptAll.Weights));
        Assert.That(released.Loss, Is.EqualTo(keptAll.Loss));
        Assert.Throws<ObjectDisposedException>(() => _ = released.Kept.Data);
        Assert.That(keptAll.Kept.Data.ToArray(), Is.Not.Empty);
    }

    [Test]
    public void MetricsReportTheLargestGroupRate()
    {
        // Discriminative rates, as fine-tuning sets them: the input-side block learns 100 times slower than the head.
        // The history's lr column reports the head's rate, the one the user chose, not the first group's.
        var model = Model();
        var parameters = model.Parameters().ToList();
        var groups = new[]
        {
            new ParamGroup(parameters.Take(2), 0.0002, null, "early"),
            new ParamGroup(parameters.Skip(2), 0.02, null, "head"),
        };
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(groups, lr: 0.02),
            new TrainerOptions { Epochs = 1, BatchSize = 16, Seed = 5, UseFusedSteps = false });
        var history = trainer.Fit(SyntheticData.BlobImages(perClass: 10));
        Assert.That(history.Epochs[0].LearningRate, Is.EqualTo(0.02));
    }

    [TestCase(0, 1)]
    [TestCase(1, 90)]
    [TestCase(32, 3)]
    public void BatchSizeSelectsTheGradientDescentVariant(int batchSize, int stepsPerEpoch)
    {
        var train = SyntheticData.BlobImages(perClass: 30); // 90 samples
        var model = Model();
        var trainer = new Trainer(model, new CrossEntropyLoss(), new SGD(model.Parameters(), lr: 0.05),
            new TrainerOptions { Epochs = 2, BatchSize = batchSize, Prefetch = 0 });
        var history = trainer.Fit(train);
        Assert.That(history.Epochs.Select(e => e.Steps), Is.All.EqualTo(stepsPerEpoch));
        Assert.That(trainer.GlobalStep, Is.EqualTo(2 * stepsPerEpoch));
    }

    [Test]
    public void EarlyStoppingStopsAfterPatienceWithoutImprovement()
    {
        var data = SyntheticData.BlobImages();
        var model = Model();
        // A zero learning rate never improves anything: the first epoch is the best, then 2 more epochs and stop.
        var trainer = new Trainer(model, new CrossEntropyLoss(), new SGD(model.Parameters(), lr: 0.0),
            new TrainerOptions { Epochs = 20, ValidationSplit = 0.25 });
        trainer.Callbacks.Add(new EarlyStopping(patience: 2));
        var history = trainer.Fit(data);
        Assert.That(history.Epochs, Has.Count.EqualTo(3));
        Assert.That(history.StopReason, Does.Contain("early stopping").And.Contain("val_loss").And.Contain("epoch 1"));
    }

    [Test]
    public void KeepBestRestoresTheBestEpochsWeights()
    {
        var model = Model();
        var trainer = new Trainer(model, new CrossEntropyLoss(), new SGD(model.Parameters(), lr: 0.1));
        var keep = new KeepBestWeights();
        var weight = ((Linear)model[1]).Weight.Data;
        float[] atBest = [];
        double[] valLosses = [0.9, 0.5, 0.7, 0.8];
        for (int e = 1; e <= valLosses.Length; e++)
        {
            weight.FillInPlace(e);
            if (e == 2) atBest = weight.ToArray();
            keep.OnEpochEnd(trainer, new EpochMetrics(e, 1.0 / e, 0.5, valLosses[e - 1], 0.5, 0.1, 0.01, 1));
        }
        var history = new TrainingHistory();
        keep.OnTrainEnd(trainer, history);
        Assert.That(weight.ToArray(), Is.EqualTo(atBest));
        Assert.That(history.BestEpoch, Is.EqualTo(2));
    }

    [Test]
    public void OverfittingIsReportedFromTheCurves()
    {
        var history = new TrainingHistory();
        double[] train = [1.0, 0.6, 0.4, 0.3, 0.2], val = [1.1, 0.7, 0.65, 0.75, 0.9];
        for (int e = 0; e < 5; e++) history.Epochs.Add(new EpochMetrics(e + 1, train[e], 0.5, val[e], 0.5, 0.1, 1, 10));
        var warning = history.OverfittingWarning();
        Assert.That(warning, Does.Contain("validation loss rose from 0.6500 (epoch 3) to 0.9000 (epoch 5)").And.Contain("training loss fell"));
        var healthy = new TrainingHistory();
        for (int e = 0; e < 3; e++) healthy.Epochs.Add(new EpochMetrics(e + 1, train[e], 0.5, val[e], 0.5, 0.1, 1, 10));
        Assert.That(healthy.OverfittingWarning(), Is.Null);
    }

    [Test]
    public void HistoryCsvRoundTrips()
    {
        var history = new TrainingHistory();
        history.Epochs.Add(new EpochMetrics(1, 0.123456789, 0.5, double.NaN, double.NaN, 1e-3, 1.5, 12));
        history.Epochs.Add(new EpochMetrics(2, 0.1, 0.75, 0.2, 0.7, 5e-4, 1.25, 12));
        var csv = history.ToCsv();
        Assert.That(csv, Does.StartWith("epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds,steps\n1,0.123456789,0.5,,,0.001,1.500,12\n"));
        var back = TrainingHistory.FromCsv(csv);
        Assert.That(back.Epochs[0].TrainLoss, Is.EqualTo(0.123456789));
        Assert.That(back.Epochs[0].HasValidation, Is.False);
        Assert.That(back.Epochs[1], Is.EqualTo(history.Epochs[1]));
    }

    [Test]
    public void NaNLossStopsWithTheEpochStepAndAdviceAndKeepsTheLastCheckpoint()
    {
        var data = SyntheticData.BlobImages(perClass: 30); // 90 samples, batch 30: 3 steps per epoch
        var model = Model();
        string checkpoint = Path.Combine(_dir, "checkpoint.safetensors");
        var trainer = new Trainer(model, new CrossEntropyLoss(), new SGD(model.Parameters(), lr: 0.1),
            new TrainerOptions { Epochs = 5, BatchSize = 30 });
        trainer.Callbacks.Add(new Poison(epoch: 2, batch: 1, (Linear)model[1]));
        trainer.Callbacks.Add(new CheckpointEveryEpoch(checkpoint));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data));
        Assert.That(e!.Message, Does.Contain("NaN").And.Contain("epoch 2").And.Contain("step 5").And.Contain("batch 2 of 3")
            .And.Contain("lower learning rate").And.Contain(checkpoint));
        Assert.That(e.Epoch, Is.EqualTo(2));
        var kept = Checkpoint.Load(checkpoint);
        Assert.That(kept.GetInteger("epoch"), Is.EqualTo(1));
        Assert.That(kept.Tensors["model.1.weight"].ToArray().All(float.IsFinite));
    }

    /// <summary>Sets a weight to NaN after the given batch, so the next step's loss is NaN.</summary>
    private sealed class Poison(int epoch, int batch, Linear layer) : TrainerCallback
    {
        public override void OnBatchEnd(Trainer trainer, in BatchProgress progress)
        {
            if (progress.Epoch == epoch && progress.Batch == batch) layer.Weight.Data.FillInPlace(float.NaN);
        }
    }

    [Test]
    public void InterruptedCheckpointWriteKeepsThePreviousFile()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        var first = new CheckpointState();
        first.Tensors["w"] = Tensor.FromArray(1f, 2f, 3f);
        first.SetInteger("epoch", 1);
        Checkpoint.Save(path, first);
        var before = File.ReadAllBytes(path);

        var second = new CheckpointState();
        second.Tensors["w"] = Tensor.FromArray(TensorAssert.RandomData(10_000, 1), new Shape(10_000));
        second.SetInteger("epoch", 2);
        Assert.Throws<IOException>(() => Checkpoint.Save(path, second, s => new FailingStream(s, failAfter: 4096)));

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), "the previous checkpoint is untouched");
        Assert.That(Checkpoint.Load(path).GetInteger("epoch"), Is.EqualTo(1));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary file is left behind");
    }

    /// <summary>Passes writes through until a byte budget is spent, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > failAfter) throw new IOException("simulated failure: no space left on device");
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }

    [Test]
    public void LoadingSomethingElseAsACheckpointSaysSo()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        Model().Save(path);
        var e = Assert.Throws<InvalidOperationException>(() => Checkpoint.Load(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("not a training checkpoint"));
    }

    // ---- resuming ------------------------------------------------------------------------------------------------

    /// <summary>Builds the same run from scratch: model, optimizer, schedule, callbacks, all from one seed.</summary>
    private static Trainer NewRun(float dropout, bool fused, int epochs, string? checkpoint)
    {
        Generator.ManualSeed(77);
        var gen = new Generator(11);
        var model = Model(dropout, gen);
        var opt = new Adam(model.Parameters(), lr: 0.01);
        var penalty = new Penalty(Penalty.WeightsOf(model), l2: 1e-3);
        var trainer = new Trainer(model, new CrossEntropyLoss(labelSmoothing: 0.05f), opt,
            new TrainerOptions
            {
                Epochs = epochs, BatchSize = 16, Seed = 9, UseFusedSteps = fused, Generators = [gen], Penalty = penalty,
                ClipGradNorm = 5.0,
            })
        {
            Scheduler = new StepLR(opt, 1, 0.5),
        };
        trainer.Callbacks.Add(new EarlyStopping(patience: 5, Metric.TrainLoss));
        trainer.Callbacks.Add(new KeepBestWeights(Metric.TrainLoss));
        if (checkpoint is not null) trainer.Callbacks.Add(new CheckpointEveryEpoch(checkpoint));
        return trainer;
    }

    [TestCase(0f, true)]
    [TestCase(0.3f, false)]
    public void ResumingContinuesBitIdentically(float dropout, bool fused)
    {
        var data = SyntheticData.BlobImages(perClass: 20);
        string checkpoint = Path.Combine(_dir, "ckpt.safetensors");

        var straight = NewRun(dropout, fused, epochs: 2, checkpoint: null);
        straight.Fit(data);
        Assert.That(straight.StepKind, Is.EqualTo(fused && dropout == 0 ? "fused-mlp" : "autograd"));

        var firstHalf = NewRun(dropout, fused, epochs: 1, checkpoint);
        firstHalf.Fit(data);
        Generator.ManualSeed(12345); // the resumed process starts with other random state
        var resumed = NewRun(dropout, fused, epochs: 2, checkpoint: null);
        resumed.Resume(checkpoint);
        Assert.That(resumed.Epoch, Is.EqualTo(1));
        resumed.Fit(data);

        var expected = straight.Model.StateDict();
        var actual = resumed.Model.StateDict();
        for (int i = 0; i < expected.Count; i++)
            Assert.That(actual[i].Value.ToArray(), Is.EqualTo(expected[i].Value.ToArray()), expected[i].Key);
        Assert.That(resumed.History.Epochs, Has.Count.EqualTo(2));
        Assert.That(resumed.History.Epochs[1].TrainLoss, Is.EqualTo(straight.History.Epochs[1].TrainLoss));
        Assert.That(resumed.GlobalStep, Is.EqualTo(straight.GlobalStep));
        Assert.That(resumed.Optimizer.ParamGroups[0].LearningRate, Is.EqualTo(straight.Optimizer.ParamGroups[0].LearningRate));
    }

    [Test]
    public void ResumingIntoADifferentSetupSaysWhatDiffers()
    {
        var data = SyntheticData.BlobImages(perClass: 10);
        string checkpoint = Path.Combine(_dir, "ckpt.safetensors");
        NewRun(0f, true, 1, checkpoint).Fit(data);
        var model = Mlp.Create(4, [32], 3);
        var other = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters()));
        var e = Assert.Throws<InvalidOperationException>(() => other.Resume(checkpoint));
        Assert.That(e!.Message, Does.Contain(checkpoint).And.Contain("model does not match"));
    }
}
