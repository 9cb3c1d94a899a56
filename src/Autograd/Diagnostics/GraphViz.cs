using System.Text;

namespace NetFromScratch.Autograd;

/// <summary>
/// Exports the graph behind a Variable in Graphviz's DOT language: one box per op (its name and output shape) and one
/// per leaf (its label and shape; filled blue when it requires grad, grey for a constant), with edges in the direction
/// data flowed. Render with <c>dot -Tsvg graph.dot -o graph.svg</c>.
/// </summary>
public static class GraphViz
{
    /// <summary>The DOT text of the graph that produced <paramref name="output"/>, the output itself drawn in green.</summary>
    public static string ToDot(Variable output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var labels = new GraphLabels(output);
        var sb = new StringBuilder();
        sb.Append("digraph autograd {\n");
        sb.Append("  rankdir=LR;\n");
        sb.Append("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=white];\n");
        foreach (var leaf in labels.Leaves)
        {
            string fill = leaf.RequiresGrad ? "lightblue" : "lightgrey";
            string grad = leaf.RequiresGrad ? "requires grad" : "constant";
            sb.Append($"  {Id(labels, leaf)} [label=\"{Escape(labels.Of(leaf))}\\n{leaf.Shape}\\n{grad}\", fillcolor={fill}];\n");
        }
        foreach (var node in labels.Nodes)
        {
            string name = labels.Of(node.Output);
            string head = name.StartsWith('#') ? $"{name} {node.Op}" : $"{node.Op} ({name})";
            string fill = ReferenceEquals(node.Output, output) ? "palegreen" : "white";
            string released = node.IsReleased ? "\\n(released)" : "";
            sb.Append($"  {Id(labels, node.Output)} [label=\"{Escape(head)}\\n{node.Output.Shape}{released}\", fillcolor={fill}];\n");
        }
        foreach (var node in labels.Nodes)
            foreach (var input in node.Inputs)
            {
                string style = input.RequiresGrad ? "" : " [style=dashed]";
                sb.Append($"  {Id(labels, input)} -> {Id(labels, node.Output)}{style};\n");
            }
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Id(GraphLabels labels, Variable v) =>
        v.GradFn is not null ? "op" + labels.NumberOf(v.GradFn) : "leaf" + labels.LeafNumberOf(v);

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
