using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// <c>StringStringEntryProto</c> (key = 1, value = 2), ONNX's stand-in for a map entry, read into and written from
/// <see cref="KeyValuePair{TKey, TValue}"/>.
/// </summary>
internal static class OnnxStringEntry
{
    private const int KeyField = 1;
    private const int ValueField = 2;

    internal static KeyValuePair<string, string> Read(ref ProtoReader r)
    {
        string key = "", value = "";
        while (r.TryReadTag(out int field, out var wt))
        {
            switch (field)
            {
                case KeyField: key = r.ReadString(wt, "key"); break;
                case ValueField: value = r.ReadString(wt, "value"); break;
                default: r.SkipField(wt); break;
            }
        }
        return new(key, value);
    }

    /// <summary>Reads one entry of a repeated field and appends it; errors name <c>{fieldName}[index]</c>.</summary>
    internal static void ReadInto(ref ProtoReader r, ProtoWireType wt, List<KeyValuePair<string, string>> into, string fieldName)
    {
        try
        {
            var sub = r.ReadMessage(wt, fieldName);
            into.Add(Read(ref sub));
        }
        catch (OnnxFormatException e)
        {
            throw e.Within($"{fieldName}[{into.Count}]");
        }
    }

    internal static void Write(ProtoWriter w, int fieldNumber, IEnumerable<KeyValuePair<string, string>> entries)
    {
        foreach (var (key, value) in entries)
        {
            int mark = w.BeginMessage(fieldNumber);
            if (key.Length > 0) w.WriteString(KeyField, key);
            if (value.Length > 0) w.WriteString(ValueField, value);
            w.EndMessage(mark);
        }
    }
}
