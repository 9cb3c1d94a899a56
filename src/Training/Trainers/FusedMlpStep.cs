using NetFromScratch.Autograd;
using NetFromScratch.Nn;
using NetFromScratch.Nn.Layers;
using NetFromScratch.Tensors;
using NetFromScratch.Training.Losses;
using NetFromScratch.Training.Regularization;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace NetFromScratch.Training.Trainers;

/// <summary>
/// The training step of a multilayer perceptron with cross-entropy, written out as explicit forward and backward
/// passes (in the manner of llm.c) into buffers allocated once per batch size, so a steady step allocates no tensor and
/// builds no graph. It computes what the autograd path computes for the same model (the tests check the gradients
/// against it): the products go through the device's GEMM, and the small elementwise parts (bias, ReLU, softmax
/// cross-entropy and its gradient, ReLU masks, bias gradients) are single passes over the rows.
/// </summary>
/// <remarks>
/// <para>Qualifies: a <see cref="Sequential"/> on the CPU of an optional leading <see cref="Flatten"/> to <c>[N, features]</c>,
/// then <see cref="Linear"/> layers each optionally followed by <see cref="ReLU"/>, ending in a Linear (<see cref="Identity"/>
/// and <see cref="Dropout"/> with p = 0 are skipped); and a <see cref="CrossEntropyLoss"/> without class weights (label
/// smoothing is supported) with mean or sum reduction. Anything else takes the autograd path.</para>
/// <para>Forward hooks are not run on this path; train with <see cref="TrainerOptions.UseFusedSteps"/> off to use them.</para>
/// <para>Forward, per Linear i: <c>A_i = act(A_{i-1} W_i^T + b_i)</c>. Loss per row: <c>lse(z) - ((1 - s) z_t + (s / C) sum z)</c>.
/// Backward: <c>dZ = (softmax(z) - q) * scale</c>; per layer <c>dW_i += dZ_i^T A_{i-1}</c>, <c>db_i += colsum(dZ_i)</c>,
/// <c>dZ_{i-1} = (dZ_i W_i) * [A_{i-1} &gt; 0]</c>.</para>
/// </remarks>
internal sealed class FusedMlpStep : IStepEngine
{
    private readonly Linear[] _layers;
    private readonly bool[] _reluAfter;
    private readonly int _features;
    private readonly int _classes;
    private readonly float _smoothing;
    private readonly bool _sumReduction;
    private readonly IBackend _backend;
    private readonly Dictionary<int, BatchBuffers> _buffers = new();
    private readonly Tensor?[] _weightData;
    private readonly Tensor?[] _weightT;

    private FusedMlpStep(Linear[] layers, bool[] reluAfter, int features, CrossEntropyLoss loss, Device device)
    {
        _layers = layers;
        _reluAfter = reluAfter;
        _features = features;
        _classes = layers[^1].OutFeatures;
        _smoothing = loss.LabelSmoothing;
        _sumReduction = loss.Reduction == Reduction.Sum;
        _backend = device.Backend;
        _weightData = new Tensor?[layers.Length];
        _weightT = new Tensor?[layers.Length];
    }

    public string Name => "fused-mlp";

    /// <summary>The step for <paramref name="model"/> and <paramref name="loss"/> when they qualify (see the remarks), else false.</summary>
    public static bool TryCreate(Module model, Loss loss, Device device, Shape sampleShape, out IStepEngine? step)
    {
        step = null;
        if (device.Kind != DeviceKind.Cpu || model is not Sequential seq || seq.Count == 0) return false;
        if (loss is not CrossEntropyLoss { Weight: null } ce || ce.Reduction == Reduction.None) return false;
        var linears = new List<Linear>();
        var relu = new List<bool>();
        int features = sampleShape.Numel;
        for (int i = 0; i < seq.Count; i++)
        {
            switch (seq[i])
            {
                case Flatten flatten when i == 0:
                    if (!FlattensToRows(flatten, sampleShape)) return false;
                    break;
                case Linear linear:
                    linears.Add(linear);
                    relu.Add(false);
                    break;
                case ReLU when linears.Count > 0 && !relu[^1] && seq[i - 1] is not ReLU:
                    relu[^1] = true;
                    break;
                case Identity:
                    break;
                case Dropout { P: 0f }:
                    break;
                default:
                    return false;
            }
        }
        if (linears.Count == 0 || seq[seq.Count - 1] is not Linear) return false;
        if (seq[0] is not Flatten && sampleShape.Rank != 1) return false;
        int width = features;
        foreach (var l in linears)
        {
            if (l.InFeatures != width) return false;
            if (!OnCpu(l.Weight.Data) || (l.Bias is not null && !OnCpu(l.Bias.Data))) return false;
            width = l.OutFeatures;
        }
        step = new FusedMlpStep(linears.ToArray(), relu.ToArray(), features, ce, device);
        return true;

        static bool OnCpu(Tensor t) => t.Device.Kind == DeviceKind.Cpu && t.IsContiguous;
    }

