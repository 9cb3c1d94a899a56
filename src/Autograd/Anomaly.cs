namespace NetFromScratch.Autograd;

/// <summary>
/// Anomaly detection: while enabled on the current thread, every op checks its output, and every backward rule its
/// gradients, for NaN and infinity, and fails naming the first op that produced one. Slow (each check reads the
/// data back to the host); for debugging only. <c>using (Anomaly.Scope()) { ... }</c> or <see cref="Enable"/>.
/// </summary>
public static class Anomaly
{
    [ThreadStatic] private static int _depth;

    /// <summary>True while detection is on for this thread.</summary>
    public static bool IsEnabled => _depth > 0;

    /// <summary>Turns detection on for this thread until <see cref="Disable"/>.</summary>
    public static void Enable() => _depth++;

    /// <summary>Undoes one <see cref="Enable"/>.</summary>
    public static void Disable() => _depth = Math.Max(0, _depth - 1);

    /// <summary>Turns detection on until the returned object is disposed.</summary>
    public static IDisposable Scope()
    {
        Enable();
        return new Closer();
    }

    /// <summary>Throws <see cref="AnomalyException"/> if <paramref name="values"/> holds a NaN or an infinity.</summary>
    internal static void Check(Tensors.Tensor values, Func<string> where)
    {
        var data = values.ToArray();
        for (int i = 0; i < data.Length; i++)
        {
            if (float.IsFinite(data[i])) continue;
            string what = float.IsNaN(data[i]) ? "NaN" : "an infinity";
            throw new AnomalyException($"Anomaly: {where()} produced {what} (first at flat element {i} of shape {values.Shape}).");
        }
    }

    private sealed class Closer : IDisposable
    {
        private bool _closed;

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            Disable();
        }
    }
}
