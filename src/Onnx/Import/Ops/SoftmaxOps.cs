using NetFromScratch.Autograd;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Softmax and LogSoftmax. Before opset 13 the input was coerced to 2-D at <c>axis</c> (default 1), the op applied to
/// each row of <c>[prod(dims[..axis]), prod(dims[axis..])]</c>; since 13 it runs along one axis (default -1).
/// </summary>
internal static class SoftmaxOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return OpInfo.Of("Softmax", c => Compile(c, log: false));
        yield return OpInfo.Of("LogSoftmax", c => Compile(c, log: true));
    }

    private static NodeKernel Compile(NodeCompilation c, bool log)
    {
        if (c.Opset >= 13)
        {
            int axis = c.ToInt(c.Int("axis", -1), "axis");
            return f => f.Out(log ? f.Var(0).LogSoftmax(axis) : f.Var(0).Softmax(axis));
        }
        int legacyAxis = c.ToInt(c.Int("axis", 1), "axis");
        return f =>
        {
            var x = f.Var(0);
            int a = legacyAxis < 0 ? legacyAxis + x.Rank : legacyAxis;
            if (a < 0 || a > x.Rank) throw new ArgumentException($"axis {legacyAxis} is out of range for input {x.Shape}.");
            int rows = 1, cols = 1;
            for (int i = 0; i < x.Rank; i++)
                if (i < a) rows *= x.Shape[i];
                else cols *= x.Shape[i];
            var dims = x.Shape.ToArray();
            var flat = x.Reshape(rows, cols);
            var y = log ? flat.LogSoftmax(1) : flat.Softmax(1);
            f.Out(y.Reshape(dims));
        };
    }
}
