using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>One gradient sent by a node during a traced backward pass.</summary>
/// <param name="Input">The label of the input that received it (its name, <c>#k</c> for the k-th op's output, or <c>leafK</c>).</param>
/// <param name="Shape">The gradient's shape, equal to the input's.</param>
/// <param name="Norm">Its L2 norm, <c>sqrt(sum(g^2))</c>.</param>
public sealed record BackwardTraceGradient(string Input, Shape Shape, double Norm);
