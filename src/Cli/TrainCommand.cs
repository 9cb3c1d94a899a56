using System.CommandLine;
using NetFromScratch.Cli.Training;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs train</c>: trains a network from scratch. With no arguments it trains the reference MLP of the PyTorch MNIST
/// example (Flatten, 64-&gt;128, ReLU, 128-&gt;64, ReLU, 64-&gt;10; cross-entropy; Adam, lr 1e-3; batch 64; 10 epochs) on the
/// built-in optdigits digits, writes a run folder and ends with <c>test_accuracy=...</c>. Two defaults differ from that
/// recipe because optdigits is small (540 steps in 10 epochs) and its test digits come from other writers: He
/// initialisation and label smoothing 0.1 (<c>--init default --label-smoothing 0</c> gives the exact recipe).
/// </summary>
public static class TrainCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var d = new TrainSettings();
        var dataset = new Option<string>("--dataset") { Description = "optdigits (built in), mnist (needs --data), cifar10, folder or shapes.", DefaultValueFactory = _ => d.Dataset };
        var data = new Option<string?>("--data") { Description = "Directory of the data files (MNIST: the four IDX files, plain or .gz)." };
        var model = new Option<string>("--model") { Description = "mlp (128, 64 hidden), mlp:H1,H2,..., linear, cnn or vgg.", DefaultValueFactory = _ => d.Model };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad.", DefaultValueFactory = _ => d.Optimizer };
        optimizer.AcceptOnlyFromAmong(OptimizerFactory.Names);
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default 1e-3 for adam, adamw, rmsprop; 1e-2 otherwise)." };
        var momentum = new Option<double>("--momentum") { Description = "Momentum for momentum and nesterov.", DefaultValueFactory = _ => d.Momentum };
        var batch = new Option<int>("--batch-size") { Description = "Samples per step: 1 = stochastic, 0 = full batch, else mini-batch.", DefaultValueFactory = _ => d.BatchSize };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs to train (default 10; with --resume, the new total)." };
        var init = new Option<string>("--init") { Description = "Weight initialisation: he (Kaiming normal), default (PyTorch's layer defaults), xavier, uniform or normal.", DefaultValueFactory = _ => d.Init };
        init.AcceptOnlyFromAmong(WeightInit.Names);
        var dropout = new Option<float>("--dropout") { Description = "Dropout probability after each hidden layer." };
        var l1 = new Option<double>("--l1") { Description = "L1 penalty strength on the weights (loss += l1 * sum|w|)." };
        var l2 = new Option<double>("--l2") { Description = "L2 penalty strength on the weights (loss += l2 * sum w^2)." };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "Optimizer weight decay (decoupled for adamw; default 0, adamw 0.01)." };
        var schedule = new Option<string>("--schedule") { Description = "none, step:N[,gamma], multistep:E1+E2[,gamma], exp:gamma, cosine[:T], warmup:W[,cosine], onecycle[:maxLr], plateau[:patience[,factor]].", DefaultValueFactory = _ => d.Schedule };
        var valSplit = new Option<double>("--val-split") { Description = "Fraction of the training data held out for validation.", DefaultValueFactory = _ => d.ValidationSplit };
        var earlyStop = new Option<int?>("--early-stop") { Description = "Stop after PATIENCE epochs without a better validation loss." };
        var smoothing = new Option<float>("--label-smoothing") { Description = "Cross-entropy label smoothing in [0, 1] (0 = the plain loss).", DefaultValueFactory = _ => d.LabelSmoothing };
        var clipNorm = new Option<double?>("--clip-norm") { Description = "Clip the gradients' total norm to this value." };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation, dropout, the validation split and shuffling.", DefaultValueFactory = _ => d.Seed };
        var device = DeviceOption.Create();
        var augment = new Option<string?>("--augment") { Description = "Augmentation spec for image data sets." };
        var noFused = new Option<bool>("--no-fused") { Description = "Always use the autograd step (the fused MLP step is the default where it applies)." };
        var resume = new Option<string?>("--resume") { Description = "Continue from CHECKPOINT with its settings (only --epochs and --out may change)." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/TIME-DATASET-MODEL; with --resume, the checkpoint's folder)." };

        var command = new Command("train", "Train a network from scratch (default: the reference MLP on the built-in optdigits digits).");
        foreach (var o in new Option[] { dataset, data, model, optimizer, lr, momentum, batch, epochs, init, dropout, l1, l2, weightDecay, schedule,
                     valSplit, earlyStop, smoothing, clipNorm, seed, device, augment, noFused, resume, output })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            var s = new TrainSettings
            {
                Dataset = parse.GetValue(dataset)!,
                DataDirectory = parse.GetValue(data),
                Model = parse.GetValue(model)!,
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(lr),
                Momentum = parse.GetValue(momentum),
                BatchSize = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs) ?? d.Epochs,
                Init = parse.GetValue(init)!,
                Dropout = parse.GetValue(dropout),
                L1 = parse.GetValue(l1),
                L2 = parse.GetValue(l2),
                WeightDecay = parse.GetValue(weightDecay),
                Schedule = parse.GetValue(schedule)!,
                ValidationSplit = parse.GetValue(valSplit),
                EarlyStop = parse.GetValue(earlyStop),
                LabelSmoothing = parse.GetValue(smoothing),
                ClipNorm = parse.GetValue(clipNorm),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device) ?? d.Device,
                Augment = parse.GetValue(augment),
                Fused = !parse.GetValue(noFused),
            };
            return TrainRun.Execute(s, parse.GetValue(resume), parse.GetValue(epochs), parse.GetValue(output), Console.Out, Console.Error,
                interactive: !Console.IsOutputRedirected);
        });
        return command;
    }
}
