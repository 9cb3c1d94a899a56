namespace NetFromScratch.Autograd;

/// <summary>How a loss combines its per-element values (PyTorch's <c>reduction</c> argument).</summary>
public enum Reduction
{
    /// <summary>The average (for weighted class losses, divided by the total weight of the targets).</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: one loss per element.</summary>
    None,
}
