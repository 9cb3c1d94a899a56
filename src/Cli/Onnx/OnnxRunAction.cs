using System.Globalization;
using NetFromScratch.Onnx;

namespace NetFromScratch.Cli.Onnx;

/// <summary>
/// <c>nfs onnx run</c>: imports a model, runs it for inference on TensorProto inputs, writes each output as
/// <c>output_{i}.pb</c>, and, given expected outputs, reports the largest difference of each and fails beyond the tolerance.
/// </summary>
public static class OnnxRunAction
{
    /// <summary>Carries out <paramref name="request"/>; returns the exit code (0 success, 1 an error, 2 outputs outside the tolerance).</summary>
    public static int Run(OnnxRunRequest request, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(request);
        var c = CultureInfo.InvariantCulture;
        try
        {
            var model = OnnxImporter.Load(request.Model);
            var inputs = request.Inputs.Select(OnnxTensorFile.Read).ToList();
            var outputs = model.Run(inputs);
            Directory.CreateDirectory(request.OutputDirectory);
            for (int i = 0; i < outputs.Count; i++)
            {
                string path = Path.Combine(request.OutputDirectory, $"output_{i}.pb");
                OnnxTensorFile.Write(path, outputs[i]);
                output.WriteLine($"{outputs[i].Name}: {OnnxDataTypes.Name(outputs[i].DataType)} [{string.Join(", ", outputs[i].Dims)}] -> {path}");
            }
            if (request.Expected.Length == 0) return 0;
            if (request.Expected.Length != outputs.Count)
            {
                error.WriteLine($"nfs onnx run: {request.Expected.Length} expected outputs given, but the model has {outputs.Count}.");
                return 1;
            }
            bool pass = true;
            for (int i = 0; i < outputs.Count; i++)
            {
                var expected = OnnxTensorFile.Read(request.Expected[i]);
                if (!expected.Dims.SequenceEqual(outputs[i].Dims))
                {
                    output.WriteLine($"{outputs[i].Name}: shape [{string.Join(", ", outputs[i].Dims)}] differs from the expected [{string.Join(", ", expected.Dims)}]  FAIL");
                    pass = false;
                    continue;
                }
                float[] want = expected.ToFloatArray(), got = outputs[i].ToFloatArray();
                double worst = 0;
                bool ok = true;
                for (int k = 0; k < want.Length; k++)
                {
                    double diff = Math.Abs((double)got[k] - want[k]);
                    worst = Math.Max(worst, diff);
                    ok &= diff <= request.Atol + request.Rtol * Math.Abs(want[k]) || (float.IsNaN(want[k]) && float.IsNaN(got[k]));
                }
                output.WriteLine($"{outputs[i].Name}: max |difference| {worst.ToString("G3", c)} (atol {request.Atol.ToString(c)}, rtol {request.Rtol.ToString(c)})  {(ok ? "ok" : "FAIL")}");
                pass &= ok;
            }
            return pass ? 0 : 2;
        }
        catch (Exception e) when (e is OnnxFormatException or OnnxGraphException or FileNotFoundException or DirectoryNotFoundException
            or IOException or NotSupportedException or UnauthorizedAccessException)
        {
            error.WriteLine($"nfs onnx run: {e.Message}");
            return 1;
        }
    }
}
