using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>The comparison of analytic and numeric gradients for one input of a <see cref="GradCheck"/>.</summary>
/// <param name="Index">Position of the input in the argument list.</param>
/// <param name="Name">The input's name, or <c>input{Index}</c>.</param>
/// <param name="Shape">The input's shape.</param>
/// <param name="MaxAbsError">Largest <c>|analytic - numeric|</c> over the elements.</param>
/// <param name="MaxRelError">Largest <c>|analytic - numeric| / max(|analytic|, |numeric|, atol)</c>.</param>
/// <param name="WorstElement">Flat index of the element with the largest excess over the tolerance (or error).</param>
/// <param name="Analytic">The analytic gradient at that element.</param>
/// <param name="Numeric">The numeric gradient at that element.</param>
/// <param name="Passed">Whether every element is within tolerance.</param>
public sealed record InputGradCheck(int Index, string Name, Shape Shape, double MaxAbsError, double MaxRelError,
    int WorstElement, double Analytic, double Numeric, bool Passed);
