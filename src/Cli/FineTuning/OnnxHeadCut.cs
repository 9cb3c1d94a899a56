using NetFromScratch.Onnx;
using NetFromScratch.Tensors;

namespace NetFromScratch.Cli.FineTuning;

/// <summary>
/// Cuts an ONNX classifier just before its last fully connected layer: the graph output moves to that layer's input (the
/// features), the nodes and weights that only fed the removed part are dropped, and the layer's weights are returned as
/// a <c>[out, in]</c> matrix and a bias, ready for a <c>Linear</c>. Parameter-free nodes after the layer (Softmax,
/// LogSoftmax, Identity, Dropout) are skipped over.
/// </summary>
public static class OnnxHeadCut
{
    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal) { "Softmax", "LogSoftmax", "Identity", "Dropout", "Sigmoid" };

    /// <summary>The pieces of a cut model.</summary>
    /// <param name="Backbone">A copy of the model whose single output is the features.</param>
    /// <param name="FeatureName">The name of that output.</param>
    /// <param name="HeadWeight">The removed layer's weight. Shape: <c>[out, in]</c>.</param>
    /// <param name="HeadBias">Its bias, or null. Shape: <c>[out]</c>.</param>
    /// <param name="HeadNode">The removed node's name (or operator).</param>
    public sealed record Result(OnnxModel Backbone, string FeatureName, Tensor HeadWeight, Tensor? HeadBias, string HeadNode);

    /// <summary>Cuts <paramref name="model"/> (which is not changed).</summary>
    /// <exception cref="OnnxGraphException">The graph does not end in a fully connected layer with constant weights.</exception>
    public static Result Cut(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        if (graph.Outputs.Count == 0) throw Fail(model, "the graph has no output");
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Nodes.Count; i++)
            foreach (var o in graph.Nodes[i].Outputs) producer[o] = i;
        var initializers = graph.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        OnnxTensor? Init(OnnxNode node, int k) => k < node.Inputs.Count && initializers.TryGetValue(node.Inputs[k], out var t) ? t : null;

        string value = graph.Outputs[0].Name;
        while (true)
        {
            if (!producer.TryGetValue(value, out int index)) throw Fail(model, $"'{value}' is not made by a node");
            var node = graph.Nodes[index];
            string label = node.Name.Length > 0 ? node.Name : node.OpType;
            if (node.OpType == "Gemm" && Init(node, 1) is { Dims.Count: 2 } b)
            {
                if (node.FindAttribute("transA") is { I: not 0 }) throw Fail(model, $"Gemm '{label}' transposes its input (transA)");
                float alpha = node.FindAttribute("alpha")?.F ?? 1f, beta = node.FindAttribute("beta")?.F ?? 1f;
                var w = b.ToTensor();
                var weight = node.FindAttribute("transB") is { I: not 0 } ? w.Contiguous() : w.T.Contiguous();
                if (alpha != 1f) weight = weight * alpha;
                Tensor? bias = null;
                if (Init(node, 2) is { } c)
                {
                    bias = c.ToTensor().Reshape(weight.Shape[0]);
                    if (beta != 1f) bias = bias * beta;
                }
                return Finish(model, node.Inputs[0], weight, bias, label);
            }
            if (node.OpType == "MatMul" && Init(node, 1) is { Dims.Count: 2 } m)
                return Finish(model, node.Inputs[0], m.ToTensor().T.Contiguous(), null, label);
            if (node.OpType == "Add" && node.Inputs.Count == 2)
            {
                int biasAt = Init(node, 1) is not null ? 1 : Init(node, 0) is not null ? 0 : -1;
                if (biasAt >= 0 && producer.TryGetValue(node.Inputs[1 - biasAt], out int mm) && graph.Nodes[mm] is { OpType: "MatMul" } matMul
                    && Init(matMul, 1) is { Dims.Count: 2 } mw)
                {
                    var weight = mw.ToTensor().T.Contiguous();
                    var bias = Init(node, biasAt)!.ToTensor().Reshape(weight.Shape[0]);
                    return Finish(model, matMul.Inputs[0], weight, bias, matMul.Name.Length > 0 ? matMul.Name : "MatMul");
                }
            }
            if (PassThrough.Contains(node.OpType) && node.Inputs.Count > 0)
            {
                value = node.Inputs[0];
                continue;
            }
            throw Fail(model, $"the output comes from {node.OpType} '{label}', not from a fully connected layer (Gemm, or MatMul with constant weights)");
        }
    }

    private static Result Finish(OnnxModel model, string features, Tensor weight, Tensor? bias, string label)
    {
        var copy = OnnxModel.Parse(model.ToBytes(), model.Source);
        var graph = copy.Graph;
        // Keep the nodes the features depend on, in their order, and the initializers those nodes read.
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
            foreach (var o in n.Outputs) producer[o] = n;
        var needed = new HashSet<OnnxNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<string>();
        stack.Push(features);
        while (stack.Count > 0)
            if (producer.TryGetValue(stack.Pop(), out var n) && needed.Add(n))
                foreach (var i in n.Inputs) if (i.Length > 0) stack.Push(i);
        var kept = graph.Nodes.Where(needed.Contains).ToList();
        graph.Nodes.Clear();
        graph.Nodes.AddRange(kept);
        var read = kept.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
        graph.Initializers.RemoveAll(t => !read.Contains(t.Name));
        var initializerNames = graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var oldInitializerInputs = graph.Inputs.Where(v => !initializerNames.Contains(v.Name) && !read.Contains(v.Name) && model.Graph.FindInitializer(v.Name) is not null).ToList();
        foreach (var v in oldInitializerInputs) graph.Inputs.Remove(v);
        var info = graph.ValueInfo.FirstOrDefault(v => v.Name == features);
        graph.Outputs.Clear();
        graph.Outputs.Add(new OnnxValueInfo { Name = features, Type = info?.Type });
        return new Result(copy, features, weight, bias, label);
    }

    private static OnnxGraphException Fail(OnnxModel model, string why) =>
        new(model.Source, -1, null, $"cannot fine-tune this graph: {why}. The last layer must be fully connected (Gemm, or MatMul with an optional Add) so it can be replaced by a new head.");
}
