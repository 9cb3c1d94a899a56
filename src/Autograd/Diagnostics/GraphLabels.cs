namespace NetFromScratch.Autograd;

/// <summary>
/// Short, stable labels for the Variables of one graph: a Variable's name when it has one, otherwise <c>#k</c> for the
/// output of the k-th op in forward order and <c>leafK</c> for the k-th unnamed leaf. Shared by traces and DOT export.
/// </summary>
internal sealed class GraphLabels
{
    private readonly Dictionary<Node, int> _nodeNumbers = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Variable, int> _leafNumbers = new(ReferenceEqualityComparer.Instance);

    public GraphLabels(Variable root)
    {
        if (root.GradFn is null)
        {
            _leafNumbers[root] = 1;
            return;
        }
        Nodes = Backpropagation.TopologicalOrder(root.GradFn).OrderBy(n => n.Sequence).ToList();
        for (int i = 0; i < Nodes.Count; i++) _nodeNumbers[Nodes[i]] = i + 1;
        foreach (var node in Nodes)
            foreach (var input in node.Inputs)
                if (input.IsLeaf && !_leafNumbers.ContainsKey(input)) _leafNumbers[input] = _leafNumbers.Count + 1;
    }

    /// <summary>The graph's nodes in the order the forward pass created them.</summary>
    public IReadOnlyList<Node> Nodes { get; } = Array.Empty<Node>();

    /// <summary>Every leaf, in order of first use.</summary>
    public IEnumerable<Variable> Leaves => _leafNumbers.OrderBy(p => p.Value).Select(p => p.Key);

    /// <summary>The number of a node in forward order, from 1.</summary>
    public int NumberOf(Node node) => _nodeNumbers[node];

    /// <summary>The number of a leaf in order of first use, from 1.</summary>
    public int LeafNumberOf(Variable leaf) => _leafNumbers[leaf];

    /// <summary>The label of a Variable of this graph.</summary>
    public string Of(Variable v)
    {
        if (v.Name is not null) return v.Name;
        if (v.GradFn is not null && _nodeNumbers.TryGetValue(v.GradFn, out int k)) return "#" + k;
        if (_leafNumbers.TryGetValue(v, out int j)) return "leaf" + j;
        return v.IsLeaf ? "leaf" : v.GradFn!.Op;
    }
}
