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

    /// <summary>The hook for the image data sets; until they are wired it says so.</summary>
    public static (IDataset Train, IDataset Test) LoadImageData(TrainSettings settings) =>
        throw new NotSupportedException($"--dataset {settings.Dataset} is not wired into nfs train in this build; use optdigits or mnist.");

    /// <summary>The hook for <c>--augment</c>: the per-sample transform for training batches, or null when none is asked for.</summary>
    public static ISampleTransform? CreateAugmentation(TrainSettings settings, Shape sampleShape) =>
        settings.Augment is null ? null
            : throw new NotSupportedException($"--augment is not wired into nfs train in this build (asked for '{settings.Augment}').");

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
