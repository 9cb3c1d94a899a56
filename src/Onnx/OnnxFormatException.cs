namespace NetFromScratch.Onnx;

/// <summary>
/// An ONNX (protobuf) file that cannot be read: names the file or model, the message path inside it
/// (for example <c>graph.node[12](Conv 'conv1').attribute[2]</c> or <c>graph.initializer[3] 'fc.weight'</c>),
/// the byte offset where the problem was found, and what was wrong.
/// </summary>
public sealed class OnnxFormatException : Exception
{
    /// <summary>
    /// Creates the error; the message is <c>"{source}: {path}: at byte {offset}: {problem}"</c>, leaving out the path
    /// when it is empty and the offset when it is negative (a tensor built in memory has no offset).
    /// </summary>
    public OnnxFormatException(string source, string messagePath, long offset, string problem, Exception? inner = null)
        : base(Format(source, messagePath, offset, problem), inner)
    {
        File = source;
        MessagePath = messagePath;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file (or, for bytes parsed in memory, the name given to them) that was being read.</summary>
    public string File { get; }

    /// <summary>Where inside the model the problem lies, outermost message first; empty at the top level.</summary>
    public string MessagePath { get; }

    /// <summary>Byte offset in the file where the problem was found, or -1 when there is none.</summary>
    public long Offset { get; }

    /// <summary>What was wrong, without the source, path and offset.</summary>
    public string Problem { get; }

    /// <summary>
    /// The same error seen from an enclosing message: <paramref name="segment"/> goes in front of the path. A path that
    /// starts with a label (<c>(Conv 'conv1')</c> or <c>'fc.weight'</c>) attaches to the segment instead of after a dot.
    /// </summary>
    internal OnnxFormatException Within(string segment)
    {
        string path = MessagePath.Length == 0 ? segment
            : MessagePath[0] == '(' ? segment + MessagePath
            : MessagePath[0] == '\'' ? segment + " " + MessagePath
            : segment + "." + MessagePath;
        // Keep the first error as the inner exception: its stack trace shows where the problem was found.
        var origin = InnerException as OnnxFormatException ?? this;
        return new OnnxFormatException(File, path, Offset, Problem, origin);
    }

    private static string Format(string source, string path, long offset, string problem)
    {
        var s = source;
        if (path.Length > 0) s += ": " + path;
        if (offset >= 0) s += $": at byte {offset}";
        return s + ": " + problem;
    }
}
