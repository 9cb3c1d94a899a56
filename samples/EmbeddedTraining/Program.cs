using System.Diagnostics;
using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Nn.Init;
using NetFromScratch.Nn.Models;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Optimizers;
using NetFromScratch.Training.Trainers;

// Trains the reference MLP on the embedded optdigits digits, then classifies test digits with it: everything an app needs
// to learn from its own data, in one self-contained executable.
var inv = CultureInfo.InvariantCulture;
int epochs = args.Length > 0 ? int.Parse(args[0], inv) : 5;

var train = Load("optdigits.tra");
var test = Load("optdigits.tes");
train.Normalize(0.308f, 0.3775f);
test.Normalize(0.308f, 0.3775f);

// He initialisation and label smoothing, as nfs train uses by default: they suit this small data set.
var generator = new Generator(1);
var model = Mlp.Create(inputs: 64, hidden: [128, 64], classes: 10, generator: generator);
foreach (var p in model.Parameters())
{
    if (p.Shape.Rank == 2) Initializers.KaimingNormal(p.Data, nonlinearity: Nonlinearity.Relu, generator: generator);
    else Initializers.Zeros(p.Data);
}
var trainer = new Trainer(model, new CrossEntropyLoss(labelSmoothing: 0.1f), new Adam(model.Parameters(), lr: 1e-3),
    new TrainerOptions { Epochs = epochs, BatchSize = 64, Seed = 1 });
var clock = Stopwatch.StartNew();
var history = trainer.Fit(train);
Console.WriteLine(string.Create(inv, $"trained {epochs} epochs on {train.Count} digits in {clock.ElapsedMilliseconds} ms: loss {history.Last!.TrainLoss:F4}, accuracy {history.Last.TrainAccuracy:P2} ({trainer.StepKind} step)"));

// Predict one digit, as an app would: evaluation mode, no gradients, arg-max of the scores. InferenceMode also hands
// every activation back to the buffer pool when it closes, so an app predicting in a loop does not allocate each time.
model.Eval();
var pixels = new float[64];
int label = test.CopySample(0, pixels);
int predicted;
clock.Restart();
using (InferenceMode.Enter())
using (var input = Tensor.FromArray(pixels, new Shape(1, 64)))
{
    var scores = model.Forward(input);
    using var best = scores.Data.ArgMax(1);
    predicted = (int)best.Item();
}
double sinceStart = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
Console.WriteLine(string.Create(inv, $"first prediction: digit {predicted} (label {label}) in {clock.Elapsed.TotalMilliseconds:F2} ms, {sinceStart:F0} ms after process start"));
Console.WriteLine(string.Create(inv, $"test accuracy: {trainer.Evaluate(test).Accuracy:P2} on {test.Count} digits"));

static InMemoryDataset Load(string resource)
{
    using var stream = typeof(Program).Assembly.GetManifestResourceStream(resource)
        ?? throw new InvalidOperationException($"embedded resource {resource} is missing");
    using var reader = new StreamReader(stream);
    return OptDigits.Parse(reader, resource);
}
