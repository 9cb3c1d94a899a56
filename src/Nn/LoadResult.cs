namespace NetFromScratch.Nn;

/// <summary>What <see cref="Module.LoadStateDict"/> found: keys the module has that the file lacks, keys the file has that the
/// module lacks, and keys whose shapes differ.</summary>
/// <param name="Missing">Module keys absent from the state dict.</param>
/// <param name="Unexpected">State dict keys the module does not have.</param>
/// <param name="Mismatched">Keys present on both sides with different shapes, with both shapes.</param>
public sealed record LoadResult(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> Mismatched)
{
    /// <summary>True when every key matched.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Missing.Count > 0) parts.Add($"missing keys: {string.Join(", ", Missing)}");
        if (Unexpected.Count > 0) parts.Add($"unexpected keys: {string.Join(", ", Unexpected)}");
        if (Mismatched.Count > 0) parts.Add($"mismatched shapes: {string.Join(", ", Mismatched)}");
        return parts.Count == 0 ? "all keys matched" : string.Join("; ", parts);
    }
}
