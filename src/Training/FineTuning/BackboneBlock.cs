namespace NetFromScratch.Training.FineTuning;

/// <summary>
/// One stage of a network as fine-tuning sees it: a name (<c>stem</c>, <c>layer3</c>, <c>block2</c>, <c>fc</c>) and the
/// parameter-name prefixes it owns (<c>conv1</c> and <c>bn1</c> for ResNet's stem). Blocks are frozen, unfrozen and
/// given learning rates as wholes.
/// </summary>
/// <param name="Name">What the block is called in messages and on the command line.</param>
/// <param name="Prefixes">Dotted module paths; a parameter belongs to the block when its name is one of them or starts with one followed by a dot.</param>
public sealed record BackboneBlock(string Name, IReadOnlyList<string> Prefixes)
{
    /// <summary>Whether the parameter called <paramref name="parameterName"/> belongs to this block.</summary>
    public bool Contains(string parameterName)
    {
        foreach (var p in Prefixes)
            if (parameterName == p || (parameterName.Length > p.Length && parameterName[p.Length] == '.' && parameterName.StartsWith(p, StringComparison.Ordinal)))
                return true;
        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => Prefixes.Count == 1 && Prefixes[0] == Name ? Name : $"{Name} ({string.Join(", ", Prefixes)})";
}
