using NetFromScratch.Autograd;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd (integers), ArgMax and ArgMin. The axes are an attribute
/// until they became an input (ReduceSum at opset 13, the others at 18); with the input form, empty axes mean all
/// axes unless <c>noop_with_empty_axes</c>.
/// </summary>
internal static class ReductionOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return Reduce("ReduceMean", 18, (x, axes, keep) => x.Mean(axes, keep), null);
        yield return Reduce("ReduceSum", 13, (x, axes, keep) => x.Sum(axes, keep), ((a, b) => a + b, 0));
        yield return Reduce("ReduceMax", 18, (x, axes, keep) => x.Max(axes, keep), (Math.Max, long.MinValue));
        yield return Reduce("ReduceMin", 18, (x, axes, keep) => x.Min(axes, keep), (Math.Min, long.MaxValue));
        yield return Reduce("ReduceProd", 18, null, ((a, b) => a * b, 1));
        yield return ArgReduce("ArgMax", max: true);
        yield return ArgReduce("ArgMin", max: false);
    }

    private static OpInfo Reduce(string name, int axesInputSince, Func<Variable, int[], bool, Variable>? onFloats,
        (Func<long, long, long> Op, long Seed)? onInts) =>
        OpInfo.Of(name, c =>
        {
            bool keep = c.Int("keepdims", 1) != 0;
            bool inputForm = c.Opset >= axesInputSince;
            bool noop = inputForm && c.Int("noop_with_empty_axes", 0) != 0;
            long[]? attributeAxes = inputForm ? null : c.Ints("axes");
            return f =>
            {
                var x = f.In(0);
                long[] axes = inputForm ? (f.Has(1) ? f.Longs(1) : []) : attributeAxes ?? [];
                if (axes.Length == 0 && noop) { f.Out(x); return; }
                int rank = x.Rank;
                int[] normalized = axes.Length == 0
                    ? Enumerable.Range(0, rank).ToArray()
                    : axes.Select(a => (int)(a < 0 ? a + rank : a)).Distinct().Order().ToArray();
                if (normalized.Any(a => a < 0 || a >= rank))
                    throw new ArgumentException($"axes [{string.Join(", ", axes)}] are out of range for rank {rank}.");
                if (x.Ints is { } ints && onInts is { } io) f.Out(ints.Reduce(normalized, keep, io.Op, io.Seed));
                else if (onFloats is not null) f.Out(onFloats(x.AsVariable(f.State.Device), normalized, keep));
                else throw new ArgumentException($"{name} is supported on integer data only.");
            };
        }, staticInputs: [1]);

    private static OpInfo ArgReduce(string name, bool max) =>
        OpInfo.Of(name, c =>
        {
            int axis = c.ToInt(c.Int("axis", 0), "axis");
            bool keep = c.Int("keepdims", 1) != 0;
            if (c.Int("select_last_index", 0) != 0) throw c.Error("select_last_index=1 is not supported.");
            return f =>
            {
                var x = f.Var(0).Data;
                using var indices = max ? x.ArgMax(axis, keep) : x.ArgMin(axis, keep);
                f.Out(IntTensor.FromTensor(indices));
            };
        });
}
