using NetFromScratch.Autograd;

namespace NetFromScratch.Nn.Layers;

/// <summary>
/// Average pooling to a fixed output size whatever the input size: output cell (i, j) averages input rows
/// <c>floor(i*H/OH) .. ceil((i+1)*H/OH)-1</c> and the matching columns (PyTorch's rule).
/// Shape: <c>[N, C, H, W]</c> -&gt; <c>[N, C, OH, OW]</c>. No parameters.
/// </summary>
public sealed class AdaptiveAvgPool2d(int outputHeight, int outputWidth) : Module
{
    /// <summary>A square output size.</summary>
    public AdaptiveAvgPool2d(int outputSize) : this(outputSize, outputSize) { }

    /// <summary>Output height.</summary>
    public int OutputHeight { get; } = outputHeight > 0 ? outputHeight : throw new ArgumentException($"AdaptiveAvgPool2d: output size must be positive, got {outputHeight}.");

    /// <summary>Output width.</summary>
    public int OutputWidth { get; } = outputWidth > 0 ? outputWidth : throw new ArgumentException($"AdaptiveAvgPool2d: output size must be positive, got {outputWidth}.");

    /// <inheritdoc/>
    protected override Variable ForwardCore(Variable input)
    {
        if (input.Rank != 4) throw ShapeErrors.Wrong($"AdaptiveAvgPool2d(({OutputHeight}, {OutputWidth}))", "[N, C, H, W]", input.Shape);
        int h = input.Shape[2], w = input.Shape[3];
        if (OutputHeight == 1 && OutputWidth == 1) return input.Mean(new[] { 2, 3 }, keepDim: true);
        if (h == OutputHeight && w == OutputWidth) return input;
        // Equal windows are an ordinary average pool; otherwise average each (possibly overlapping) cell.
        if (h % OutputHeight == 0 && w % OutputWidth == 0)
        {
            int kh = h / OutputHeight, kw = w / OutputWidth;
            return F.AvgPool2d(input, new Tensors.Pool2dParams(kh, kw, kh, kw));
        }
        var rows = new List<Variable>();
        for (int i = 0; i < OutputHeight; i++)
        {
            int h0 = i * h / OutputHeight, h1 = ((i + 1) * h + OutputHeight - 1) / OutputHeight;
            var cells = new List<Variable>();
            for (int j = 0; j < OutputWidth; j++)
            {
                int w0 = j * w / OutputWidth, w1 = ((j + 1) * w + OutputWidth - 1) / OutputWidth;
                cells.Add(input.Narrow(2, h0, h1 - h0).Narrow(3, w0, w1 - w0).Mean(new[] { 2, 3 }, keepDim: true));
            }
            rows.Add(Variable.Concat(cells, 3));
        }
        return Variable.Concat(rows, 2);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"output_size=({OutputHeight}, {OutputWidth})";
}
