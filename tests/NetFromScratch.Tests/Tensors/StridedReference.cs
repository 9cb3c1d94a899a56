using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

/// <summary>
/// Plain index arithmetic for the elementwise, reduction and softmax tests: the row-major values of any view of a
/// host array, NumPy broadcasting of indices, and a family of views (contiguous, transposed, sliced with a step,
/// expanded, offset) that all show the same logical shape. No kernels are involved, so these are the references.
/// </summary>
public static class StridedReference
{
    /// <summary>The elements of <paramref name="view"/> in row-major order, read from the host array it was uploaded from.</summary>
    public static float[] Logical(float[] storage, Tensor view)
    {
        var shape = view.Shape.ToArray();
        var strides = view.Strides.ToArray();
        var result = new float[view.Numel];
        var index = new int[shape.Length];
        for (int i = 0; i < result.Length; i++)
        {
            int off = view.Offset;
            for (int d = 0; d < shape.Length; d++) off += index[d] * strides[d];
            result[i] = storage[off];
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return result;
    }

    /// <summary>The row-major multi-index of flat position <paramref name="flat"/> in <paramref name="shape"/>.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /// <summary>Flat position in <paramref name="inputShape"/> of output index <paramref name="outIndex"/> under NumPy broadcasting.</summary>
    public static int BroadcastSource(int[] outIndex, int[] inputShape)
    {
        int lead = outIndex.Length - inputShape.Length, flat = 0;
        for (int d = 0; d < inputShape.Length; d++)
            flat = flat * inputShape[d] + (inputShape[d] == 1 ? 0 : outIndex[lead + d]);
        return flat;
    }

    /// <summary>The broadcast shape of two shapes, computed independently of <see cref="Shape.Broadcast"/>.</summary>
    public static int[] BroadcastShape(int[] a, int[] b)
    {
        int r = Math.Max(a.Length, b.Length);
        var result = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i - (r - a.Length) >= 0 ? a[i - (r - a.Length)] : 1;
            int db = i - (r - b.Length) >= 0 ? b[i - (r - b.Length)] : 1;
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>A view with its name and logical values.</summary>
    public sealed record ViewCase(string Name, Tensor View, float[] Values)
    {
        /// <inheritdoc/>
        public override string ToString() => $"{Name} {View.Shape}";
    }

    /// <summary>
    /// Views of logical shape <paramref name="shape"/> over data from <paramref name="data"/> (which is called with the
    /// number of elements it must produce): contiguous, offset into a larger buffer, and, where the rank allows,
    /// transposed, sliced with step 2 along the last axis and expanded along the first.
    /// </summary>
    public static IEnumerable<ViewCase> Views(int[] shape, Func<int, float[]> data, Device device)
    {
        int numel = new Shape(shape).Numel;
        var contiguous = data(numel);
        yield return new ViewCase("contiguous", Tensor.FromArray(contiguous, shape, device), contiguous);

        var bigger = data(numel + 3);
        var flat = Tensor.FromArray(bigger, new Shape(numel + 3), device).Narrow(0, 3, numel).View(shape);
        yield return new ViewCase("offset", flat, Logical(bigger, flat));

        if (shape.Length >= 2)
        {
            var swapped = (int[])shape.Clone();
            (swapped[^1], swapped[^2]) = (swapped[^2], swapped[^1]);
            var raw = data(numel);
            var t = Tensor.FromArray(raw, swapped, device).Transpose(-1, -2);
            yield return new ViewCase("transposed", t, Logical(raw, t));
        }
        if (shape.Length >= 1)
        {
            var wide = (int[])shape.Clone();
            wide[^1] = 2 * shape[^1] + 1;
            var raw = data(new Shape(wide).Numel);
            var s = Tensor.FromArray(raw, wide, device).Slice(-1, 1, null, 2);
            yield return new ViewCase("step-sliced", s, Logical(raw, s));

            var one = (int[])shape.Clone();
            one[0] = 1;
            var rawOne = data(new Shape(one).Numel);
            var e = Tensor.FromArray(rawOne, one, device).Expand(shape);
            yield return new ViewCase("expanded", e, Logical(rawOne, e));
        }
    }

    /// <summary>
    /// Deterministic data in [-scale, scale) with a sprinkling of exact zeros, negative zeros and repeated values
    /// (so comparisons see ties) when <paramref name="special"/> is set.
    /// </summary>
    public static float[] Data(int count, int seed, float scale = 1f, bool special = true)
    {
        var data = TensorAssert.RandomData(count, seed);
        for (int i = 0; i < count; i++)
        {
            data[i] *= scale;
            if (!special) continue;
            if (i % 11 == 3) data[i] = 0f;
            else if (i % 11 == 7) data[i] = -0f;
            else if (i % 11 == 9) data[i] = 0.5f;
        }
        return data;
    }
}
