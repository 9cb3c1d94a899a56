using NetFromScratch.Autograd;
using NetFromScratch.Tensors;

namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// Elementwise activations and unary math. Those without an autograd op of their own are composed of ones that have
/// one (ELU, SELU, PReLU, HardSigmoid, HardSwish), so their gradients come for free.
/// </summary>
internal static class ActivationOps
{
    public static IEnumerable<OpInfo> All()
    {
        yield return Unary("Relu", x => x.Relu(), v => Math.Max(v, 0));
        yield return Unary("Sigmoid", x => x.Sigmoid());
        yield return Unary("Tanh", x => x.Tanh());
        yield return Unary("Exp", x => x.Exp());
        yield return Unary("Log", x => x.Log());
        yield return Unary("Sqrt", x => x.Sqrt());
        yield return Unary("Neg", x => -x, v => -v);
        yield return Unary("Abs", x => x.Abs(), Math.Abs);
        yield return Unary("Reciprocal", x => x.Reciprocal());
        yield return Unary("Softplus", x => x.Softplus());
        yield return OpInfo.Of("Erf", _ => f => f.Out(ErfFunction.Apply(f.Var(0))));
        yield return OpInfo.Of("LeakyRelu", c =>
        {
            float alpha = c.Float("alpha", 0.01f);
            return f => f.Out(f.Var(0).LeakyRelu(alpha));
        });
        yield return OpInfo.Of("Elu", c =>
        {
            float alpha = c.Float("alpha", 1f);
            return f => f.Out(Elu(f.Var(0), alpha));
        });
        yield return OpInfo.Of("Selu", c =>
        {
            float alpha = c.Float("alpha", 1.67326319217681884765625f), gamma = c.Float("gamma", 1.05070102214813232421875f);
            return f => f.Out(Elu(f.Var(0), alpha) * gamma);
        });
        yield return OpInfo.Of("HardSigmoid", c =>
        {
            float alpha = c.Float("alpha", 0.2f), beta = c.Float("beta", 0.5f);
            return f => f.Out((f.Var(0) * alpha + beta).Clamp(0f, 1f));
        });
        yield return OpInfo.Of("HardSwish", _ => f =>
        {
            var x = f.Var(0);
            f.Out(x * (x * (1f / 6f) + 0.5f).Clamp(0f, 1f));
        });
        yield return OpInfo.Of("PRelu", _ => f =>
        {
            // relu(x) - slope * relu(-x): x where positive, slope * x elsewhere.
            var x = f.Var(0);
            f.Out(x.Relu() - f.Var(1) * (-x).Relu());
        });
        yield return OpInfo.Of("Gelu", c =>
        {
            string approximate = c.String("approximate", "none");
            if (approximate == "none") return f => f.Out(f.Var(0).Gelu());
            if (approximate != "tanh") throw c.Error($"attribute 'approximate' must be 'none' or 'tanh', got '{approximate}'.");
            float k = MathF.Sqrt(2f / MathF.PI);
            return f =>
            {
                var x = f.Var(0);
                f.Out(x * 0.5f * ((x + x * x * x * 0.044715f) * k).Tanh() + x * 0.5f);
            };
        });
        yield return OpInfo.Of("Clip", CompileClip, staticInputs: [1, 2]);
    }

    private static OpInfo Unary(string name, Func<Variable, Variable> op, Func<long, long>? onInts = null) =>
        OpInfo.Of(name, _ => f =>
        {
            var x = f.In(0);
            if (x.Ints is { } ints && onInts is not null) f.Out(ints.Map(onInts));
            else f.Out(op(f.Var(0)));
        });

    // relu(x) + alpha * (exp(-relu(-x)) - 1): x where positive, alpha * (exp(x) - 1) elsewhere.
    private static Variable Elu(Variable x, float alpha) => x.Relu() + ((-(-x).Relu()).Exp() - 1f) * alpha;

    private static NodeKernel CompileClip(NodeCompilation c)
    {
        if (c.Opset < 11)
        {
            float lo = c.Float("min", float.NegativeInfinity), hi = c.Float("max", float.PositiveInfinity);
            return f => f.Out(Clamp(f.In(0), lo, hi));
        }
        // Since opset 11 the bounds are optional inputs; read them once when they are constants.
        float? constLo = c.HasInput(1) ? ScalarOf(c, 1) : float.NegativeInfinity;
        float? constHi = c.HasInput(2) ? ScalarOf(c, 2) : float.PositiveInfinity;
        return f =>
        {
            float lo = constLo ?? (f.Has(1) ? f.Scalar(1) : float.NegativeInfinity);
            float hi = constHi ?? (f.Has(2) ? f.Scalar(2) : float.PositiveInfinity);
            f.Out(Clamp(f.In(0), lo, hi));
        };
    }

    private static float? ScalarOf(NodeCompilation c, int i)
    {
        if (c.Constant(i) is not { } v) return null;
        if (v.Float is { } x) return x.Numel == 1 ? x.Item() : throw c.Error($"input {i} must hold one value, got shape {x.Shape}.");
        return v.Ints!.Numel == 1 ? v.Ints.Data[0] : throw c.Error($"input {i} must hold one value, got {v.Ints.Numel}.");
    }

    private static RuntimeValue Clamp(RuntimeValue x, float lo, float hi)
    {
        if (x.Ints is { } ints)
        {
            long l = float.IsNegativeInfinity(lo) ? long.MinValue : (long)lo, h = float.IsPositiveInfinity(hi) ? long.MaxValue : (long)hi;
            return ints.Map(v => Math.Clamp(v, l, h));
        }
        return x.AsVariable().Clamp(lo, hi);
    }
}
