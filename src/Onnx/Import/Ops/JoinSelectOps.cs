using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Joining and selecting: Concat, Split, Slice (with steps, backwards too) and Gather, on float data through autograd
/// ops and on integer data on the host.
/// </summary>
internal static class JoinSelectOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("Concat", CompileConcat);
        yield return OpInfo.Of("Gather", CompileGather, staticInputs: [1]);
        yield return OpInfo.Of("Slice", CompileSlice, staticInputs: [1, 2, 3, 4]);
        yield return OpInfo.Of("Split", CompileSplit, staticInputs: [1]);
    }

    private static NodeKernel CompileConcat(NodeCompilation c)
    {
        // Opsets 1-3 defaulted to axis 1; since 4 the attribute is required.
        long axis = c.Opset < 4 ? c.Int("axis", 1) : c.RequiredInt("axis");
        return f =>
        {
            var parts = new List<RuntimeValue>();
            for (int i = 0; i < f.InputCount; i++)
                if (f.Has(i)) parts.Add(f.In(i));
            if (parts.Count == 0) throw new ArgumentException("Concat needs at least one input.");
            int a = ShapeOps.Axis(axis, parts[0].Rank, "axis");
            if (parts.All(p => p.IsInt)) f.Out(IntTensor.Concat(parts.Select(p => p.Ints!).ToList(), a));
            else f.Out(Variable.Concat(parts.Select(p => p.AsVariable(f.State.Device)).ToList(), a));
        };
    }

    private static NodeKernel CompileGather(NodeCompilation c)
    {
        long axis = c.Int("axis", 0);
        return f =>
        {
            var data = f.In(0);
            var indices = f.Ints(1);
            var dims = data.Dims;
            int a = ShapeOps.Axis(axis, dims.Length, "axis");
            var flat = new float[indices.Numel];
            for (int i = 0; i < flat.Length; i++)
            {
                long v = indices.Data[i];
                long k = v < 0 ? v + dims[a] : v;
                if (k < 0 || k >= dims[a]) throw new ArgumentException($"index {v} is out of range for axis {a} of size {dims[a]}.");
                flat[i] = k;
            }
            int[] outDims = [.. dims[..a], .. indices.Dims, .. dims[(a + 1)..]];
            if (data.Ints is { } ints)
            {
                using var index = Tensor.FromArray(flat, new Shape(flat.Length));
                f.Out(ints.Rearrange(t => t.IndexSelect(a, index).Reshape(outDims)));
            }
            else
            {
                var x = data.AsVariable(f.State.Device);
                var index = Tensor.FromArray(flat, new Shape(flat.Length), x.Device);
                f.Out(x.IndexSelect(a, index).Reshape(outDims));
            }
        };
    }

    private static NodeKernel CompileSlice(NodeCompilation c)
    {
        long[]? aStarts = null, aEnds = null, aAxes = null;
        if (c.Opset < 10)
        {
            aStarts = c.Ints("starts") ?? throw c.Error("attribute 'starts' is required before opset 10.");
            aEnds = c.Ints("ends") ?? throw c.Error("attribute 'ends' is required before opset 10.");
            aAxes = c.Ints("axes");
        }
        bool attributes = c.Opset < 10;
        return f =>
        {
            var x = f.In(0);
            long[] starts = attributes ? aStarts! : f.Longs(1);
            long[] ends = attributes ? aEnds! : f.Longs(2);
            long[]? axes = attributes ? aAxes : f.Has(3) ? f.Longs(3) : null;
            long[]? steps = !attributes && f.Has(4) ? f.Longs(4) : null;
            if (ends.Length != starts.Length || (axes is not null && axes.Length != starts.Length) || (steps is not null && steps.Length != starts.Length))
                throw new ArgumentException("starts, ends, axes and steps must have the same length.");
            var dims = x.Dims;
            var result = x;
            for (int i = 0; i < starts.Length; i++)
            {
                int a = ShapeOps.Axis(axes?[i] ?? i, dims.Length, "axis");
                long step = steps?[i] ?? 1;
                if (step == 0) throw new ArgumentException("a step must not be 0.");
                long dim = dims[a];
                long s = starts[i] < 0 ? starts[i] + dim : starts[i];
                long e = ends[i] < 0 ? ends[i] + dim : ends[i];
                if (step > 0)
                {
                    s = Math.Clamp(s, 0, dim);
                    e = Math.Clamp(e, 0, dim);
                    int si = (int)s, ei = (int)Math.Max(s, e), st = (int)Math.Min(step, dim + 1);
                    result = ShapeOps.View(result, v => v.Slice(a, si, ei, st), t => t.Slice(a, si, ei, st));
                }
                else
                {
                    // Backwards: pick the indices explicitly (a Slice view cannot step backwards).
                    s = Math.Clamp(s, -1, dim - 1);
                    e = Math.Clamp(e, -1, dim - 1);
                    var picked = new List<float>();
                    for (long k = s; k > e; k += step) picked.Add(k);
                    using var index = Tensor.FromArray(picked.ToArray(), new Shape(picked.Count));
                    int ax = a;
                    result = result.Ints is { } ints
                        ? ints.Rearrange(t => t.IndexSelect(ax, index))
                        : result.Float!.IndexSelect(ax, index.To(result.Float.Device));
                }
            }
            f.Out(result);
        };
    }

    private static NodeKernel CompileSplit(NodeCompilation c)
    {
        long axis = c.Int("axis", 0);
        long[]? attributeSplit = c.Opset < 13 ? c.Ints("split") : null;
        long? numOutputs = c.Opset >= 18 && c.HasAttribute("num_outputs") ? c.Int("num_outputs", 0) : null;
        int outputs = c.Node.Outputs.Count;
        bool splitInput = c.Opset >= 13;
        return f =>
        {
            var x = f.In(0);
            int a = ShapeOps.Axis(axis, x.Rank, "axis");
            int size = x.Dims[a];
            long[]? split = !splitInput ? attributeSplit : f.Has(1) ? f.Longs(1) : null;
            int[] sizes;
            if (split is { Length: > 0 }) sizes = split.Select(s => checked((int)s)).ToArray();
            else
            {
                int n = (int)(numOutputs ?? outputs);
                int chunk = (size + n - 1) / n;
                sizes = Enumerable.Range(0, n).Select(i => Math.Max(0, Math.Min(chunk, size - i * chunk))).ToArray();
            }
            if (sizes.Sum() != size) throw new ArgumentException($"split sizes [{string.Join(", ", sizes)}] do not add up to {size}.");
            int offset = 0;
            for (int i = 0; i < sizes.Length; i++)
            {
                int start = offset, length = sizes[i];
                f.Out(i, ShapeOps.View(x, v => v.Narrow(a, start, length), t => t.Narrow(a, start, length)));
                offset += length;
            }
        };
    }
}
