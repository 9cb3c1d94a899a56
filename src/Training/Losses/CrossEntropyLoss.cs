using System.Globalization;
using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Losses;

/// <summary>
/// Cross-entropy from logits (torch.nn.CrossEntropyLoss): log-softmax over the class axis and the negative
/// log-likelihood of the targets, fused with the closed-form gradient <c>softmax - target</c>. Optional label smoothing
/// and per-class weights. Shape: logits <c>[N, C]</c> or <c>[N, C, d...]</c>; targets <c>[N]</c> / <c>[N, d...]</c> class
/// numbers, or probabilities shaped like the logits.
/// </summary>
public sealed class CrossEntropyLoss(Tensor? weight = null, float labelSmoothing = 0f, Reduction reduction = Reduction.Mean,
    int ignoreIndex = -100) : Loss(reduction)
{
    /// <summary>A weight per class, or null.</summary>
    public Tensor? Weight { get; } = weight;

    /// <summary>Label smoothing in [0, 1].</summary>
    public float LabelSmoothing { get; } = labelSmoothing is >= 0f and <= 1f ? labelSmoothing
        : throw new ArgumentException($"CrossEntropyLoss: label smoothing must be in [0, 1], got {labelSmoothing}.");

    /// <summary>A class number whose positions contribute nothing.</summary>
    public int IgnoreIndex { get; } = ignoreIndex;

    /// <inheritdoc/>
    public override bool TakesClassTargets => true;

    /// <inheritdoc/>
    public override Variable Forward(Variable output, Tensor target) =>
        F.CrossEntropy(output, target, LabelSmoothing, Weight, Reduction, IgnoreIndex);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"CrossEntropyLoss(label_smoothing={LabelSmoothing:G4}, weight={(Weight is null ? "None" : Weight.Shape.ToString())}, reduction={Reduction.ToString().ToLowerInvariant()})");
}
