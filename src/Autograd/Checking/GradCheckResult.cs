using System.Globalization;
using System.Text;

namespace NetFromScratch.Autograd;

/// <summary>The outcome of a <see cref="GradCheck"/>: one comparison per input that requires grad.</summary>
public sealed class GradCheckResult
{
    internal GradCheckResult(IReadOnlyList<InputGradCheck> inputs) => Inputs = inputs;

    /// <summary>The comparison for each input that requires grad, in argument order.</summary>
    public IReadOnlyList<InputGradCheck> Inputs { get; }

    /// <summary>True when every input passed.</summary>
    public bool Passed => Inputs.All(i => i.Passed);

    /// <summary>Largest absolute error over all inputs.</summary>
    public double MaxAbsError => Inputs.Count == 0 ? 0 : Inputs.Max(i => i.MaxAbsError);

    /// <summary>Largest relative error over all inputs.</summary>
    public double MaxRelError => Inputs.Count == 0 ? 0 : Inputs.Max(i => i.MaxRelError);

    /// <summary>Throws <see cref="InvalidOperationException"/> with the report when an input failed.</summary>
    public void ThrowIfFailed()
    {
        if (!Passed) throw new InvalidOperationException(ToString());
    }

    /// <summary>One line per input: name, shape, errors, the worst element and pass or FAIL.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Passed ? "GradCheck passed" : "GradCheck FAILED");
        foreach (var i in Inputs)
            sb.Append(CultureInfo.InvariantCulture,
                $"\n  {i.Name} {i.Shape}: max abs error {i.MaxAbsError:0.00e+00}, max rel error {i.MaxRelError:0.00e+00}; worst element {i.WorstElement}: analytic {i.Analytic:G6}, numeric {i.Numeric:G6} -> {(i.Passed ? "pass" : "FAIL")}");
        return sb.ToString();
    }
}
