namespace NetFromScratch.Tensors;

/// <summary>How <see cref="Tensor.Pad"/> fills the border.</summary>
public enum PadMode
{
    /// <summary>A constant value.</summary>
    Constant,
    /// <summary>Mirror without repeating the edge element (<c>3 2 | 1 2 3 | 2 1</c>).</summary>
    Reflect,
    /// <summary>Repeat the edge element (<c>1 1 | 1 2 3 | 3 3</c>).</summary>
    Replicate,
}
