using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Shape plumbing and rearrangement: Shape, Size, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Gather,
/// Slice, Split, Expand, Tile, Cast, CastLike, Constant, ConstantOfShape, Range, Identity. Each works on float data
/// (through autograd views, so gradients flow) and on integer data (shape arithmetic, on the host); with constant
/// inputs the importer runs them once at load time.
/// </summary>
internal static class ShapeOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("Identity", _ => f => f.Out(f.In(0)));
        yield return OpInfo.Of("Shape", CompileShape, staticInputs: [0]);
        yield return OpInfo.Of("Size", _ => f => f.Out(IntTensor.Scalar(f.In(0).Dims.Aggregate(1L, (p, d) => p * d))), staticInputs: [0]);
        yield return OpInfo.Of("Reshape", CompileReshape, staticInputs: [1]);
        yield return OpInfo.Of("Flatten", CompileFlatten);
        yield return OpInfo.Of("Transpose", c =>
        {
            var perm = c.Ints("perm")?.Select(p => c.ToInt(p, "perm entry")).ToArray();
            return f =>
            {
                var x = f.In(0);
                var axes = perm ?? Enumerable.Range(0, x.Rank).Reverse().ToArray();
                if (axes.Length != x.Rank) throw new ArgumentException($"perm [{string.Join(", ", axes)}] does not match rank {x.Rank}.");
                f.Out(View(x, v => v.Permute(axes), t => t.Permute(axes)));
            };
        });
        yield return OpInfo.Of("Squeeze", c => CompileSqueeze(c, squeeze: true), staticInputs: [1]);
        yield return OpInfo.Of("Unsqueeze", c => CompileSqueeze(c, squeeze: false), staticInputs: [1]);
        yield return OpInfo.Of("Concat", CompileConcat);
        yield return OpInfo.Of("Gather", CompileGather, staticInputs: [1]);
        yield return OpInfo.Of("Slice", CompileSlice, staticInputs: [1, 2, 3, 4]);
        yield return OpInfo.Of("Split", CompileSplit, staticInputs: [1]);
        yield return OpInfo.Of("Expand", _ => f =>
        {
            var x = f.In(0);
            var target = f.Longs(1).Select(d => checked((int)d)).ToArray();
            var shape = Shape.Broadcast(new Shape(x.Dims), new Shape(target), "Expand").ToArray();
            f.Out(x.Ints is { } ints ? ints.BroadcastTo(shape) : x.Float!.Expand(shape));
        }, staticInputs: [1]);
        yield return OpInfo.Of("Tile", _ => f =>
        {
            var x = f.In(0);
            var repeats = f.Longs(1).Select(d => checked((int)d)).ToArray();
            if (repeats.Length != x.Rank) throw new ArgumentException($"repeats [{string.Join(", ", repeats)}] do not match rank {x.Rank}.");
            // [d0, d1] -> [1, d0, 1, d1] -> expand to [r0, d0, r1, d1] -> [r0 d0, r1 d1].
            var dims = x.Dims;
            var interleaved = dims.SelectMany(d => new[] { 1, d }).ToArray();
            var expanded = dims.SelectMany((d, i) => new[] { repeats[i], d }).ToArray();
            var result = dims.Select((d, i) => d * repeats[i]).ToArray();
            f.Out(View(x, v => v.Reshape(interleaved).Expand(expanded).Reshape(result), t => t.Reshape(interleaved).Expand(expanded).Reshape(result)));
        }, staticInputs: [1]);
        yield return OpInfo.Of("Cast", c =>
        {
            var to = (OnnxDataType)c.RequiredInt("to");
            if (to == OnnxDataType.String) throw c.Error("Cast to STRING is not supported.");
            return f => f.Out(Cast(f.In(0), IsFloat(to), to == OnnxDataType.Bool, f.State.Device));
        });
        yield return OpInfo.Of("CastLike", _ => f => f.Out(Cast(f.In(0), !f.In(1).IsInt, false, f.State.Device)), staticInputs: [1]);
        yield return OpInfo.Of("Constant", CompileConstant);
        yield return OpInfo.Of("ConstantOfShape", CompileConstantOfShape, staticInputs: [0]);
        yield return OpInfo.Of("Range", _ => f =>
        {
            RuntimeValue start = f.In(0), limit = f.In(1), delta = f.In(2);
            if (start.IsInt && limit.IsInt && delta.IsInt)
            {
                long s = f.Longs(0)[0], l = f.Longs(1)[0], d = f.Longs(2)[0];
                if (d == 0) throw new ArgumentException("delta must not be 0.");
                long n = Math.Max(0, (l - s + d + (d > 0 ? -1 : 1)) / d);
                var values = new long[n];
                for (long i = 0; i < n; i++) values[i] = s + i * d;
                f.Out(IntTensor.Vector(values));
                return;
            }
            float fs = f.Scalar(0), fl = f.Scalar(1), fd = f.Scalar(2);
            if (fd == 0) throw new ArgumentException("delta must not be 0.");
            int count = Math.Max(0, (int)MathF.Ceiling((fl - fs) / fd));
            var data = new float[count];
            for (int i = 0; i < count; i++) data[i] = fs + i * fd;
            f.Out(new Variable(Tensor.FromArray(data, new Shape(count), f.State.Device)));
        }, staticInputs: [0, 1, 2]);
    }

    /// <summary>Applies a rearranging op to float data (recorded by autograd) or to integers (on their positions).</summary>
    private static RuntimeValue View(RuntimeValue x, Func<Variable, Variable> onFloats, Func<Tensor, Tensor> onPositions) =>
        x.Ints is { } ints ? ints.Rearrange(onPositions) : onFloats(x.Float ?? throw new ArgumentException("input 0 is missing."));

    private static bool IsFloat(OnnxDataType t) => t is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;

    private static int Axis(long axis, int rank, string what)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"{what} {axis} is out of range for rank {rank}.");
        return (int)a;
    }

    private static NodeKernel CompileShape(NodeCompilation c)
    {
        long? start = c.Opset >= 15 && c.HasAttribute("start") ? c.Int("start", 0) : null;
        long? end = c.Opset >= 15 && c.HasAttribute("end") ? c.Int("end", 0) : null;
        return f =>
        {
            var dims = f.In(0).Dims;
            int r = dims.Length;
            int s = (int)Math.Clamp(start is { } a ? (a < 0 ? a + r : a) : 0, 0, r);
            int e = (int)Math.Clamp(end is { } b ? (b < 0 ? b + r : b) : r, 0, r);
            f.Out(IntTensor.Vector(dims[s..Math.Max(s, e)].Select(d => (long)d).ToArray()));
        };
    }

    private static NodeKernel CompileReshape(NodeCompilation c)
    {
        long[]? attributeShape = c.Opset < 5 ? c.Ints("shape") ?? throw c.Error("attribute 'shape' is required before opset 5.") : null;
        bool allowZero = c.Opset >= 14 && c.Int("allowzero", 0) != 0;
        return f =>
        {
            var x = f.In(0);
            var shape = attributeShape ?? f.Longs(1);
            var input = x.Dims;
            var dims = new int[shape.Length];
            for (int i = 0; i < dims.Length; i++)
            {
                if (shape[i] == 0 && !allowZero)
                {
                    if (i >= input.Length) throw new ArgumentException($"shape [{string.Join(", ", shape)}] copies dimension {i} (a 0), but the input {new Shape(input)} has rank {input.Length}.");
                    dims[i] = input[i];
                }
                else dims[i] = shape[i] is >= -1 and <= int.MaxValue ? (int)shape[i] : throw new ArgumentException($"shape entry {shape[i]} is invalid.");
            }
            f.Out(View(x, v => v.Reshape(dims), t => t.Reshape(dims)));
        };
    }

    private static NodeKernel CompileFlatten(NodeCompilation c)
    {
        long axis = c.Int("axis", 1);
        return f =>
        {
            var x = f.In(0);
            var dims = x.Dims;
            long a = axis < 0 ? axis + dims.Length : axis;
            if (a < 0 || a > dims.Length) throw new ArgumentException($"axis {axis} is out of range for input {new Shape(dims)}.");
            int outer = 1, inner = 1;
            for (int i = 0; i < dims.Length; i++)
                if (i < a) outer *= dims[i];
                else inner *= dims[i];
            f.Out(View(x, v => v.Reshape(outer, inner), t => t.Reshape(outer, inner)));
        };
    }

    private static NodeKernel CompileSqueeze(NodeCompilation c, bool squeeze)
    {
        long[]? attributeAxes = c.Opset < 13 ? c.Ints("axes") : null;
        bool inputForm = c.Opset >= 13;
        if (!squeeze && !inputForm && attributeAxes is null) throw c.Error("attribute 'axes' is required before opset 13.");
        return f =>
        {
            var x = f.In(0);
            long[]? axes = inputForm ? (f.Has(1) ? f.Longs(1) : null) : attributeAxes;
            var input = x.Dims;
            int[] dims;
            if (squeeze)
            {
                var drop = axes is null
                    ? Enumerable.Range(0, input.Length).Where(i => input[i] == 1).ToHashSet()
                    : axes.Select(a => Axis(a, input.Length, "axis")).ToHashSet();
                foreach (int a in drop)
                    if (input[a] != 1) throw new ArgumentException($"axis {a} of {new Shape(input)} has size {input[a]}, not 1.");
                dims = input.Where((_, i) => !drop.Contains(i)).ToArray();
            }
            else
            {
                if (axes is null) throw new ArgumentException("input 1 (axes) is missing.");
                int rank = input.Length + axes.Length;
                var inserted = axes.Select(a => Axis(a, rank, "axis")).ToHashSet();
                if (inserted.Count != axes.Length) throw new ArgumentException($"axes [{string.Join(", ", axes)}] repeat an axis.");
                dims = new int[rank];
                for (int i = 0, j = 0; i < rank; i++) dims[i] = inserted.Contains(i) ? 1 : input[j++];
            }
            f.Out(View(x, v => v.Reshape(dims), t => t.Reshape(dims)));
        };
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
            int a = Axis(axis, parts[0].Rank, "axis");
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
            int a = Axis(axis, dims.Length, "axis");
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
                int a = Axis(axes?[i] ?? i, dims.Length, "axis");
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
                    result = View(result, v => v.Slice(a, si, ei, st), t => t.Slice(a, si, ei, st));
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
            int a = Axis(axis, x.Rank, "axis");
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
                f.Out(i, View(x, v => v.Narrow(a, start, length), t => t.Narrow(a, start, length)));
                offset += length;
            }
        };
    }

    private static RuntimeValue Cast(RuntimeValue x, bool toFloat, bool toBool, Device device)
    {
        if (toFloat) return x.AsVariable(device);
        if (x.Ints is { } ints) return toBool ? ints.Map(v => v != 0 ? 1 : 0) : ints;
        // Float to integer truncates toward zero (as C's conversion); to BOOL tests for nonzero.
        var values = x.Float!.Data.ToArray();
        var data = new long[values.Length];
        for (int i = 0; i < data.Length; i++) data[i] = toBool ? (values[i] != 0 ? 1 : 0) : (long)values[i];
        return new IntTensor(data, x.Dims);
    }

    private static NodeKernel CompileConstant(NodeCompilation c)
    {
        RuntimeValue value;
        if (c.Tensor("value") is { } t) value = FromOnnx(c, t);
        else if (c.HasAttribute("value_float")) value = new Variable(Tensor.Scalar(c.Float("value_float", 0)));
        else if (c.Floats("value_floats") is { } fs) value = new Variable(Tensor.FromArray(fs, new Shape(fs.Length)));
        else if (c.HasAttribute("value_int")) value = IntTensor.Scalar(c.Int("value_int", 0));
        else if (c.Ints("value_ints") is { } ints) value = IntTensor.Vector(ints);
        else throw c.Error("needs a 'value', 'value_float(s)' or 'value_int(s)' attribute (sparse and string constants are not supported).");
        return f => f.Out(value);
    }

    private static NodeKernel CompileConstantOfShape(NodeCompilation c)
    {
        var t = c.Tensor("value");
        RuntimeValue fill = t is null ? new Variable(Tensor.Scalar(0f)) : FromOnnx(c, t);
        if (fill.Dims.Aggregate(1, (p, d) => p * d) != 1) throw c.Error("attribute 'value' must hold one element.");
        return f =>
        {
            var shape = f.Longs(0).Select(d => checked((int)d)).ToArray();
            if (fill.Ints is { } ints)
            {
                var data = new long[shape.Aggregate(1, (p, d) => p * d)];
                Array.Fill(data, ints.Data[0]);
                f.Out(new IntTensor(data, shape));
            }
            else f.Out(new Variable(Tensor.Full(new Shape(shape), fill.Float!.Item(), f.State.Device)));
        };
    }

    /// <summary>A tensor attribute as a runtime value: float types as float data, integer and BOOL types as integers.</summary>
    internal static RuntimeValue FromOnnx(NodeCompilation c, OnnxTensor t)
    {
        try
        {
            if (IsFloat(t.DataType)) return new Variable(t.ToTensor());
            var dims = t.Dims.Select(d => c.ToInt(d, "dimension")).ToArray();
            return new IntTensor(t.ToInt64Array(), dims);
        }
        catch (Exception e) when (e is OnnxFormatException or NotSupportedException)
        {
            throw c.Error(e.Message);
        }
    }
}
