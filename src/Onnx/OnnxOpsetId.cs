using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// One operator set a model imports (<c>OperatorSetIdProto</c>): a domain (empty for the default <c>ai.onnx</c>) and a version.
/// </summary>
public sealed class OnnxOpsetId
{
    private const int DomainField = 1;
    private const int VersionField = 2;

    /// <summary>Creates an empty entry.</summary>
    public OnnxOpsetId() { }

    /// <summary>Creates an entry for <paramref name="domain"/> at <paramref name="version"/>.</summary>
    public OnnxOpsetId(string domain, long version)
    {
        Domain = domain;
        Version = version;
    }

    /// <summary>The operator set's domain; empty (or <c>ai.onnx</c>) for the standard operators.</summary>
    public string Domain { get; set; } = "";

    /// <summary>The operator set version.</summary>
    public long Version { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{(Domain.Length == 0 ? "ai.onnx" : Domain)} {Version}";

    internal static OnnxOpsetId Read(ref ProtoReader r)
    {
        var o = new OnnxOpsetId();
        while (r.TryReadTag(out int field, out var wt))
        {
            switch (field)
            {
                case DomainField: o.Domain = r.ReadString(wt, "domain"); break;
                case VersionField: o.Version = r.ReadInt64(wt, "version"); break;
                default: r.SkipField(wt); break;
            }
        }
        return o;
    }

    internal void Write(ProtoWriter w, int fieldNumber)
    {
        int mark = w.BeginMessage(fieldNumber);
        if (Domain.Length > 0) w.WriteString(DomainField, Domain);
        w.WriteInt64(VersionField, Version);
        w.EndMessage(mark);
    }
}
