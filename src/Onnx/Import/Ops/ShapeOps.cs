using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Shape plumbing and reshaping views: Shape, Size, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Expand, Tile,
/// Identity. Each works on float data (through autograd views, so gradients flow) and on integer data (shape
/// arithmetic, on the host); with constant inputs the importer runs them once at load time.
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
    }

    /// <summary>Applies a rearranging op to float data (recorded by autograd) or to integers (on their positions).</summary>
    internal static RuntimeValue View(RuntimeValue x, Func<Variable, Variable> onFloats, Func<Tensor, Tensor> onPositions) =>
        x.Ints is { } ints ? ints.Rearrange(onPositions) : onFloats(x.Float ?? throw new ArgumentException("input 0 is missing."));

    internal static int Axis(long axis, int rank, string what)
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
}
