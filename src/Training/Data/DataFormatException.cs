namespace NetFromScratch.Training.Data;

/// <summary>A data file that cannot be used: names the file, where in it (byte offset or line) and what was wrong.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the error; the message reads <c>"{file}: {where}: {problem}"</c>.</summary>
    public DataFormatException(string file, string where, string problem, Exception? inner = null)
        : base($"{file}: {where}: {problem}", inner)
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The file that was being read.</summary>
    public string File { get; }

    /// <summary>What was wrong.</summary>
    public string Problem { get; }
}
