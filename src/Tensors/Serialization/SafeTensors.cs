using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace NetFromScratch.Tensors.Serialization;

/// <summary>
/// Reads and writes the safetensors format, so weights interchange with the Python ecosystem:
/// an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets relative to the data that follows the header),
/// an optional <c>"__metadata__"</c> object of strings, then the raw little-endian data.
/// </summary>
/// <remarks>
/// The reader checks the header length and every offset against the file size before it allocates anything, rejects
/// overlapping tensors and sizes that disagree with shape and dtype, and reports the file, the byte offset and the problem.
/// The writer writes a temporary file and renames it over the target, so a failed save leaves the previous file intact.
/// </remarks>
public static class SafeTensors
{
    /// <summary>Largest header accepted (100 MB, as the reference implementation).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>Writes float32 tensors (in the given order) and optional string metadata to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Write(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes the safetensors bytes to a stream.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var seen = new HashSet<string>();
        foreach (var (name, _) in list)
        {
            if (name == "__metadata__") throw new ArgumentException("SafeTensors: a tensor may not be named __metadata__.");
            if (!seen.Add(name)) throw new ArgumentException($"SafeTensors: tensor name '{name}' appears twice.");
        }

        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in list)
            {
                long bytes = 4L * tensor.Numel;
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in tensor.Shape.Dims) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as other writers do.
        int pad = (int)((8 - header.Length % 8) % 8);
        for (int i = 0; i < pad; i++) header.WriteByte((byte)' ');

        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        header.Position = 0;
        header.CopyTo(stream);

        var buffer = new byte[1 << 16];
        foreach (var (_, tensor) in list)
        {
            var data = tensor.ToArray();
            int i = 0;
            while (i < data.Length)
            {
                int n = Math.Min(buffer.Length / 4, data.Length - i);
                for (int j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * j), data[i + j]);
                stream.Write(buffer, 0, 4 * n);
                i += n;
            }
        }
    }

    /// <summary>Reads every tensor of a file onto <paramref name="device"/> (CPU by default), converting to float32.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is truncated or malformed; the message names file and offset.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeTensorsFile Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"SafeTensors: file '{path}' does not exist.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Read(stream, path, device);
    }

    /// <summary>Reads from a seekable stream; <paramref name="sourceName"/> names it in errors.</summary>
    public static SafeTensorsFile Read(Stream stream, string sourceName, Device? device = null)
    {
        long fileLength = stream.Length;
        var entries = ReadHeader(stream, sourceName, fileLength, out var metadata, out long dataStart);
        var tensors = new List<KeyValuePair<string, Tensor>>(entries.Count);
        foreach (var e in entries)
        {
            long bytes = e.End - e.Begin;
            var raw = new byte[bytes];
            stream.Position = dataStart + e.Begin;
            stream.ReadExactly(raw);
            var values = new float[e.Numel];
            SafeTensorsDType.ToFloat(e.DType, raw, values);
            tensors.Add(new(e.Name, Tensor.FromArray(values, new Shape(e.Shape), device)));
        }
        return new SafeTensorsFile(sourceName, tensors, metadata);
    }

    /// <summary>One tensor's header entry.</summary>
    private sealed record Entry(string Name, string DType, int[] Shape, long Begin, long End, int Numel, long HeaderOffset);

    private static List<Entry> ReadHeader(Stream stream, string file, long fileLength, out Dictionary<string, string> metadata, out long dataStart)
    {
        if (fileLength < 8)
            throw new SafeTensorsFormatException(file, 0, $"file is {fileLength} bytes long, too short for the 8-byte header length.");
        Span<byte> len = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(len);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLength > (ulong)(fileLength - 8))
            throw new SafeTensorsFormatException(file, 0, $"header length {headerLength} runs past the end of the file ({fileLength} bytes).");
        if (headerLength > MaxHeaderLength)
            throw new SafeTensorsFormatException(file, 0, $"header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes.");
        if (headerLength < 2)
            throw new SafeTensorsFormatException(file, 8, $"header length {headerLength} is too short for a JSON object.");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' '));
        }
        catch (JsonException ex)
        {
            long at = 8 + (ex.BytePositionInLine ?? 0);
            throw new SafeTensorsFormatException(file, at, $"header is not valid JSON: {ex.Message}");
        }
        metadata = new Dictionary<string, string>();
        var entries = new List<Entry>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(file, 8, "header must be a JSON object.");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                long at = 8 + FindKeyOffset(header, prop.Name);
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new SafeTensorsFormatException(file, at, "__metadata__ must be an object of strings.");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new SafeTensorsFormatException(file, at, $"__metadata__ value '{m.Name}' is not a string.");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(file, prop, at, dataLength));
            }
        }

        // Tensors may not share bytes: sort by start and compare neighbours.
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw new SafeTensorsFormatException(file, sorted[i].HeaderOffset,
                    $"tensor '{sorted[i].Name}' (bytes {sorted[i].Begin}..{sorted[i].End}) overlaps tensor '{sorted[i - 1].Name}' (bytes {sorted[i - 1].Begin}..{sorted[i - 1].End}).");
        return entries;
    }

    private static Entry ParseEntry(string file, JsonProperty prop, long at, long dataLength)
    {
        string name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(file, at, $"entry '{name}' is not an object.");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new SafeTensorsFormatException(file, at, $"tensor '{name}' has no dtype string.");
        string dtype = dt.GetString()!;
        int size = SafeTensorsDType.SizeOf(dtype);
        if (size == 0)
            throw new SafeTensorsFormatException(file, at, $"tensor '{name}' has unknown or unsupported dtype '{dtype}' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL).");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsFormatException(file, at, $"tensor '{name}' has no shape array.");
        var shape = new List<int>();
        long numel = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0 || dim > int.MaxValue)
                throw new SafeTensorsFormatException(file, at, $"tensor '{name}' has an invalid dimension {d.GetRawText()} in its shape.");
            shape.Add((int)dim);
            numel *= dim;
            if (numel > int.MaxValue)
                throw new SafeTensorsFormatException(file, at, $"tensor '{name}' has more than {int.MaxValue} elements.");
        }
        if (!v.TryGetProperty("data_offsets", out var offs) || offs.ValueKind != JsonValueKind.Array || offs.GetArrayLength() != 2)
            throw new SafeTensorsFormatException(file, at, $"tensor '{name}' needs data_offsets [begin, end].");
        long begin = ReadOffset(file, name, offs[0], at), end = ReadOffset(file, name, offs[1], at);
        if (begin > end)
            throw new SafeTensorsFormatException(file, at, $"tensor '{name}' has data_offsets [{begin}, {end}] with begin after end.");
        if (end > dataLength)
            throw new SafeTensorsFormatException(file, at, $"tensor '{name}' ends at data byte {end} but only {dataLength} data bytes follow the header: the file is truncated or the offsets are wrong.");
        if (end - begin != numel * size)
            throw new SafeTensorsFormatException(file, at, $"tensor '{name}' has {end - begin} bytes but shape {Shape.Format(shape.ToArray())} of {dtype} needs {numel * size}.");
        return new Entry(name, dtype, shape.ToArray(), begin, end, (int)numel, at);
    }

    private static long ReadOffset(string file, string name, JsonElement e, long at)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0)
            throw new SafeTensorsFormatException(file, at, $"tensor '{name}' has an invalid data offset {e.GetRawText()}.");
        return v;
    }

    // Byte position of a key in the raw header, so errors can point at the entry (best effort: first occurrence).
    private static long FindKeyOffset(byte[] header, string key)
    {
        var needle = Encoding.UTF8.GetBytes(JsonSerializerQuote(key));
        int i = header.AsSpan().IndexOf(needle);
        return i < 0 ? 0 : i;
    }

    private static string JsonSerializerQuote(string s)
    {
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) w.WriteStringValue(s);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
