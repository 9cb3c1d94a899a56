namespace NetFromScratch.Training.Data;

/// <summary>
/// A labelled data set that can copy any one sample into a caller's buffer. Samples share one shape.
/// Shape: each sample is <see cref="SampleShape"/> (e.g. <c>[64]</c> for optdigits, <c>[1, 28, 28]</c> for MNIST).
/// </summary>
public interface IDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Shape of one sample's input.</summary>
    NetFromScratch.Tensors.Shape SampleShape { get; }

    /// <summary>Number of classes; labels are 0..ClassCount-1.</summary>
    int ClassCount { get; }

    /// <summary>Copies sample <paramref name="index"/>'s input into <paramref name="destination"/> (length = SampleShape.Numel) and returns its label.</summary>
    int CopySample(int index, Span<float> destination);
}
