using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// BatchNormalization (through <see cref="F.BatchNorm"/>, so an imported network trains with batch statistics and
/// updates its running statistics as our BatchNorm layer does), InstanceNormalization, LayerNormalization and LRN.
/// </summary>
internal static class NormalizationOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("BatchNormalization", CompileBatchNorm, bufferInputs: [3, 4], foldable: false);
        yield return OpInfo.Of("InstanceNormalization", c =>
        {
            float eps = c.Float("epsilon", 1e-5f);
            return f =>
            {
                var x = f.Var(0);
                if (x.Rank < 3) throw new ArgumentException($"expected [N, C, spatial...], got {x.Shape}.");
                var axes = Enumerable.Range(2, x.Rank - 2).ToArray();
                var perChannel = PerChannel(x.Rank, x.Shape[1]);
                var mean = x.Mean(axes, keepDim: true);
                var variance = x.Variance(axes, keepDim: true, correction: 0f);
                var y = (x - mean) * (variance + eps).Rsqrt();
                f.Out(y * f.Var(1).Reshape(perChannel) + f.Var(2).Reshape(perChannel));
            };
        });
        yield return OpInfo.Of("LayerNormalization", c =>
        {
            long axis = c.Int("axis", -1);
            float eps = c.Float("epsilon", 1e-5f);
            if (c.OutputUsed(1) || c.OutputUsed(2)) throw c.Error("LayerNormalization's Mean and InvStdDev outputs are not supported.");
            return f =>
            {
                var x = f.Var(0);
                int a = x.Shape.NormalizeAxis((int)axis, "LayerNormalization");
                var normalized = x.Shape.Dims[a..].ToArray();
                // F.LayerNorm wants weight and bias of the normalized shape; ONNX lets them broadcast to it.
                var scale = f.Var(1);
                if (scale.Shape != new Shape(normalized)) scale = scale.Expand(normalized);
                Variable? bias = null;
                if (f.Has(2))
                {
                    bias = f.Var(2);
                    if (bias.Shape != new Shape(normalized)) bias = bias.Expand(normalized);
                }
                f.Out(F.LayerNorm(x, normalized, scale, bias, eps));
            };
        });
        yield return OpInfo.Of("LRN", CompileLrn);
    }

    private static int[] PerChannel(int rank, int channels)
    {
        var dims = Enumerable.Repeat(1, rank).ToArray();
        dims[1] = channels;
        return dims;
    }

    private static NodeKernel CompileBatchNorm(NodeCompilation c)
    {
        float eps = c.Float("epsilon", 1e-5f);
        // ONNX: running = running * momentum + batch * (1 - momentum); ours weighs the batch by momentum.
        float momentum = 1f - c.Float("momentum", 0.9f);
        bool spatial = c.Opset >= 9 || c.Int("spatial", 1) != 0;
        for (int o = 1; o < c.Node.Outputs.Count; o++)
            if (c.OutputUsed(o))
                throw c.Error($"BatchNormalization's output {o} (running or saved statistics) is not supported; only Y is.");
        var meanBuffer = c.Buffer(3);
        var varBuffer = c.Buffer(4);
        var scaleParameter = c.Parameter(1);
        if (!spatial)
        {
            // Per-activation statistics (opset < 9, spatial=0): scale, bias, mean and var are shaped like one sample.
            return f =>
            {
                var x = f.Var(0);
                Variable mean = Stat(f, 3, meanBuffer), variance = Stat(f, 4, varBuffer);
                f.Out((x - mean) * (variance + eps).Rsqrt() * f.Var(1) + f.Var(2));
            };
        }
        return f =>
        {
            var x = f.Var(0);
            if (x.Rank < 2) throw new ArgumentException($"expected [N, C, *], got {x.Shape}.");
            // As our BatchNorm layer: batch statistics in training unless the scale is a frozen parameter.
            bool batchStatistics = f.Training && (scaleParameter is null || scaleParameter.RequiresGrad);
            Tensor? runningMean, runningVar;
            if (meanBuffer is not null && varBuffer is not null) (runningMean, runningVar) = (meanBuffer.Data, varBuffer.Data);
            else if (batchStatistics) (runningMean, runningVar) = (null, null); // constants: not to be updated
            else (runningMean, runningVar) = (f.Var(3).Data, f.Var(4).Data);
            f.Out(F.BatchNorm(x, runningMean, runningVar, f.Var(1), f.Var(2), batchStatistics, momentum, eps));
        };
    }

    private static Variable Stat(NodeFrame f, int i, Nn.Buffer? buffer) => buffer is not null ? new Variable(buffer.Data) : f.Var(i);

    private static NodeKernel CompileLrn(NodeCompilation c)
    {
        int size = c.ToInt(c.RequiredInt("size"), "size");
        if (size < 1) throw c.Error($"attribute 'size' must be positive, got {size}.");
        float alpha = c.Float("alpha", 1e-4f), beta = c.Float("beta", 0.75f), bias = c.Float("bias", 1f);
        // square_sum[c] = sum of x[i]^2 for i in [c - floor((size-1)/2), c + ceil((size-1)/2)], clipped to the channels;
        // y = x / (bias + alpha / size * square_sum)^beta. The window sum is `size` shifted slices of the zero-padded squares.
        int before = (size - 1) / 2, after = size - 1 - before;
        return f =>
        {
            var x = f.Var(0);
            if (x.Rank < 3) throw new ArgumentException($"expected [N, C, spatial...], got {x.Shape}.");
            int channels = x.Shape[1];
            var pads = new int[2 * (x.Rank - 1)];
            pads[^2] = before;
            pads[^1] = after;
            var padded = x.Square().Pad(pads);
            var sum = padded.Narrow(1, 0, channels);
            for (int k = 1; k < size; k++) sum += padded.Narrow(1, k, channels);
            f.Out(x / (sum * (alpha / size) + bias).Pow(beta));
        };
    }
}
