using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Tensors;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class ViewTests(Device device)
{
    private Tensor Arange(params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, new Shape(shape).Numel).Select(i => (float)i).ToArray(), shape, device);

    [Test]
    public void ReshapeOfContiguousIsAViewSharingStorage()
    {
        var x = Arange(2, 3, 4);
        var y = x.Reshape(4, -1);
        Assert.That(y.Shape, Is.EqualTo(new Shape(4, 6)));
        Assert.That(y.Storage, Is.SameAs(x.Storage));
        Assert.That(y.ToArray(), Is.EqualTo(x.ToArray()));
    }

    [Test]
    public void PermuteReordersElementsWithoutCopying()
    {
        var x = Arange(2, 3);
        var t = x.T;
        Assert.That(t.Storage, Is.SameAs(x.Storage));
        Assert.That(t.IsContiguous, Is.False);
        Assert.That(t.ToArray(), Is.EqualTo(new float[] { 0, 3, 1, 4, 2, 5 }));
        Assert.That(t.Contiguous().IsContiguous, Is.True);
    }

    [Test]
    public void ReshapeOfTransposedCopiesWhenAViewIsImpossible()
    {
        var t = Arange(2, 3).T;
        Assert.Throws<InvalidOperationException>(() => t.View(6));
        Assert.That(t.Reshape(6).ToArray(), Is.EqualTo(new float[] { 0, 3, 1, 4, 2, 5 }));
    }

    [Test]
    public void NarrowSliceSelectAndExpand()
    {
        var x = Arange(4, 5);
        Assert.That(x.Narrow(1, 1, 2).ToArray(), Is.EqualTo(new float[] { 1, 2, 6, 7, 11, 12, 16, 17 }));
        Assert.That(x.Slice(0, 0, null, 2).Select(1, -1).ToArray(), Is.EqualTo(new float[] { 4, 14 }));
        var e = Arange(3).Unsqueeze(0).Expand(2, 3);
        Assert.That(e.Strides.ToArray(), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(e.ToArray(), Is.EqualTo(new float[] { 0, 1, 2, 0, 1, 2 }));
        Assert.That(x.Unsqueeze(1).Squeeze().Shape, Is.EqualTo(new Shape(4, 5)));
    }

    [Test]
    public void BadViewsNameTheOpAndShapes()
    {
        var x = Arange(2, 3);
        var e = Assert.Throws<ArgumentException>(() => x.Reshape(4, 2))!;
        Assert.That(e.Message, Does.Contain("Reshape").And.Contain("[2, 3]").And.Contain("[4, 2]"));
        var p = Assert.Throws<ArgumentOutOfRangeException>(() => x.Permute(0, 2))!;
        Assert.That(p.Message, Does.Contain("Permute").And.Contain("axis 2"));
        var ex = Assert.Throws<ArgumentException>(() => x.Expand(4, 3))!;
        Assert.That(ex.Message, Does.Contain("Expand"));
        Assert.Throws<ArgumentException>(() => new Shape(2, -1));
    }
}
