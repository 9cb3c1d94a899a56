using System.Globalization;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Training.Augmentation;

/// <summary>
/// Reads an augmentation pipeline from a short command-line string such as <c>"crop:4,flip,rotate:15,jitter:0.2"</c>.
/// <para>Grammar: <c>spec := "" | "none" | item ("," item)*</c>; <c>item := name (":" arg)*</c>. Names are case-insensitive,
/// spaces around items and arguments are ignored, numbers use a dot as decimal separator, and missing trailing arguments
/// take the defaults shown:</para>
/// <list type="table">
/// <item><term><c>crop[:padding=4[:zero|reflect|edge]]</c></term><description><see cref="RandomCrop"/></description></item>
/// <item><term><c>resizedcrop[:minScale=0.08[:maxScale=1[:minRatio=0.75[:maxRatio=1.333]]]]</c></term><description><see cref="RandomResizedCrop"/></description></item>
/// <item><term><c>flip[:p=0.5]</c> (also <c>hflip</c>)</term><description><see cref="RandomHorizontalFlip"/></description></item>
/// <item><term><c>vflip[:p=0.5]</c></term><description><see cref="RandomVerticalFlip"/></description></item>
/// <item><term><c>rotate[:degrees=15[:fill=0]]</c></term><description><see cref="RandomRotation"/> by up to ±degrees</description></item>
/// <item><term><c>zoom[:amount=0.1]</c> or <c>zoom:min:max</c></term><description><see cref="RandomZoom"/>, scale 1±amount or min..max</description></item>
/// <item><term><c>translate[:fraction=0.1[:fractionY]]</c></term><description><see cref="RandomTranslation"/></description></item>
/// <item><term><c>jitter[:amount=0.4]</c> or <c>jitter:brightness:contrast:saturation</c></term><description><see cref="ColorJitter"/></description></item>
/// <item><term><c>cutout[:size=16[:p=1]]</c></term><description><see cref="Cutout"/></description></item>
/// <item><term><c>normalize:mean:std</c></term><description><see cref="Normalize"/>; each a value or a per-channel list joined by <c>/</c>, e.g. <c>normalize:0.49/0.48/0.45:0.25/0.24/0.26</c></description></item>
/// </list>
/// </summary>
public static class AugmentationSpec
{
    private sealed record Entry(string Name, string Usage, int MaxArgs, Func<string, string[], ISampleTransform> Build);

    private static readonly Entry[] Entries =
    {
        new("crop", "crop[:padding[:zero|reflect|edge]]", 2,
            (item, a) => new RandomCrop(Int(item, a, 0, 4), a.Length > 1 ? Mode(item, a[1]) : PadMode.Constant)),
        new("resizedcrop", "resizedcrop[:minScale[:maxScale[:minRatio[:maxRatio]]]]", 4,
            (item, a) => new RandomResizedCrop(Float(item, a, 0, 0.08f), Float(item, a, 1, 1f), Float(item, a, 2, 3f / 4f), Float(item, a, 3, 4f / 3f))),
        new("flip", "flip[:p]", 1, (item, a) => new RandomHorizontalFlip(Float(item, a, 0, 0.5f))),
        new("hflip", "hflip[:p]", 1, (item, a) => new RandomHorizontalFlip(Float(item, a, 0, 0.5f))),
        new("vflip", "vflip[:p]", 1, (item, a) => new RandomVerticalFlip(Float(item, a, 0, 0.5f))),
        new("rotate", "rotate[:degrees[:fill]]", 2, (item, a) => new RandomRotation(Float(item, a, 0, 15f), Float(item, a, 1, 0f))),
        new("zoom", "zoom[:amount] or zoom:min:max", 2, (item, a) =>
        {
            if (a.Length == 2) return new RandomZoom(Float(item, a, 0, 1f), Float(item, a, 1, 1f));
            float amount = Float(item, a, 0, 0.1f);
            return new RandomZoom(1f - amount, 1f + amount);
        }),
        new("translate", "translate[:fraction[:fractionY]]", 2, (item, a) =>
        {
            float fx = Float(item, a, 0, 0.1f);
            return new RandomTranslation(fx, Float(item, a, 1, fx));
        }),
        new("jitter", "jitter[:amount] or jitter:brightness:contrast:saturation", 3, (item, a) =>
        {
            if (a.Length == 2) throw new ArgumentException($"AugmentationSpec: '{item}': jitter takes one amount or three (brightness:contrast:saturation), got 2.");
            float b = Float(item, a, 0, 0.4f);
            return new ColorJitter(b, Float(item, a, 1, b), Float(item, a, 2, b));
        }),
        new("cutout", "cutout[:size[:p]]", 2, (item, a) => new Cutout(Int(item, a, 0, 16), Float(item, a, 1, 1f))),
        new("normalize", "normalize:mean:std (values or lists joined by '/')", 2, (item, a) =>
        {
            if (a.Length != 2) throw new ArgumentException($"AugmentationSpec: '{item}': normalize needs mean and std, e.g. normalize:0.5:0.25 or normalize:0.49/0.48/0.45:0.25/0.24/0.26.");
            return new Normalize(List(item, a[0]), List(item, a[1]));
        }),
    };

