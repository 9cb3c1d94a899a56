using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Values made from attributes or numbers: Constant, ConstantOfShape, Range, and conversions between float and
/// integer data (Cast, CastLike). With constant inputs they run once at load time.
/// </summary>
internal static class ConstantOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("Cast", c =>
        {
            var to = (OnnxDataType)c.RequiredInt("to");
            if (to == OnnxDataType.String) throw c.Error("Cast to STRING is not supported.");
            return f => f.Out(Cast(f.In(0), GraphCompiler.IsFloat(to), to == OnnxDataType.Bool, f.State.Device));
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
            if (GraphCompiler.IsFloat(t.DataType)) return new Variable(t.ToTensor());
            var dims = t.Dims.Select(d => c.ToInt(d, "dimension")).ToArray();
            return new IntTensor(t.ToInt64Array(), dims);
        }
        catch (Exception e) when (e is OnnxFormatException or NotSupportedException)
        {
            throw c.Error(e.Message);
        }
    }
}
