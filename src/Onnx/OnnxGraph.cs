using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// A computation graph (<c>GraphProto</c>): nodes in topological order, the weights (<see cref="Initializers"/>), and the
/// declared inputs, outputs and intermediate values.
/// </summary>
public sealed class OnnxGraph
{
    private const int NodeField = 1;
    private const int NameField = 2;
    private const int InitializerField = 5;
    private const int DocStringField = 10;
    private const int InputField = 11;
    private const int OutputField = 12;
    private const int ValueInfoField = 13;
    private const int SparseInitializerField = 15;

    /// <summary>The nodes, sorted topologically.</summary>
    public List<OnnxNode> Nodes { get; } = [];

    /// <summary>The graph's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Named constant tensors: the weights. A name may also appear among <see cref="Inputs"/> (older exporters did so).</summary>
    public List<OnnxTensor> Initializers { get; } = [];

    /// <summary>Named constant tensors stored sparsely.</summary>
    public List<OnnxSparseTensor> SparseInitializers { get; } = [];

    /// <summary>Human-readable documentation.</summary>
    public string DocString { get; set; } = "";

    /// <summary>The graph's inputs.</summary>
    public List<OnnxValueInfo> Inputs { get; } = [];

    /// <summary>The graph's outputs.</summary>
    public List<OnnxValueInfo> Outputs { get; } = [];

    /// <summary>Types of intermediate values, where known.</summary>
    public List<OnnxValueInfo> ValueInfo { get; } = [];

    /// <summary>The initializer called <paramref name="name"/>, or null.</summary>
    public OnnxTensor? FindInitializer(string name)
    {
        foreach (var t in Initializers)
            if (t.Name == name) return t;
        return null;
    }

    /// <summary>
    /// Every tensor stored in this graph and the graphs nested in its attributes, with its path as errors write it
    /// (<c>initializer[3] 'fc.weight'</c>, <c>node[2](Constant).attribute[0] 'value'.t</c>).
    /// </summary>
    internal IEnumerable<(OnnxTensor Tensor, string Path)> AllTensors(string prefix)
    {
        for (int i = 0; i < Initializers.Count; i++)
            yield return (Initializers[i], $"{prefix}.initializer[{i}]{Quoted(Initializers[i].Name)}");
        for (int i = 0; i < SparseInitializers.Count; i++)
        {
            var s = SparseInitializers[i];
            string p = $"{prefix}.sparse_initializer[{i}]{Quoted(s.Name)}";
            if (s.Values is not null) yield return (s.Values, p + ".values");
            if (s.Indices is not null) yield return (s.Indices, p + ".indices");
        }
        for (int i = 0; i < Nodes.Count; i++)
        {
            var node = Nodes[i];
            for (int j = 0; j < node.Attributes.Count; j++)
            {
                var a = node.Attributes[j];
                string p = $"{prefix}.node[{i}]{node.Label}.attribute[{j}]{Quoted(a.Name)}";
                if (a.T is not null) yield return (a.T, p + ".t");
                for (int k = 0; k < a.Tensors.Count; k++) yield return (a.Tensors[k], $"{p}.tensors[{k}]");
                if (a.G is not null)
                    foreach (var inner in a.G.AllTensors(p + ".g")) yield return inner;
                for (int k = 0; k < a.Graphs.Count; k++)
                    foreach (var inner in a.Graphs[k].AllTensors($"{p}.graphs[{k}]")) yield return inner;
            }
        }
    }

    private static string Quoted(string name) => name.Length > 0 ? $" '{name}'" : "";

    internal static OnnxGraph Read(ref ProtoReader r)
    {
        var g = new OnnxGraph();
        try
        {
            while (r.TryReadTag(out int field, out var wt))
            {
                switch (field)
                {
                    case NodeField:
                        try
                        {
                            var sub = r.ReadMessage(wt, "node");
                            g.Nodes.Add(OnnxNode.Read(ref sub));
                        }
                        catch (OnnxFormatException e)
                        {
                            throw e.Within($"node[{g.Nodes.Count}]");
                        }
                        break;
                    case NameField: g.Name = r.ReadString(wt, "name"); break;
                    case InitializerField:
                        try
                        {
                            var sub = r.ReadMessage(wt, "initializer");
                            g.Initializers.Add(OnnxTensor.Read(ref sub));
                        }
                        catch (OnnxFormatException e)
                        {
                            throw e.Within($"initializer[{g.Initializers.Count}]");
                        }
                        break;
                    case SparseInitializerField:
                        try
                        {
                            var sub = r.ReadMessage(wt, "sparse_initializer");
                            g.SparseInitializers.Add(OnnxSparseTensor.Read(ref sub));
                        }
                        catch (OnnxFormatException e)
                        {
                            throw e.Within($"sparse_initializer[{g.SparseInitializers.Count}]");
                        }
                        break;
                    case DocStringField: g.DocString = r.ReadString(wt, "doc_string"); break;
                    case InputField: ReadValueInfo(ref r, wt, g.Inputs, "input"); break;
                    case OutputField: ReadValueInfo(ref r, wt, g.Outputs, "output"); break;
                    case ValueInfoField: ReadValueInfo(ref r, wt, g.ValueInfo, "value_info"); break;
                    default: r.SkipField(wt); break;
                }
            }
        }
        catch (OnnxFormatException e) when (g.Name.Length > 0 && r.Depth > 1)
        {
            // A nested graph (a control-flow body) is easier to find by its name.
            throw e.Within($"'{g.Name}'");
        }
        return g;
    }

    private static void ReadValueInfo(ref ProtoReader r, ProtoWireType wt, List<OnnxValueInfo> into, string fieldName)
    {
        try
        {
            var sub = r.ReadMessage(wt, fieldName);
            into.Add(OnnxValueInfo.Read(ref sub));
        }
        catch (OnnxFormatException e)
        {
            throw e.Within($"{fieldName}[{into.Count}]");
        }
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        foreach (var n in Nodes) n.Write(w, NodeField);
        if (Name.Length > 0) w.WriteString(NameField, Name);
        foreach (var t in Initializers) t.Write(w, InitializerField);
        if (DocString.Length > 0) w.WriteString(DocStringField, DocString);
        foreach (var v in Inputs) v.Write(w, InputField);
        foreach (var v in Outputs) v.Write(w, OutputField);
        foreach (var v in ValueInfo) v.Write(w, ValueInfoField);
        foreach (var s in SparseInitializers) s.Write(w, SparseInitializerField);
        w.EndMessage(mark);
    }
}
