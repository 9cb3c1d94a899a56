using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Broadcasting arithmetic (Add, Sub, Mul, Div, Pow, Max, Min, Sum, Mean), comparisons and Where. Float operands go
/// through autograd ops; integer operands (shape arithmetic) are computed on the host.
/// </summary>
internal static class ElementwiseOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return Binary("Add", (a, b) => a + b, (a, b) => a + b);
        yield return Binary("Sub", (a, b) => a - b, (a, b) => a - b);
        yield return Binary("Mul", (a, b) => a * b, (a, b) => a * b);
        yield return Binary("Div", (a, b) => a / b, (a, b) => b == 0 ? throw new DivideByZeroException("integer division by zero.") : a / b);
        yield return OpInfo.Of("Pow", CompilePow);
        yield return Variadic("Sum", (a, b) => a + b, (a, b) => a + b);
        yield return Variadic("Max", (a, b) => a.Maximum(b), Math.Max);
        yield return Variadic("Min", (a, b) => a.Minimum(b), Math.Min);
        yield return OpInfo.Of("Mean", _ => f =>
        {
            var sum = f.Var(0);
            for (int i = 1; i < f.InputCount; i++) sum += f.Var(i);
            f.Out(f.InputCount == 1 ? sum : sum / f.InputCount);
        });
        yield return Comparison("Equal", (a, b) => a.Eq(b), (a, b) => a == b);
        yield return Comparison("Less", (a, b) => b.Gt(a), (a, b) => a < b);
        yield return Comparison("LessOrEqual", (a, b) => a.Le(b), (a, b) => a <= b);
        yield return Comparison("Greater", (a, b) => a.Gt(b), (a, b) => a > b);
        yield return Comparison("GreaterOrEqual", (a, b) => a.Ge(b), (a, b) => a >= b);
        yield return OpInfo.Of("Not", _ => f => f.Out(f.Ints(0).Map(v => v == 0 ? 1 : 0)));
        yield return OpInfo.Of("Where", _ => f =>
        {
            RuntimeValue cond = f.In(0), a = f.In(1), b = f.In(2);
            if (a.Ints is { } ia && b.Ints is { } ib)
            {
                var ic = cond.AsInts();
                var shape = Shape.Broadcast(Shape.Broadcast(new Shape(ic.Dims), new Shape(ia.Dims), "Where"), new Shape(ib.Dims), "Where").ToArray();
                IntTensor fc = ic.BroadcastTo(shape), fa = ia.BroadcastTo(shape), fb = ib.BroadcastTo(shape);
                var data = new long[fc.Numel];
                for (int i = 0; i < data.Length; i++) data[i] = fc.Data[i] != 0 ? fa.Data[i] : fb.Data[i];
                f.Out(new IntTensor(data, shape));
                return;
            }
            var condition = cond.Ints is { } ci ? ci.ToTensor(f.State.Device) : cond.Float!.Data;
            f.Out(Variable.Where(condition, a.AsVariable(f.State.Device), b.AsVariable(f.State.Device)));
        });
    }

    private static OpInfo Binary(string name, Func<Variable, Variable, Variable> onFloats, Func<long, long, long> onInts) =>
        OpInfo.Of(name, c =>
        {
            // Before opset 7, B could be broadcast from a given axis ("broadcast"/"axis" attributes).
            int legacyAxis = c.Opset < 7 && c.Int("broadcast", 0) == 1 && c.HasAttribute("axis") ? (int)c.Int("axis", 0) : -1;
            return f =>
            {
                RuntimeValue a = f.In(0), b = f.In(1);
                if (legacyAxis >= 0 && b.Rank < a.Rank) b = AlignAt(b, a.Rank, legacyAxis);
                f.Out(Apply(a, b, onFloats, onInts, name, f.State.Device));
            };
        });

    private static OpInfo Variadic(string name, Func<Variable, Variable, Variable> onFloats, Func<long, long, long> onInts) =>
        OpInfo.Of(name, _ => f =>
        {
            var acc = f.In(0);
            for (int i = 1; i < f.InputCount; i++) acc = Apply(acc, f.In(i), onFloats, onInts, name, f.State.Device);
            f.Out(acc);
        });

    private static OpInfo Comparison(string name, Func<Tensor, Tensor, Tensor> onFloats, Func<long, long, bool> onInts) =>
        OpInfo.Of(name, _ => f =>
        {
            RuntimeValue a = f.In(0), b = f.In(1);
            if (a.Ints is { } ia && b.Ints is { } ib) f.Out(IntTensor.Binary(ia, ib, (x, y) => onInts(x, y) ? 1 : 0, name));
            else
            {
                using var r = onFloats(a.AsVariable(f.State.Device).Data, b.AsVariable(f.State.Device).Data);
                f.Out(IntTensor.FromTensor(r));
            }
        });

    internal static RuntimeValue Apply(RuntimeValue a, RuntimeValue b, Func<Variable, Variable, Variable> onFloats,
        Func<long, long, long> onInts, string name, Device device)
    {
        if (a.Ints is { } ia && b.Ints is { } ib) return IntTensor.Binary(ia, ib, onInts, name);
        return onFloats(a.AsVariable(device), b.AsVariable(device));
    }

    private static RuntimeValue AlignAt(RuntimeValue b, int rank, int axis)
    {
        var dims = b.Dims.Concat(Enumerable.Repeat(1, rank - axis - b.Rank)).ToArray();
        return b.Ints is { } ints ? ints.Rearrange(t => t.Reshape(dims)) : b.Float!.Reshape(dims);
    }

    private static NodeKernel CompilePow(NodeCompilation c)
    {
        // A constant scalar exponent (x^2, x^0.5) is the common case and has the simpler gradient.
        if (c.Constant(1) is { } e && e.Dims.Aggregate(1, (p, d) => p * d) == 1)
        {
            float exponent = e.Float is { } v ? v.Item() : e.Ints!.Data[0];
            return f =>
            {
                var x = f.In(0);
                if (x.Ints is { } ints) f.Out(ints.Map(v => (long)Math.Pow(v, exponent)));
                else f.Out(f.Var(0).Pow(exponent));
            };
        }
        return f =>
        {
            RuntimeValue a = f.In(0), b = f.In(1);
            if (a.Ints is { } ia && b.Ints is { } ib) f.Out(IntTensor.Binary(ia, ib, (x, y) => (long)Math.Pow(x, y), "Pow"));
            else f.Out(a.AsVariable(f.State.Device).Pow(b.AsVariable(f.State.Device)));
        };
    }
}
