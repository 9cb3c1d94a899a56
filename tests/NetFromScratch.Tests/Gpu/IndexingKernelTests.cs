using NetFromScratch.Gpu;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Gpu;

/// <summary>
/// Gather, scatter-add, index-select, index-add, one-hot and padding on the simulator against plain loops, and the
/// deferred report of a bad index (the kernel skips it; the next wait for the device throws, naming op and position).
/// </summary>
public class IndexingKernelTests
{
    private static readonly Device Sim = GpuDevices.Simulator();

    private static Tensor On(float[] data, params int[] shape) => Tensor.FromArray(data, new Shape(shape), Sim);

    [Test]
    public void GatherAndScatterAddFollowTheirDefinitionAlongEachAxis()
    {
        var x = TensorAssert.RandomData(4 * 5 * 3, 1);
        for (int axis = 0; axis < 3; axis++)
        {
            int[] xShape = [4, 5, 3];
            int[] iShape = [3, 4, 2];
            iShape[axis] = 6;
            var index = new float[iShape[0] * iShape[1] * iShape[2]];
            var rng = new Random(axis);
            for (int i = 0; i < index.Length; i++) index[i] = rng.Next(xShape[axis]);
            var expected = new float[index.Length];
            var scattered = new float[x.Length];
            var source = TensorAssert.RandomData(index.Length, 2);
            for (int a = 0; a < iShape[0]; a++)
                for (int b = 0; b < iShape[1]; b++)
                    for (int c = 0; c < iShape[2]; c++)
                    {
                        int at = (a * iShape[1] + b) * iShape[2] + c;
                        int[] pos = [a, b, c];
                        pos[axis] = (int)index[at];
                        int xi = (pos[0] * 5 + pos[1]) * 3 + pos[2];
                        expected[at] = x[xi];
                        scattered[xi] += source[at];
                    }
            // The input is a transposed-and-back view, so the kernel reads through strides.
            var xs = On(x, 3, 5, 4).Reshape(4, 5, 3);
            TensorAssert.Close(expected, xs.Gather(axis, On(index, iShape)), 0f, 0f);
            var target = Tensor.Zeros(new Shape(xShape), Sim);
            target.ScatterAddInPlace(axis, On(index, iShape), On(source, iShape));
            TensorAssert.Close(scattered, target, 1e-6f, 1e-6f);
        }
    }

    [Test]
    public void IndexSelectAndIndexAddPickAndAccumulateWholeSlices()
    {
        var x = TensorAssert.RandomData(3 * 4 * 2, 3);
        float[] index = [3, 0, 3, 1, 2];
        var expected = new float[3 * 5 * 2];
        var added = new float[x.Length];
        var source = TensorAssert.RandomData(expected.Length, 4);
        for (int a = 0; a < 3; a++)
            for (int k = 0; k < 5; k++)
                for (int c = 0; c < 2; c++)
                {
                    expected[(a * 5 + k) * 2 + c] = x[(a * 4 + (int)index[k]) * 2 + c];
                    added[(a * 4 + (int)index[k]) * 2 + c] += source[(a * 5 + k) * 2 + c];
                }
        TensorAssert.Close(expected, On(x, 3, 4, 2).IndexSelect(1, On(index, 5)), 0f, 0f);
        // The source arrives as a permuted view: sourceT[c, k, a] = source[a, k, c].
        var sourceT = new float[source.Length];
        for (int a = 0; a < 3; a++)
            for (int k = 0; k < 5; k++)
                for (int c = 0; c < 2; c++) sourceT[(c * 5 + k) * 3 + a] = source[(a * 5 + k) * 2 + c];
        var target = Tensor.Zeros(new Shape(3, 4, 2), Sim);
        target.IndexAddInPlace(1, On(index, 5), On(sourceT, 2, 5, 3).Permute(2, 1, 0));
        TensorAssert.Close(added, target, 1e-6f, 1e-6f);
    }