    /// <summary>True when the flatten layer maps <c>[N, *sample]</c> to <c>[N, sample.Numel]</c> (checked on a tiny batch).</summary>
    private static bool FlattensToRows(Flatten flatten, Shape sampleShape)
    {
        using (NoGrad.Scope())
        {
            var dims = new int[sampleShape.Rank + 1];
            dims[0] = 2;
            sampleShape.Dims.CopyTo(dims.AsSpan(1));
            using var probe = Tensor.Zeros(new Shape(dims));
            var y = flatten.Forward(probe);
            return y.Shape == new Shape(2, sampleShape.Numel);
        }
    }

    /// <summary>Activations and their gradients for one batch size, plus the transposed views the GEMM reads.</summary>
    private sealed class BatchBuffers
    {
        public BatchBuffers(FusedMlpStep step, int n)
        {
            int layers = step._layers.Length;
            Activations = new Tensor[layers];
            Gradients = new Tensor[layers];
            GradientsT = new Tensor[layers];
            for (int i = 0; i < layers; i++)
            {
                var shape = new Shape(n, step._layers[i].OutFeatures);
                Activations[i] = Tensor.Zeros(shape);
                Gradients[i] = Tensor.Zeros(shape);
                GradientsT[i] = Gradients[i].T;
            }
        }

        public readonly Tensor[] Activations;
        public readonly Tensor[] Gradients;
        public readonly Tensor[] GradientsT;
    }

    public StepOutcome Train(Tensor inputs, Tensor targets) => Run(inputs, targets, train: true);

    public StepOutcome Evaluate(Tensor inputs, Tensor targets) => Run(inputs, targets, train: false);

    private StepOutcome Run(Tensor inputs, Tensor targets, bool train)
    {
        int n = inputs.Shape[0];
        if (inputs.Numel != n * _features)
            throw new ArgumentException($"FusedMlpStep: a batch of shape {inputs.Shape} does not hold {_features} features per sample.");
        if (targets.Rank != 1 || targets.Shape[0] != n)
            throw new ArgumentException($"CrossEntropy: targets must have shape [{n}] (class numbers), got {targets.Shape}.");
        if (!_buffers.TryGetValue(n, out var buffers)) _buffers[n] = buffers = new BatchBuffers(this, n);
        var x = inputs.Rank == 2 && inputs.IsContiguous ? inputs : inputs.Reshape(n, _features);
        try
        {
            Forward(x, buffers);
            var (loss, correct) = LossAndGradient(buffers.Activations[^1], targets, train ? buffers.Gradients[^1] : null);
            if (train && double.IsFinite(loss)) Backward(x, buffers);
            return new StepOutcome(loss, correct);
        }
        finally
        {
            if (!ReferenceEquals(x, inputs)) x.Dispose();
        }
    }

    private Tensor WeightT(int i)
    {
        var w = _layers[i].Weight.Data;
        if (!ReferenceEquals(w, _weightData[i]))
        {
            _weightT[i]?.Dispose();
            _weightData[i] = w;
            _weightT[i] = w.T;
        }
        return _weightT[i]!;
    }

    private void Forward(Tensor x, BatchBuffers buffers)
    {
        var a = x;
        for (int i = 0; i < _layers.Length; i++)
        {
            var z = buffers.Activations[i];
            _backend.MatMul(a, WeightT(i), z);
            BiasAndRelu(Span(z), _layers[i].Bias?.Data, _reluAfter[i], _layers[i].OutFeatures);
            a = z;
        }
    }

