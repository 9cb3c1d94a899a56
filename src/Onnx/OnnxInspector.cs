using System.Globalization;
using System.Text;

namespace NetFromScratch.Onnx;

/// <summary>The report behind <c>nfs onnx inspect MODEL</c>: what a model holds and which of its operators are not supported.</summary>
public static class OnnxInspector
{
    /// <summary>
    /// Describes <paramref name="model"/> as text: producer, IR version, operator sets, graph inputs and outputs with their
    /// shapes (symbolic dimensions by name), operator counts (most frequent first; operators of other domains written
    /// <c>domain.Op</c>, nested control-flow bodies included), the parameter count (elements of all initializers), and the
    /// operators missing from <paramref name="supportedOps"/> (or <c>none</c>).
    /// </summary>
    public static string Describe(OnnxModel model, IReadOnlySet<string> supportedOps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(supportedOps);
        var c = CultureInfo.InvariantCulture;
        var graph = model.Graph;
        var sb = new StringBuilder();
        sb.AppendLine($"Model:      {model.Source}");
        string producer = (model.ProducerName + " " + model.ProducerVersion).Trim();
        sb.AppendLine($"Producer:   {(producer.Length > 0 ? producer : "(not recorded)")}");
        sb.AppendLine($"IR version: {model.IrVersion}");
        sb.AppendLine($"Opsets:     {(model.OpsetImports.Count > 0 ? string.Join(", ", model.OpsetImports) : "(none)")}");
        if (graph.Name.Length > 0) sb.AppendLine($"Graph:      {graph.Name}");

        // Exporters before IR 4 also listed every initializer as a graph input; those are weights, not inputs.
        var weights = new HashSet<string>(graph.Initializers.Select(t => t.Name));
        var inputs = graph.Inputs.Where(v => !weights.Contains(v.Name)).ToList();
        sb.AppendLine($"Inputs ({inputs.Count}):");
        foreach (var v in inputs) sb.AppendLine($"  {v}");
        sb.AppendLine($"Outputs ({graph.Outputs.Count}):");
        foreach (var v in graph.Outputs) sb.AppendLine($"  {v}");

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int nodes = CountOps(graph, counts);
        var ordered = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        sb.AppendLine($"Operators ({nodes} nodes, {counts.Count} types):");
        int width = ordered.Count > 0 ? ordered.Max(kv => kv.Key.Length) : 0;
        foreach (var (op, n) in ordered) sb.AppendLine($"  {op.PadRight(width)}  {n}");

        decimal parameters = 0;
        foreach (var t in graph.Initializers) parameters += ElementsOf(t.Dims);
        sb.Append($"Parameters: {parameters.ToString("N0", c)} in {graph.Initializers.Count} initializer{(graph.Initializers.Count == 1 ? "" : "s")}");
        if (graph.SparseInitializers.Count > 0)
        {
            decimal stored = 0;
            foreach (var s in graph.SparseInitializers) stored += s.Values is null ? 0 : ElementsOf(s.Values.Dims);
            sb.Append($", plus {graph.SparseInitializers.Count} sparse initializers storing {stored.ToString("N0", c)} values");
        }
        sb.AppendLine();

        var unsupported = ordered.Where(kv => !supportedOps.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        sb.AppendLine($"Unsupported ops: {(unsupported.Count == 0 ? "none" : string.Join(", ", unsupported.Select(kv => $"{kv.Key} ({kv.Value})")))}");
        return sb.ToString();
    }

    /// <summary>The name an operator is counted and looked up under: <c>Conv</c>, or <c>com.microsoft.FusedConv</c> outside the standard domain.</summary>
    public static string OpKey(OnnxNode node) => node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}";

    private static int CountOps(OnnxGraph graph, Dictionary<string, int> counts)
    {
        int nodes = 0;
        foreach (var node in graph.Nodes)
        {
            nodes++;
            string key = OpKey(node);
            counts[key] = counts.GetValueOrDefault(key) + 1;
            foreach (var a in node.Attributes)
            {
                if (a.G is not null) nodes += CountOps(a.G, counts);
                foreach (var g in a.Graphs) nodes += CountOps(g, counts);
            }
        }
        return nodes;
    }

    // The element count as a decimal, so no set of dims overflows it; negative dims (invalid) count as 0.
    private static decimal ElementsOf(List<long> dims)
    {
        decimal n = 1;
        foreach (long d in dims)
        {
            if (d <= 0) return 0;
            n *= d;
            if (n > 1e20m) return n; // far beyond any real model; stop before decimal overflows
        }
        return n;
    }
}
