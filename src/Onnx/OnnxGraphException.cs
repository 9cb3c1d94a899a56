namespace NetFromScratch.Onnx;

/// <summary>
/// A graph that cannot be imported or run: an unsupported operator, a missing value, an attribute out of range, or an
/// op that failed on the shapes it met. The message names the model, the node (its index, type and name) and what is
/// wrong, for example <c>resnet.onnx: node[12] (Conv '/layer1/conv1'): input 'x' has shape [1, 4, 8, 8] ...</c>.
/// </summary>
public sealed class OnnxGraphException : Exception
{
    /// <summary>Creates the error; <paramref name="node"/> may be null for problems that concern the whole graph.</summary>
    public OnnxGraphException(string model, int nodeIndex, OnnxNode? node, string problem, Exception? inner = null)
        : base(Format(model, nodeIndex, node, problem), inner)
    {
        Model = model;
        NodeIndex = nodeIndex;
        NodeLabel = node?.Label ?? "";
        OpType = node?.OpType ?? "";
        NodeName = node?.Name ?? "";
        Problem = problem;
    }

    /// <summary>The model's file or name.</summary>
    public string Model { get; }

    /// <summary>The node's position in the graph, or -1 when the problem is not one node's.</summary>
    public int NodeIndex { get; }

    /// <summary>The node as errors write it, <c>(Conv 'conv1')</c>; empty when there is no node.</summary>
    public string NodeLabel { get; }

    /// <summary>The node's operator, or empty.</summary>
    public string OpType { get; }

    /// <summary>The node's name, or empty.</summary>
    public string NodeName { get; }

    /// <summary>What was wrong, without the model and node.</summary>
    public string Problem { get; }

    private static string Format(string model, int nodeIndex, OnnxNode? node, string problem)
    {
        if (node is null) return $"{model}: {problem}";
        string label = node.Label.Length > 0 ? " " + node.Label : "";
        return $"{model}: node[{nodeIndex}]{label}: {problem}";
    }
}