    private static void BiasAndRelu(Span<float> z, Tensor? bias, bool relu, int width)
    {
        ReadOnlySpan<float> b = bias is null ? default : Span(bias);
        for (int r = 0; r < z.Length; r += width)
        {
            var row = z.Slice(r, width);
            if (bias is not null) TensorPrimitives.Add(row, b, row);
            if (relu) TensorPrimitives.Max(row, 0f, row);
        }
    }

    /// <summary>Mean (or summed) cross-entropy, the correct count, and when <paramref name="gradient"/> is given <c>(softmax - q) * scale</c> into it.</summary>
    private (double Loss, int Correct) LossAndGradient(Tensor logits, Tensor targets, Tensor? gradient)
    {
        var z = Span(logits);
        ReadOnlySpan<float> t = TensorSpans.TryGet(targets, out var ts) ? ts : targets.ToArray();
        int n = t.Length, c = _classes, correct = 0;
        float s = _smoothing, uniform = s / c, keep = 1f - s;
        float scale = _sumReduction ? 1f : 1f / n;
        var dz = gradient is null ? default : Span(gradient);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            float target = t[i];
            int k = (int)target;
            if (target != k || k < 0 || k >= c)
                throw new ArgumentException($"CrossEntropy: target {target} at position {i} is not a class number in [0, {c}).");
            var row = z.Slice(i * c, c);
            int best = 0;
            float max = row[0];
            for (int j = 1; j < c; j++)
                if (row[j] > max) { max = row[j]; best = j; }
            if (best == k) correct++;
            double sumExp = 0;
            for (int j = 0; j < c; j++) sumExp += MathF.Exp(row[j] - max);
            double lse = max + Math.Log(sumExp);
            double picked = row[k];
            if (s != 0)
            {
                double rowSum = 0;
                for (int j = 0; j < c; j++) rowSum += row[j];
                picked = keep * picked + uniform * rowSum;
            }
            total += lse - picked;
            if (gradient is null) continue;
            var g = dz.Slice(i * c, c);
            float inv = (float)(1.0 / sumExp);
            for (int j = 0; j < c; j++)
            {
                float q = (j == k ? keep : 0f) + uniform;
                g[j] = (MathF.Exp(row[j] - max) * inv - q) * scale;
            }
        }
        return (_sumReduction ? total / Math.Max(1, n) : total / Math.Max(1, n), correct);
    }

    private void Backward(Tensor x, BatchBuffers buffers)
    {
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            var layer = _layers[i];
            var input = i == 0 ? x : buffers.Activations[i - 1];
            var weight = layer.Weight.Variable;
            if (weight.RequiresGrad)
            {
                weight.Grad ??= Tensor.Zeros(weight.Shape, weight.Device);
                _backend.MatMul(buffers.GradientsT[i], input, weight.Grad, accumulate: true);
            }
            if (layer.Bias?.Variable is { RequiresGrad: true } bias)
            {
                bias.Grad ??= Tensor.Zeros(bias.Shape, bias.Device);
                var db = Span(bias.Grad);
                var dz = Span(buffers.Gradients[i]);
                for (int r = 0; r < dz.Length; r += db.Length) TensorPrimitives.Add(db, dz.Slice(r, db.Length), db);
            }
            if (i == 0) break;
            var below = buffers.Gradients[i - 1];
            _backend.MatMul(buffers.Gradients[i], weight.Data, below);
            if (_reluAfter[i - 1]) ReluMask(Span(below), Span(buffers.Activations[i - 1]));
        }
    }

    /// <summary><c>g = a &gt; 0 ? g : 0</c>: ReLU's derivative read from its output.</summary>
    private static void ReluMask(Span<float> g, ReadOnlySpan<float> a)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int w = System.Numerics.Vector<float>.Count;
            for (; i <= g.Length - w; i += w)
            {
                var mask = System.Numerics.Vector.GreaterThan(new System.Numerics.Vector<float>(a[i..]), System.Numerics.Vector<float>.Zero);
                System.Numerics.Vector.ConditionalSelect(mask, new System.Numerics.Vector<float>(g[i..]), System.Numerics.Vector<float>.Zero).CopyTo(g[i..]);
            }
        }
        for (; i < g.Length; i++)
            if (!(a[i] > 0)) g[i] = 0f;
    }

    private static Span<float> Span(Tensor t) =>
        TensorSpans.TryGet(t, out var s) ? s : throw new InvalidOperationException($"FusedMlpStep: expected a contiguous CPU tensor, got {t.Shape} on {t.Device}.");
}
