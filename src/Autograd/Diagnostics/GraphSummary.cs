using System.Text;

namespace NetFromScratch.Autograd;

/// <summary>A plain-text listing of the graph behind a Variable, one op per line in the order the forward pass ran.</summary>
public static class GraphSummary
{
    /// <summary>
    /// Lines like <c>#2 MatMul(x, #1) -&gt; [4, 4]</c>: each op's label (its name, or <c>#k</c> for the k-th op), its inputs'
    /// labels (a trailing <c>*</c> marks leaves that require grad) and its output shape.
    /// </summary>
    public static string Describe(Variable output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var labels = new GraphLabels(output);
        var lines = labels.Nodes.Select(node =>
        (
            Left: $"{labels.Of(node.Output)} = {node.Op}({string.Join(", ", node.Inputs.Select(i => labels.Of(i) + (i.IsLeaf && i.RequiresGrad ? "*" : "")))})",
            Right: node.Output.Shape.ToString()
        )).ToList();
        if (lines.Count == 0) return $"{labels.Of(output)}: a leaf of shape {output.Shape}\n";
        int width = lines.Max(l => l.Left.Length);
        var sb = new StringBuilder();
        foreach (var (left, right) in lines) sb.Append(left.PadRight(width)).Append("  -> ").Append(right).Append('\n');
        return sb.ToString();
    }
}
