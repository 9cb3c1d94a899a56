using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// An ONNX model file (<c>ModelProto</c>): the graph, the operator sets it relies on, and who produced it.
/// Read with <see cref="Load"/> or <see cref="Parse"/>, write with <see cref="Save"/> or <see cref="ToBytes"/>.
/// </summary>
/// <remarks>
/// The reader is written from the protobuf wire format and the field numbers of onnx.proto. Fields it does not model are
/// skipped (and not written back). Weights kept in external files are read into memory when the model's directory is
/// known, so a loaded model saves as one self-contained file.
/// </remarks>
public sealed class OnnxModel
{
    private const int IrVersionField = 1;
    private const int ProducerNameField = 2;
    private const int ProducerVersionField = 3;
    private const int DomainField = 4;
    private const int ModelVersionField = 5;
    private const int DocStringField = 6;
    private const int GraphField = 7;
    private const int OpsetImportField = 8;
    private const int MetadataPropsField = 14;

    /// <summary>The IR version the model targets (see onnx.proto's <c>Version</c> enum).</summary>
    public long IrVersion { get; set; }

    /// <summary>The operator sets the model imports.</summary>
    public List<OnnxOpsetId> OpsetImports { get; } = [];

    /// <summary>The tool that wrote the model (for example <c>pytorch</c>).</summary>
    public string ProducerName { get; set; } = "";

    /// <summary>That tool's version.</summary>
    public string ProducerVersion { get; set; } = "";

    /// <summary>The model's reverse-DNS domain.</summary>
    public string Domain { get; set; } = "";

    /// <summary>The model's own version number.</summary>
    public long ModelVersion { get; set; }

    /// <summary>Human-readable documentation.</summary>
    public string DocString { get; set; } = "";

    /// <summary>The graph.</summary>
    public OnnxGraph Graph { get; set; } = new();

    /// <summary>Named metadata strings.</summary>
    public List<KeyValuePair<string, string>> MetadataProps { get; } = [];

    /// <summary>The file or name the model was read from; errors and reports name it. Not stored in the file.</summary>
    public string Source { get; set; } = "(in memory)";

    /// <summary>
    /// The version of the operator set imported for <paramref name="domain"/> (empty or <c>ai.onnx</c> for the standard one),
    /// or 0 when none is.
    /// </summary>
    public long OpsetVersion(string domain = "")
    {
        bool standard = domain is "" or "ai.onnx";
        foreach (var o in OpsetImports)
            if (o.Domain == domain || (standard && o.Domain is "" or "ai.onnx")) return o.Version;
        return 0;
    }

    /// <summary>Reads a model file, and any external data files beside it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxFormatException">The file, or its external data, is truncated or malformed.</exception>
    public static OnnxModel Load(string path)
    {
        var bytes = OnnxFile.ReadAll(path);
        return Parse(bytes, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>
    /// Parses model bytes; <paramref name="name"/> names them in errors. When <paramref name="baseDirectory"/> is given,
    /// tensors with external data are read from files relative to it; otherwise they keep their references.
    /// </summary>
    /// <exception cref="OnnxFormatException">The bytes or external data are truncated or malformed.</exception>
    public static OnnxModel Parse(ReadOnlySpan<byte> bytes, string name = "model", string? baseDirectory = null)
    {
        var r = new ProtoReader(bytes, name);
        var model = Read(ref r);
        model.Source = name;
        if (baseDirectory is not null)
            foreach (var (tensor, path) in model.Graph.AllTensors("graph"))
                OnnxExternalData.Load(tensor, path, baseDirectory);
        return model;
    }

    /// <summary>The model's protobuf bytes.</summary>
    public byte[] ToBytes()
    {
        var w = new ProtoWriter(4096);
        WriteFields(w);
        return w.ToArray();
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (a temporary file renamed over the target).</summary>
    public void Save(string path) => OnnxFile.WriteAtomically(path, ToBytes());

    /// <inheritdoc/>
    public override string ToString() =>
        $"ONNX model '{Source}' (IR {IrVersion}, {string.Join(", ", OpsetImports)}, {Graph.Nodes.Count} nodes)";

    private static OnnxModel Read(ref ProtoReader r)
    {
        var m = new OnnxModel();
        while (r.TryReadTag(out int field, out var wt))
        {
            switch (field)
            {
                case IrVersionField: m.IrVersion = r.ReadInt64(wt, "ir_version"); break;
                case ProducerNameField: m.ProducerName = r.ReadString(wt, "producer_name"); break;
                case ProducerVersionField: m.ProducerVersion = r.ReadString(wt, "producer_version"); break;
                case DomainField: m.Domain = r.ReadString(wt, "domain"); break;
                case ModelVersionField: m.ModelVersion = r.ReadInt64(wt, "model_version"); break;
                case DocStringField: m.DocString = r.ReadString(wt, "doc_string"); break;
                case GraphField:
                    try
                    {
                        var sub = r.ReadMessage(wt, "graph");
                        m.Graph = OnnxGraph.Read(ref sub);
                    }
                    catch (OnnxFormatException e)
                    {
                        throw e.Within("graph");
                    }
                    break;
                case OpsetImportField:
                    try
                    {
                        var sub = r.ReadMessage(wt, "opset_import");
                        m.OpsetImports.Add(OnnxOpsetId.Read(ref sub));
                    }
                    catch (OnnxFormatException e)
                    {
                        throw e.Within($"opset_import[{m.OpsetImports.Count}]");
                    }
                    break;
                case MetadataPropsField: OnnxStringEntry.ReadInto(ref r, wt, m.MetadataProps, "metadata_props"); break;
                default: r.SkipField(wt); break;
            }
        }
        return m;
    }

    private void WriteFields(ProtoWriter w)
    {
        w.WriteInt64(IrVersionField, IrVersion);
        if (ProducerName.Length > 0) w.WriteString(ProducerNameField, ProducerName);
        if (ProducerVersion.Length > 0) w.WriteString(ProducerVersionField, ProducerVersion);
        if (Domain.Length > 0) w.WriteString(DomainField, Domain);
        if (ModelVersion != 0) w.WriteInt64(ModelVersionField, ModelVersion);
        if (DocString.Length > 0) w.WriteString(DocStringField, DocString);
        Graph.Write(w, GraphField);
        foreach (var o in OpsetImports) o.Write(w, OpsetImportField);
        OnnxStringEntry.Write(w, MetadataPropsField, MetadataProps);
    }
}
