using NetFromScratch.Tensors;

namespace NetFromScratch.Autograd;

/// <summary>
/// A gradient check for every differentiable op, over several shapes: broadcasting in each direction, strided views
/// (transposed, sliced, expanded) as inputs, and each op's options. <c>nfs gradcheck</c> prints it as a table and the
/// test suite runs it on every backend; run it on a new backend to validate every backward rule there.
/// </summary>
/// <remarks>
/// Inputs are chosen away from the points where an op has no derivative (ReLU at 0, ties in a maximum, clamp
/// bounds), since a finite difference straddling a kink measures neither side.
/// </remarks>
public static class GradCheckSuite
{
    private static readonly Lazy<IReadOnlyList<GradCheckCase>> All = new(Build);

    /// <summary>Every case, grouped by op family.</summary>
    public static IReadOnlyList<GradCheckCase> Cases => All.Value;

    /// <summary>Runs every case whose op contains <paramref name="filter"/> (case-insensitive; all when null).</summary>
    public static IEnumerable<(GradCheckCase Case, GradCheckResult Result)> Run(Device device, string? filter = null)
    {
        foreach (var c in Cases)
            if (filter is null || c.Op.Contains(filter, StringComparison.OrdinalIgnoreCase))
                yield return (c, c.Run(device));
    }

    // ---- input kinds ------------------------------------------------------------------------------------------

    /// <summary>Uniform in [low, high).</summary>
    private static GradCheckInput U(string name, int[] shape, float low = -1f, float high = 1f) =>
        new(name, new Shape(shape), true, (rng, n) => Fill(n, () => low + (float)rng.NextDouble() * (high - low)));

    /// <summary>Magnitude in [0.2, 1), random sign: clear of kinks at 0.</summary>
    private static GradCheckInput Away(string name, params int[] shape) =>
        new(name, new Shape(shape), true, (rng, n) => Fill(n, () => (0.2f + 0.8f * (float)rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1)));

    /// <summary>Distinct values at least 0.1 apart, shuffled: no ties for max, min or pooling.</summary>
    private static GradCheckInput Distinct(string name, params int[] shape) =>
        new(name, new Shape(shape), true, (rng, n) =>
        {
            var v = Enumerable.Range(0, n).Select(i => (i - n / 2f) * 0.1f).ToArray();
            rng.Shuffle(v);
            return v;
        });

    /// <summary>A constant (no gradient) from explicit values.</summary>
    private static GradCheckInput Const(string name, int[] shape, params float[] values) =>
        new(name, new Shape(shape), false, (_, n) => values.Length == n ? values : throw new ArgumentException($"{name}: {values.Length} values for {n} elements."));

    /// <summary>Explicit values that require grad.</summary>
    private static GradCheckInput Given(string name, int[] shape, params float[] values) =>
        new(name, new Shape(shape), true, (_, n) => values.Length == n ? values : throw new ArgumentException($"{name}: {values.Length} values for {n} elements."));

    /// <summary>A constant of whole numbers in [0, count).</summary>
    private static GradCheckInput Classes(string name, int count, params int[] shape) =>
        new(name, new Shape(shape), false, (rng, n) => Fill(n, () => rng.Next(count)));

    /// <summary>A constant of probabilities: each row along the last axis sums to 1.</summary>
    private static GradCheckInput Probabilities(string name, params int[] shape) =>
        new(name, new Shape(shape), false, (rng, n) =>
        {
            int c = shape[^1];
            var v = Fill(n, () => 0.1f + (float)rng.NextDouble());
            for (int r = 0; r < n / c; r++)
            {
                float s = 0;
                for (int j = 0; j < c; j++) s += v[r * c + j];
                for (int j = 0; j < c; j++) v[r * c + j] /= s;
            }
            return v;
        });