    [Test]
    public void OneHotMarksTheClassOfEachIndex()
    {
        var y = Tensor.OneHot(On([2, 0, 1, 2], 2, 2), 3);
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 2, 3)));
        Assert.That(y.ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1 }));
    }

    [TestCase(PadMode.Constant)]
    [TestCase(PadMode.Reflect)]
    [TestCase(PadMode.Replicate)]
    public void PadAndItsBackwardFollowTheModes(PadMode mode)
    {
        int h = 4, w = 5;
        int[] pads = [2, 1, 3, 2];   // last axis (2, 1), then (3, 2)
        int oh = h + 5, ow = w + 3;
        var x = TensorAssert.RandomData(2 * h * w, 5);
        var gy = TensorAssert.RandomData(2 * oh * ow, 6);
        var y = new float[2 * oh * ow];
        var gx = new float[x.Length];
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int si = Map(i - 3, h, mode), sj = Map(j - 2, w, mode);
                    int at = (b * oh + i) * ow + j;
                    if (si < 0 || sj < 0) { y[at] = 0.5f; continue; }
                    y[at] = x[(b * h + si) * w + sj];
                    gx[(b * h + si) * w + sj] += gy[at];
                }
        // A transposed source: the kernel reads it through strides.
        var xs = On(x, 2, w, h).Reshape(2, h, w);
        var ts = On(x, 2, h, w).Permute(0, 2, 1).Contiguous().Permute(0, 2, 1);
        TensorAssert.Close(y, ts.Pad(pads, mode, 0.5f), 0f, 0f);
        TensorAssert.Close(gx, Tensor.PadBackward(On(gy, 2, oh, ow), xs.Shape, pads, mode), 1e-6f, 1e-6f);
    }

    private static int Map(int c, int n, PadMode mode)
    {
        if (c >= 0 && c < n) return c;
        return mode switch
        {
            PadMode.Constant => -1,
            PadMode.Reflect => c < 0 ? -c : 2 * (n - 1) - c,
            _ => Math.Clamp(c, 0, n - 1),
        };
    }

    [Test]
    public void ABadIndexIsReportedAtTheNextWaitNamingOpAndFirstPosition()
    {
        var device = GpuDevices.CreateSimulator(4, 1, "ilgpu-cpu-index-errors");
        using var backend = (GpuBackend)device.Backend;
        backend.CheckIndicesEagerly = false;
        var x = Tensor.FromArray(new float[] { 1, 2, 3 }, new Shape(3), device);
        long checks = backend.Statistics.ErrorChecks;
        var y = x.Gather(0, Tensor.FromArray(new float[] { 0, 7, 1.5f, 9 }, new Shape(4), device));
        Assert.That(backend.Statistics.ErrorChecks, Is.EqualTo(checks), "nothing is read back at the op");
        var e = Assert.Throws<IndexOutOfRangeException>(() => y.ToArray());
        Assert.That(e!.Message, Is.EqualTo("Gather: index 7 at position [1] is out of range for axis 0 of size 3 (input shape [3])."));
        // The flag is cleared: the next wait is quiet, and later ops run again.
        Assert.DoesNotThrow(() => y.ToArray());
        Assert.That(x.Gather(0, Tensor.FromArray(new float[] { 2, 0 }, new Shape(2), device)).ToArray(), Is.EqualTo(new float[] { 3, 1 }));

        // A failed scatter writes nothing, and once a check failed, later indexing ops wait for the report.
        var target = Tensor.Zeros(new Shape(3), device);
        target.ScatterAddInPlace(0, Tensor.FromArray(new float[] { 0, 3, 1 }, new Shape(3), device), Tensor.Ones(new Shape(3), device));
        target.IndexAddInPlace(0, Tensor.FromArray(new float[] { 1 }, new Shape(1), device), Tensor.Ones(new Shape(1), device));
        var scatter = Assert.Throws<IndexOutOfRangeException>(() => backend.Synchronize());
        Assert.That(scatter!.Message, Does.StartWith("ScatterAdd: index 3 at position [1]"));
        Assert.That(target.ToArray(), Is.EqualTo(new float[] { 0, 0, 0 }));
    }

    [Test]
    public void EagerChecksThrowAtTheOpWithTheCpuExceptionTypes()
    {
        var device = GpuDevices.CreateSimulator(4, 1, "ilgpu-cpu-eager-index-errors");
        using var owner = (GpuBackend)device.Backend;
        Assert.That(((GpuBackend)device.Backend).CheckIndicesEagerly, Is.True, "the simulator checks eagerly by default");
        var x = Tensor.FromArray(new float[] { 1, 2, 3 }, new Shape(3), device);
        var negative = Assert.Throws<IndexOutOfRangeException>(() => x.IndexSelect(0, Tensor.FromArray(new float[] { 1, -1 }, new Shape(2), device)));
        Assert.That(negative!.Message, Does.Contain("IndexSelect: index -1 at position [1] is negative"));
        var fraction = Assert.Throws<ArgumentException>(() => Tensor.OneHot(Tensor.FromArray(new float[] { 0.5f }, new Shape(1), device), 3));
        Assert.That(fraction!.Message, Does.Contain("OneHot: index 0.5 at position [0] is not a whole number (3 classes"));
        Assert.Throws<ArgumentException>(() => x.Gather(0, Tensor.FromArray(new float[] { float.NaN }, new Shape(1), device)));
    }
}
