using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>
/// Checks backward rules against the definition of the derivative: for a function of Variables, compares the
/// gradient computed by <see cref="Variable.Backward"/> with central finite differences, element by element.
/// </summary>
/// <remarks>
/// <para>The output is reduced to a scalar with a fixed random projection, <c>s = sum(f(x) * r)</c>, so one backward
/// pass (with gradient r) gives the analytic <c>ds/dx</c>, and for each element <c>x_j</c> the numeric one is
/// <c>(s(x_j + h) - s(x_j - h)) / 2h</c>, summed in double precision. A random r (rather than all ones) catches rules
/// whose errors cancel in a plain sum, such as a wrong softmax gradient.</para>
/// <para>The function must be deterministic (re-seed dropout inside it) and must not depend on the inputs' layout:
/// the check works on private contiguous copies, leaving the caller's Variables and gradients untouched. To check
/// an op on strided data, make the view inside the function (<c>x.T</c>, <c>x.Slice(...)</c>), as a network would.</para>
/// <para>Cost: two evaluations of the function per input element, so keep shapes small.</para>
/// </remarks>
public static class GradCheck
{
    /// <summary>Checks <paramref name="function"/> at <paramref name="inputs"/> with the default options.</summary>
    public static GradCheckResult Check(Func<Variable[], Variable> function, params Variable[] inputs) =>
        Check(function, inputs, GradCheckOptions.Default);

    /// <summary>
    /// Checks <paramref name="function"/> at <paramref name="inputs"/>: every input with <see cref="Variable.RequiresGrad"/>
    /// is compared; the others (targets, indices) are passed through unchanged.
    /// </summary>
    public static GradCheckResult Check(Func<Variable[], Variable> function, Variable[] inputs, GradCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Step > 0)) throw new ArgumentException($"GradCheck: the step must be positive, got {options.Step}.");

        var copies = inputs.Select(v => new Variable(v.Data.Clone(), v.RequiresGrad, v.Name)).ToArray();
        var output = function(copies);
        if (!output.RequiresGrad)
            throw new ArgumentException("GradCheck: the function's output does not depend on any input that requires grad.");
        var rng = new Random(options.Seed);
        var projection = new float[output.Numel];
        for (int k = 0; k < projection.Length; k++) projection[k] = (float)(rng.NextDouble() * 2 - 1);
        output.Backward(Tensor.FromArray(projection, output.Shape, output.Device));

        var results = new List<InputGradCheck>();
        for (int i = 0; i < copies.Length; i++)
        {
            if (!copies[i].RequiresGrad) continue;
            var analytic = copies[i].Grad?.ToArray() ?? new float[copies[i].Numel];
            var numeric = NumericGradient(function, copies, i, projection, options.Step);
            results.Add(Compare(i, inputs[i].Name ?? $"input{i}", copies[i].Shape, analytic, numeric, options));
        }
        return new GradCheckResult(results);
    }

    private static double[] NumericGradient(Func<Variable[], Variable> function, Variable[] copies, int input, float[] projection, float step)
    {
        var data = copies[input].Data;
        var original = data.ToArray();
        var flat = data.Reshape(-1);
        var gradient = new double[original.Length];
        using (NoGrad.Scope())
        {
            for (int j = 0; j < original.Length; j++)
            {
                float plus = original[j] + step, minus = original[j] - step;
                using var element = flat.Narrow(0, j, 1);
                element.FillInPlace(plus);
                double sPlus = Project(function(copies), projection);
                element.FillInPlace(minus);
                double sMinus = Project(function(copies), projection);
                element.FillInPlace(original[j]);
                // Divide by the distance between the float32 points actually evaluated, not by 2h.
                gradient[j] = (sPlus - sMinus) / ((double)plus - minus);
            }
        }
        return gradient;
    }

    private static double Project(Variable output, float[] projection)
    {
        var values = output.Data.ToArray();
        if (values.Length != projection.Length)
            throw new InvalidOperationException($"GradCheck: the function's output changed shape to {output.Shape} when an input was perturbed.");
        double s = 0;
        for (int k = 0; k < values.Length; k++) s += (double)values[k] * projection[k];
        return s;
    }

    private static InputGradCheck Compare(int index, string name, Shape shape, float[] analytic, double[] numeric, GradCheckOptions options)
    {
        double maxAbs = 0, maxRel = 0, worstExcess = double.NegativeInfinity;
        int worst = 0;
        bool passed = true;
        for (int j = 0; j < numeric.Length; j++)
        {
            double a = analytic[j], n = numeric[j];
            double abs = Math.Abs(a - n);
            double rel = abs / Math.Max(Math.Max(Math.Abs(a), Math.Abs(n)), options.AbsoluteTolerance);
            double allowed = options.AbsoluteTolerance + options.RelativeTolerance * Math.Abs(n);
            if (double.IsNaN(abs)) { abs = double.PositiveInfinity; rel = double.PositiveInfinity; }
            maxAbs = Math.Max(maxAbs, abs);
            maxRel = Math.Max(maxRel, rel);
            if (!(abs <= allowed)) passed = false;
            if (abs - allowed > worstExcess) { worstExcess = abs - allowed; worst = j; }
        }
        return new InputGradCheck(index, name, shape, maxAbs, maxRel, worst,
            numeric.Length == 0 ? 0 : analytic[worst], numeric.Length == 0 ? 0 : numeric[worst], passed);
    }
}
