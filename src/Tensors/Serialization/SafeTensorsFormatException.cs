namespace NetFromScratch.Tensors.Serialization;

/// <summary>
/// A safetensors file that cannot be read: names the file, the byte offset where the problem is, and what was wrong.
/// </summary>
public sealed class SafeTensorsFormatException : Exception
{
    /// <summary>Creates the error; the message is <c>"{file}: at byte {offset}: {problem}"</c>.</summary>
    public SafeTensorsFormatException(string file, long offset, string problem)
        : base($"{file}: at byte {offset}: {problem}")
    {
        File = file;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file (or source name) that was being read.</summary>
    public string File { get; }

    /// <summary>Byte offset in the file where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>What was wrong, without the file and offset.</summary>
    public string Problem { get; }
}
