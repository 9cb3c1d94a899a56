namespace NetFromScratch.Tensors;

/// <summary>Reductions over a set of axes.</summary>
public enum ReduceOp
{
    /// <summary>Sum of the elements.</summary>
    Sum,
    /// <summary>Arithmetic mean.</summary>
    Mean,
    /// <summary>Largest element.</summary>
    Max,
    /// <summary>Smallest element.</summary>
    Min,
    /// <summary>Variance with Bessel's correction given as the kernel's <c>correction</c> (0 = population, 1 = sample).</summary>
    Variance,
    /// <summary><c>log(sum(exp(x)))</c>, computed with the maximum subtracted first.</summary>
    LogSumExp,
}
