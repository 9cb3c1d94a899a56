using System.Globalization;
using System.Text;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// Every choice behind one <c>nfs train</c> run. Written to the run folder (options.txt) and into each checkpoint, so
/// <c>--resume</c> rebuilds the same run; <see cref="ToText"/> and <see cref="Parse"/> are each other's inverse.
/// </summary>
public sealed class TrainSettings
{
    /// <summary><c>optdigits</c> (built in), <c>mnist</c>, or an image data set (<c>cifar10</c>, <c>folder</c>, <c>shapes</c>).</summary>
    public string Dataset { get; set; } = "optdigits";

    /// <summary>Directory of the data files; null for the built-in optdigits.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The model: <c>mlp</c>, <c>mlp:256,128</c>, <c>linear</c>, <c>cnn</c>, <c>vgg</c>.</summary>
    public string Model { get; set; } = "mlp";

    /// <summary><c>sgd</c>, <c>momentum</c>, <c>nesterov</c>, <c>adam</c>, <c>adamw</c>, <c>rmsprop</c>, <c>adagrad</c>.</summary>
    public string Optimizer { get; set; } = "adam";

    /// <summary>The learning rate; null for the optimizer's usual default.</summary>
    public double? LearningRate { get; set; }

    /// <summary>Momentum for sgd-with-momentum, Nesterov and RMSprop.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Samples per step: 1 = stochastic, 0 = full batch.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Epochs to train.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>
    /// Weight initialisation: <c>he</c> (the default here), <c>default</c> (each layer's own, PyTorch's), <c>xavier</c>,
    /// <c>uniform</c>, <c>normal</c>.
    /// </summary>
    public string Init { get; set; } = "he";

    /// <summary>Dropout probability after each hidden layer.</summary>
    public float Dropout { get; set; }

    /// <summary>L1 penalty strength on the weights.</summary>
    public double L1 { get; set; }

    /// <summary>L2 penalty strength on the weights.</summary>
    public double L2 { get; set; }

    /// <summary>The optimizer's weight decay (decoupled for AdamW); null for its default.</summary>
    public double? WeightDecay { get; set; }

    /// <summary>A schedule spec (see <see cref="ScheduleFactory"/>), or <c>none</c>.</summary>
    public string Schedule { get; set; } = "none";

    /// <summary>Fraction of the training data held out for validation.</summary>
    public double ValidationSplit { get; set; } = 0.1;

    /// <summary>Early-stopping patience in epochs, or null for none.</summary>
    public int? EarlyStop { get; set; }

    /// <summary>Cross-entropy label smoothing (0.1 by default; 0 is the plain loss).</summary>
    public float LabelSmoothing { get; set; } = 0.1f;

    /// <summary>Clip the gradient norm to this value, or null.</summary>
    public double? ClipNorm { get; set; }

    /// <summary>The seed for initialisation, dropout, the split and shuffling.</summary>
    public ulong Seed { get; set; } = 1;

    /// <summary>The device name (<c>cpu</c>).</summary>
    public string Device { get; set; } = "";

    /// <summary>An augmentation spec for image data sets, or null.</summary>
    public string? Augment { get; set; }

    /// <summary>Use the fused MLP step when the model allows it.</summary>
    public bool Fused { get; set; } = true;

    /// <summary>The settings as <c>key=value</c> lines.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in Pairs()) sb.Append(k).Append('=').Append(v).Append('\n');
        return sb.ToString();
    }

    private IEnumerable<(string, string)> Pairs()
    {
        var inv = CultureInfo.InvariantCulture;
        yield return ("dataset", Dataset);
        yield return ("data", DataDirectory ?? "");
        yield return ("model", Model);
        yield return ("optimizer", Optimizer);
        yield return ("lr", LearningRate?.ToString("R", inv) ?? "");
        yield return ("momentum", Momentum.ToString("R", inv));
        yield return ("batch_size", BatchSize.ToString(inv));
        yield return ("epochs", Epochs.ToString(inv));
        yield return ("init", Init);
        yield return ("dropout", Dropout.ToString("R", inv));
        yield return ("l1", L1.ToString("R", inv));
        yield return ("l2", L2.ToString("R", inv));
        yield return ("weight_decay", WeightDecay?.ToString("R", inv) ?? "");
        yield return ("schedule", Schedule);
        yield return ("val_split", ValidationSplit.ToString("R", inv));
        yield return ("early_stop", EarlyStop?.ToString(inv) ?? "");
        yield return ("label_smoothing", LabelSmoothing.ToString("R", inv));
        yield return ("clip_norm", ClipNorm?.ToString("R", inv) ?? "");
        yield return ("seed", Seed.ToString(inv));
        yield return ("device", Device);
        yield return ("augment", Augment ?? "");
        yield return ("fused", Fused ? "true" : "false");
    }

    /// <summary>Reads <see cref="ToText"/>'s output.</summary>
    /// <exception cref="FormatException">A line is not <c>key=value</c>, a key is unknown or a value does not parse.</exception>
    public static TrainSettings Parse(string text)
    {
        var s = new TrainSettings();
        var inv = CultureInfo.InvariantCulture;
        foreach (var raw in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = raw.IndexOf('=');
            if (eq <= 0) throw new FormatException($"settings: '{raw}' is not key=value.");
            string k = raw[..eq].Trim(), v = raw[(eq + 1)..].Trim();
            string? opt = v.Length == 0 ? null : v;
            switch (k)
            {
                case "dataset": s.Dataset = v; break;
                case "data": s.DataDirectory = opt; break;
                case "model": s.Model = v; break;
                case "optimizer": s.Optimizer = v; break;
                case "lr": s.LearningRate = opt is null ? null : double.Parse(opt, inv); break;
                case "momentum": s.Momentum = double.Parse(v, inv); break;
                case "batch_size": s.BatchSize = int.Parse(v, inv); break;
                case "epochs": s.Epochs = int.Parse(v, inv); break;
                case "init": s.Init = v; break;
                case "dropout": s.Dropout = float.Parse(v, inv); break;
                case "l1": s.L1 = double.Parse(v, inv); break;
                case "l2": s.L2 = double.Parse(v, inv); break;
                case "weight_decay": s.WeightDecay = opt is null ? null : double.Parse(opt, inv); break;
                case "schedule": s.Schedule = v; break;
                case "val_split": s.ValidationSplit = double.Parse(v, inv); break;
                case "early_stop": s.EarlyStop = opt is null ? null : int.Parse(opt, inv); break;
                case "label_smoothing": s.LabelSmoothing = float.Parse(v, inv); break;
                case "clip_norm": s.ClipNorm = opt is null ? null : double.Parse(opt, inv); break;
                case "seed": s.Seed = ulong.Parse(v, inv); break;
                case "device": s.Device = v; break;
                case "augment": s.Augment = opt; break;
                case "fused": s.Fused = v == "true"; break;
                default: throw new FormatException($"settings: unknown key '{k}'.");
            }
        }
        return s;
    }
}
