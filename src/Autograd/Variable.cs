using System.Text;
using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>
/// A tensor that remembers how it was made. Every op on Variables computes its result with Tensor ops and, when an
/// input requires a gradient, records a <see cref="Node"/> holding the rule that sends the output's gradient back to
/// the inputs. <see cref="Backward"/> walks those nodes in reverse and accumulates gradients into the leaves'
/// <see cref="Grad"/>.
/// Shape: any, the shape of <see cref="Data"/>.
/// </summary>
/// <remarks>
/// <para>Leaves are Variables made with the constructor (inputs, parameters); results of ops are non-leaves whose
/// <see cref="GradFn"/> is the node that produced them. Only leaves keep their gradient unless
/// <see cref="RetainGrad"/> is called.</para>
/// <para>Ops never modify their inputs. Changing <see cref="Data"/> in place (as an optimizer does) is allowed
/// between steps, but not between a forward pass and its backward pass: the saved tensors would no longer match.</para>
/// <para>Gradients are first order only: backward rules are computed with Tensors, not recorded as a new graph.</para>
/// </remarks>
public sealed partial class Variable
{
    private Tensor _data;
    private Tensor? _grad;
    private bool _requiresGrad;
    private List<GradientHook>? _hooks;
    private bool _disposed;

    /// <summary>Creates a leaf Variable around <paramref name="data"/> (the tensor is used as is, not copied).</summary>
    /// <param name="data">The values.</param>
    /// <param name="requiresGrad">Whether <see cref="Backward"/> should compute a gradient for this Variable.</param>
    /// <param name="name">A label for traces, graph exports and error messages (for example <c>"w1"</c>).</param>
    public Variable(Tensor data, bool requiresGrad = false, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _requiresGrad = requiresGrad;
        Name = name;
    }

    /// <summary>The result of an op: a non-leaf produced by <paramref name="gradFn"/>.</summary>
    internal Variable(Tensor data, Node gradFn)
    {
        _data = data;
        _requiresGrad = true;
        GradFn = gradFn;
    }

