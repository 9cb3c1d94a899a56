namespace NetFromScratch.Onnx;

/// <summary>Whole-file reads and atomic writes shared by models and tensor files.</summary>
internal static class OnnxFile
{
    internal static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX: file '{path}' does not exist.", path);
        long length = new FileInfo(path).Length;
        // Protobuf messages are limited to 2 GiB; larger models keep their weights in external files.
        if (length > int.MaxValue)
            throw new OnnxFormatException(path, "", 0, $"the file is {length} bytes long, beyond protobuf's 2 GiB limit; large weights belong in external data files.");
        return File.ReadAllBytes(path);
    }

    internal static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                stream.Write(bytes);
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
}
