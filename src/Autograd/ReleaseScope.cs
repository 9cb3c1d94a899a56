namespace NetFromScratch.Autograd;

/// <summary>
/// Frees, when it closes, what ops computed inside it without recording a graph: the data of every such Variable goes
/// back to the device's buffer pool, except the Variables passed to <see cref="Keep"/>. Those results are otherwise
/// left to the garbage collector, and every batch allocates them afresh. They are every result under
/// <see cref="NoGrad"/> (open the scope with <see cref="InferenceMode.Enter"/> for that), and in a training step the
/// activations of frozen layers, whose inputs and parameters need no gradient.
/// <code>
/// using (var scope = ReleaseScope.Enter())   // a step of a partly frozen model
/// {
///     var loss = lossFn.Forward(model.Forward(batch), targets);
///     loss.Backward();
///     optimizer.Step();
///     loss.DisposeGraph();                  // the recorded part; the scope frees the frozen part
/// }
/// </code>
/// </summary>
/// <remarks>
/// <para>Reading the data of a released Variable afterwards throws <see cref="ObjectDisposedException"/>, as after
/// <see cref="Variable.DisposeGraph"/>. Views share their buffer by reference count, so a kept view of a released
/// result stays valid. Leaves (inputs, parameters) and results that record a graph are never released here.</para>
/// <para>Scopes nest and are per thread; a Variable kept by an inner scope belongs to the enclosing one, which releases
/// it in turn unless it keeps it too. Close scopes in the reverse order of opening, on the opening thread.</para>
/// </remarks>
public sealed class ReleaseScope : IDisposable
{
    [ThreadStatic] private static ReleaseScope? _current;

    private readonly ReleaseScope? _outer;
    private readonly IDisposable? _noGrad;
    private List<Variable>? _made = new();
    private HashSet<Variable>? _kept;

    private ReleaseScope(bool noGrad)
    {
        _outer = _current;
        _noGrad = noGrad ? NoGrad.Scope() : null;
        _current = this;
    }

    /// <summary>Opens a scope on the current thread; grad mode stays as it is.</summary>
    public static ReleaseScope Enter() => new(noGrad: false);

    /// <summary>Opens a scope that also turns grad mode off until it closes (<see cref="InferenceMode.Enter"/>).</summary>
    internal static ReleaseScope EnterWithoutGrad() => new(noGrad: true);

    /// <summary>True while a scope is open on this thread.</summary>
    public static bool IsActive => _current is not null;

    /// <summary>Exempts <paramref name="variable"/> from release when this scope closes, and returns it.</summary>
    /// <exception cref="ObjectDisposedException">The scope is already closed.</exception>
    public Variable Keep(Variable variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (_made is null) throw new ObjectDisposedException(nameof(ReleaseScope), "ReleaseScope.Keep: the scope is already closed; keep results before it ends.");
        (_kept ??= new HashSet<Variable>(ReferenceEqualityComparer.Instance)).Add(variable);
        return variable;
    }

    /// <summary>Called for every op result that records no graph: the innermost open scope, if any, takes it.</summary>
    internal static void Track(Variable made) => _current?._made!.Add(made);

    /// <summary>Closes the scope: grad mode returns to what it was, and every Variable made inside and not kept is released.</summary>
    /// <exception cref="InvalidOperationException">An inner scope is still open, or this is another thread.</exception>
    public void Dispose()
    {
        if (_made is null) return;
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("ReleaseScope: close scopes in the reverse order they were opened, on the thread that opened them.");
        _current = _outer;
        _noGrad?.Dispose();
        var made = _made;
        _made = null;
        foreach (var variable in made)
        {
            if (_kept is not null && _kept.Contains(variable)) _outer?._made!.Add(variable);
            else variable.ReleaseData();
        }
    }
}
