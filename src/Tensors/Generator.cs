namespace NetFromScratch.Tensors;

/// <summary>
/// A seeded source of random tensors: a Philox key (the seed) and a running counter. Each draw of
/// <c>n</c> elements uses counters <c>[Offset, Offset + n)</c> and advances <see cref="Offset"/> by n, so
/// saving (Seed, Offset) in a checkpoint and restoring it resumes the exact stream.
/// </summary>
public sealed class Generator
{
    private static Generator _default = new(0x5EEDUL);

    /// <summary>Creates a generator at the start of the stream for <paramref name="seed"/>.</summary>
    public Generator(ulong seed, ulong offset = 0)
    {
        Seed = seed;
        Offset = offset;
    }

    /// <summary>The generator used when none is given; <see cref="ManualSeed"/> resets it.</summary>
    public static Generator Default => _default;

    /// <summary>Replaces the default generator with a fresh one for <paramref name="seed"/> (as torch.manual_seed).</summary>
    public static void ManualSeed(ulong seed) => _default = new Generator(seed);

    /// <summary>The Philox key.</summary>
    public ulong Seed { get; }

    /// <summary>The next counter to be used.</summary>
    public ulong Offset { get; set; }

    /// <summary>Reserves <paramref name="count"/> counters and returns the first.</summary>
    public ulong Advance(int count)
    {
        lock (this)
        {
            ulong start = Offset;
            Offset += (ulong)count;
            return start;
        }
    }

    /// <summary>A uniform float in [0, 1) for host-side decisions (shuffling, augmentation parameters).</summary>
    public float NextFloat() => Philox.Sample(RandomDistribution.Uniform, Seed, Advance(1), 0f, 1f);

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"NextInt: the exclusive upper bound must be positive, got {maxExclusive}.");
        var (x0, x1, _, _) = Philox.Block(Advance(1), Seed);
        ulong bits = ((ulong)x1 << 32) | x0;
        return (int)(bits % (ulong)maxExclusive);
    }
}
