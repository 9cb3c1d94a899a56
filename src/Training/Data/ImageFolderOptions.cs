namespace NetFromScratch.Training.Data;

/// <summary>How an <see cref="ImageFolderDataset"/> reads its folder.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>Height every image is resized to (bilinear).</summary>
    public int Height { get; init; } = 32;

    /// <summary>Width every image is resized to (bilinear).</summary>
    public int Width { get; init; } = 32;

    /// <summary>1 (grey) or 3 (RGB); files are converted as <see cref="ImageFile"/> describes.</summary>
    public int Channels { get; init; } = 3;

    /// <summary>
    /// False (default): decode every image when the set is opened and keep the resized floats in memory
    /// (Count x Channels x Height x Width x 4 bytes). True: keep only the file list, check each file's header when
    /// opened, and decode on every <see cref="ImageFolderDataset.CopySample"/>, for folders too large for memory.
    /// </summary>
    public bool Lazy { get; init; }

    /// <summary>
    /// What to do with a file that has an image extension but cannot be decoded (default <see cref="BadImagePolicy.Skip"/>).
    /// In lazy mode, a file whose header is fine but whose data turns out corrupt at training time is, under Skip, given
    /// as an all-zero image (its label kept) with a warning the first time; under Fail, CopySample throws.
    /// </summary>
    public BadImagePolicy OnBadImage { get; init; } = BadImagePolicy.Skip;

    /// <summary>Where warnings and notes are written as they happen (default standard error; null = only collected).</summary>
    public TextWriter? Log { get; init; } = Console.Error;

    /// <summary>Threads used to decode in eager mode (0 = one per processor).</summary>
    public int DecodeThreads { get; init; }
}
