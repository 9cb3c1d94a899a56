using System.Globalization;
using System.Reflection;
using System.Text;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// Everything <c>nfs finetune</c> was asked to do (the command line, parsed). Written to options.txt and into every
/// checkpoint, so that <c>--resume</c> rebuilds the same run; <see cref="Describe"/> and <see cref="Parse"/> are each
/// other's inverse.
/// </summary>
public sealed record FinetuneSettings
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

    /// <summary>Where the run trains: <c>cpu</c>, <c>cuda[:N]</c>, <c>opencl[:N]</c>, <c>simulator</c>, or empty for $NFS_DEVICE, else the fastest available.</summary>
    public string Device { get; init; } = "";

    /// <summary>The run folder, or null for <c>runs/finetune-TIME</c>.</summary>
    public string? Output { get; init; }

    /// <summary>
    /// The settings as <c>name = value</c> lines (options.txt); numbers round-trip exactly and a missing value reads
    /// <c>(default)</c>.
    /// </summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (var p in Properties)
            sb.Append(p.Name).Append(" = ").Append(p.GetValue(this) is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) : Missing).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// These settings with every file and folder path made absolute (a builder name stays a name), so that a checkpoint
    /// resumes from any working directory.
    /// </summary>
    public FinetuneSettings Anchored() => this with
    {
        Backbone = Backbone.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(Backbone) : Backbone,
        Weights = Weights is null ? null : Path.GetFullPath(Weights),
        Data = Data.Length == 0 ? Data : Path.GetFullPath(Data),
        Validation = Validation is null ? null : Path.GetFullPath(Validation),
        Output = Output is null ? null : Path.GetFullPath(Output),
    };

    /// <summary>Reads <see cref="Describe"/>'s output; settings not named keep their defaults.</summary>
    /// <exception cref="FormatException">A line is not <c>name = value</c>, a name is unknown or a value does not parse.</exception>
    public static FinetuneSettings Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var settings = new FinetuneSettings();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string raw = line.TrimEnd('\r');
            int eq = raw.IndexOf(" = ", StringComparison.Ordinal);
            if (eq <= 0) throw new FormatException($"finetune settings: '{raw}' is not 'name = value'.");
            string name = raw[..eq], value = raw[(eq + 3)..];
            var p = Properties.FirstOrDefault(x => x.Name == name) ?? throw new FormatException($"finetune settings: unknown setting '{name}'.");
            var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            try
            {
                p.SetValue(settings, value == Missing ? null : type == typeof(string) ? value : Convert.ChangeType(value, type, CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
            {
                throw new FormatException($"finetune settings: {name} = '{value}' is not a {type.Name}.", e);
            }
        }
        return settings;
    }

    private const string Missing = "(default)";

    // Declaration order, so options.txt reads like the command line.
    private static readonly PropertyInfo[] Properties = typeof(FinetuneSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance);
}
