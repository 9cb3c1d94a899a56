namespace NetFromScratch.Onnx;

/// <summary>Choices for <see cref="OnnxExporter.Export"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The standard operator set to write, 13 or later (default 17).</summary>
    public int Opset { get; init; } = 17;

    /// <summary>The graph input's name.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name.</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>Declare the first (batch) dimension of the input and output as the symbol <c>batch</c> rather than a fixed size.</summary>
    public bool DynamicBatch { get; init; } = true;

    /// <summary>The graph's name.</summary>
    public string GraphName { get; init; } = "main_graph";
}
