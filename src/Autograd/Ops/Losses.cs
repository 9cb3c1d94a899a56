using NetFromScratch.Tensors;
using static NetFromScratch.Autograd.Graph;

namespace NetFromScratch.Autograd;

// Losses. Cross-entropy is fused: log-softmax and the pick of the target's log-probability would be three nodes,
// but together their gradient is simply softmax(Z) - onehot(T) (scaled by dL / N), computed from the saved
// log-probabilities in one pass. NllLoss stays composite (Gather on the log-probabilities, then a mean), so
// F.NllLoss(F.LogSoftmax(z), t) is the readable reference the fused version is tested against.
// Class targets are whole numbers stored as floats; ignoreIndex marks positions that contribute nothing.
public static partial class F
{
    /// <summary>
    /// Cross-entropy between logits and class targets (or class probabilities), with optional label smoothing and
    /// class weights, as torch.nn.functional.cross_entropy.
    /// Shape: logits <c>[N, C]</c> or <c>[N, C, d...]</c>; targets <c>[N]</c> / <c>[N, d...]</c> of class numbers, or
    /// probabilities of the logits' shape; weight <c>[C]</c>. Result: a scalar, or <c>[N, d...]</c> for <see cref="Reduction.None"/>.
    /// </summary>
    /// <param name="logits">Unnormalized scores; the class axis is 1.</param>
    /// <param name="targets">Class numbers, or a probability distribution over classes per position.</param>
    /// <param name="labelSmoothing">Mixes the target with the uniform distribution: <c>(1 - s) * target + s / C</c>.</param>
    /// <param name="weight">A weight per class, or null.</param>
    /// <param name="reduction">Mean (divided by the total weight of the non-ignored targets), sum, or none.</param>
    /// <param name="ignoreIndex">A class number whose positions are skipped (class targets only).</param>
    public static Variable CrossEntropy(Variable logits, Tensor targets, float labelSmoothing = 0f, Tensor? weight = null,
        Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentException($"CrossEntropy: label smoothing must be in [0, 1], got {labelSmoothing}.");
        return WithClassAxisLast("CrossEntropy", logits, targets, weight, reduction,
            (z, t, soft) => SoftmaxCrossEntropy(z, t, soft, labelSmoothing, weight, reduction, ignoreIndex));
    }

    /// <summary>
    /// Negative log-likelihood of class targets given log-probabilities, as torch.nn.functional.nll_loss. Composite:
    /// a Gather of each target's log-probability, a product with the target weights, and a sum.
    /// Shape: logProbs <c>[N, C]</c> or <c>[N, C, d...]</c>; targets <c>[N]</c> or <c>[N, d...]</c>; weight <c>[C]</c>.
    /// </summary>
    public static Variable NllLoss(Variable logProbs, Tensor targets, Tensor? weight = null, Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(targets);
        return WithClassAxisLast("NllLoss", logProbs, targets, weight, reduction, (lp, t, soft) =>
        {
            if (soft) throw new ArgumentException($"NllLoss: targets must be class numbers of shape [N, d...], got {targets.Shape} for input {logProbs.Shape}.");
            var (safe, sampleWeight) = ClassTargets("NllLoss", t, lp.Shape[1], weight, ignoreIndex);
            var picked = lp.Gather(1, safe.Unsqueeze(1)).Reshape(-1);
            var losses = -(picked * new Variable(sampleWeight));
            return reduction switch
            {
                Reduction.None => losses,
                Reduction.Sum => losses.Sum(),
                _ => losses.Sum() / new Variable(sampleWeight.Sum()),
            };
        });
    }

    /// <summary>Mean squared error, <c>(input - target)^2</c> reduced. Composite. Shape: both alike (or broadcastable).</summary>
    public static Variable MseLoss(Variable input, Variable target, Reduction reduction = Reduction.Mean) =>
        Reduce((input - target).Square(), reduction);

    /// <summary>Mean squared error against a constant target.</summary>
    public static Variable MseLoss(Variable input, Tensor target, Reduction reduction = Reduction.Mean) =>
        MseLoss(input, new Variable(target), reduction);

    /// <summary>Mean absolute error, <c>|input - target|</c> reduced. Composite.</summary>
    public static Variable L1Loss(Variable input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Reduce((input - new Variable(target)).Abs(), reduction);

    /// <summary>
    /// Binary cross-entropy on logits, <c>-(t log s(x) + (1 - t) log(1 - s(x)))</c>, computed stably as
    /// <c>max(x, 0) - x t + log(1 + exp(-|x|))</c>. Composite. Shape: logits and targets alike.
    /// </summary>
    public static Variable BinaryCrossEntropyWithLogits(Variable logits, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Shape != logits.Shape)
            throw new ArgumentException($"BinaryCrossEntropyWithLogits: targets {targets.Shape} must have the logits' shape {logits.Shape}.");
        var losses = logits.Relu() - logits * new Variable(targets) + (-logits.Abs()).Softplus();
        return Reduce(losses, reduction);
    }

    private static Variable Reduce(Variable losses, Reduction reduction) => reduction switch
    {
        Reduction.None => losses,
        Reduction.Sum => losses.Sum(),
        _ => losses.Mean(),
    };

