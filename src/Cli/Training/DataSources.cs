using NetFromScratch.Training.Augmentation;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Data;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// Loads the training and test sets named by <c>--dataset</c> and <c>--data</c>, and the augmentation named by
/// <c>--augment</c>. The image data sets (<c>cifar10</c>, <c>folder</c>, <c>shapes</c>) and augmentation are wired in
/// <see cref="LoadImageData"/> and <see cref="CreateAugmentation"/>, the two places to extend.
/// </summary>
public static class DataSources
{
    /// <summary>The names <c>--dataset</c> accepts.</summary>
    public static readonly string[] Names = ["optdigits", "mnist", "cifar10", "folder", "shapes"];

    /// <summary>Loads the data for <paramref name="settings"/>.</summary>
    /// <exception cref="FileNotFoundException">A data file is missing; the message names it.</exception>
    /// <exception cref="DataFormatException">A data file is malformed; the message names the file and the problem.</exception>
    public static (IDataset Train, IDataset Test) Load(TrainSettings settings) => settings.Dataset switch
    {
        "optdigits" when settings.DataDirectory is null => BuiltInData.OptDigits(),
        "optdigits" => (OptDigits.Load(FileIn(settings.DataDirectory, "optdigits.tra")), OptDigits.Load(FileIn(settings.DataDirectory, "optdigits.tes"))),
        "mnist" => Mnist.Load(settings.DataDirectory ?? throw new ArgumentException("--dataset mnist needs --data DIR: the folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz).")),
        "cifar10" or "folder" or "shapes" => LoadImageData(settings),
        _ => throw new ArgumentException($"unknown data set '{settings.Dataset}': use one of {string.Join(", ", Names)}."),
    };

    /// <summary>
    /// The image data sets: <c>cifar10</c> (the binary batches in --data), <c>folder</c> (one subfolder per class; with
    /// <c>train/</c> and <c>test/</c> (or <c>val/</c>) inside when present, else a seeded 80/20 split), and <c>shapes</c>
    /// (the built-in procedural set: 5,000 training and 1,000 test images). Images are 32x32 RGB, scaled to [0, 1].
    /// </summary>
    public static (IDataset Train, IDataset Test) LoadImageData(TrainSettings settings)
    {
        switch (settings.Dataset)
        {
            case "cifar10":
                return Cifar10.Load(settings.DataDirectory ?? throw new ArgumentException(
                    "--dataset cifar10 needs --data DIR: the folder holding data_batch_1.bin .. data_batch_5.bin and test_batch.bin."));
            case "shapes":
                return (InMemory(new ShapesDataset(5000, settings.Seed), "shapes/train"), InMemory(new ShapesDataset(1000, settings.Seed + 1_000_003), "shapes/test"));
            default:
            {
                string root = settings.DataDirectory ?? throw new ArgumentException("--dataset folder needs --data DIR: a folder with one subfolder of images per class.");
                var options = new ImageFolderOptions { Height = 32, Width = 32, Channels = 3 };
                string train = Path.Combine(root, "train");
                string test = Directory.Exists(Path.Combine(root, "test")) ? Path.Combine(root, "test") : Path.Combine(root, "val");
                if (Directory.Exists(train) && Directory.Exists(test))
                    return (new ImageFolderDataset(train, options).ToInMemory(train), new ImageFolderDataset(test, options).ToInMemory(test));
                var all = new ImageFolderDataset(root, options).ToInMemory(root);
                var (tr, te) = all.Split(0.2, settings.Seed);
                return (tr, te);
            }
        }
    }

    /// <summary>The per-sample transform for <c>--augment</c> (see <see cref="AugmentationSpec"/>), or null when none is asked for.</summary>
    public static ISampleTransform? CreateAugmentation(TrainSettings settings, Shape sampleShape) =>
        string.IsNullOrWhiteSpace(settings.Augment) ? null : AugmentationSpec.Parse(settings.Augment);

    // Renders an on-demand data set once, in parallel, so validation splits and epochs reuse the pixels.
    private static InMemoryDataset InMemory(IDataset source, string name)
    {
        int size = source.SampleShape.Numel;
        var features = new float[source.Count * size];
        var labels = new int[source.Count];
        Parallel.For(0, source.Count, i => labels[i] = source.CopySample(i, features.AsSpan(i * size, size)));
        return new InMemoryDataset(features, labels, source.SampleShape, source.ClassCount, name);
    }

    private static string FileIn(string directory, string name)
    {
        string path = Path.Combine(directory, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found (optdigits needs optdigits.tra and optdigits.tes in --data).", path);
        return path;
    }

    /// <summary>
    /// Standardises in-memory sets with the training set's mean and standard deviation (one value each, over all
    /// features) and returns them. Other data sets are left as they are (their loaders normalise).
    /// </summary>
    public static (float Mean, float Std)? Standardize(IDataset train, params IDataset?[] others)
    {
        if (train is not InMemoryDataset memory) return null;
        double sum = 0, sumSquares = 0;
        long count = 0;
        var sample = new float[memory.SampleShape.Numel];
        for (int i = 0; i < memory.Count; i++)
        {
            memory.CopySample(i, sample);
            foreach (float x in sample) { sum += x; sumSquares += (double)x * x; }
            count += sample.Length;
        }
        double mean = sum / count, std = Math.Sqrt(Math.Max(sumSquares / count - mean * mean, 1e-12));
        memory.Normalize((float)mean, (float)std);
        foreach (var other in others)
            if (other is InMemoryDataset o && !ReferenceEquals(o, memory)) o.Normalize((float)mean, (float)std);
        return ((float)mean, (float)std);
    }
}
