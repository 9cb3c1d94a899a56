using NetFromScratch.Tensors;
using NetFromScratch.Training.Regularization;

namespace NetFromScratch.Training.Metrics;

/// <summary>Classification accuracy: how many rows' largest score is at the target class.</summary>
public static class Accuracy
{
    /// <summary>
    /// The number of rows of <paramref name="scores"/> whose arg-max (first on ties) equals the target.
    /// Shape: scores <c>[N, C]</c>, targets <c>[N]</c> (class numbers as floats).
    /// </summary>
    public static int CountCorrect(Tensor scores, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        if (scores.Rank != 2 || targets.Rank != 1 || targets.Shape[0] != scores.Shape[0])
            throw new ArgumentException($"Accuracy: scores must be [N, C] and targets [N], got {scores.Shape} and {targets.Shape}.");
        if (TensorSpans.TryGet(scores, out var s) && TensorSpans.TryGet(targets, out var t))
        {
            int n = scores.Shape[0], c = scores.Shape[1], correct = 0;
            for (int i = 0; i < n; i++)
            {
                var row = s.Slice(i * c, c);
                int best = 0;
                for (int j = 1; j < c; j++)
                    if (row[j] > row[best]) best = j;
                if (best == (int)t[i]) correct++;
            }
            return correct;
        }
        using var predicted = scores.ArgMax(1);
        using var hits = predicted.Eq(targets);
        using var sum = hits.Sum();
        return (int)sum.Item();
    }
}
