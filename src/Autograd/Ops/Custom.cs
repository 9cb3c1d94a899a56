using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

public sealed partial class Variable
{
    /// <summary>
    /// Defines an op of your own (as PyTorch's <c>autograd.Function</c>): <paramref name="output"/> is its forward result,
    /// computed from the inputs' <see cref="Data"/>, and <paramref name="backward"/> maps the output's gradient to one
    /// gradient per input (null where none is needed), using Tensor ops. Check it with <see cref="GradCheck"/>.
    /// </summary>
    /// <param name="op">The op's name, for traces and graph exports.</param>
    /// <param name="output">The forward result. Shape: any.</param>
    /// <param name="inputs">The Variables the result was computed from.</param>
    /// <param name="backward">The backward rule; must not modify its argument or keep it.</param>
    /// <param name="rule">The rule in words, shown by traces.</param>
    public static Variable Custom(string op, Tensor output, IReadOnlyList<Variable> inputs, Func<Tensor, Tensor?[]> backward, string rule = "custom rule")
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(backward);
        // Aliases let the walk dispose what it receives even if the rule returned a tensor it also keeps.
        return Graph.Record(op, output, inputs.ToArray(), rule,
            dY => backward(dY).Select(g => g is null ? null : Graph.Alias(g)).ToArray());
    }
}
