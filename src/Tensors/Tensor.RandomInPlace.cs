namespace NetFromScratch.Tensors;

public sealed partial class Tensor
{
    /// <summary>Overwrites this tensor with uniform values on [low, high) (as torch's <c>uniform_</c>).</summary>
    public Tensor UniformInPlace(float low, float high, Generator? generator = null) =>
        FillRandomInPlace(RandomDistribution.Uniform, low, high, generator);

    /// <summary>Overwrites this tensor with normal values (as torch's <c>normal_</c>).</summary>
    public Tensor NormalInPlace(float mean, float std, Generator? generator = null)
    {
        if (std < 0) throw new ArgumentException($"NormalInPlace: standard deviation must not be negative, got {std}.");
        return FillRandomInPlace(RandomDistribution.Normal, mean, std, generator);
    }

    /// <summary>Overwrites this tensor with 0/1 values, 1 with probability <paramref name="p"/> (as torch's <c>bernoulli_</c>).</summary>
    public Tensor BernoulliInPlace(float p, Generator? generator = null)
    {
        if (p < 0 || p > 1 || float.IsNaN(p)) throw new ArgumentException($"BernoulliInPlace: probability must be in [0, 1], got {p}.");
        return FillRandomInPlace(RandomDistribution.Bernoulli, p, 0f, generator);
    }

    // The kernel writes contiguous memory; a strided target is filled through a contiguous temporary so that element i
    // (in row-major order) still draws counter offset + i.
    private Tensor FillRandomInPlace(RandomDistribution distribution, float a, float b, Generator? generator)
    {
        generator ??= Generator.Default;
        if (Numel == 0) return this;
        ulong counter = generator.Advance(Numel);
        if (IsContiguous)
        {
            Backend.FillRandom(this, distribution, generator.Seed, counter, a, b);
            return this;
        }
        using var tmp = Empty(Shape, Device);
        Backend.FillRandom(tmp, distribution, generator.Seed, counter, a, b);
        Backend.Copy(tmp, this);
        return this;
    }
}