    /// <summary>The transform names the parser knows.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>One usage line per transform, for command-line help.</summary>
    public static string Usage => string.Join(Environment.NewLine, Entries.Select(e => "  " + e.Usage));

    /// <summary>Parses <paramref name="spec"/> into a pipeline (an empty <see cref="Compose"/> for "" or "none").</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones), a bad number, too many arguments, or an empty item.</exception>
    public static Compose Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string trimmed = spec.Trim();
        if (trimmed.Length == 0 || trimmed.Equals("none", StringComparison.OrdinalIgnoreCase)) return new Compose();
        var items = trimmed.Split(',');
        var transforms = new ISampleTransform[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            string item = items[i].Trim();
            if (item.Length == 0) throw new ArgumentException($"AugmentationSpec: item {i + 1} of '{spec}' is empty (stray comma?).");
            var parts = item.Split(':').Select(p => p.Trim()).ToArray();
            string name = parts[0].ToLowerInvariant();
            var args = parts[1..];
            var entry = Entries.FirstOrDefault(e => e.Name == name)
                ?? throw new ArgumentException($"AugmentationSpec: unknown transform '{parts[0]}' (item {i + 1} of '{spec}'); known: {string.Join(", ", KnownNames)}.");
            if (args.Length > entry.MaxArgs)
                throw new ArgumentException($"AugmentationSpec: '{item}' has {args.Length} arguments but {entry.Name} takes at most {entry.MaxArgs}: {entry.Usage}.");
            try
            {
                transforms[i] = entry.Build(item, args);
            }
            catch (ArgumentException ex) when (!ex.Message.StartsWith("AugmentationSpec", StringComparison.Ordinal))
            {
                throw new ArgumentException($"AugmentationSpec: '{item}': {ex.Message}", ex);
            }
        }
        return new Compose(transforms);
    }

    private static float Float(string item, string[] args, int index, float fallback)
    {
        if (index >= args.Length || args[index].Length == 0) return fallback;
        if (float.TryParse(args[index], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)) return v;
        throw new ArgumentException($"AugmentationSpec: '{item}': argument {index + 1} '{args[index]}' is not a number.");
    }

    private static int Int(string item, string[] args, int index, int fallback)
    {
        if (index >= args.Length || args[index].Length == 0) return fallback;
        if (int.TryParse(args[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) return v;
        throw new ArgumentException($"AugmentationSpec: '{item}': argument {index + 1} '{args[index]}' is not a whole number.");
    }

    private static PadMode Mode(string item, string word) => word.ToLowerInvariant() switch
    {
        "zero" or "constant" => PadMode.Constant,
        "reflect" => PadMode.Reflect,
        "edge" or "replicate" => PadMode.Replicate,
        _ => throw new ArgumentException($"AugmentationSpec: '{item}': padding mode '{word}' is not one of zero, reflect, edge."),
    };

    private static float[] List(string item, string text) =>
        text.Split('/').Select((v, k) =>
            float.TryParse(v.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float f) && float.IsFinite(f)
                ? f
                : throw new ArgumentException($"AugmentationSpec: '{item}': '{v}' in '{text}' is not a number.")).ToArray();
}
