using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>
/// CIFAR-10 (Krizhevsky, 2009) in its binary version: <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c> (training) and
/// <c>test_batch.bin</c>. Each record is 1 label byte (0-9) and 3072 pixel bytes: 1024 red, 1024 green, 1024 blue, each
/// a row-major 32x32 plane, which is already CHW. Pixels become floats in [0, 1].
/// Shape: each sample <c>[3, 32, 32]</c>.
/// </summary>
public static class Cifar10
{
    /// <summary>Bytes per record: one label and 3 x 32 x 32 pixels.</summary>
    public const int RecordSize = 1 + PixelsPerImage;

    private const int PixelsPerImage = 3 * 32 * 32;

    /// <summary>The ten class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        new[] { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" };

    /// <summary>The training files, in the order their records are concatenated.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } =
        new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin" };

    /// <summary>The test file.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>
    /// Loads all six files from <paramref name="directory"/> (or from its <c>cifar-10-batches-bin</c> subfolder, as the
    /// official archive unpacks). All six are required.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it and the folder searched.</exception>
    /// <exception cref="DataFormatException">A file's size is not a whole number of records, or a label is above 9.</exception>
    public static (InMemoryDataset Train, InMemoryDataset Test) Load(string directory)
    {
        string dir = Locate(directory);
        var train = LoadFiles(TrainFiles.Select(f => Require(dir, f)).ToArray(), "cifar10/train");
        var test = LoadFiles(new[] { Require(dir, TestFile) }, "cifar10/test");
        return (train, test);
    }

    /// <summary>Loads and concatenates the records of <paramref name="paths"/>.</summary>
    /// <exception cref="DataFormatException">A file's size is not a whole number of records, it is empty, or a label is above 9.</exception>
    public static InMemoryDataset LoadFiles(IReadOnlyList<string> paths, string name)
    {
        var lengths = new long[paths.Count];
        long records = 0;
        for (int f = 0; f < paths.Count; f++)
        {
            var info = new FileInfo(paths[f]);
            if (!info.Exists) throw new FileNotFoundException($"CIFAR-10: '{paths[f]}' not found.", paths[f]);
            lengths[f] = info.Length;
            if (info.Length == 0)
                throw new DataFormatException(paths[f], "byte 0", $"the file is empty; a CIFAR-10 batch holds records of {RecordSize} bytes (1 label + 3072 pixels).");
            if (info.Length % RecordSize != 0)
                throw new DataFormatException(paths[f], $"byte {info.Length - info.Length % RecordSize}",
                    $"the file size {info.Length} is not a multiple of the {RecordSize}-byte CIFAR-10 record (1 label byte + 3072 pixel bytes): " +
                    $"{info.Length / RecordSize} whole records and {info.Length % RecordSize} bytes left over. The file is truncated or not a CIFAR-10 binary batch.");
            records += info.Length / RecordSize;
        }
        if (records * PixelsPerImage > Array.MaxLength)
            throw new DataFormatException(paths[^1], "byte 0", $"{records} records are too many to hold in one array.");

        var features = new float[records * PixelsPerImage];
        var labels = new int[records];
        var record = new byte[RecordSize];
        int r = 0;
        for (int f = 0; f < paths.Count; f++)
        {
            using var stream = new FileStream(paths[f], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long count = lengths[f] / RecordSize;
            for (long k = 0; k < count; k++, r++)
            {
                stream.ReadExactly(record);
                if (record[0] > 9)
                    throw new DataFormatException(paths[f], $"record {k} (byte {k * RecordSize})", $"label {record[0]} is not a CIFAR-10 class 0-9.");
                labels[r] = record[0];
                var dst = features.AsSpan(r * PixelsPerImage, PixelsPerImage);
                for (int i = 0; i < PixelsPerImage; i++) dst[i] = record[1 + i] * (1f / 255f);
            }
        }
        return new InMemoryDataset(features, labels, new Shape(3, 32, 32), 10, name);
    }

    private static string Locate(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"CIFAR-10: directory '{directory}' does not exist.");
        string nested = Path.Combine(directory, "cifar-10-batches-bin");
        return !File.Exists(Path.Combine(directory, TestFile)) && Directory.Exists(nested) ? nested : directory;
    }

    private static string Require(string directory, string file)
    {
        string path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"CIFAR-10: '{file}' not found in '{directory}'. The binary version needs {string.Join(", ", TrainFiles)} and {TestFile} " +
                "(from cifar-10-binary.tar.gz, which unpacks to cifar-10-batches-bin/).", path);
        return path;
    }
}
