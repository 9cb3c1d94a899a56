using System.Numerics.Tensors;

namespace NetFromScratch.Tensors.Cpu;

/// <summary>
/// Constant, reflect and replicate padding over any axes, and its adjoint. Along each axis, output position
/// <c>j</c> reads input position <see cref="Source"/>(j) (or the constant), so the forward copies rows through
/// that map and the backward sums each output row into the input row it came from.
/// </summary>
internal static class Padding
{
    /// <summary>
    /// Pads every axis by <c>(pads[2d], pads[2d + 1])</c>. Shape: x any strides; y contiguous with axis d of size
    /// <c>x_d + pads[2d] + pads[2d + 1]</c>.
    /// </summary>
    public static void Pad(Tensor x, ReadOnlySpan<int> pads, PadMode mode, float value, Tensor y)
    {
        CheckPads("Pad", x.Shape, y.Shape, pads, mode);
        var xd = StridedView.DataOf(x);
        var yd = StridedView.DataOf(y);
        int rank = x.Rank;
        if (rank == 0)
        {
            yd[y.Offset] = xd[x.Offset];
            return;
        }
        var p = pads.ToArray();
        var xSizes = x.Shape.ToArray();
        var ySizes = y.Shape.ToArray();
        var xs = x.StridesArray;
        int n = ySizes[^1], xn = xSizes[^1], before = p[2 * (rank - 1)], sx = xs[^1];
        int xOffset = x.Offset, yo = y.Offset;
        CpuParallel.For(y.Numel / n, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var row = yd.AsSpan(yo + r * n, n);
                int xRow = xOffset, rest = r;
                bool inside = true;
                for (int d = rank - 2; d >= 0; d--)
                {
                    int i = Source(rest % ySizes[d], p[2 * d], xSizes[d], mode);
                    rest /= ySizes[d];
                    if (i < 0) { inside = false; break; }
                    xRow += i * xs[d];
                }
                if (!inside)
                {
                    row.Fill(value);
                    continue;
                }
                if (sx == 1) xd.AsSpan(xRow, xn).CopyTo(row.Slice(before, xn));
                else for (int i = 0; i < xn; i++) row[before + i] = xd[xRow + i * sx];
                for (int j = 0; j < before; j++) row[j] = Border(j);
                for (int j = before + xn; j < n; j++) row[j] = Border(j);

                float Border(int j)
                {
                    int i = Source(j, before, xn, mode);
                    return i < 0 ? value : xd[xRow + i * sx];
                }
            }
        });
    }

    /// <summary>
    /// The adjoint of <see cref="Pad"/>: each element of gradX (overwritten) is the sum of every gradY element that
    /// was copied from it; the constant border gets no gradient. Shape: gradY any strides, padded shape; gradX contiguous.
    /// </summary>
    public static void PadBackward(Tensor gradY, ReadOnlySpan<int> pads, PadMode mode, Tensor gradX)
    {
        CheckPads("PadBackward", gradX.Shape, gradY.Shape, pads, mode);
        var gyd = StridedView.DataOf(gradY);
        var gxd = StridedView.DataOf(gradX);
        int rank = gradX.Rank;
        if (rank == 0)
        {
            gxd[gradX.Offset] = gyd[gradY.Offset];
            return;
        }
        var p = pads.ToArray();
        var xSizes = gradX.Shape.ToArray();
        var ySizes = gradY.Shape.ToArray();
        var gs = gradY.StridesArray;
        // Along each outer axis, the output positions each input position was copied to (a compressed list:
        // positions starts[i]..starts[i + 1] of sources).
        var starts = new int[rank - 1][];
        var sources = new int[rank - 1][];
        for (int d = 0; d < rank - 1; d++) (starts[d], sources[d]) = Preimages(ySizes[d], p[2 * d], xSizes[d], mode);
        int n = xSizes[^1], m = ySizes[^1], before = p[2 * (rank - 1)], sy = gs[^1];
        int rows = gradX.Numel / n;
        int xo = gradX.Offset, yOffset = gradY.Offset;
        CpuParallel.For(rows, Math.Max(n, gradY.Numel / rows), (r0, r1) =>
        {
            var coords = new int[rank - 1];
            var pick = new int[rank - 1];
            for (int r = r0; r < r1; r++)
            {
                int rest = r;
                for (int d = rank - 2; d >= 0; d--)
                {
                    coords[d] = rest % xSizes[d];
                    rest /= xSizes[d];
                    pick[d] = starts[d][coords[d]];
                }
                var row = gxd.AsSpan(xo + r * n, n);
                bool first = true;
                while (true)
                {
                    int yRow = yOffset;
                    for (int d = 0; d < rank - 1; d++) yRow += sources[d][pick[d]] * gs[d];
                    if (sy == 1)
                    {
                        if (first) gyd.AsSpan(yRow + before, n).CopyTo(row);
                        else TensorPrimitives.Add(row, gyd.AsSpan(yRow + before, n), row);
                    }
                    else if (first) for (int i = 0; i < n; i++) row[i] = gyd[yRow + (before + i) * sy];
                    else for (int i = 0; i < n; i++) row[i] += gyd[yRow + (before + i) * sy];
                    first = false;
                    for (int j = 0; j < before; j++) AddBorder(row, j, yRow);
                    for (int j = before + n; j < m; j++) AddBorder(row, j, yRow);

                    // Next combination of output rows, last outer axis fastest.
                    int a = rank - 2;
                    for (; a >= 0; a--)
                    {
                        if (++pick[a] < starts[a][coords[a] + 1]) break;
                        pick[a] = starts[a][coords[a]];
                    }
                    if (a < 0) break;
                }
            }

            void AddBorder(Span<float> row, int j, int yRow)
            {
                int i = Source(j, before, n, mode);
                if (i >= 0) row[i] += gyd[yRow + j * sy];
            }
        });
    }

    /// <summary>
    /// The input position that padded position <paramref name="j"/> copies along an axis of <paramref name="size"/>
    /// padded by <paramref name="before"/> in front, or -1 for the constant border.
    /// </summary>
    private static int Source(int j, int before, int size, PadMode mode)
    {
        int i = j - before;
        if ((uint)i < (uint)size) return i;
        return mode switch
        {
            PadMode.Replicate => i < 0 ? 0 : size - 1,
            // One reflection suffices because every pad is smaller than the axis (checked).
            PadMode.Reflect => i < 0 ? -i : 2 * (size - 1) - i,
            _ => -1,
        };
    }

    /// <summary>For each input position along one axis, the padded positions that copy it, in increasing order.</summary>
    private static (int[] Starts, int[] Sources) Preimages(int padded, int before, int size, PadMode mode)
    {
        var starts = new int[size + 1];
        for (int j = 0; j < padded; j++)
        {
            int i = Source(j, before, size, mode);
            if (i >= 0) starts[i + 1]++;
        }
        for (int i = 0; i < size; i++) starts[i + 1] += starts[i];
        var sources = new int[starts[size]];
        var next = starts[..size];
        for (int j = 0; j < padded; j++)
        {
            int i = Source(j, before, size, mode);
            if (i >= 0) sources[next[i]++] = j;
        }
        return (starts, sources);
    }

    /// <summary>
    /// Rejects pads that would read outside the input (the front end checks these too; a kernel reached another
    /// way must still never index out of bounds).
    /// </summary>
    private static void CheckPads(string op, Shape input, Shape padded, ReadOnlySpan<int> pads, PadMode mode)
    {
        if (pads.Length != 2 * input.Rank || padded.Rank != input.Rank)
            throw new ArgumentException($"{op}: expected {2 * input.Rank} pad values for input shape {input} and padded shape {padded}, got {pads.Length}.");
        for (int d = 0; d < input.Rank; d++)
        {
            int before = pads[2 * d], after = pads[2 * d + 1], size = input[d];
            if (before < 0 || after < 0 || padded[d] != size + before + after)
                throw new ArgumentException($"{op}: padding ({before}, {after}) of axis {d} does not turn input shape {input} into {padded}.");
            if (mode == PadMode.Reflect && (before >= size || after >= size))
                throw new ArgumentException($"{op}: reflect padding ({before}, {after}) must be smaller than axis {d} of size {size} (shape {input}).");
            if (mode == PadMode.Replicate && size == 0 && before + after > 0)
                throw new ArgumentException($"{op}: cannot replicate-pad axis {d} of size 0 (shape {input}).");
        }
    }
}