    /// <summary>
    /// The values. Setting replaces the tensor without recording anything (as <c>param.data = ...</c> in PyTorch), for
    /// example to move a parameter to another device; a gradient of another shape or device is dropped.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The Variable's data was disposed by <see cref="DisposeGraph"/> or released by a <see cref="ReleaseScope"/>.</exception>
    public Tensor Data
    {
        get => _disposed ? throw new ObjectDisposedException(nameof(Variable), $"{Describe()} was disposed by DisposeGraph() or by the end of a ReleaseScope (InferenceMode); read its values (or Keep it) before.") : _data;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (_grad is not null && (_grad.Shape != value.Shape || !ReferenceEquals(_grad.Device, value.Device))) _grad = null;
            _data = value;
            _disposed = false;
        }
    }

    /// <summary>
    /// The gradient accumulated by <see cref="Backward"/> (sum over calls until <see cref="ZeroGrad"/>), or null when
    /// none has arrived yet. Set it to null to drop it, or to a tensor of this Variable's shape and device.
    /// Shape: same as <see cref="Data"/>.
    /// </summary>
    public Tensor? Grad
    {
        get => _grad;
        set
        {
            if (value is not null)
            {
                if (value.Shape != Shape)
                    throw new ArgumentException($"Grad: a gradient of shape {value.Shape} cannot be assigned to {Describe()} of shape {Shape}.");
                if (!ReferenceEquals(value.Device, Device))
                    throw new ArgumentException($"Grad: the gradient is on {value.Device} but {Describe()} is on {Device}.");
            }
            _grad = value;
        }
    }

    /// <summary>
    /// Whether gradients flow to this Variable. True for every result of an op with such an input (outside
    /// <see cref="NoGrad"/>); only leaves may be switched.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf)
                throw new InvalidOperationException($"RequiresGrad: {Describe()} was produced by {GradFn!.Op} and always requires grad; call Detach() for a Variable outside the graph.");
            _requiresGrad = value;
        }
    }

    /// <summary>The node that produced this Variable, or null for a leaf.</summary>
    public Node? GradFn { get; }

    /// <summary>True for Variables not produced by a recorded op: inputs, parameters, constants.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>A label for traces, graph exports and error messages.</summary>
    public string? Name { get; set; }

    /// <summary>The shape of <see cref="Data"/>.</summary>
    public Shape Shape => _data.Shape;

    /// <summary>The device holding <see cref="Data"/>.</summary>
    public Device Device => _data.Device;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _data.Rank;

    /// <summary>Number of elements.</summary>
    public int Numel => _data.Numel;

    /// <summary>True once <see cref="RetainGrad"/> asked a non-leaf to keep its gradient.</summary>
    public bool RetainsGrad { get; private set; }

    internal IReadOnlyList<GradientHook> Hooks => (IReadOnlyList<GradientHook>?)_hooks ?? Array.Empty<GradientHook>();

    /// <summary>
    /// Computes the gradient of this Variable with respect to every leaf that requires grad, adding it to their
    /// <see cref="Grad"/>. The graph and the tensors it saved are released afterwards unless <paramref name="retainGraph"/>.
    /// </summary>
    /// <param name="gradient">
    /// d(something)/d(this). May be omitted only for a one-element Variable (a loss), where it is 1.
    /// Shape: same as this Variable.
    /// </param>
    /// <param name="retainGraph">Keep the graph so that Backward can run through it again.</param>
    /// <param name="trace">When given, records every node's rule and the norm of each gradient it sends.</param>
    /// <exception cref="InvalidOperationException">
    /// No gradient was given for a Variable with more than one element; this Variable does not require grad; or part
    /// of the graph was already released by an earlier Backward.
    /// </exception>
    /// <exception cref="ArgumentException">The gradient's shape or device differs from this Variable's.</exception>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, BackwardTrace? trace = null) =>
        Backpropagation.Run(this, gradient, retainGraph, trace);

    /// <summary>A new leaf sharing this Variable's data, outside the graph: gradients stop here.</summary>
    public Variable Detach() => new(Graph.Alias(Data), requiresGrad: false, Name);

    /// <summary>
    /// Frees the memory of a finished step: releases every node of the graph behind this Variable and disposes the data
    /// of every Variable an op produced (this one included), so their buffers return to the device pool at once
    /// instead of waiting for the garbage collector. Leaves (inputs, parameters) are untouched.
    /// </summary>
    /// <remarks>
    /// Call it last, when neither you nor another graph still uses an intermediate Variable: reading the data of a
    /// disposed Variable throws <see cref="ObjectDisposedException"/>. A training loop reads <c>loss.Item()</c>, calls
    /// <see cref="Backward"/>, steps the optimizer, then <c>loss.DisposeGraph()</c>.
    /// </remarks>
    public void DisposeGraph()
    {
        if (GradFn is null) return;
        var nodes = Backpropagation.TopologicalOrder(GradFn);
        // A custom op may return an input's own tensor as its output; never dispose a leaf's data.
        var leafData = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var node in nodes)
            foreach (var input in node.Inputs)
                if (input.IsLeaf) leafData.Add(input._data);
        foreach (var node in nodes)
        {
            node.Release();
            var output = node.Output;
            if (!leafData.Contains(output._data)) output._data.Dispose();
            output._disposed = true;
        }
    }

    /// <summary>Gives this op result's buffer back to the pool (<see cref="ReleaseScope"/>); later reads of <see cref="Data"/> throw.</summary>
    internal void ReleaseData()
    {
        if (_disposed) return;
        _data.Dispose();
        _disposed = true;
    }

    /// <summary>Sets the accumulated gradient to zero in place (keeping its buffer for the next step); no-op when there is none.</summary>
    public void ZeroGrad() => _grad?.ZeroInPlace();

    /// <summary>Asks a non-leaf to keep its gradient in <see cref="Grad"/> during <see cref="Backward"/> (leaves always do).</summary>
    public void RetainGrad()
    {
        if (!RequiresGrad)
            throw new InvalidOperationException($"RetainGrad: {Describe()} does not require grad, so no gradient will reach it.");
        RetainsGrad = true;
    }

    /// <summary>
    /// Registers <paramref name="hook"/> to run on this Variable's gradient during every <see cref="Backward"/>, once the
    /// gradients from all its uses are summed and before it is accumulated (leaf) or sent on (non-leaf). The hook may
    /// return a replacement gradient of the same shape, or null to keep it (as PyTorch's <c>register_hook</c>).
    /// The tensor it receives is its own to keep; it must not be modified in place.
    /// </summary>
    /// <returns>A handle whose <c>Dispose</c> removes the hook.</returns>
    public IDisposable RegisterHook(Func<Tensor, Tensor?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!RequiresGrad)
            throw new InvalidOperationException($"RegisterHook: {Describe()} does not require grad, so no gradient will reach the hook.");
        var entry = new GradientHook(this, hook);
        (_hooks ??= new List<GradientHook>()).Add(entry);
        return entry;
    }

    internal void RemoveHook(GradientHook hook) => _hooks?.Remove(hook);

    /// <summary>The single value of a one-element Variable.</summary>
    public float Item() => Data.Item();

    /// <summary>A short description for messages: the name, or the op that produced it, and the shape.</summary>
    internal string Describe()
    {
        if (Name is not null) return $"'{Name}'";
        return IsLeaf ? $"a leaf of shape {Shape}" : $"the output of {GradFn!.Op}";
    }

    /// <summary>Formats like <c>Variable 'w' [2, 3] requires_grad grad_fn=MatMul: Tensor[2, 3] [...]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Variable");
        if (Name is not null) sb.Append(" '").Append(Name).Append('\'');
        if (RequiresGrad) sb.Append(" requires_grad");
        if (GradFn is not null) sb.Append(" grad_fn=").Append(GradFn.Op);
        return _disposed ? sb.Append(": (disposed)").ToString() : sb.Append(": ").Append(_data).ToString();
    }
}
