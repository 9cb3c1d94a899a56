using System.Globalization;

namespace NetFromScratch.Onnx;

/// <summary>
/// Reads tensor data that a model keeps in a file beside it (<c>data_location = EXTERNAL</c>; entries <c>location</c>,
/// <c>offset</c>, <c>length</c>), as exporters do for models over protobuf's 2 GiB limit.
/// </summary>
/// <remarks>
/// The location must stay inside the model's directory (no absolute paths, no <c>..</c> escapes), the file must hold
/// <c>offset + length</c> bytes, and exactly the bytes in <c>[offset, offset + length)</c> are read. The SHA-1
/// <c>checksum</c> entry is not verified.
/// </remarks>
internal static class OnnxExternalData
{
    /// <summary>When <paramref name="tensor"/> is external, reads its bytes into <see cref="OnnxTensor.RawData"/> and makes it self-contained.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="path">Its place in the model, for errors.</param>
    /// <param name="baseDirectory">The model's directory.</param>
    internal static void Load(OnnxTensor tensor, string path, string baseDirectory)
    {
        if (tensor.DataLocation != OnnxDataLocation.External) return;
        OnnxFormatException Fail(string problem, Exception? inner = null) => new(tensor.Source, path, tensor.SourceOffset, problem, inner);

        string? location = null;
        long offset = 0;
        long? length = null;
        foreach (var (key, value) in tensor.ExternalData)
        {
            switch (key)
            {
                case "location": location = value; break;
                case "offset": offset = ParseCount(value, "offset", Fail); break;
                case "length": length = ParseCount(value, "length", Fail); break;
            }
        }
        if (string.IsNullOrEmpty(location))
            throw Fail("data_location is EXTERNAL but external_data has no 'location' entry.");

        string file = Resolve(location, baseDirectory, Fail);
        long need = OnnxDataTypes.RawByteCount(tensor.DataType, tensor.ElementCount);
        if (need < 0)
            throw Fail($"external data cannot hold {OnnxDataTypes.Name(tensor.DataType)} elements.");
        if (length is long l && l != need)
            throw Fail($"external data length {l} bytes in '{location}' does not match dims [{string.Join(", ", tensor.Dims)}] of {OnnxDataTypes.Name(tensor.DataType)}, which need {need} bytes.");
        if (need > Array.MaxLength)
            throw Fail($"external data of {need} bytes exceeds the largest array .NET can hold.");

        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
                throw Fail($"external data file '{location}' (looked for at {file}) does not exist.");
            if (offset > info.Length || info.Length - offset < need)
                throw Fail($"external data file '{location}' is {info.Length} bytes long, too short for {need} bytes at offset {offset}: it is truncated or the offsets are wrong.");
            var data = new byte[need];
            using (var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                int done = 0;
                while (done < data.Length)
                {
                    int n = RandomAccess.Read(handle, data.AsSpan(done), offset + done);
                    if (n == 0)
                        throw Fail($"external data file '{location}' ended at byte {offset + done} while reading {need} bytes from offset {offset}.");
                    done += n;
                }
            }
            tensor.RawData = data;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail($"cannot read external data file '{location}' ({file}): {e.Message}", e);
        }
        tensor.DataLocation = OnnxDataLocation.Default;
        tensor.ExternalData.Clear();
        try
        {
            tensor.CheckData();
        }
        catch (OnnxFormatException e)
        {
            throw Fail(e.Problem, e);
        }
    }

    // The full path of a location, refusing anything that would lead outside the model's directory.
    private static string Resolve(string location, string baseDirectory, Func<string, Exception?, OnnxFormatException> fail)
    {
        if (location.Contains('\0'))
            throw fail($"external data location '{location.Replace("\0", "\\0")}' contains a NUL character.", null);
        if (Path.IsPathRooted(location))
            throw fail($"external data location '{location}' is an absolute path; it must be relative to the model's directory.", null);
        string root = Path.GetFullPath(baseDirectory);
        if (!Path.EndsInDirectorySeparator(root)) root += Path.DirectorySeparatorChar;
        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(root, location));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw fail($"external data location '{location}' is not a valid path: {e.Message}", e);
        }
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!full.StartsWith(root, comparison) || full.Length == root.Length)
            throw fail($"external data location '{location}' leads outside the model's directory {root}; refusing to read it.", null);
        return full;
    }

    private static long ParseCount(string value, string key, Func<string, Exception?, OnnxFormatException> fail)
    {
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            throw fail($"external_data '{key}' is '{value}', not a whole number of bytes.", null);
        return n;
    }
}
