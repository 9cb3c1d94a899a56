using NetFromScratch.Cli;

namespace NetFromScratch.Tests.Cli;

/// <summary>Runs the <c>nfs</c> command in this process with its standard output and error captured.</summary>
internal static class NfsRunner
{
    /// <summary>The exit code and everything written to standard output and standard error.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var saved = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = Program.Main(args);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(saved.Out);
            Console.SetError(saved.Error);
        }
    }
}
