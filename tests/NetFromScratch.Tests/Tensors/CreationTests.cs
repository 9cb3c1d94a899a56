using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class CreationTests(Device device)
{
    [Test]
    public void ArangeCountsUpAndDownAndStopsBeforeTheEnd()
    {
        Assert.That(Tensor.Arange(5, device).ToArray(), Is.EqualTo(new float[] { 0, 1, 2, 3, 4 }));
        Assert.That(Tensor.Arange(1f, 2f, 0.25f, device).ToArray(), Is.EqualTo(new[] { 1f, 1.25f, 1.5f, 1.75f }));
        Assert.That(Tensor.Arange(5f, 0f, -2f, device).ToArray(), Is.EqualTo(new float[] { 5, 3, 1 }));
        var tenths = Tensor.Arange(0f, 1f, 0.1f, device);
        Assert.That(tenths.Shape, Is.EqualTo(new Shape(10)));
        Assert.That(tenths.ToArray()[9], Is.EqualTo(0.9f).Within(1e-6f));
        Assert.That(Tensor.Arange(3f, 3f, 1f, device).Shape, Is.EqualTo(new Shape(0)));
        Assert.That(Tensor.Arange(3f, 1f, 1f, device).Shape, Is.EqualTo(new Shape(0)), "a step away from the end gives nothing");
        Assert.That(Tensor.Arange(3f, 1f, 1f, device).Device, Is.SameAs(device));
        var e = Assert.Throws<ArgumentException>(() => Tensor.Arange(0f, 1f, 0f, device))!;
        Assert.That(e.Message, Does.Contain("Arange").And.Contain("step"));
    }

    [Test]
    public void LinspaceIncludesBothEnds()
    {
        Assert.That(Tensor.Linspace(0f, 1f, 5, device).ToArray(), Is.EqualTo(new[] { 0f, 0.25f, 0.5f, 0.75f, 1f }));
        Assert.That(Tensor.Linspace(-1f, 1f, 3, device).ToArray(), Is.EqualTo(new[] { -1f, 0f, 1f }));
        var many = Tensor.Linspace(0.1f, 0.7f, 1001, device).ToArray();
        Assert.That(many[0], Is.EqualTo(0.1f));
        Assert.That(many[^1], Is.EqualTo(0.7f), "the end is exact");
        Assert.That(Tensor.Linspace(2f, 5f, 1, device).ToArray(), Is.EqualTo(new[] { 2f }));
        Assert.That(Tensor.Linspace(2f, 5f, 0, device).Shape, Is.EqualTo(new Shape(0)));
        var e = Assert.Throws<ArgumentException>(() => Tensor.Linspace(0f, 1f, -1, device))!;
        Assert.That(e.Message, Does.Contain("Linspace").And.Contain("-1"));
    }

    [Test]
    public void EyeIsSquareOrRectangular()
    {
        Assert.That(Tensor.Eye(3, device: device).ToArray(), Is.EqualTo(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }));
        var wide = Tensor.Eye(2, 4, device);
        Assert.That(wide.Shape, Is.EqualTo(new Shape(2, 4)));
        Assert.That(wide.ToArray(), Is.EqualTo(new float[] { 1, 0, 0, 0, 0, 1, 0, 0 }));
        Assert.That(Tensor.Eye(3, 1, device).ToArray(), Is.EqualTo(new float[] { 1, 0, 0 }));
        Assert.That(Tensor.Eye(0, device: device).Shape, Is.EqualTo(new Shape(0, 0)));
        var e = Assert.Throws<ArgumentException>(() => Tensor.Eye(-1, device: device))!;
        Assert.That(e.Message, Does.Contain("Eye"));
    }

    [Test]
    public void FullZerosOnesAndScalars()
    {
        foreach (var shape in new[] { new Shape(), new Shape(1), new Shape(7), new Shape(3, 1, 33), new Shape(200, 300), new Shape(0, 3) })
        {
            var full = Tensor.Full(shape, -2.5f, device);
            Assert.That(full.Shape, Is.EqualTo(shape));
            Assert.That(full.ToArray(), Has.Length.EqualTo(shape.Numel).And.All.EqualTo(-2.5f));
            Assert.That(Tensor.Zeros(shape, device).ToArray(), Is.All.Zero);
            Assert.That(Tensor.Ones(shape, device).ToArray(), Is.All.EqualTo(1f));
        }
        var s = Tensor.Scalar(4f, device);
        Assert.That(s.Rank, Is.Zero);
        Assert.That(s.Item(), Is.EqualTo(4f));
        var like = Tensor.Full(new Shape(2, 3), 9f, device);
        Assert.That(Tensor.ZerosLike(like).ToArray(), Is.EqualTo(new float[6]));
        Assert.That(Tensor.OnesLike(like).Shape, Is.EqualTo(new Shape(2, 3)));
        Assert.That(Tensor.Full(new Shape(3), float.NaN, device).ToArray(), Is.All.NaN);
    }

    [Test]
    public void FromArrayCopiesRowMajorAndChecksTheLength()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = Tensor.FromArray(data, new Shape(2, 3), device);
        data[0] = 100;
        Assert.That(t.ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }), "the tensor holds a copy");
        Assert.That(t[1, 2], Is.EqualTo(6f));
        Assert.That(t[-1, 0], Is.EqualTo(4f));
        var m = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }, device);
        Assert.That(m.Shape, Is.EqualTo(new Shape(3, 2)));
        Assert.That(m.ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(Tensor.FromArray(1f, 2f, 3f).Shape, Is.EqualTo(new Shape(3)));
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], new Shape(2, 3), device))!;
        Assert.That(e.Message, Does.Contain("FromArray").And.Contain("5").And.Contain("[2, 3]"));
    }
}
