using System.Globalization;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// The folder one <c>nfs train</c> run writes: <c>metrics.csv</c>, <c>curves.png</c>, <c>model.safetensors</c> (the final
/// weights), <c>checkpoint.safetensors</c> (for <c>--resume</c>), <c>options.txt</c> (the settings) and <c>summary.txt</c>.
/// </summary>
public sealed class RunFolder
{
    /// <summary>Uses <paramref name="path"/>, creating it.</summary>
    public RunFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    /// <summary>A new folder under <c>runs/</c> named by the time, data set and model.</summary>
    public static RunFolder CreateDefault(TrainSettings s)
    {
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string model = new string(s.Model.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        string path = System.IO.Path.Combine("runs", $"{stamp}-{s.Dataset}-{model}");
        for (int i = 2; Directory.Exists(path); i++) path = System.IO.Path.Combine("runs", $"{stamp}-{s.Dataset}-{model}-{i}");
        return new RunFolder(path);
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>Per-epoch metrics.</summary>
    public string Metrics => File("metrics.csv");

    /// <summary>Loss and accuracy curves.</summary>
    public string Curves => File("curves.png");

    /// <summary>The trained weights.</summary>
    public string Model => File("model.safetensors");

    /// <summary>The latest checkpoint.</summary>
    public string Checkpoint => File("checkpoint.safetensors");

    /// <summary>The settings of the run.</summary>
    public string Options => File("options.txt");

    /// <summary>The final results in words.</summary>
    public string Summary => File("summary.txt");

    private string File(string name) => System.IO.Path.Combine(Path, name);
}
