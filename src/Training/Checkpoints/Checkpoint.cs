using NetFromScratch.Tensors.Serialization;

namespace NetFromScratch.Training.Checkpoints;

/// <summary>
/// Checkpoint files: a safetensors file (tensors plus string metadata) written atomically. The bytes go to a temporary
/// file beside the target, are flushed to disk, and only then is the temporary renamed over the target, so a crash or
/// an error at any moment leaves either the old checkpoint or the new one, never a damaged file.
/// </summary>
public static class Checkpoint
{
    /// <summary>The format tag stored in every checkpoint's metadata.</summary>
    public const string Format = "nfs-checkpoint/1";

    /// <summary>Writes <paramref name="state"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, CheckpointState state) => Save(path, state, wrapStream: null);

    /// <summary>As <see cref="Save(string, CheckpointState)"/>; <paramref name="wrapStream"/> lets tests interpose a failing stream.</summary>
    internal static void Save(string path, CheckpointState state, Func<Stream, Stream>? wrapStream)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(state);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var metadata = new Dictionary<string, string>(state.Metadata, StringComparer.Ordinal) { ["format"] = Format };
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var stream = wrapStream is null ? file : wrapStream(file);
                SafeTensors.Write(stream, state.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal), metadata);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Reads a checkpoint.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOperationException">The file is a safetensors file but not a checkpoint.</exception>
    public static CheckpointState Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint not found.", path);
        var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidOperationException($"{path}: not a training checkpoint (format '{format ?? "none"}', expected '{Format}'); a plain model file loads with Module.Load.");
        var state = new CheckpointState { Source = path };
        foreach (var (k, v) in file.Tensors) state.Tensors[k] = v;
        foreach (var (k, v) in file.Metadata) state.Metadata[k] = v;
        return state;
    }
}