    /// <summary>
    /// Brings a class-axis-1 input to <c>[M, C]</c> (moving the class axis last and flattening the rest, with views that
    /// carry their own rules), runs <paramref name="core"/>, and gives an unreduced result its original layout back.
    /// </summary>
    private static Variable WithClassAxisLast(string op, Variable input, Tensor targets, Tensor? weight, Reduction reduction,
        Func<Variable, Tensor, bool, Variable> core)
    {
        if (input.Rank < 2) throw new ArgumentException($"{op}: input must be [N, C] or [N, C, d...], got {input.Shape}.");
        int c = input.Shape[1];
        if (weight is not null && weight.Shape != new Shape(c))
            throw new ArgumentException($"{op}: weight must have shape [{c}], got {weight.Shape}.");
        bool soft = targets.Shape == input.Shape;
        var positions = input.Shape.ToArray().Where((_, i) => i != 1).ToArray();
        if (!soft && targets.Shape != new Shape(positions))
            throw new ArgumentException($"{op}: targets must have shape {new Shape(positions)} (class numbers) or {input.Shape} (probabilities), got {targets.Shape}.");
        if (input.Rank == 2) return core(input, targets, soft);

        var classLast = Enumerable.Range(0, input.Rank).Where(a => a != 1).Append(1).ToArray();
        var flat = input.Permute(classLast).Reshape(-1, c);
        var flatTargets = soft ? targets.Permute(classLast).Reshape(-1, c) : targets.Reshape(-1);
        var loss = core(flat, flatTargets, soft);
        return reduction == Reduction.None ? loss.Reshape(positions) : loss;
    }

    /// <summary>
    /// Checks class targets and returns them with ignored positions set to class 0, and each position's weight
    /// (the class weight, or 1; 0 where ignored). Shape: targets <c>[M]</c>; both results <c>[M]</c>.
    /// </summary>
    private static (Tensor Safe, Tensor SampleWeight) ClassTargets(string op, Tensor targets, int classes, Tensor? weight, int ignoreIndex)
    {
        var host = targets.ToArray();
        for (int i = 0; i < host.Length; i++)
        {
            float t = host[i];
            if (t == ignoreIndex) continue;
            if (t != MathF.Floor(t) || t < 0 || t >= classes)
                throw new ArgumentException($"{op}: target {t} at position {i} is not a class number in [0, {classes}).");
        }
        using var ignored = Tensor.Scalar(ignoreIndex, targets.Device);
        using var zero = Tensor.Scalar(0f, targets.Device);
        var valid = targets.Ne(ignored);
        var safe = Tensor.Where(valid, targets, zero);
        if (weight is null) return (safe, valid);
        using var classWeight = weight.IndexSelect(0, safe);
        var sampleWeight = classWeight * valid;
        valid.Dispose();
        return (safe, sampleWeight);
    }

    private static Variable SoftmaxCrossEntropy(Variable logits, Tensor targets, bool soft, float smoothing, Tensor? weight,
        Reduction reduction, int ignoreIndex)
    {
        var z = logits.Data;
        int m = z.Shape[0], c = z.Shape[1];
        var logp = z.LogSoftmax(1);

        // q: the target distribution each row is compared with (one-hot, smoothed, weighted); loss_i = -sum_c q_ic logp_ic.
        Tensor q, denominator;
        if (soft)
        {
            var smoothed = smoothing == 0f ? targets.Clone() : targets.Apply(UnaryOp.Affine, 1f - smoothing, smoothing / c);
            if (weight is null) q = smoothed;
            else
            {
                using var weightRow = weight.Reshape(1, c);
                q = smoothed * weightRow;
                smoothed.Dispose();
            }
            denominator = Tensor.Scalar(m, z.Device);
        }
        else
        {
            var (safe, sampleWeight) = ClassTargets("CrossEntropy", targets, c, weight, ignoreIndex);
            using var oneHot = Tensor.OneHot(safe, c);
            using var sampleWeightColumn = sampleWeight.Reshape(m, 1);
            using var hardWeight = sampleWeightColumn * (1f - smoothing);
            q = oneHot * hardWeight;
            if (smoothing > 0f)
            {
                using var ignored = Tensor.Scalar(ignoreIndex, z.Device);
                using var validFlat = targets.Ne(ignored);
                using var valid = validFlat.Reshape(m, 1);
                using var weightRow = weight?.Reshape(1, c);
                using var uniform = weightRow is null ? Tensor.Full(new Shape(1, c), smoothing / c, z.Device) : weightRow * (smoothing / c);
                using var smooth = valid * uniform;
                q.AddInPlace(smooth);
            }
            denominator = sampleWeight.Sum();
            safe.Dispose();
            sampleWeight.Dispose();
        }

        var rowMass = q.Sum(1, keepDim: true);
        using var qLogp = q * logp;
        using var perSample = qLogp.Sum(1);
        var losses = -perSample;
        Tensor y = losses;
        if (reduction == Reduction.Sum) y = losses.Sum();
        else if (reduction == Reduction.Mean)
        {
            using var total = losses.Sum();
            y = total / denominator;
        }
        if (!ReferenceEquals(y, losses)) losses.Dispose();
        bool plain = !soft && smoothing == 0f && weight is null;
        string scale = reduction == Reduction.Mean ? (plain ? " / N" : " / sum of target weights") : "";
        string rule = plain
            ? $"dZ = (softmax(Z) - onehot(T)) * dL{scale}"
            : $"dZ = (softmax(Z) * sum(q) - q) * dL{scale}, q = the smoothed/weighted target distribution";
        return Record("CrossEntropy", y, [logits], rule, dY =>
        {
            using var scaled = reduction == Reduction.Mean ? dY / denominator : Graph.Alias(dY);
            using var perRow = scaled.Reshape(reduction == Reduction.None ? m : 1, 1);
            using var softmax = logp.Exp();
            using var predicted = softmax * rowMass;
            using var difference = predicted - q;
            return [difference * perRow];
        }, logp, q, rowMass, denominator);
    }
}
