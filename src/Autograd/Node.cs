using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>
/// One recorded op in the graph: what it was, which Variables went in, and the rule that turns the gradient of its
/// output into gradients for its inputs. A node is created by an op on Variables (never by hand) and is the
/// <see cref="Variable.GradFn"/> of the op's result.
/// </summary>
/// <remarks>
/// The backward rule is a closure over the tensors the op saved (its inputs, its output, a mask...). After
/// <see cref="Variable.Backward"/> finishes the node is released: the closure and those tensors are dropped so their
/// memory can be reused, and backpropagating through the node again is an error.
/// </remarks>
public sealed class Node
{
    private static long _created;
    private Func<Tensor, Tensor?[]>? _backward;
    private Tensor[]? _owned;

    internal Node(string op, Variable[] inputs, string rule, Func<Tensor, Tensor?[]> backward, Tensor[]? owned)
    {
        Op = op;
        Inputs = inputs;
        Rule = rule;
        _backward = backward;
        _owned = owned;
        Sequence = Interlocked.Increment(ref _created);
    }

    /// <summary>The op's name, for example <c>MatMul</c>.</summary>
    public string Op { get; }

    /// <summary>The Variables the op read, in order (including those that do not require grad).</summary>
    public IReadOnlyList<Variable> Inputs { get; }

    /// <summary>The backward rule in words, for example <c>dA = dC @ B^T;  dB = A^T @ dC</c>.</summary>
    public string Rule { get; }

    /// <summary>True once a backward pass released the saved tensors; the node cannot be backpropagated again.</summary>
    public bool IsReleased => _backward is null;

    /// <summary>The Variable this node produced (set once, right after construction).</summary>
    internal Variable Output { get; set; } = null!;

    /// <summary>Creation order across the process; orders nodes as the forward pass ran.</summary>
    internal long Sequence { get; }

    /// <summary>Runs the backward rule: one gradient per input (null where the input needs none).</summary>
    internal Tensor?[] Apply(Tensor gradOutput)
    {
        var rule = _backward ?? throw new InvalidOperationException(
            $"Backward: the graph through {Op} was already released by an earlier Backward; pass retainGraph: true to the first call to backpropagate through it twice.");
        return rule(gradOutput);
    }

    /// <summary>Drops the backward closure (and with it the saved tensors) and disposes the tensors the node owns.</summary>
    internal void Release()
    {
        _backward = null;
        if (_owned is null) return;
        foreach (var t in _owned) t.Dispose();
        _owned = null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Op} -> {Output.Shape}";
}
