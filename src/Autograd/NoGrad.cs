namespace NetFromScratch.Autograd;

/// <summary>
/// Turns graph recording off on the current thread, for inference and for parameter updates:
/// <c>using (NoGrad.Scope()) { ... }</c>. Ops inside a scope return leaves that do not require grad.
/// Scopes nest; each thread has its own setting.
/// </summary>
public static class NoGrad
{
    [ThreadStatic] private static int _depth;

    /// <summary>True while at least one scope is open on this thread.</summary>
    public static bool IsActive => _depth > 0;

    /// <summary>Opens a scope; disposing the returned object closes it.</summary>
    public static IDisposable Scope()
    {
        _depth++;
        return new Closer();
    }

    private sealed class Closer : IDisposable
    {
        private bool _closed;

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            _depth--;
        }
    }
}
