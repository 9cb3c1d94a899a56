namespace NetFromScratch.Tensors;

/// <summary>
/// The Philox4x32-10 counter-based generator (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
/// A pure function of (counter, key): element <c>i</c> of a random tensor uses counter <c>offset + i</c>, so the
/// numbers do not depend on how the work is split across threads or devices.
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Ten rounds of Philox4x32 on the 128-bit counter <c>(c0..c3)</c> with the 64-bit key <c>(k0, k1)</c>.</summary>
    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
            uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
            k0 += W0;
            k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>The block for a 64-bit counter and a 64-bit seed.</summary>
    public static (uint, uint, uint, uint) Block(ulong counter, ulong seed) =>
        Block((uint)counter, (uint)(counter >> 32), 0u, 0u, (uint)seed, (uint)(seed >> 32));

    /// <summary>Maps 32 random bits to a float in [0, 1) using the top 24 bits (exactly representable).</summary>
    public static float ToUnitFloat(uint bits) => (bits >> 8) * (1.0f / 16777216.0f);

    /// <summary>
    /// Sample <c>i</c> of a distribution: uniform on [a, b), normal(a, b) by Box-Muller on the block's first two
    /// words, or Bernoulli(a). This is the scalar reference every backend's kernel must match.
    /// </summary>
    public static float Sample(RandomDistribution distribution, ulong seed, ulong counter, float a, float b)
    {
        var (x0, x1, _, _) = Block(counter, seed);
        return FromWords(distribution, x0, x1, a, b);
    }

    /// <summary>
    /// The sample made from the first two words <paramref name="x0"/>, <paramref name="x1"/> of a block: the one
    /// formula that <see cref="Sample"/> and every vectorised generator apply after computing blocks their own way.
    /// </summary>
    public static float FromWords(RandomDistribution distribution, uint x0, uint x1, float a, float b)
    {
        switch (distribution)
        {
            case RandomDistribution.Uniform:
                return a + (b - a) * ToUnitFloat(x0);
            case RandomDistribution.Bernoulli:
                return ToUnitFloat(x0) < a ? 1f : 0f;
            default:
                // u1 in (0, 1] keeps the logarithm finite.
                float u1 = ((x0 >> 8) + 1) * (1.0f / 16777216.0f);
                float u2 = ToUnitFloat(x1);
                float r = MathF.Sqrt(-2f * MathF.Log(u1));
                return a + b * r * MathF.Cos(2f * MathF.PI * u2);
        }
    }
}
