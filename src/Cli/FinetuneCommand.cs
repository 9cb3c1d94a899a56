using System.CommandLine;
using NetFromScratch.Cli.FineTuning;
using NetFromScratch.Training.Augmentation;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs finetune</c>: adapts a pretrained network to an image folder. It replaces the head for the folder's classes,
/// freezes the backbone (or up to <c>--freeze-until</c>), gives the backbone lower learning rates, optionally unfreezes
/// one more block every N epochs, caches the frozen backbone's features so later epochs train only the head, validates,
/// and writes metrics, checkpoints and a summary. <c>--device</c> is resolved as for every <c>nfs</c> command
/// (<see cref="DeviceOption"/>); <c>--resume CHECKPOINT</c> continues an interrupted run with its saved settings.
/// </summary>
public static class FinetuneCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var d = new FinetuneSettings();
        var backbone = new Option<string>("--backbone")
        {
            Description = $"MODEL.onnx (a pretrained classifier), or a model name for random weights ({string.Join(", ", BackboneLoader.BuilderNames)}; that is training, not fine-tuning). Required unless --resume is given.",
        };
        var weights = new Option<string?>("--weights") { Description = "A safetensors state dict for a model name given to --backbone." };
        var data = new Option<string>("--data") { Description = "Image folder: one subfolder of images per class. Required unless --resume is given." };
        var val = new Option<string?>("--val") { Description = "A validation image folder with the same classes (default: hold out --val-split of --data)." };
        var valSplit = new Option<double>("--val-split") { Description = "Fraction of each class held out for validation when --val is not given (0 = none).", DefaultValueFactory = _ => d.ValidationSplit };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classes of the new head (default: the number of class folders)." };
        var freezeUntil = new Option<string?>("--freeze-until")
        {
            Description = "Freeze from the input up to and including this block (stem, layer1..layer4 for ResNet; block1..block5, classifier for VGG), " +
                          "or a parameter-name prefix (layer3.0); 'backbone' freezes all but the head, 'none' nothing. Default: backbone when pretrained, none otherwise.",
        };
        var unfreezeEvery = new Option<int>("--unfreeze-every") { Description = "Unfreeze one more block, from the head down, every N epochs (0 = never).", DefaultValueFactory = _ => d.UnfreezeEvery };
        var lr = new Option<double>("--lr") { Description = "Learning rate of the head.", DefaultValueFactory = _ => d.LearningRate };
        var scale = new Option<double>("--backbone-lr-scale") { Description = "The block next to the head learns at lr times this.", DefaultValueFactory = _ => d.BackboneLrScale };
        var decay = new Option<double>("--lr-decay") { Description = "Each block further down learns at the previous block's rate times this (discriminative learning rates; 1 = the same for the whole backbone).", DefaultValueFactory = _ => d.LrDecay };
        var optimizer = new Option<string>("--optimizer") { Description = "adam, adamw or sgd.", DefaultValueFactory = _ => d.Optimizer };
        optimizer.AcceptOnlyFromAmong("adam", "adamw", "sgd");
        var momentum = new Option<double>("--momentum") { Description = "Momentum of sgd.", DefaultValueFactory = _ => d.Momentum };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay (decoupled for adamw).", DefaultValueFactory = _ => d.WeightDecay };
        var epochs = new Option<int>("--epochs") { Description = "Epochs in all (with --resume, the new total).", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Samples per step.", DefaultValueFactory = _ => d.BatchSize };
        var inputSize = new Option<int>("--input-size") { Description = "Images are resized to this height and width.", DefaultValueFactory = _ => d.InputSize };
        var augment = new Option<string>("--augment") { Description = "Augmentation of training images, e.g. flip,crop:8 (random augmentation turns feature caching off):" + Environment.NewLine + AugmentationSpec.Usage, DefaultValueFactory = _ => d.Augment };
        var normalize = new Option<string>("--normalize") { Description = "imagenet (what torchvision's pretrained models expect), data (this folder's channel statistics) or none.", DefaultValueFactory = _ => d.Normalize };
        normalize.AcceptOnlyFromAmong("imagenet", "data", "none");
        var hidden = new Option<int>("--head-hidden") { Description = "Hidden units of a two-layer head (0 = one Linear; for VGG a hidden head replaces the whole classifier).", DefaultValueFactory = _ => d.HeadHidden };
        var headDropout = new Option<float>("--head-dropout") { Description = "Dropout inside a two-layer head.", DefaultValueFactory = _ => d.HeadDropout };
        var noCache = new Option<bool>("--no-cache") { Description = "Run the frozen backbone every epoch instead of caching its features." };
        var lazy = new Option<bool>("--lazy") { Description = "Decode images on demand instead of holding the folder in memory." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the head, the split, shuffling and augmentation.", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all).", DefaultValueFactory = _ => d.Threads };
        var device = DeviceOption.Create();
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue an interrupted run from CHECKPOINT (a run folder's checkpoint.safetensors) with its settings; only --epochs, --out and --threads may be given.",
            HelpName = "CHECKPOINT",
        };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/finetune-TIME; with --resume, the checkpoint's folder)." };

        var command = new Command("finetune",
            "Fine-tune a pretrained network (an ONNX classifier) on an image folder: new head, frozen backbone or frozen up to a block, " +
            "lower learning rates for the backbone, gradual unfreezing, cached features while the backbone is frozen, validation, checkpoints.");
        Option[] settings = [backbone, weights, data, val, valSplit, numClasses, freezeUntil, unfreezeEvery, lr, scale, decay, optimizer, momentum,
            weightDecay, epochs, batch, inputSize, augment, normalize, hidden, headDropout, noCache, lazy, seed, threads, device, output];
        foreach (var o in settings) command.Options.Add(o);
        command.Options.Add(resume);
        command.SetAction(parse =>
        {
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            if (parse.GetValue(resume) is { } checkpoint)
            {
                // The checkpoint's settings made its weights and optimizer state; any other value would not continue that run.
                var refused = settings.Where(o => o != epochs && o != output && o != threads && Given(o)).Select(o => o.Name).ToList();
                if (refused.Count > 0)
                {
                    Console.Error.WriteLine($"finetune: --resume continues with the checkpoint's settings; only --epochs, --out and --threads may be given, not {string.Join(", ", refused)}.");
                    return 1;
                }
                return FinetuneJob.Resume(checkpoint, Given(epochs) ? parse.GetValue(epochs) : null, parse.GetValue(output),
                    Given(threads) ? parse.GetValue(threads) : null, Console.Out, Console.Error);
            }
            if (!Given(backbone) || !Given(data))
            {
                Console.Error.WriteLine("finetune: --backbone and --data are required (or --resume CHECKPOINT to continue a run).");
                return 1;
            }
            return Run(parse);
        });
        return command;

        int Run(ParseResult parse) => FinetuneJob.Execute(new FinetuneSettings
        {
            Backbone = parse.GetValue(backbone)!,
            Weights = parse.GetValue(weights),
            Data = parse.GetValue(data)!,
            Validation = parse.GetValue(val),
            ValidationSplit = parse.GetValue(valSplit),
            NumClasses = parse.GetValue(numClasses),
            FreezeUntil = parse.GetValue(freezeUntil),
            UnfreezeEvery = parse.GetValue(unfreezeEvery),
            LearningRate = parse.GetValue(lr),
            BackboneLrScale = parse.GetValue(scale),
            LrDecay = parse.GetValue(decay),
            Optimizer = parse.GetValue(optimizer)!,
            Momentum = parse.GetValue(momentum),
            WeightDecay = parse.GetValue(weightDecay),
            Epochs = parse.GetValue(epochs),
            BatchSize = parse.GetValue(batch),
            InputSize = parse.GetValue(inputSize),
            Augment = parse.GetValue(augment)!,
            Normalize = parse.GetValue(normalize)!,
            HeadHidden = parse.GetValue(hidden),
            HeadDropout = parse.GetValue(headDropout),
            Cache = !parse.GetValue(noCache),
            Lazy = parse.GetValue(lazy),
            Seed = parse.GetValue(seed),
            Threads = parse.GetValue(threads),
            Device = parse.GetValue(device) ?? "",
            Output = parse.GetValue(output),
        }, Console.Out, Console.Error);
    }
}
