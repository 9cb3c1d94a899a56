namespace NetFromScratch.Training.Data;

/// <summary>What an <see cref="ImageFolderDataset"/> does with an image file it cannot decode.</summary>
public enum BadImagePolicy
{
    /// <summary>Leave it out and record a warning naming the file and the reason.</summary>
    Skip,
    /// <summary>Stop with a <see cref="DataFormatException"/> naming the file and the reason.</summary>
    Fail,
}
