using System.CommandLine;
using System.Globalization;
using NetFromScratch.Cli.FineTuning;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs compare</c>: from scratch, frozen backbone or full fine-tuning, on one small data set with N examples per class
/// for several N; a table of accuracy, time and memory, a plot, and how much full fine-tuning forgets the original task.
/// Offline: the backbone is pretrained here on procedural shapes and passes through ONNX.
/// </summary>
public static class CompareCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var d = new CompareSettings();
        var perClass = new Option<string>("--per-class") { Description = "Training examples per class of the new task, comma-separated.", DefaultValueFactory = _ => string.Join(",", d.PerClass) };
        var approaches = new Option<string>("--approaches") { Description = "Which of scratch, frozen, full to run, comma-separated.", DefaultValueFactory = _ => string.Join(",", d.Approaches) };
        var size = new Option<int>("--size") { Description = "Image height and width.", DefaultValueFactory = _ => d.Size };
        var pretrainPerClass = new Option<int>("--pretrain-per-class") { Description = "Images per class of the original task for pretraining.", DefaultValueFactory = _ => d.PretrainPerClass };
        var pretrainEpochs = new Option<int>("--pretrain-epochs") { Description = "Epochs of pretraining.", DefaultValueFactory = _ => d.PretrainEpochs };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of every approach.", DefaultValueFactory = _ => d.Epochs };
        var testPerClass = new Option<int>("--test-per-class") { Description = "Test images per class of each task.", DefaultValueFactory = _ => d.TestPerClass };
        var batch = new Option<int>("--batch-size") { Description = "Samples per step.", DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Learning rate (the head's when fine-tuning).", DefaultValueFactory = _ => d.LearningRate };
        var scale = new Option<double>("--backbone-lr-scale") { Description = "The backbone's learning rate relative to the head's in full fine-tuning.", DefaultValueFactory = _ => d.BackboneLrScale };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the data, initialisation and shuffling.", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all).", DefaultValueFactory = _ => d.Threads };
        var output = new Option<string?>("--out") { Description = "Output folder (default: runs/compare-TIME)." };
        var saveFolder = new Option<string?>("--save-folder") { Description = "Also write the new task's training images as an image folder (for trying nfs finetune on them)." };

        var command = new Command("compare",
            "Train from scratch, fine-tune a frozen backbone, or fine-tune everything? On procedural shapes: pretrain a small CNN on " +
            "five classes, export it to ONNX, then learn five new classes from N examples each, all three ways, for several N. Prints " +
            "accuracy, time and memory per approach and N, measures how much the original task is forgotten, and writes compare.csv and compare.png.");
        foreach (var o in new Option[] { perClass, approaches, size, pretrainPerClass, pretrainEpochs, epochs, testPerClass, batch, lr, scale, seed, threads, output, saveFolder })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            int[] counts;
            try
            {
                counts = parse.GetValue(perClass)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(v => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (FormatException)
            {
                Console.Error.WriteLine($"compare: --per-class takes whole numbers separated by commas, got '{parse.GetValue(perClass)}'.");
                return 1;
            }
            return CompareJob.Execute(new CompareSettings
            {
                PerClass = counts,
                Approaches = parse.GetValue(approaches)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.ToLowerInvariant()).ToArray(),
                Size = parse.GetValue(size),
                PretrainPerClass = parse.GetValue(pretrainPerClass),
                PretrainEpochs = parse.GetValue(pretrainEpochs),
                Epochs = parse.GetValue(epochs),
                TestPerClass = parse.GetValue(testPerClass),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                BackboneLrScale = parse.GetValue(scale),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                Output = parse.GetValue(output),
                SaveFolder = parse.GetValue(saveFolder),
            }, Console.Out, Console.Error);
        });
        return command;
    }
}
