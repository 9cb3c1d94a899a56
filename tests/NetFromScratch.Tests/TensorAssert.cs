using NetFromScratch.Tensors;

namespace NetFromScratch.Tests;

/// <summary>Comparisons of tensors with scalar references, with failure messages that show where they differ.</summary>
public static class TensorAssert
{
    /// <summary>
    /// Asserts shape equality and <c>|actual - expected| &lt;= atol + rtol * |expected|</c> elementwise
    /// (NaN matches NaN, infinities must match exactly).
    /// </summary>
    public static void Close(float[] expected, Tensor actual, float atol = 1e-5f, float rtol = 1e-5f, Shape? shape = null)
    {
        if (shape is { } s) Assert.That(actual.Shape, Is.EqualTo(s), "shape");
        var got = actual.ToArray();
        Close(expected, got, atol, rtol);
    }

    /// <summary>Elementwise closeness of two arrays.</summary>
    public static void Close(float[] expected, float[] actual, float atol = 1e-5f, float rtol = 1e-5f)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), "element count");
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e) && float.IsNaN(a)) continue;
            if (float.IsInfinity(e) || float.IsInfinity(a))
            {
                if (e != a) Assert.Fail($"element {i}: expected {e}, got {a}");
                continue;
            }
            if (!(MathF.Abs(a - e) <= atol + rtol * MathF.Abs(e)))
                Assert.Fail($"element {i}: expected {e}, got {a} (|diff| {MathF.Abs(a - e)} > {atol} + {rtol}*|expected|)");
        }
    }

    /// <summary>Deterministic test data in [-1, 1): the same on every run and every backend.</summary>
    public static float[] RandomData(int count, int seed = 1)
    {
        var rng = new Random(seed);
        var data = new float[count];
        for (int i = 0; i < count; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }
}
