using System.Globalization;
using System.Text;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>Everything <c>nfs finetune</c> was asked to do (the command line, parsed).</summary>
public sealed class FinetuneSettings
{
    /// <summary>An .onnx file or a builder name (resnet18, vgg16, ...).</summary>
    public string Backbone { get; init; } = "";

    /// <summary>A safetensors state dict for a builder name, or null.</summary>
    public string? Weights { get; init; }

    /// <summary>The image folder (one subfolder per class).</summary>
    public string Data { get; init; } = "";

    /// <summary>A separate validation image folder, or null to split <see cref="Data"/>.</summary>
    public string? Validation { get; init; }

    /// <summary>Fraction of <see cref="Data"/> held out for validation when no folder is given (0 = none).</summary>
    public double ValidationSplit { get; init; } = 0.2;

    /// <summary>Classes of the new head (null: the data's).</summary>
    public int? NumClasses { get; init; }

    /// <summary>Freeze up to this block or prefix (<c>backbone</c>, <c>none</c>, <c>layer3</c>, ...); null: the whole backbone when pretrained, nothing otherwise.</summary>
    public string? FreezeUntil { get; init; }

    /// <summary>Unfreeze one more block every N epochs (0 = never).</summary>
    public int UnfreezeEvery { get; init; }

    /// <summary>The head's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The backbone block next to the head learns at lr times this.</summary>
    public double BackboneLrScale { get; init; } = 0.1;

    /// <summary>Each further block down learns at the previous rate times this.</summary>
    public double LrDecay { get; init; } = 1.0;

    /// <summary>adam, adamw or sgd.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Weight decay (decoupled for adamw).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Epochs in all.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Samples per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Images are resized to this height and width.</summary>
    public int InputSize { get; init; } = 224;

    /// <summary>Augmentation spec (<c>none</c>, or e.g. <c>flip,crop:8</c>).</summary>
    public string Augment { get; init; } = "none";

    /// <summary>imagenet, data or none.</summary>
    public string Normalize { get; init; } = "imagenet";

    /// <summary>Hidden units of an MLP head (0 = a single Linear).</summary>
    public int HeadHidden { get; init; }

    /// <summary>Dropout in an MLP head.</summary>
    public float HeadDropout { get; init; }

    /// <summary>Whether features may be cached while the backbone is frozen.</summary>
    public bool Cache { get; init; } = true;

    /// <summary>Decode images on demand instead of holding them all in memory.</summary>
    public bool Lazy { get; init; }

    /// <summary>Seed of the head's initialisation, the split, shuffling and augmentation.</summary>
    public ulong Seed { get; init; }

    /// <summary>CPU threads (0 = all).</summary>
    public int Threads { get; init; }

    /// <summary>The run folder, or null for <c>runs/finetune-TIME</c>.</summary>
    public string? Output { get; init; }

    /// <summary>The settings as <c>name = value</c> lines (options.txt).</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (var p in typeof(FinetuneSettings).GetProperties())
            sb.Append(p.Name).Append(" = ").Append(Convert.ToString(p.GetValue(this), CultureInfo.InvariantCulture) ?? "(default)").AppendLine();
        return sb.ToString();
    }
}
