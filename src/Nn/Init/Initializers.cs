using NetFromScratch.Tensors;

namespace NetFromScratch.Nn.Init;

/// <summary>
/// Weight initialisers with PyTorch's formulas (torch.nn.init), each filling a tensor in place from a seeded
/// <see cref="Generator"/> (the default generator when none is given). Fans follow the weight layout
/// <c>[out, in, *kernel]</c>: fan_in = in * receptive field, fan_out = out * receptive field.
/// </summary>
public static class Initializers
{
    /// <summary>The recommended gain for <paramref name="nonlinearity"/> (torch.nn.init.calculate_gain).</summary>
    public static float Gain(Nonlinearity nonlinearity, float negativeSlope = 0.01f) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1f,
        Nonlinearity.Tanh => 5f / 3f,
        Nonlinearity.Relu => MathF.Sqrt(2f),
        Nonlinearity.LeakyRelu => MathF.Sqrt(2f / (1f + negativeSlope * negativeSlope)),
        Nonlinearity.Selu => 0.75f,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity)),
    };

    /// <summary>(fan_in, fan_out) of a weight of shape <c>[out, in, *kernel]</c>.</summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank < 2)
            throw new ArgumentException($"Fans: fan in and fan out need at least 2 dimensions, got shape {shape}.");
        int receptive = 1;
        for (int i = 2; i < shape.Rank; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>Uniform on [low, high).</summary>
    public static Tensor Uniform(Tensor t, float low = 0f, float high = 1f, Generator? generator = null) =>
        t.UniformInPlace(low, high, generator);

    /// <summary>Normal with the given mean and standard deviation.</summary>
    public static Tensor Normal(Tensor t, float mean = 0f, float std = 1f, Generator? generator = null) =>
        t.NormalInPlace(mean, std, generator);

    /// <summary>All zeros.</summary>
    public static Tensor Zeros(Tensor t) => t.FillInPlace(0f);

    /// <summary>All ones.</summary>
    public static Tensor Ones(Tensor t) => t.FillInPlace(1f);

    /// <summary>Every element <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor t, float value) => t.FillInPlace(value);

    /// <summary>Xavier/Glorot uniform: U(-a, a) with <c>a = gain * sqrt(6 / (fan_in + fan_out))</c>.</summary>
    public static Tensor XavierUniform(Tensor t, float gain = 1f, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t.Shape);
        float a = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        return Uniform(t, -a, a, generator);
    }

    /// <summary>Xavier/Glorot normal: N(0, std^2) with <c>std = gain * sqrt(2 / (fan_in + fan_out))</c>.</summary>
    public static Tensor XavierNormal(Tensor t, float gain = 1f, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t.Shape);
        return Normal(t, 0f, gain * MathF.Sqrt(2f / (fanIn + fanOut)), generator);
    }

    /// <summary>
    /// He/Kaiming uniform: U(-b, b) with <c>b = gain * sqrt(3 / fan)</c>, gain from <paramref name="nonlinearity"/>
    /// (with slope <paramref name="a"/> for leaky ReLU).
    /// </summary>
    public static Tensor KaimingUniform(Tensor t, float a = 0f, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
    {
        float bound = Gain(nonlinearity, a) * MathF.Sqrt(3f / Fan(t.Shape, mode));
        return Uniform(t, -bound, bound, generator);
    }

    /// <summary>He/Kaiming normal: N(0, std^2) with <c>std = gain / sqrt(fan)</c>.</summary>
    public static Tensor KaimingNormal(Tensor t, float a = 0f, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null) =>
        Normal(t, 0f, Gain(nonlinearity, a) / MathF.Sqrt(Fan(t.Shape, mode)), generator);

    /// <summary>
    /// A (semi-)orthogonal matrix: rows (or columns) orthonormal, times <paramref name="gain"/>, from the QR
    /// decomposition of a normal random matrix with the signs of R's diagonal folded in (Saxe et al., 2013).
    /// Dimensions past the first are flattened.
    /// </summary>
    public static Tensor Orthogonal(Tensor t, float gain = 1f, Generator? generator = null)
    {
        if (t.Rank < 2) throw new ArgumentException($"Orthogonal: needs at least 2 dimensions, got shape {t.Shape}.");
        int rows = t.Shape[0], cols = t.Numel / Math.Max(rows, 1);
        var flat = Tensor.Normal(new Shape(rows, cols), 0f, 1f, generator).ToArray();
        // Work on the tall orientation so Gram-Schmidt produces orthonormal columns.
        bool transpose = rows < cols;
        int m = transpose ? cols : rows, n = transpose ? rows : cols;
        var a = new double[m, n];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (transpose) a[j, i] = flat[i * cols + j]; else a[i, j] = flat[i * cols + j];
        // Modified Gram-Schmidt: Q's columns; R's diagonal sign is kept positive by construction (norms).
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < m; i++) dot += a[i, k] * a[i, j];
                for (int i = 0; i < m; i++) a[i, j] -= dot * a[i, k];
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += a[i, j] * a[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < m; i++) a[i, j] /= norm;
        }
        var result = new float[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                result[i * cols + j] = gain * (float)(transpose ? a[j, i] : a[i, j]);
        return Fill(t, Tensor.FromArray(result, t.Shape, t.Device));
    }

    private static int Fan(Shape shape, FanMode mode)
    {
        var (fanIn, fanOut) = Fans(shape);
        return mode == FanMode.FanIn ? fanIn : fanOut;
    }

    private static Tensor Fill(Tensor target, Tensor values)
    {
        target.CopyFrom(values);
        values.Dispose();
        return target;
    }
}
