using NetFromScratch.Autograd;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;

namespace NetFromScratch.Tests.Nn;

[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]
public class LayerTests(Device device)
{
    private Tensor Data(Shape shape, int seed = 1) => Tensor.FromArray(TensorAssert.RandomData(shape.Numel, seed), shape, device);

    [Test]
    public void LinearComputesXWTransposePlusB()
    {
        var layer = new Linear(3, 2, generator: new Generator(1));
        layer.To(device);
        var x = Data(new Shape(4, 3));
        var y = layer.Forward(x).Data.ToArray();
        var w = layer.Weight.Data.ToArray(); var b = layer.Bias!.Data.ToArray(); var xv = x.ToArray();
        var expected = new float[8];
        for (int i = 0; i < 4; i++)
            for (int o = 0; o < 2; o++)
            {
                double s = b[o];
                for (int k = 0; k < 3; k++) s += xv[i * 3 + k] * w[o * 3 + k];
                expected[i * 2 + o] = (float)s;
            }
        TensorAssert.Close(expected, y, 1e-5f, 1e-5f);
    }

    [Test]
    public void LinearInitialisationIsWithinPyTorchsBound()
    {
        var layer = new Linear(100, 50, generator: new Generator(3));
        float bound = 1f / MathF.Sqrt(100);
        Assert.That(layer.Weight.Data.ToArray().All(v => MathF.Abs(v) <= bound), Is.True);
        Assert.That(layer.Bias!.Data.ToArray().All(v => MathF.Abs(v) <= bound), Is.True);
        Assert.That(layer.Weight.Data.ToArray().Max(), Is.GreaterThan(0.8f * bound));
    }

