namespace NetFromScratch.Tensors;

public sealed partial class Tensor
{
    /// <summary>A tensor whose elements are unspecified (the backend may hand out a pooled buffer).</summary>
    public static Tensor Empty(Shape shape, Device? device = null)
    {
        device ??= Device.Cpu;
        return new Tensor(device.Backend.Allocate(shape.Numel, zero: false), shape);
    }

    /// <summary>All zeros.</summary>
    public static Tensor Zeros(Shape shape, Device? device = null)
    {
        device ??= Device.Cpu;
        return new Tensor(device.Backend.Allocate(shape.Numel, zero: true), shape);
    }

    /// <summary>All ones.</summary>
    public static Tensor Ones(Shape shape, Device? device = null) => Full(shape, 1f, device);

    /// <summary>Every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, float value, Device? device = null)
    {
        var t = Empty(shape, device);
        t.Backend.Fill(t, value);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value, Device? device = null) => Full(Shape.Scalar, value, device);

    /// <summary>Zeros with the shape and device of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.Shape, like.Device);

    /// <summary>Ones with the shape and device of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Ones(like.Shape, like.Device);

    /// <summary>Copies <paramref name="data"/> (row-major) into a tensor of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The data length differs from the shape's element count.</exception>
    public static Tensor FromArray(float[] data, Shape shape, Device? device = null) => FromSpan(data, shape, device);

    /// <summary>A 1-D tensor holding <paramref name="data"/>.</summary>
    public static Tensor FromArray(params float[] data) => FromSpan(data, new Shape(data.Length));

    /// <summary>Copies <paramref name="data"/> (row-major) into a tensor of <paramref name="shape"/>.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> data, Shape shape, Device? device = null)
    {
        if (data.Length != shape.Numel)
            throw new ArgumentException($"FromArray: {data.Length} values cannot fill shape {shape} ({shape.Numel} elements).");
        device ??= Device.Cpu;
        return new Tensor(device.Backend.Upload(data), shape);
    }

    /// <summary>A 2-D tensor from a rectangular C# array.</summary>
    public static Tensor FromArray(float[,] data, Device? device = null)
    {
        int r = data.GetLength(0), c = data.GetLength(1);
        var flat = new float[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) flat[i * c + j] = data[i, j];
        return FromSpan(flat, new Shape(r, c), device);
    }

    /// <summary>Values <c>start, start+step, ...</c> below <paramref name="end"/>. Shape: <c>[ceil((end-start)/step)]</c>.</summary>
    public static Tensor Arange(float start, float end, float step = 1f, Device? device = null)
    {
        if (step == 0 || float.IsNaN(step)) throw new ArgumentException($"Arange: step must be non-zero, got {step}.");
        double count = Math.Ceiling((end - (double)start) / step);
        if (count > int.MaxValue) throw new ArgumentException($"Arange: [{start}, {end}) with step {step} has too many elements.");
        int n = Math.Max(0, (int)count);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)(start + (double)i * step);
        return FromSpan(data, new Shape(n), device);
    }

    /// <summary>Values 0, 1, ..., end-1.</summary>
    public static Tensor Arange(int end, Device? device = null) => Arange(0, end, 1, device);

    /// <summary><paramref name="count"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    public static Tensor Linspace(float start, float end, int count, Device? device = null)
    {
        if (count < 0) throw new ArgumentException($"Linspace: count must not be negative, got {count}.");
        var data = new float[count];
        for (int i = 0; i < count; i++)
            data[i] = count == 1 ? start : (float)(start + (end - (double)start) * i / (count - 1));
        return FromSpan(data, new Shape(count), device);
    }

    /// <summary>Identity matrix. Shape: <c>[n, m]</c> (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null, Device? device = null)
    {
        int cols = m ?? n;
        if (n < 0 || cols < 0) throw new ArgumentException($"Eye: sizes must not be negative, got {n} x {cols}.");
        var data = new float[n * cols];
        for (int i = 0; i < Math.Min(n, cols); i++) data[i * cols + i] = 1f;
        return FromSpan(data, new Shape(n, cols), device);
    }

    /// <summary>Uniform on [0, 1).</summary>
    public static Tensor Rand(Shape shape, Generator? generator = null, Device? device = null) =>
        Random(shape, RandomDistribution.Uniform, 0f, 1f, generator, device);

    /// <summary>Standard normal.</summary>
    public static Tensor Randn(Shape shape, Generator? generator = null, Device? device = null) =>
        Random(shape, RandomDistribution.Normal, 0f, 1f, generator, device);

    /// <summary>Uniform on [low, high).</summary>
    public static Tensor Uniform(Shape shape, float low, float high, Generator? generator = null, Device? device = null) =>
        Random(shape, RandomDistribution.Uniform, low, high, generator, device);

    /// <summary>Normal with the given mean and standard deviation.</summary>
    public static Tensor Normal(Shape shape, float mean, float std, Generator? generator = null, Device? device = null)
    {
        if (std < 0) throw new ArgumentException($"Normal: standard deviation must not be negative, got {std}.");
        return Random(shape, RandomDistribution.Normal, mean, std, generator, device);
    }

    /// <summary>1 with probability <paramref name="p"/>, else 0.</summary>
    public static Tensor Bernoulli(Shape shape, float p, Generator? generator = null, Device? device = null)
    {
        if (p < 0 || p > 1 || float.IsNaN(p)) throw new ArgumentException($"Bernoulli: probability must be in [0, 1], got {p}.");
        return Random(shape, RandomDistribution.Bernoulli, p, 0f, generator, device);
    }

    private static Tensor Random(Shape shape, RandomDistribution distribution, float a, float b, Generator? generator, Device? device)
    {
        generator ??= Generator.Default;
        var t = Empty(shape, device);
        if (t.Numel > 0)
            t.Backend.FillRandom(t, distribution, generator.Seed, generator.Advance(t.Numel), a, b);
        return t;
    }
}
