using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>One step of a traced backward pass: a node's rule applied, or a gradient accumulated into a leaf.</summary>
/// <param name="Step">Position in execution order, from 1.</param>
/// <param name="Node">The label of the node's output (<c>#k</c> for the k-th op in forward order, or its name).</param>
/// <param name="Op">The op, or <c>AccumulateGrad</c> for a leaf receiving its gradient.</param>
/// <param name="OutputShape">The shape of the node's output.</param>
/// <param name="Rule">The backward rule applied, in words.</param>
/// <param name="Sent">The gradients sent to the inputs that require grad.</param>
public sealed record BackwardTraceEntry(int Step, string Node, string Op, Shape OutputShape, string Rule,
    IReadOnlyList<BackwardTraceGradient> Sent);