    [Test]
    public void WrongInputShapeNamesTheLayerWhatItExpectedAndWhatItGot()
    {
        var layer = new Linear(784, 128);
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(new Shape(64, 3, 32, 32))))!;
        Assert.That(e.Message, Is.EqualTo("Linear(784 -> 128) expected [*, 784], got [64, 3, 32, 32]."));
        var conv = new Conv2d(3, 8, 3);
        var c = Assert.Throws<ArgumentException>(() => conv.Forward(Tensor.Zeros(new Shape(2, 1, 8, 8))))!;
        Assert.That(c.Message, Does.Contain("Conv2d(3 -> 8").And.Contain("[N, 3, H, W]").And.Contain("[2, 1, 8, 8]"));
        var bn = new BatchNorm2d(4);
        Assert.That(Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(new Shape(2, 3, 4, 4))))!.Message,
            Does.Contain("BatchNorm2d(4)").And.Contain("[2, 3, 4, 4]"));
    }

    [Test]
    public void LinearGradientsPassGradCheck()
    {
        var layer = new Linear(4, 3, generator: new Generator(2));
        layer.To(device);
        var x = new Variable(Data(new Shape(2, 4)), requiresGrad: true);
        var result = GradCheck.Check(v => layer.Forward(v[0]), x, layer.Weight.Variable, layer.Bias!.Variable);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void Conv2dMatchesADirectConvolution()
    {
        var conv = new Conv2d(2, 3, 3, stride: 1, padding: 1, generator: new Generator(4));
        conv.To(device);
        var x = Data(new Shape(1, 2, 4, 5));
        var y = conv.Forward(x).Data;
        Assert.That(y.Shape, Is.EqualTo(new Shape(1, 3, 4, 5)));
        var w = conv.Weight.Data.ToArray(); var b = conv.Bias!.Data.ToArray(); var xv = x.ToArray();
        var expected = new float[3 * 4 * 5];
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 5; j++)
                {
                    double s = b[o];
                    for (int c = 0; c < 2; c++)
                        for (int di = 0; di < 3; di++)
                            for (int dj = 0; dj < 3; dj++)
                            {
                                int ii = i + di - 1, jj = j + dj - 1;
                                if (ii < 0 || ii >= 4 || jj < 0 || jj >= 5) continue;
                                s += w[((o * 2 + c) * 3 + di) * 3 + dj] * xv[(c * 4 + ii) * 5 + jj];
                            }
                    expected[(o * 4 + i) * 5 + j] = (float)s;
                }
        TensorAssert.Close(expected, y, 1e-4f, 1e-4f);
    }

    [Test]
    public void BatchNormNormalisesInTrainingAndUsesRunningStatisticsInEval()
    {
        var bn = new BatchNorm1d(2);
        bn.To(device);
        var x = Tensor.FromArray(new float[] { 1, 10, 3, 20, 5, 30 }, new Shape(3, 2), device);
        var y = bn.Forward(x).Data.ToArray();
        // Channel 0: mean 3, biased var 8/3.
        float inv = 1f / MathF.Sqrt(8f / 3f + 1e-5f);
        Assert.That(y[0], Is.EqualTo((1 - 3) * inv).Within(1e-4));
        // Running statistics: 0.9 * 0 + 0.1 * mean, 0.9 * 1 + 0.1 * unbiased var (4 for channel 0).
        Assert.That(bn.RunningMean!.Data.ToArray()[0], Is.EqualTo(0.3f).Within(1e-5));
        Assert.That(bn.RunningVar!.Data.ToArray()[0], Is.EqualTo(0.9f + 0.4f).Within(1e-5));
        Assert.That(bn.NumBatchesTracked!.Data.Item(), Is.EqualTo(1f));
        bn.Eval();
        var z = bn.Forward(x).Data.ToArray();
        Assert.That(z[0], Is.EqualTo((1 - 0.3f) / MathF.Sqrt(1.3f + 1e-5f)).Within(1e-4));
        Assert.That(bn.NumBatchesTracked!.Data.Item(), Is.EqualTo(1f), "eval does not count batches");
    }

    [Test]
    public void AFrozenBatchNormKeepsItsStatisticsInTrainingMode()
    {
        var bn = new BatchNorm2d(2);
        bn.To(device);
        bn.Freeze();
        Assert.That(bn.UsesBatchStatistics, Is.False);
        bn.Forward(Data(new Shape(2, 2, 3, 3)));
        Assert.That(bn.RunningMean!.Data.ToArray(), Is.EqualTo(new float[] { 0, 0 }));
    }

    [Test]
    public void DropoutZeroesAndRescalesInTrainingOnly()
    {
        var d = new Dropout(0.5f, new Generator(9));
        var x = Tensor.Ones(new Shape(1000), device);
        var y = d.Forward(x).Data.ToArray();
        Assert.That(y.All(v => v == 0f || v == 2f), Is.True);
        Assert.That(y.Count(v => v == 0f), Is.InRange(400, 600));
        d.Eval();
        Assert.That(d.Forward(x).Data.ToArray().All(v => v == 1f), Is.True);
    }

    [Test]
    public void AdaptiveAvgPoolAveragesPyTorchsCells()
    {
        // 5 -> 3 cells: rows [0,2), [1,4), [3,5).
        var x = Tensor.FromArray(Enumerable.Range(0, 25).Select(i => (float)i).ToArray(), new Shape(1, 1, 5, 5), device);
        var y = new AdaptiveAvgPool2d(3).Forward(x).Data;
        Assert.That(y.Shape, Is.EqualTo(new Shape(1, 1, 3, 3)));
        float Cell(int r0, int r1, int c0, int c1)
        {
            float s = 0; int n = 0;
            for (int r = r0; r < r1; r++) for (int c = c0; c < c1; c++) { s += r * 5 + c; n++; }
            return s / n;
        }
        var b = new[] { (0, 2), (1, 4), (3, 5) };
        var expected = new List<float>();
        foreach (var (r0, r1) in b) foreach (var (c0, c1) in b) expected.Add(Cell(r0, r1, c0, c1));
        TensorAssert.Close(expected.ToArray(), y, 1e-5f, 1e-5f);
        Assert.That(new AdaptiveAvgPool2d(1).Forward(x).Data.Item(), Is.EqualTo(12f).Within(1e-5));
    }

    [Test]
    public void ActivationModulesApplyTheirFunctions()
    {
        var x = Tensor.FromArray(new float[] { -2, 0.5f }, new Shape(2), device);
        Assert.That(new ReLU().Forward(x).Data.ToArray(), Is.EqualTo(new[] { 0f, 0.5f }));
        Assert.That(new LeakyReLU(0.1f).Forward(x).Data.ToArray()[0], Is.EqualTo(-0.2f).Within(1e-6));
        Assert.That(new Sigmoid().Forward(x).Data.ToArray()[1], Is.EqualTo(1 / (1 + MathF.Exp(-0.5f))).Within(1e-6));
        Assert.That(new Tanh().Forward(x).Data.ToArray()[0], Is.EqualTo(MathF.Tanh(-2)).Within(1e-6));
        Assert.That(new GELU().Forward(x).Data.ToArray()[1], Is.EqualTo(0.345731f).Within(1e-5));
        Assert.That(new Softmax().Forward(x).Data.ToArray().Sum(), Is.EqualTo(1f).Within(1e-6));
        Assert.That(new LogSoftmax().Forward(x).Data.ToArray().Select(MathF.Exp).Sum(), Is.EqualTo(1f).Within(1e-6));
        Assert.That(new Flatten().Forward(Tensor.Zeros(new Shape(2, 3, 4), device)).Shape, Is.EqualTo(new Shape(2, 12)));
    }
}
