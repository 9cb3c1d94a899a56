using System.CommandLine;
using NetFromScratch.Cli.Training;
using NetFromScratch.Training.Augmentation;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Cli;

/// <summary>
/// <c>nfs augment --preview FILE.png</c>: a PNG grid whose first column holds original samples and whose other columns hold
/// augmented versions of them, so the effect of an <c>--augment</c> spec can be seen before training with it.
/// </summary>
public static class AugmentCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("augment", "Show what an augmentation spec does to images.");
        var preview = new Option<string>("--preview") { Description = "PNG file to write the grid to.", DefaultValueFactory = _ => "augment-preview.png" };
        var spec = new Option<string>("--augment") { Description = "The augmentation, e.g. \"crop:4,flip,rotate:15,jitter:0.2\". Known: " + string.Join(", ", AugmentationSpec.KnownNames), DefaultValueFactory = _ => "crop:4,flip,rotate:15,jitter:0.2,cutout:8" };
        var dataset = new Option<string>("--dataset") { Description = "shapes (built in), cifar10 or folder.", DefaultValueFactory = _ => "shapes" };
        var data = new Option<string?>("--data") { Description = "Folder of the data set (cifar10, folder)." };
        var rows = new Option<int>("--rows") { Description = "Samples (rows).", DefaultValueFactory = _ => 6 };
        var cols = new Option<int>("--cols") { Description = "Columns: the original, then augmented variants.", DefaultValueFactory = _ => 8 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the augmentation draws.", DefaultValueFactory = _ => 1UL };
        foreach (var o in new Option[] { preview, spec, dataset, data, rows, cols, seed }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var transform = AugmentationSpec.Parse(parse.GetValue(spec)!);
                var settings = new TrainSettings { Dataset = parse.GetValue(dataset)!, DataDirectory = parse.GetValue(data), Seed = parse.GetValue(seed) };
                var (train, _) = DataSources.Load(settings);
                string path = parse.GetValue(preview)!;
                AugmentationPreview.WriteGrid(train, transform, parse.GetValue(rows), parse.GetValue(cols), path, parse.GetValue(seed));
                Console.WriteLine($"wrote {Path.GetFullPath(path)}: {parse.GetValue(rows)} samples of {settings.Dataset}, original then augmented with \"{parse.GetValue(spec)}\"");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or DataFormatException)
            {
                Console.Error.WriteLine("nfs augment: " + e.Message);
                return 1;
            }
        });
        return command;
    }
}
