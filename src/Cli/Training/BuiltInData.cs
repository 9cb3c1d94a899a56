using NetFromScratch.Training.Data;

namespace NetFromScratch.Cli.Training;

/// <summary>
/// The optdigits data embedded in the <c>nfs</c> tool ("Optical Recognition of Handwritten Digits", E. Alpaydin and
/// C. Kaynak, 1998, UCI Machine Learning Repository, CC BY 4.0): 3,823 training and 1,797 test digits of 8x8 pixels.
/// </summary>
public static class BuiltInData
{
    /// <summary>The embedded training and test sets.</summary>
    public static (InMemoryDataset Train, InMemoryDataset Test) OptDigits() =>
        (Read("optdigits/optdigits.tra", "optdigits.tra (built in)"), Read("optdigits/optdigits.tes", "optdigits.tes (built in)"));

    private static InMemoryDataset Read(string resource, string name)
    {
        using var stream = typeof(BuiltInData).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"nfs: the embedded resource '{resource}' is missing from this build.");
        using var reader = new StreamReader(stream);
        return NetFromScratch.Training.Data.OptDigits.Parse(reader, name);
    }
}
