namespace NetFromScratch.Autograd;

/// <summary>
/// Settings of <see cref="GradCheck"/>. The data are float32 (about 7 significant digits), which sets the defaults:
/// a central difference <c>(f(x+h) - f(x-h)) / 2h</c> has truncation error about <c>h^2 |f'''| / 6</c> and rounding
/// error about <c>1e-7 |f| / h</c>. With <c>h = 1e-2</c> both stay near 1e-4 for inputs and outputs of order 1;
/// <c>h = 1e-3</c> suits smooth functions of small values; below that rounding dominates.
/// An element passes when <c>|analytic - numeric| &lt;= AbsoluteTolerance + RelativeTolerance * |numeric|</c>.
/// </summary>
public sealed record GradCheckOptions
{
    /// <summary>The default settings: step 1e-2, tolerances 1e-2 absolute and 1e-2 relative.</summary>
    public static GradCheckOptions Default { get; } = new();

    /// <summary>The finite-difference step h added to and subtracted from each input element.</summary>
    public float Step { get; init; } = 1e-2f;

    /// <summary>Allowed absolute difference between the analytic and numeric gradients.</summary>
    public float AbsoluteTolerance { get; init; } = 1e-2f;

    /// <summary>Allowed difference relative to the numeric gradient's magnitude.</summary>
    public float RelativeTolerance { get; init; } = 1e-2f;

    /// <summary>Seed of the fixed random projection that reduces the output to a scalar.</summary>
    public int Seed { get; init; } = 1234;
}
