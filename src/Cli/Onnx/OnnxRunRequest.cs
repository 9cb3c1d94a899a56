namespace NetFromScratch.Cli.Onnx;

/// <summary>What <c>nfs onnx run</c> was asked to do.</summary>
/// <param name="Model">The .onnx file.</param>
/// <param name="Inputs">TensorProto files, in the order of the graph's inputs (or named after them).</param>
/// <param name="OutputDirectory">Where <c>output_0.pb</c>, ... are written (created if needed).</param>
/// <param name="Expected">Expected outputs to compare with, in output order; may be empty.</param>
/// <param name="Atol">Absolute tolerance of the comparison.</param>
/// <param name="Rtol">Relative tolerance of the comparison: |actual - expected| &lt;= atol + rtol |expected|.</param>
public sealed record OnnxRunRequest(string Model, string[] Inputs, string OutputDirectory, string[] Expected, float Atol = 1e-4f, float Rtol = 1e-3f);
