namespace NetFromScratch.Onnx.Import.Ops;

/// <summary>
/// The window geometry shared by Conv and the pools: kernel, strides, dilations and padding, for one or two spatial
/// axes (1-D ops run as 2-D ones with a height of 1). Explicit pads are fixed at load time; <c>auto_pad</c> SAME
/// padding depends on the input size and is worked out per call.
/// </summary>
internal sealed class SpatialAttributes
{
    private readonly string _autoPad;
    private readonly int[]? _pads;

    private SpatialAttributes(int rank, int[]? kernel, int[] strides, int[] dilations, int[]? pads, string autoPad)
    {
        Rank = rank;
        Kernel = kernel;
        Strides = strides;
        Dilations = dilations;
        _pads = pads;
        _autoPad = autoPad;
    }

    /// <summary>Number of spatial axes, 1 or 2.</summary>
    public int Rank { get; }

    /// <summary>The window, or null when it comes from the weight (Conv without <c>kernel_shape</c>).</summary>
    public int[]? Kernel { get; }

    public int[] Strides { get; }

    public int[] Dilations { get; }

    /// <summary>
    /// Reads the attributes. The number of spatial axes comes from <c>kernel_shape</c>, else from the other
    /// attributes, else is 2.
    /// </summary>
    public static SpatialAttributes Read(NodeCompilation c, bool kernelRequired)
    {
        var kernel = c.Ints("kernel_shape");
        if (kernel is null && kernelRequired) throw c.Error("attribute 'kernel_shape' is required.");
        var strides = c.Ints("strides");
        var dilations = c.Ints("dilations");
        var pads = c.Ints("pads");
        int rank = kernel?.Length ?? strides?.Length ?? dilations?.Length ?? (pads is null ? 2 : pads.Length / 2);
        if (rank is < 1 or > 2)
            throw c.Error($"only 1-D and 2-D windows are supported; this node has {rank} spatial axes.");
        Check(c, "kernel_shape", kernel, rank, 1);
        Check(c, "strides", strides, rank, 1);
        Check(c, "dilations", dilations, rank, 1);
        if (pads is not null && pads.Length != 2 * rank)
            throw c.Error($"attribute 'pads' must hold {2 * rank} values (begin and end for each of {rank} axes), got {pads.Length}.");
        if (pads is not null && pads.Any(p => p < 0)) throw c.Error($"attribute 'pads' must not be negative, got [{string.Join(", ", pads)}].");
        string autoPad = c.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID"))
            throw c.Error($"attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '{autoPad}'.");
        return new SpatialAttributes(rank,
            kernel?.Select(k => c.ToInt(k, "kernel size")).ToArray(),
            strides?.Select(s => c.ToInt(s, "stride")).ToArray() ?? Enumerable.Repeat(1, rank).ToArray(),
            dilations?.Select(d => c.ToInt(d, "dilation")).ToArray() ?? Enumerable.Repeat(1, rank).ToArray(),
            autoPad == "NOTSET" ? pads?.Select(p => c.ToInt(p, "pad")).ToArray() ?? new int[2 * rank] : null,
            autoPad);
    }

    private static void Check(NodeCompilation c, string name, long[]? values, int rank, long min)
    {
        if (values is null) return;
        if (values.Length != rank) throw c.Error($"attribute '{name}' must hold {rank} values, got {values.Length}.");
        if (values.Any(v => v < min)) throw c.Error($"attribute '{name}' must be at least {min}, got [{string.Join(", ", values)}].");
    }

    /// <summary>
    /// The padding before and after each spatial axis for an input of spatial size <paramref name="input"/> and window
    /// <paramref name="kernel"/>: the explicit pads, zero for VALID, or SAME's split of
    /// <c>max(0, (ceil(in/s) - 1) s + (k - 1) d + 1 - in)</c> (the extra one at the end for SAME_UPPER).
    /// </summary>
    public (int[] Begin, int[] End) Pads(ReadOnlySpan<int> input, ReadOnlySpan<int> kernel)
    {
        var begin = new int[Rank];
        var end = new int[Rank];
        if (_pads is not null)
        {
            for (int i = 0; i < Rank; i++) { begin[i] = _pads[i]; end[i] = _pads[Rank + i]; }
            return (begin, end);
        }
        if (_autoPad == "VALID") return (begin, end);
        for (int i = 0; i < Rank; i++)
        {
            int outSize = (input[i] + Strides[i] - 1) / Strides[i];
            int total = Math.Max(0, (outSize - 1) * Strides[i] + (kernel[i] - 1) * Dilations[i] + 1 - input[i]);
            int small = total / 2, large = total - small;
            (begin[i], end[i]) = _autoPad == "SAME_UPPER" ? (small, large) : (large, small);
        }
        return (begin, end);
    }

    /// <summary>Lifts a 1-D value to 2-D (a height of 1): per-axis lists get the identity value in front.</summary>
    public static int[] Lift(int[] values, int rank, int identity) => rank == 2 ? values : [identity, .. values];
}
