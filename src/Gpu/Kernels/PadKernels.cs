using ILGPU;
using NetFromScratch.Tensors;

namespace NetFromScratch.Gpu.Kernels;

/// <summary>
/// Geometry of a padding: per dimension (innermost first, up to eight) the padded size, the source size, the
/// source stride and the padding before. The source may be any strided view.
/// </summary>
internal struct PadGeometry
{
    public const int MaxRank = 8;

    public int Rank, Count, Mode, XOffset, YOffset;
    public float Value;
    public int Out0, Out1, Out2, Out3, Out4, Out5, Out6, Out7;
    public int In0, In1, In2, In3, In4, In5, In6, In7;
    public int Stride0, Stride1, Stride2, Stride3, Stride4, Stride5, Stride6, Stride7;
    public int Before0, Before1, Before2, Before3, Before4, Before5, Before6, Before7;

    public readonly int OutSize(int d) => d switch { 0 => Out0, 1 => Out1, 2 => Out2, 3 => Out3, 4 => Out4, 5 => Out5, 6 => Out6, _ => Out7 };
    public readonly int InSize(int d) => d switch { 0 => In0, 1 => In1, 2 => In2, 3 => In3, 4 => In4, 5 => In5, 6 => In6, _ => In7 };
    public readonly int Stride(int d) => d switch { 0 => Stride0, 1 => Stride1, 2 => Stride2, 3 => Stride3, 4 => Stride4, 5 => Stride5, 6 => Stride6, _ => Stride7 };
    public readonly int Before(int d) => d switch { 0 => Before0, 1 => Before1, 2 => Before2, 3 => Before3, 4 => Before4, 5 => Before5, 6 => Before6, _ => Before7 };

    public void Set(int d, int outSize, int inSize, int stride, int before)
    {
        switch (d)
        {
            case 0: Out0 = outSize; In0 = inSize; Stride0 = stride; Before0 = before; break;
            case 1: Out1 = outSize; In1 = inSize; Stride1 = stride; Before1 = before; break;
            case 2: Out2 = outSize; In2 = inSize; Stride2 = stride; Before2 = before; break;
            case 3: Out3 = outSize; In3 = inSize; Stride3 = stride; Before3 = before; break;
            case 4: Out4 = outSize; In4 = inSize; Stride4 = stride; Before4 = before; break;
            case 5: Out5 = outSize; In5 = inSize; Stride5 = stride; Before5 = before; break;
            case 6: Out6 = outSize; In6 = inSize; Stride6 = stride; Before6 = before; break;
            default: Out7 = outSize; In7 = inSize; Stride7 = stride; Before7 = before; break;
        }
    }

    /// <summary>
    /// Offset in the source of padded element <paramref name="i"/>, or -1 where the constant fills it.
    /// Reflect mirrors once without repeating the edge (pads are smaller than the axis); replicate clamps.
    /// </summary>
    public readonly int SourceOffset(int i)
    {
        int off = XOffset;
        for (int d = 0; d < Rank; d++)
        {
            int size = OutSize(d);
            int q = i / size;
            int c = i - q * size - Before(d);
            i = q;
            int n = InSize(d);
            if (c < 0 || c >= n)
            {
                if (Mode == (int)PadMode.Constant) return -1;
                if (Mode == (int)PadMode.Reflect) c = c < 0 ? -c : 2 * (n - 1) - c;
                else c = c < 0 ? 0 : n - 1;
            }
            off += c * Stride(d);
        }
        return off;
    }
}

/// <summary>Padding forward (a gather) and backward (a scatter: several padded positions can copy one source element).</summary>
internal static class PadKernels
{
    public static void Pad(PadGeometry g, ArrayView<float> x, ArrayView<float> y)
    {
        for (int i = GridStride.Start; i < g.Count; i += GridStride.Step)
        {
            int src = g.SourceOffset(i);
            y[g.YOffset + i] = src < 0 ? g.Value : x[src];
        }
    }

    /// <summary>gradX (zeroed first, contiguous, described by the geometry's source side) collects gradY (any strides).</summary>
    public static void PadBackward(PadGeometry g, StridedLayout gy, ArrayView<float> gradY, ArrayView<float> gradX)
    {
        for (int i = GridStride.Start; i < g.Count; i += GridStride.Step)
        {
            int dst = g.SourceOffset(i);
            if (dst >= 0) Atomic.Add(ref gradX[dst], gradY[gy.ElementOffset(i)]);
        }
    }
}
