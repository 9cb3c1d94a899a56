using System.Globalization;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>
/// The UCI "Optical Recognition of Handwritten Digits" data (Alpaydin and Kaynak, 1998; CC BY 4.0): each line holds
/// 64 integers 0..16 (an 8x8 image, row-major) and the digit. Features become floats in [0, 1] (value / 16).
/// Shape: each sample <c>[1, 8, 8]</c>.
/// </summary>
public static class OptDigits
{
    /// <summary>Parses the comma-separated text; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">A line has the wrong number of fields or a value out of range; names the line.</exception>
    public static InMemoryDataset Parse(TextReader reader, string sourceName)
    {
        var features = new List<float>();
        var labels = new List<int>();
        string? line;
        int lineNumber = 0;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var parts = line.Split(',');
            if (parts.Length != 65)
                throw new DataFormatException(sourceName, $"line {lineNumber}", $"expected 65 comma-separated values (64 pixels and the label), found {parts.Length}.");
            for (int i = 0; i < 65; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new DataFormatException(sourceName, $"line {lineNumber}, field {i + 1}", $"'{parts[i]}' is not an integer.");
                if (i < 64)
                {
                    if (v < 0 || v > 16) throw new DataFormatException(sourceName, $"line {lineNumber}, field {i + 1}", $"pixel value {v} is outside 0..16.");
                    features.Add(v / 16f);
                }
                else
                {
                    if (v < 0 || v > 9) throw new DataFormatException(sourceName, $"line {lineNumber}, field 65", $"label {v} is not a digit 0-9.");
                    labels.Add(v);
                }
            }
        }
        if (labels.Count == 0) throw new DataFormatException(sourceName, "line 1", "no samples found.");
        return new InMemoryDataset(features.ToArray(), labels.ToArray(), new Shape(1, 8, 8), 10, sourceName);
    }

    /// <summary>Reads a file in the optdigits format.</summary>
    public static InMemoryDataset Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"optdigits: file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }
}
