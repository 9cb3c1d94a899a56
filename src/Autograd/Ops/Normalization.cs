using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Normalization. Batch norm is one fused node: written as primitives it would be eight nodes saving as many
// tensors, while its gradient has a short closed form (Ioffe & Szegedy, 2015): with Xh = (X - mean) * invstd over
// the m = N*H*W values of a channel and dXh = dY * w,
//     dX = invstd * (dXh - mean(dXh) - Xh * mean(dXh * Xh)),   dw = sum(dY * Xh),   db = sum(dY).
// Layer norm is left composite (Mean, Variance, Rsqrt...), a readable example of a gradient assembled from parts.
public static partial class F
{
    /// <summary>
    /// Batch normalization over every axis but 1 (the channel): <c>Y = (X - mean) / sqrt(var + eps) * weight + bias</c>.
    /// In training (or when no running statistics are given) mean and variance come from the batch, and the running
    /// statistics, when given, are updated in place: <c>running = (1 - momentum) * running + momentum * batch</c>, with
    /// the unbiased batch variance for <paramref name="runningVar"/> (as PyTorch). In evaluation the running
    /// statistics are used and treated as constants.
    /// Shape: input <c>[N, C, *]</c>; running statistics, weight and bias <c>[C]</c>; output as input.
    /// </summary>
    public static Variable BatchNorm(Variable input, Tensor? runningMean, Tensor? runningVar, Variable? weight, Variable? bias,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input.Data;
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm: input must be [N, C, *], got {x.Shape}.");
        int c = x.Shape[1];
        foreach (var (what, shape) in new[] { ("runningMean", runningMean?.Shape), ("runningVar", runningVar?.Shape), ("weight", weight?.Shape), ("bias", bias?.Shape) })
            if (shape is { } s && s != new Shape(c))
                throw new ArgumentException($"BatchNorm: {what} must have shape [{c}] for input {x.Shape}, got {s}.");
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException("BatchNorm: give both running statistics or neither.");

        int m = x.Numel / Math.Max(c, 1);
        var reduceAxes = Enumerable.Range(0, x.Rank).Where(a => a != 1).ToArray();
        var perChannel = Enumerable.Repeat(1, x.Rank).ToArray();
        perChannel[1] = c;
        bool batchStats = training || runningMean is null;

        Tensor mean, variance;
        if (batchStats)
        {
            if (training && m <= 1)
                throw new ArgumentException($"BatchNorm: training needs more than one value per channel, got input {x.Shape}.");
            (mean, variance) = x.BatchNormStatistics();
            if (training && runningMean is not null) UpdateRunningStatistics(runningMean, runningVar!, mean, variance, momentum, m);
        }
        else (mean, variance) = (runningMean!, runningVar!);

        using var varianceEps = variance + eps;
        using var invStdFlat = varianceEps.Rsqrt();
        var invStd = invStdFlat.Reshape(perChannel);
        using var meanB = mean.Reshape(perChannel);
        using var centered = x - meanB;
        var xHat = centered * invStd;
        if (batchStats) { mean.Dispose(); variance.Dispose(); }

        using var weightB = weight?.Data.Reshape(perChannel);
        using var biasB = bias?.Data.Reshape(perChannel);
        Tensor y;
        if (weightB is null && biasB is null) y = xHat;
        else if (biasB is null) y = xHat * weightB!;
        else if (weightB is null) y = xHat + biasB;
        else
        {
            using var scaled = xHat * weightB;
            y = scaled + biasB;
        }

        Variable[] inputs = [input, .. weight is null ? Array.Empty<Variable>() : [weight], .. bias is null ? Array.Empty<Variable>() : [bias]];
        string rule = batchStats
            ? "dX = invstd * (dXh - mean(dXh) - Xh * mean(dXh * Xh)), dXh = dY * w;  dw = sum(dY * Xh);  db = sum(dY)"
            : "dX = dY * w * invstd (running statistics are constants);  dw = sum(dY * Xh);  db = sum(dY)";
        var weightData = weight?.Data;
        return Record(batchStats ? "BatchNorm" : "BatchNorm(eval)", y, inputs, rule, dY =>
        {
            var grads = new Tensor?[inputs.Length];
            int next = 1;
            if (weight is not null)
            {
                if (weight.RequiresGrad) { using var dYxHat = dY * xHat; grads[next] = dYxHat.Sum(reduceAxes); }
                next++;
            }
            if (bias is { RequiresGrad: true }) grads[next] = dY.Sum(reduceAxes);
            if (input.RequiresGrad)
            {
                using var wB = weightData?.Reshape(perChannel);
                var dXHat = wB is null ? dY : dY * wB;
                if (!batchStats) grads[0] = dXHat * invStd;
                else
                {
                    using var meanD = dXHat.Mean(reduceAxes, keepDim: true);
                    using var dXHatXHat = dXHat * xHat;
                    using var meanDX = dXHatXHat.Mean(reduceAxes, keepDim: true);
                    using var projection = xHat * meanDX;
                    using var less = dXHat - meanD;
                    using var inner = less - projection;
                    grads[0] = inner * invStd;
                }
                if (!ReferenceEquals(dXHat, dY)) dXHat.Dispose();
            }
            return grads;
        }, ReferenceEquals(y, xHat) ? [invStd] : [xHat, invStd]);
    }

    private static void UpdateRunningStatistics(Tensor runningMean, Tensor runningVar, Tensor mean, Tensor variance, float momentum, int m)
    {
        using var meanPart = mean * momentum;
        runningMean.MulInPlace(1f - momentum).AddInPlace(meanPart);
        using var varPart = variance * (momentum * m / (m - 1f));
        runningVar.MulInPlace(1f - momentum).AddInPlace(varPart);
    }

    /// <summary>
    /// Layer normalization over the last <c>normalizedShape.Length</c> axes, with population variance:
    /// <c>Y = (X - mean) / sqrt(var + eps) * weight + bias</c>. Composite: Mean, Variance, Rsqrt, Sub, Mul, Add.
    /// Shape: input <c>[*, normalizedShape]</c>; weight and bias <c>normalizedShape</c> or null; output as input.
    /// </summary>
    public static Variable LayerNorm(Variable input, int[] normalizedShape, Variable? weight = null, Variable? bias = null, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        int k = normalizedShape.Length;
        if (k == 0 || k > input.Rank || !input.Shape.Dims[^k..].SequenceEqual(normalizedShape))
            throw new ArgumentException($"LayerNorm: input {input.Shape} does not end in the normalized shape {new Shape(normalizedShape)}.");
        var axes = Enumerable.Range(input.Rank - k, k).ToArray();
        var mean = input.Mean(axes, keepDim: true);
        var variance = input.Variance(axes, keepDim: true, correction: 0f);
        var y = (input - mean) * (variance + eps).Rsqrt();
        if (weight is not null) y *= weight;
        if (bias is not null) y += bias;
        return y;
    }
}
