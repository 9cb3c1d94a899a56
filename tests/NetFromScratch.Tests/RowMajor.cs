namespace NetFromScratch.Tests;

/// <summary>Plain row-major index arithmetic for scalar references: every multi-index of a shape, and its flat position.</summary>
public static class RowMajor
{
    /// <summary>Every multi-index of <paramref name="shape"/> in row-major order (last axis fastest).</summary>
    public static IEnumerable<int[]> Positions(int[] shape)
    {
        int count = 1;
        foreach (int s in shape) count *= s;
        for (int flat = 0; flat < count; flat++) yield return Unravel(flat, shape);
    }

    /// <summary>The multi-index of flat position <paramref name="flat"/>.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /// <summary>The flat position of multi-index <paramref name="idx"/>.</summary>
    public static int Flat(int[] idx, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + idx[d];
        return flat;
    }
}
