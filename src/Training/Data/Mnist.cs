using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>
/// The MNIST handwritten digits from their four standard IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), each plain or with a .gz suffix.
/// Pixels become floats in [0, 1]. Shape: each sample <c>[1, rows, cols]</c>.
/// </summary>
public static class Mnist
{
    /// <summary>Loads the training and test sets from <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message lists the names tried.</exception>
    /// <exception cref="DataFormatException">A file is malformed, or image and label counts differ.</exception>
    public static (InMemoryDataset Train, InMemoryDataset Test) Load(string directory) =>
        (LoadPair(directory, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "mnist/train"),
         LoadPair(directory, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "mnist/test"));

    /// <summary>Loads one images file and its labels file.</summary>
    public static InMemoryDataset LoadPair(string directory, string imagesName, string labelsName, string name)
    {
        string images = Find(directory, imagesName), labels = Find(directory, labelsName);
        var (idims, pixels) = IdxFile.ReadBytes(images);
        if (idims.Length != 3)
            throw new DataFormatException(images, "byte 3", $"an images file has 3 dimensions [count, rows, cols], this one has {idims.Length}.");
        var (ldims, labelBytes) = IdxFile.ReadBytes(labels);
        if (ldims.Length != 1)
            throw new DataFormatException(labels, "byte 3", $"a labels file has 1 dimension [count], this one has {ldims.Length}.");
        if (idims[0] != ldims[0])
            throw new DataFormatException(labels, "byte 4", $"{ldims[0]} labels but {images} holds {idims[0]} images: the counts must match.");
        var features = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) features[i] = pixels[i] / 255f;
        var y = new int[labelBytes.Length];
        for (int i = 0; i < y.Length; i++)
        {
            if (labelBytes[i] > 9) throw new DataFormatException(labels, $"byte {8 + i}", $"label {labelBytes[i]} of sample {i} is not a digit 0-9.");
            y[i] = labelBytes[i];
        }
        return new InMemoryDataset(features, y, new Shape(1, idims[1], idims[2]), 10, name);
    }

    private static string Find(string directory, string baseName)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"MNIST: directory '{directory}' does not exist.");
        foreach (var candidate in new[] { baseName, baseName + ".gz", baseName.Replace("-idx", ".idx"), baseName.Replace("-idx", ".idx") + ".gz" })
        {
            string p = Path.Combine(directory, candidate);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"MNIST: '{baseName}' (or '{baseName}.gz') not found in '{directory}'.", Path.Combine(directory, baseName));
    }
}
