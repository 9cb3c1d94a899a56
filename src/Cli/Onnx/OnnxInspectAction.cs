using NetFromScratch.Onnx;

namespace NetFromScratch.Cli.Onnx;

/// <summary><c>nfs onnx inspect MODEL</c>: the inspector's report, with the importer's supported operators.</summary>
public static class OnnxInspectAction
{
    /// <summary>Writes the report of the model at <paramref name="path"/> to <paramref name="output"/>; returns the exit code (1 when the file cannot be read).</summary>
    public static int Run(string path, TextWriter output, TextWriter error)
    {
        try
        {
            var model = OnnxModel.Load(path);
            output.Write(OnnxInspector.Describe(model, OnnxImporter.SupportedOps));
            return 0;
        }
        catch (Exception e) when (e is OnnxFormatException or FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            error.WriteLine($"nfs onnx inspect: {e.Message}");
            return 1;
        }
    }
}
