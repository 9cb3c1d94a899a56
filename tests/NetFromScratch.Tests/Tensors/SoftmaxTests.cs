using NetFromScratch.Tensors;
using static NetFromScratch.Tests.Tensors.ElementwiseReference;
using static NetFromScratch.Tests.Tensors.StridedReference;

namespace NetFromScratch.Tests.Tensors;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class SoftmaxTests(Device device)
{
    /// <summary>Softmax (or log-softmax) along <paramref name="axis"/> in double, the maximum subtracted first.</summary>
    private static float[] Reference(float[] values, int[] shape, int axis, bool log)
    {
        var result = new float[values.Length];
        int n = shape[axis], inner = 1;
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        int outer = values.Length / Math.Max(1, n * inner);
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < inner; k++)
            {
                int At(int i) => (o * n + i) * inner + k;
                double m = double.NegativeInfinity;
                for (int i = 0; i < n; i++) m = Math.Max(m, values[At(i)]);
                if (double.IsNegativeInfinity(m)) m = 0;
                double sum = 0;
                for (int i = 0; i < n; i++) sum += Math.Exp(values[At(i)] - m);
                for (int i = 0; i < n; i++)
                    result[At(i)] = (float)(log ? values[At(i)] - m - Math.Log(sum) : Math.Exp(values[At(i)] - m) / sum);
            }
        return result;
    }

    [Test]
    public void SoftmaxAndLogSoftmaxMatchTheReferenceAlongEveryAxisAndView()
    {
        int[][] shapes = [[1], [7], [33], [1000], [4, 9], [3, 1, 5], [2, 3, 17], [2, 300, 3]];
        int seed = 0;
        foreach (var shape in shapes)
            foreach (var c in Views(shape, n => Data(n, ++seed, scale: 5f), device))
                for (int axis = -shape.Length; axis < shape.Length; axis++)
                    foreach (bool log in new[] { false, true })
                    {
                        int a = axis < 0 ? axis + shape.Length : axis;
                        var expected = Reference(c.Values, shape, a, log);
                        var y = log ? c.View.LogSoftmax(axis) : c.View.Softmax(axis);
                        AssertClose($"{(log ? "LogSoftmax" : "Softmax")} axis {axis} of {c}", expected, y, 1e-7f, 1e-6f, shape);
                    }
    }

    [Test]
    public void RowsSumToOneAndLargeInputsStayFinite()
    {
        var data = Data(1024 * 300, 3, scale: 1000f);
        foreach (var (x, axis) in new[]
                 {
                     (Tensor.FromArray(data, new Shape(300, 1024), device), 1),
                     (Tensor.FromArray(data, new Shape(300, 1024), device), 0),
                     (Tensor.FromArray(data, new Shape(1024, 300), device).T, 1),
                     (Tensor.FromArray(data, new Shape(4, 300, 256), device), 1),
                 })
        {
            var y = x.Softmax(axis);
            var sums = y.Sum(axis).ToArray();
            Assert.That(sums, Is.All.EqualTo(1f).Within(1e-5f), $"axis {axis} of {x.Shape}");
            Assert.That(y.ToArray(), Is.All.InRange(0f, 1f));
            var logY = x.LogSoftmax(axis).ToArray();
            Assert.That(logY.All(float.IsFinite), Is.True, "log-softmax of inputs near +-1000 is finite");
            AssertClose($"LogSoftmax axis {axis} of {x.Shape}", Reference(Logical(data, x), x.Shape.ToArray(), axis, log: true),
                x.LogSoftmax(axis), 1e-4f, 1e-6f);
        }
        var extreme = Tensor.FromArray([1000f, 1000f, -1000f, 0f], new Shape(1, 4), device);
        Assert.That(extreme.Softmax().ToArray(), Is.EqualTo(new[] { 0.5f, 0.5f, 0f, 0f }).Within(1e-7f));
        Assert.That(extreme.LogSoftmax().ToArray()[0], Is.EqualTo(-MathF.Log(2f)).Within(1e-6f));
    }

    [Test]
    public void MaskedEntriesGetZeroProbability()
    {
        float ninf = float.NegativeInfinity;
        var x = Tensor.FromArray([1f, ninf, 2f, ninf, ninf, ninf, 0f, 0f, ninf], new Shape(3, 3), device);
        var y = x.Softmax(1).ToArray();
        Assert.That(y[1], Is.Zero);
        Assert.That(y[0] + y[2], Is.EqualTo(1f).Within(1e-6f));
        Assert.That(y[6], Is.EqualTo(0.5f).Within(1e-7f));
        Assert.That(y[8], Is.Zero);
        // A fully masked row has no distribution: 0 / 0, as in PyTorch.
        Assert.That(y[3..6], Is.All.NaN);
        Assert.That(x.LogSoftmax(1).ToArray()[1], Is.EqualTo(ninf));
        var columns = x.T.Contiguous().Softmax(0).T.Contiguous().ToArray();
        Assert.That(columns[1], Is.Zero);
        Assert.That(columns[3..6], Is.All.NaN);
    }

    [Test]
    public void BadAxisNamesTheOpTheAxisAndTheShape()
    {
        var x = Tensor.Zeros(new Shape(2, 3), device);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Softmax(2))!;
        Assert.That(e.Message, Does.Contain("Softmax").And.Contain("axis 2").And.Contain("[2, 3]"));
        var l = Assert.Throws<ArgumentOutOfRangeException>(() => x.LogSoftmax(-3))!;
        Assert.That(l.Message, Does.Contain("LogSoftmax").And.Contain("axis -3").And.Contain("[2, 3]"));
    }
}
