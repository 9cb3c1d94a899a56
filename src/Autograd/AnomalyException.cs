namespace NetFromScratch.Autograd;

/// <summary>Thrown in <see cref="Anomaly"/> mode when an op or a backward rule produces a NaN or an infinity.</summary>
public sealed class AnomalyException : Exception
{
    /// <summary>Creates the exception with a message naming the op.</summary>
    public AnomalyException(string message) : base(message) { }
}