    private static float[] Fill(int n, Func<float> next)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = next();
        return v;
    }

    private static int[] S(params int[] dims) => dims;

    // ---- the cases ------------------------------------------------------------------------------------------------

    private static IReadOnlyList<GradCheckCase> Build()
    {
        var cases = new List<GradCheckCase>();
        var fine = GradCheckOptions.Default with { Step = 1e-3f };
        void Add(string op, string note, Func<Variable[], Variable> f, params GradCheckInput[] inputs) =>
            cases.Add(new GradCheckCase(op, note, f, inputs, GradCheckOptions.Default));
        void AddWith(GradCheckOptions options, string op, string note, Func<Variable[], Variable> f, params GradCheckInput[] inputs) =>
            cases.Add(new GradCheckCase(op, note, f, inputs, options));

        // Arithmetic and broadcasting.
        Add("Add", "", v => v[0] + v[1], U("a", S(2, 3)), U("b", S(2, 3)));
        Add("Add", "broadcast right", v => v[0] + v[1], U("a", S(2, 3)), U("b", S(3)));
        Add("Add", "broadcast both ways", v => v[0] + v[1], U("a", S(3, 1)), U("b", S(1, 4)));
        Add("Add", "transposed input", v => v[0].T + v[1], U("a", S(3, 2)), U("b", S(2, 1)));
        Add("Add", "same input twice", v => v[0] + v[0], U("a", S(2, 3)));
        Add("Sub", "broadcast", v => v[0] - v[1], U("a", S(2, 3)), U("b", S(2, 1)));
        Add("Mul", "", v => v[0] * v[1], U("a", S(2, 3)), U("b", S(2, 3)));
        Add("Mul", "broadcast, rank 3", v => v[0] * v[1], U("a", S(2, 1, 3)), U("b", S(4, 1)));
        Add("Mul", "strided slice input", v => v[0].Slice(1, 0, null, 2) * v[1], U("a", S(2, 6)), U("b", S(3)));
        Add("Mul", "x * x", v => v[0] * v[0], U("a", S(4)));
        Add("Div", "broadcast", v => v[0] / v[1], U("a", S(2, 3)), U("b", S(3), 0.5f, 1.5f));
        Add("Neg", "", v => -v[0], U("x", S(2, 3)));
        Add("AddScalar", "", v => v[0] + 2.5f, U("x", S(5)));
        Add("RSubScalar", "", v => 1f - v[0], U("x", S(5)));
        Add("MulScalar", "", v => v[0] * -3f, U("x", S(2, 2)));
        Add("DivScalar", "", v => v[0] / 4f, U("x", S(2, 2)));
        Add("RDivScalar", "", v => 2f / v[0], U("x", S(2, 3), 0.5f, 1.5f));
        Add("Maximum", "broadcast", v => v[0].Maximum(v[1]), Distinct("a", 2, 3), U("b", S(3), -0.04f, 0.04f));
        Add("Minimum", "", v => v[0].Minimum(v[1]), Distinct("a", 2, 3), U("b", S(2, 3), -0.04f, 0.04f));
        Add("Where", "broadcast", v => Variable.Where(v[2].Data, v[0], v[1]), U("a", S(2, 3)), U("b", S(3)), Const("cond", S(2, 3), 1, 0, 1, 0, 0, 1));
        Add("PowTensor", "broadcast", v => v[0].Pow(v[1]), U("a", S(2, 3), 0.5f, 1.5f), U("b", S(3), 0.5f, 2.5f));

        // Elementwise functions.
        Add("Exp", "", v => v[0].Exp(), U("x", S(2, 3)));
        Add("Log", "", v => v[0].Log(), U("x", S(2, 3), 0.5f, 2f));
        Add("Sqrt", "", v => v[0].Sqrt(), U("x", S(2, 3), 0.5f, 2f));
        Add("Rsqrt", "", v => v[0].Rsqrt(), U("x", S(2, 3), 0.5f, 2f));
        Add("Square", "", v => v[0].Square(), U("x", S(2, 3)));
        Add("Pow", "exponent 3", v => v[0].Pow(3f), U("x", S(2, 3)));
        Add("Pow", "exponent 0.5", v => v[0].Pow(0.5f), U("x", S(2, 3), 0.5f, 2f));
        Add("Reciprocal", "", v => v[0].Reciprocal(), U("x", S(2, 3), 0.5f, 2f));
        Add("Abs", "", v => v[0].Abs(), Away("x", 2, 3));
        Add("Clamp", "", v => v[0].Clamp(-0.5f, 0.5f), Given("x", S(6), -0.9f, -0.3f, 0.1f, 0.45f, 0.7f, -0.6f));

        // Activations.
        Add("Relu", "", v => v[0].Relu(), Away("x", 3, 4));
        Add("LeakyRelu", "", v => v[0].LeakyRelu(0.1f), Away("x", 3, 4));
        Add("Sigmoid", "", v => v[0].Sigmoid(), U("x", S(3, 4), -3f, 3f));
        Add("Tanh", "", v => v[0].Tanh(), U("x", S(3, 4), -2f, 2f));
        Add("Gelu", "", v => v[0].Gelu(), U("x", S(3, 4), -3f, 3f));
        Add("Softplus", "", v => v[0].Softplus(), U("x", S(3, 4), -3f, 3f));
        Add("Silu", "composite", v => v[0].Silu(), U("x", S(3, 4), -3f, 3f));

        // Reductions.
        Add("Sum", "all axes", v => v[0].Sum(), U("x", S(2, 3)));
        Add("Sum", "axis 1", v => v[0].Sum(1), U("x", S(2, 3, 2)));
        Add("Sum", "axes [0, 2], keepDim", v => v[0].Sum([0, 2], keepDim: true), U("x", S(2, 3, 2)));
        Add("Sum", "transposed input", v => v[0].T.Sum(0), U("x", S(3, 4)));
        Add("Mean", "all axes", v => v[0].Mean(), U("x", S(2, 3)));
        Add("Mean", "axis -1, keepDim", v => v[0].Mean(-1, keepDim: true), U("x", S(2, 3, 4)));
        Add("Max", "all axes", v => v[0].Max(), Distinct("x", 2, 3));
        Add("Max", "axis 1", v => v[0].Max([1]), Distinct("x", 2, 4, 2));
        Add("Min", "axis 0, keepDim", v => v[0].Min([0], keepDim: true), Distinct("x", 3, 4));
        Add("MaxWithIndex", "axis 1", v => v[0].MaxWithIndex(1).Values, Distinct("x", 3, 4));
        Add("MinWithIndex", "axis 0, keepDim", v => v[0].MinWithIndex(0, keepDim: true).Values, Distinct("x", 3, 4));
        Add("Variance", "axis 1, unbiased", v => v[0].Variance([1]), U("x", S(2, 5)));
        Add("Variance", "all axes, population", v => v[0].Variance(correction: 0f), U("x", S(2, 3)));
        Add("Std", "axis 0", v => v[0].Std([0]), U("x", S(4, 3)));
        Add("LogSumExp", "axis 1", v => v[0].LogSumExp([1]), U("x", S(3, 4), -2f, 2f));
        Add("LogSumExp", "all axes", v => v[0].LogSumExp(), U("x", S(2, 3), -2f, 2f));

        // Softmax.
        Add("Softmax", "last axis", v => v[0].Softmax(-1), U("x", S(2, 5), -2f, 2f));
        Add("Softmax", "axis 0", v => v[0].Softmax(0), U("x", S(3, 4), -2f, 2f));
        Add("Softmax", "transposed input", v => v[0].T.Softmax(-1), U("x", S(4, 3), -2f, 2f));
        Add("LogSoftmax", "axis 1", v => v[0].LogSoftmax(1), U("x", S(3, 4), -2f, 2f));
        Add("LogSoftmax", "rank 3, axis 1", v => v[0].LogSoftmax(1), U("x", S(2, 3, 2), -2f, 2f));

        // Matrix products.
        Add("MatMul", "", v => v[0].MatMul(v[1]), U("a", S(3, 4)), U("b", S(4, 2)));
        Add("MatMul", "batched", v => v[0].MatMul(v[1]), U("a", S(2, 3, 4)), U("b", S(2, 4, 2)));
        Add("MatMul", "batch broadcast", v => v[0].MatMul(v[1]), U("a", S(2, 3, 4)), U("b", S(4, 2)));
        Add("MatMul", "batch broadcast both", v => v[0].MatMul(v[1]), U("a", S(1, 2, 3)), U("b", S(2, 3, 2)));
        Add("MatMul", "vector @ matrix", v => v[0].MatMul(v[1]), U("a", S(4)), U("b", S(4, 3)));
        Add("MatMul", "matrix @ vector", v => v[0].MatMul(v[1]), U("a", S(3, 4)), U("b", S(4)));
        Add("MatMul", "dot product", v => v[0].MatMul(v[1]), U("a", S(5)), U("b", S(5)));
        Add("MatMul", "transposed inputs", v => v[0].T.MatMul(v[1].T), U("a", S(4, 3)), U("b", S(2, 4)));
        Add("Linear", "composite", v => F.Linear(v[0], v[1], v[2]), U("x", S(4, 3)), U("w", S(2, 3)), U("b", S(2)));
        Add("Linear", "rank 3 input, no bias", v => F.Linear(v[0], v[1]), U("x", S(2, 2, 3)), U("w", S(4, 3)));

        // Views.
        Add("Reshape", "", v => v[0].Reshape(6, -1) * v[1], U("x", S(2, 3, 4)), U("r", S(6, 4)));
        Add("Reshape", "of a transposed view, copies", v => v[0].T.Reshape(-1) * v[1], U("x", S(2, 3)), U("r", S(6)));
        Add("View", "", v => v[0].View(3, 2) * v[1], U("x", S(6)), U("r", S(3, 2)));
        Add("Flatten", "axes 1..2", v => v[0].Flatten(1) * v[1], U("x", S(2, 3, 2)), U("r", S(2, 6)));
        Add("Permute", "", v => v[0].Permute(2, 0, 1) * v[1], U("x", S(2, 3, 4)), U("r", S(4, 2, 3)));
        Add("Transpose", "", v => v[0].Transpose(0, 2) * v[1], U("x", S(2, 3, 4)), U("r", S(4, 3, 2)));
        Add("Narrow", "", v => v[0].Narrow(1, 1, 2) * v[1], U("x", S(3, 4)), U("r", S(3, 2)));
        Add("Slice", "step 2", v => v[0].Slice(0, 1, null, 2) * v[1], U("x", S(5, 2)), U("r", S(2, 2)));
        Add("Select", "", v => v[0].Select(1, -1) * v[1], U("x", S(3, 4)), U("r", S(3)));
        Add("Expand", "new axis and size-1 axis", v => v[0].Expand(2, 3, 4) * v[1], U("x", S(3, 1)), U("r", S(2, 3, 4)));
        Add("Squeeze", "", v => v[0].Squeeze() * v[1], U("x", S(3, 1, 2)), U("r", S(3, 2)));
        Add("Unsqueeze", "", v => v[0].Unsqueeze(1) * v[1], U("x", S(3, 2)), U("r", S(3, 4, 2)));
        Add("Contiguous", "of a transposed view", v => v[0].T.Contiguous() * v[1], U("x", S(3, 2)), U("r", S(2, 3)));

        // Joining and splitting.
        Add("Concat", "axis 1", v => Variable.Concat([v[0], v[1], v[2]], 1) * v[3], U("a", S(2, 1)), U("b", S(2, 3)), U("c", S(2, 2)), U("r", S(2, 6)));
        Add("Stack", "composite, axis 1", v => Variable.Stack([v[0], v[1]], 1) * v[2], U("a", S(2, 3)), U("b", S(2, 3)), U("r", S(2, 2, 3)));
        Add("Split", "pieces recombined", v =>
        {
            var p = v[0].Split([1, 3], 1);
            return Variable.Concat([p[1], p[0] * p[0]], 1);
        }, U("x", S(2, 4)));

        // Indexing.
        Add("Gather", "axis 1, repeated indices", v => v[0].Gather(1, v[1].Data), U("x", S(3, 4)), Const("index", S(3, 2), 0, 0, 3, 1, 2, 2));
        Add("Gather", "axis 0", v => v[0].Gather(0, v[1].Data), U("x", S(3, 2)), Const("index", S(2, 2), 2, 0, 1, 2));
        Add("ScatterAdd", "axis 1", v => v[0].ScatterAdd(1, v[2].Data, v[1]), U("x", S(2, 4)), U("src", S(2, 3)), Const("index", S(2, 3), 0, 3, 0, 1, 1, 2));
        Add("IndexSelect", "axis 0, repeated", v => v[0].IndexSelect(0, v[1].Data), U("x", S(4, 2)), Const("index", S(3), 3, 0, 3));
        Add("IndexSelect", "axis 1", v => v[0].IndexSelect(1, v[1].Data), U("x", S(2, 3)), Const("index", S(2), 2, 0));
        Add("Embedding", "composite", v => F.Embedding(v[1].Data, v[0]), U("weight", S(5, 3)), Const("indices", S(2, 2), 4, 1, 1, 0));
        Add("Pad", "constant", v => v[0].Pad([1, 2], PadMode.Constant, 0.5f), U("x", S(2, 3)));
        Add("Pad", "reflect, two axes", v => v[0].Pad([1, 1, 2, 0], PadMode.Reflect), U("x", S(1, 3, 3)));
        Add("Pad", "replicate", v => v[0].Pad([2, 1], PadMode.Replicate), U("x", S(2, 3)));

        // Convolution and pooling.
        Add("Conv2d", "", v => F.Conv2d(v[0], v[1], v[2]), U("x", S(2, 2, 4, 4)), U("w", S(3, 2, 3, 3)), U("b", S(3)));
        Add("Conv2d", "stride 2, padding 1", v => F.Conv2d(v[0], v[1], v[2], stride: 2, padding: 1), U("x", S(1, 2, 5, 5)), U("w", S(2, 2, 3, 3)), U("b", S(2)));
        Add("Conv2d", "dilation 2, no bias", v => F.Conv2d(v[0], v[1], null, dilation: 2), U("x", S(1, 1, 5, 5)), U("w", S(2, 1, 2, 2)));
        Add("Conv2d", "groups 2", v => F.Conv2d(v[0], v[1], v[2], groups: 2, padding: 1), U("x", S(1, 4, 3, 3)), U("w", S(2, 2, 3, 3)), U("b", S(2)));
        Add("Conv2d", "rectangular stride and padding", v => F.Conv2d(v[0], v[1], null, new Conv2dParams(StrideH: 2, StrideW: 1, PadH: 0, PadW: 1)), U("x", S(1, 1, 5, 4)), U("w", S(1, 1, 3, 2)));
        Add("Conv2d", "transposed input", v => F.Conv2d(v[0].Transpose(2, 3), v[1], v[2], padding: 1), U("x", S(2, 1, 4, 3)), U("w", S(2, 1, 3, 3)), U("b", S(2)));
        Add("MaxPool2d", "2x2", v => F.MaxPool2d(v[0], 2), Distinct("x", 1, 2, 4, 4));
        Add("MaxPool2d", "2x2, stride 1, dilation 2", v => F.MaxPool2d(v[0], 2, 1, 0, dilation: 2), Distinct("x", 2, 1, 4, 4));
        Add("MaxPool2d", "3x3, stride 2, ceil mode", v => F.MaxPool2d(v[0], 3, 2, ceilMode: true), Distinct("x", 1, 1, 6, 6));
        Add("MaxPool2d", "3x3, stride 2, padding 1", v => F.MaxPool2d(v[0], 3, 2, 1), Distinct("x", 1, 1, 5, 5));
        Add("AvgPool2d", "2x2", v => F.AvgPool2d(v[0], 2), U("x", S(1, 2, 4, 4)));
        Add("AvgPool2d", "3x3, stride 1, padding 1, padding not counted", v => F.AvgPool2d(v[0], 3, 1, 1, countIncludePad: false), U("x", S(1, 1, 4, 4)));
        Add("AvgPool2d", "2x2, stride 2, ceil mode", v => F.AvgPool2d(v[0], 2, 2, ceilMode: true), U("x", S(1, 2, 5, 5)));
        Add("GlobalAvgPool2d", "composite", v => F.GlobalAvgPool2d(v[0]), U("x", S(2, 3, 2, 2)));

        // Normalization and dropout.
        AddWith(fine, "BatchNorm", "training, affine", v => F.BatchNorm(v[0], null, null, v[1], v[2], training: true), U("x", S(4, 2, 2, 2)), U("w", S(2), 0.5f, 1.5f), U("b", S(2)));
        AddWith(fine, "BatchNorm", "training, [N, C], running stats", v =>
            F.BatchNorm(v[0], Tensor.Zeros(new Shape(3), v[0].Device), Tensor.Ones(new Shape(3), v[0].Device), null, null, training: true), U("x", S(6, 3)));
        Add("BatchNorm(eval)", "running statistics", v =>
            F.BatchNorm(v[0], v[3].Data, v[4].Data, v[1], v[2], training: false), U("x", S(2, 2, 2, 2)), U("w", S(2)), U("b", S(2)),
            Const("mean", S(2), 0.1f, -0.2f), Const("var", S(2), 0.5f, 2f));
        AddWith(fine, "LayerNorm", "composite", v => F.LayerNorm(v[0], [4], v[1], v[2]), U("x", S(2, 3, 4)), U("w", S(4)), U("b", S(4)));
        Add("Dropout", "p = 0.3, fixed mask", v => F.Dropout(v[0], 0.3f, training: true, new Generator(7)), U("x", S(4, 5)));

        // Losses.
        Add("CrossEntropy", "fused", v => F.CrossEntropy(v[0], v[1].Data), U("logits", S(4, 5), -2f, 2f), Classes("targets", 5, 4));
        Add("CrossEntropy", "label smoothing 0.1, class weights", v => F.CrossEntropy(v[0], v[1].Data, 0.1f, v[2].Data),
            U("logits", S(4, 3), -2f, 2f), Const("targets", S(4), 0, 2, 1, 2), Const("weight", S(3), 0.5f, 1f, 2f));
        Add("CrossEntropy", "probability targets", v => F.CrossEntropy(v[0], v[1].Data), U("logits", S(3, 4), -2f, 2f), Probabilities("p", 3, 4));
        Add("CrossEntropy", "spatial [N, C, H, W]", v => F.CrossEntropy(v[0], v[1].Data), U("logits", S(2, 3, 2, 2), -2f, 2f), Classes("targets", 3, 2, 2, 2));
        Add("CrossEntropy", "ignoreIndex, sum", v => F.CrossEntropy(v[0], v[1].Data, reduction: Reduction.Sum, ignoreIndex: -1),
            U("logits", S(4, 3), -2f, 2f), Const("targets", S(4), 1, -1, 0, 2));
        Add("CrossEntropy", "no reduction", v => F.CrossEntropy(v[0], v[1].Data, reduction: Reduction.None), U("logits", S(3, 4), -2f, 2f), Classes("targets", 4, 3));
        Add("NllLoss", "composite, class weights", v => F.NllLoss(v[0].LogSoftmax(1), v[1].Data, v[2].Data),
            U("logits", S(4, 3), -2f, 2f), Const("targets", S(4), 0, 2, 1, 2), Const("weight", S(3), 0.5f, 1f, 2f));
        Add("MseLoss", "composite", v => F.MseLoss(v[0], v[1]), U("x", S(3, 4)), U("y", S(3, 4)));
        Add("L1Loss", "composite", v => F.L1Loss(v[0], v[1].Data), U("x", S(2, 3)), Const("y", S(2, 3), 0.5f, -0.5f, 2f, -2f, 1.5f, -1.5f));
        Add("BinaryCrossEntropyWithLogits", "composite", v => F.BinaryCrossEntropyWithLogits(v[0], v[1].Data), Away("x", 2, 3), Const("t", S(2, 3), 1, 0, 0.3f, 1, 0, 0.8f));

        return cases;
    }
}
